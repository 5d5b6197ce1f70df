"""``task-monitor prices update|show``: the price table, refreshed by hand and shown.

``update`` reads the AWS Price List (``pricing:GetProducts``, or a bulk ``index.csv`` given with
``--from-file``) into a price table document and stores it where the function reads it (the audit
table, pk ``PRICES``), exactly as the scheduled refresh does: the same code, in this process, with
your credentials. ``--dry-run`` prints the document and stores nothing. With ``--demo`` it runs on
the embedded AWS with an emulated Price List (or the file), to see what a refresh makes.

``show`` prints the stored table, or with ``--shipped`` the one shipped with the function.
"""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from task_monitor.domain.notification_model import safe_text
from task_monitor_cli.errors import CommandFailedError, UsageError
from task_monitor_cli.output import Output, add_format_options
from task_monitor_cli.target import TABLE, Deployed, add_target_options, is_embedded

MAX_PROBLEMS_SHOWN = 20


NAME = "prices"
SUMMARY = "refresh the price table from the AWS Price List, or show it"
EXAMPLES = """\
  task-monitor prices update                      # GetProducts, stored where the function reads it
  task-monitor prices update --from-file index.csv --dry-run
  task-monitor prices show                        # the stored table (else: the function uses the shipped one)
  task-monitor prices show --shipped --json
  task-monitor prices update --demo               # on an embedded AWS with an emulated Price List
"""


class PricesUsageError(UsageError):
    """A mistake in how ``prices`` was called: one line, exit status 2."""


class PricesRefreshError(CommandFailedError):
    """The refresh could not make a table: one line, exit status 1."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``prices update`` and ``prices show``."""
    actions = parser.add_subparsers(required=True, metavar="ACTION")

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
    add_format_options(update)
    add_target_options(update, names=(TABLE,))
    update.set_defaults(prices_action=run_update)

    show = actions.add_parser("show", help="print the stored price table, or --shipped the function's own")
    show.add_argument("--shipped", action="store_true", help="the table shipped with the function")
    add_format_options(show)
    add_target_options(show, embedded=False, names=(TABLE,))
    show.set_defaults(prices_action=run_show)


def run(args: argparse.Namespace, output: Output) -> int:
    return int(args.prices_action(args, output))


# -- update ---------------------------------------------------------------------------------------------
def run_update(args: argparse.Namespace, output: Output) -> int:
    from task_monitor.errors import ConfigurationError
    from task_monitor.price_refresh import pricing_region_from

    try:
        pricing_region = pricing_region_from(args.pricing_region)
    except ConfigurationError as error:
        raise PricesUsageError(f"--pricing-region: {error}") from None
    text = _read_index_csv(args.from_file) if args.from_file else None
    if args.dry_run and text is not None:  # the file alone: no AWS at all
        return _update(args, output, text, pricing_region, region=None, table="")
    if not is_embedded(args):
        table = "" if args.dry_run else Deployed(args).name(TABLE)
        return _update(args, output, text, pricing_region, region=args.region, table=table)
    with _embedded() as table:
        output.line("Embedded AWS: " + ("the Price List file given" if text else "an emulated Price List") +
               ", an in-process audit table (drop --demo for your stack)\n")  # fmt: skip
        return _update(args, output, text, pricing_region, region="us-east-1", table=table)


def _update(
    args: argparse.Namespace, output: Output, text: str | None, pricing_region: str, *, region: str | None, table: str
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
    if output.format == "json":
        saved = result.saved
        output.document(
            {
                "table": result.built.document,
                "skipped": [str(problem) for problem in result.built.problems],
                "stored": None if saved is None else bool(saved.written),
                "storedDate": None if saved is None or saved.written else saved.stored_date,
            }
        )
        return 0
    out = output.out
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
def run_show(args: argparse.Namespace, output: Output) -> int:
    out = output.out
    if not args.shipped:
        from task_monitor.adapters.price_tables import DynamoPriceTables

        target = Deployed(args)
        table = target.name(TABLE)
        try:
            document = DynamoPriceTables(target.client("dynamodb"), table).load()
        except ValueError as error:
            raise PricesRefreshError(f"{error}; run `task-monitor prices update` to store a good one") from None
        if document is None:
            raise PricesRefreshError(
                f"no price table is stored in {table} (the function prices with the shipped one): "
                "store one with `task-monitor prices update`, or see it with `prices show --shipped`"
            )
        where = f"stored in {table}"
    else:
        from task_monitor.adapters.price_tables import SHIPPED_PRICES, load_shipped_document

        try:
            document = load_shipped_document()
        except (OSError, ValueError) as error:
            raise PricesRefreshError(f"no shipped price table at {SHIPPED_PRICES.name} ({error})") from None
        where = "shipped with the function"
    if output.format == "json":
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
