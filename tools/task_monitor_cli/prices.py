"""``python -m task_monitor_cli prices update|show``: the price table, refreshed by hand and shown.

``update`` reads the AWS Price List (``pricing:GetProducts``, or a bulk ``index.csv`` given with
``--from-file``) into a price table document and stores it where the function reads it (the audit
table, pk ``PRICES``), exactly as the scheduled refresh does: the same code, in this process, with
your credentials. ``--dry-run`` prints the document and stores nothing. Without ``--aws`` it runs on
the embedded AWS with an emulated Price List (or the file), to see what a refresh makes.

``show`` prints the stored table (``--aws``), or the one shipped with the function.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from task_monitor.domain.notification_model import safe_text

MAX_PROBLEMS_SHOWN = 20


class PricesUsageError(Exception):
    """A mistake in how ``prices`` was called (the CLI turns it into its one-line usage error)."""


class PricesRefreshError(Exception):
    """The refresh could not make a table (one line on stderr, exit status 1)."""


def add_prices_commands(commands: Any, usage_error: type[Exception]) -> None:
    """``prices update`` and ``prices show`` under the CLI's subcommands."""
    prices = commands.add_parser("prices", help="refresh the price table from the AWS Price List, or show it")
    actions = prices.add_subparsers(required=True, metavar="ACTION")

    update = actions.add_parser(
        "update",
        help="read the AWS Price List (GetProducts, or --from-file index.csv) and store the price table",
    )
    update.add_argument("--from-file", metavar="INDEX_CSV", help="a bulk Price List file (AmazonBraket index.csv)")
    update.add_argument(
        "--pricing-region",
        default="us-east-1",
        help="where the Price List API is called: us-east-1 (default), eu-central-1 or ap-south-1",
    )
    update.add_argument("--dry-run", action="store_true", help="print the table; store nothing")
    _add_table_options(update)
    update.set_defaults(run=_wrapped(run_update, usage_error))

    show = actions.add_parser("show", help="print the stored price table (--aws), or the shipped one")
    show.add_argument("--json", action="store_true", help="print the document as JSON")
    _add_table_options(show)
    show.set_defaults(run=_wrapped(run_show, usage_error))


def _add_table_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--aws", action="store_true", help="use real AWS with your default credentials")
    parser.add_argument("--table", default=os.environ.get("AUDIT_TABLE_NAME"), help="audit table (--aws)")
    parser.add_argument("--region", default=None, help="region of the audit table (--aws)")


def _wrapped(run: Callable[[argparse.Namespace, TextIO], int], usage_error: type[Exception]) -> Any:
    """Usage mistakes become the CLI's usage error (exit 2); a failed refresh one line and exit 1."""

    def wrapped(args: argparse.Namespace, out: TextIO) -> int:
        try:
            return run(args, out)
        except PricesUsageError as error:
            raise usage_error(str(error)) from None
        except PricesRefreshError as error:
            sys.stderr.write(safe_text(f"error: {error}") + "\n")
            return 1

    return wrapped


# -- update ---------------------------------------------------------------------------------------------
def run_update(args: argparse.Namespace, out: TextIO) -> int:
    from task_monitor.errors import ConfigurationError
    from task_monitor.price_refresh import pricing_region_from

    try:
        pricing_region = pricing_region_from(args.pricing_region)
    except ConfigurationError as error:
        raise PricesUsageError(f"--pricing-region: {error}") from None
    text = _read_index_csv(args.from_file) if args.from_file else None
    if args.dry_run and text is not None:  # the file alone: no AWS at all
        return _update(args, out, text, pricing_region, region=None, table="")
    if args.aws:
        if not args.table and not args.dry_run:
            raise PricesUsageError(
                "prices update --aws needs the audit table: --table NAME (the stack's AuditTableName output), "
                "or AUDIT_TABLE_NAME, or --dry-run"
            )
        return _update(args, out, text, pricing_region, region=args.region, table=args.table)
    with _embedded() as table:
        _print(out, "Embedded AWS: " + ("the Price List file given" if text else "an emulated Price List") +
               ", an in-process audit table (add --aws for your account)\n")  # fmt: skip
        return _update(args, out, text, pricing_region, region="us-east-1", table=table)


def _update(
    args: argparse.Namespace, out: TextIO, text: str | None, pricing_region: str, *, region: str | None, table: str
) -> int:
    import botocore.session
    from botocore.config import Config

    from task_monitor.adapters.price_tables import DynamoPriceTables
    from task_monitor.domain.cost.price_list import PriceListError
    from task_monitor.price_refresh import refresh_from_api, refresh_from_index_csv

    session = botocore.session.get_session()
    tables = None if args.dry_run else DynamoPriceTables(session.create_client("dynamodb", region_name=region), table)
    try:
        if text is not None:
            result = refresh_from_index_csv(text, Path(args.from_file).name, tables)
        else:
            config = Config(retries={"mode": "standard", "total_max_attempts": 8})
            pricing = session.create_client("pricing", region_name=pricing_region, config=config)
            result = refresh_from_api(pricing, tables, pricing_region=pricing_region)
    except PriceListError as error:
        raise PricesRefreshError(f"{error}; nothing stored") from None
    _print(out, table_text(result.built.document))
    problems = result.built.problems
    if problems:
        _print(out, f"\nSkipped {len(problems)} product(s) (reported, not fatal):")
        for problem in problems[:MAX_PROBLEMS_SHOWN]:
            _print(out, f"  {problem}")
        if len(problems) > MAX_PROBLEMS_SHOWN:
            _print(out, f"  ... and {len(problems) - MAX_PROBLEMS_SHOWN} more")
    if result.saved is None:
        _print(out, "\nDry run: nothing stored.")
    elif result.saved.written:
        _print(out, f"\nStored in {table} (pk PRICES, sk CURRENT): the function reads it within its re-read while.")
    else:
        _print(
            out,
            f"\nKept the stored table of {result.saved.stored_date}: it is newer than {result.built.document['date']}"
            " (an older table never replaces a newer one).",
        )
    return 0


def _read_index_csv(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise PricesUsageError(
            f"cannot read {path}: {error.strerror}; give the path of a Price List index.csv "
            "(https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonBraket/current/index.csv)"
        ) from None
    except UnicodeDecodeError:
        raise PricesUsageError(f"{path} is not UTF-8 text; give the Price List's index.csv as downloaded") from None


@contextlib.contextmanager
def _embedded() -> Iterator[str]:
    """moto's DynamoDB with the audit table, and GetProducts answered by the Price List emulator."""
    from task_monitor_devkit.embedded import TABLE_NAME, EmbeddedAws
    from task_monitor_devkit.price_list_emulator import PriceListEmulator

    with EmbeddedAws(), PriceListEmulator().running():
        yield TABLE_NAME


# -- show -----------------------------------------------------------------------------------------------
def run_show(args: argparse.Namespace, out: TextIO) -> int:
    if args.aws:
        if not args.table:
            raise PricesUsageError(
                "prices show --aws needs the audit table: --table NAME (the stack's AuditTableName output), "
                "or AUDIT_TABLE_NAME"
            )
        import botocore.session

        from task_monitor.adapters.price_tables import DynamoPriceTables

        client = botocore.session.get_session().create_client("dynamodb", region_name=args.region)
        try:
            document = DynamoPriceTables(client, args.table).load()
        except ValueError as error:
            raise PricesRefreshError(f"{error}; run `prices update --aws` to store a good one") from None
        if document is None:
            _print(out, f"No price table is stored in {args.table}: the function prices with the shipped one.")
            _print(out, "Store one with: python -m task_monitor_cli prices update --aws --table " + args.table)
            return 1
        where = f"stored in {args.table}"
    else:
        from task_monitor.adapters.price_tables import SHIPPED_PRICES, load_shipped_document

        try:
            document = load_shipped_document()
        except (OSError, ValueError) as error:
            raise PricesRefreshError(f"no shipped price table at {SHIPPED_PRICES.name} ({error})") from None
        where = "shipped with the function (add --aws for the stored one)"
    if args.json:
        out.write(json.dumps(document, indent=2) + "\n")
    else:
        _print(out, f"Price table {where}")
        _print(out, table_text(document))
    return 0


# -- rendering ------------------------------------------------------------------------------------------
def table_text(document: dict[str, Any]) -> str:
    """The document as a person checks it: its date and source, then one line per entry with its basis."""
    lines = [f"Price table of {document['date']}: {document['source']}"]
    rows = [(_subject(e), str(e.get("region", "")), _prices(e), str(e.get("confidence", "?"))) for e in
            document["entries"]]  # fmt: skip
    families = [str(e.get("family", "?")) for e in document["entries"]]
    widths = [max((len(r[i]) for r in rows), default=0) for i in range(2)]
    family_width = max((len(f) for f in families), default=0)
    for family, (subject, region, prices, confidence) in zip(families, rows, strict=True):
        lines.append(
            f"  {family:<{family_width}}  {subject:<{widths[0]}}  {region:<{widths[1]}}  {prices}  [{confidence}]"
        )
    return "\n".join(lines)


def _subject(entry: dict[str, Any]) -> str:
    if "instanceType" in entry:
        return str(entry["instanceType"])
    device = str(entry.get("device", "?"))
    return "/".join(device.split("/")[-2:]) if "/" in device else device


def _prices(entry: dict[str, Any]) -> str:
    if "perShotUsd" in entry or "perTaskUsd" in entry:
        return f"${entry.get('perTaskUsd', '?')} per task + ${entry.get('perShotUsd', '?')} per shot"
    text = f"${entry.get('perMinuteUsd', '?')} per minute"
    if entry.get("minimumSeconds"):
        text += f" (at least {entry['minimumSeconds']} s)"
    return text


def _print(out: TextIO, text: str) -> None:
    out.write(safe_text(text, keep_newlines=True) + "\n")
