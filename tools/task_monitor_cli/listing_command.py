"""What ``tasks`` and ``jobs`` share: their filters, the row limit, the cost cell and how a listing prints.

Each command says what it lists (a filter and a lister from ``listings``) and how a row reads; this
module runs it against the target and prints the rows as a table with a count, CSV or JSON.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from task_monitor_cli.commands.history import cost_text
from task_monitor_cli.errors import UsageError
from task_monitor_cli.output import Column, Output
from task_monitor_cli.target import TABLE, add_target_options, open_target

# A lister from ``listings``: (audit log, filter, newest_first=...) -> rows as dicts.
Lister = Callable[..., Iterable[Mapping[str, Any]]]


def add_listing_options(parser: argparse.ArgumentParser, *, tasks: bool) -> None:
    """The filters ``tasks`` and ``jobs`` share (and the ones only tasks have)."""
    parser.add_argument("--status", help="a status, e.g. COMPLETED, FAILED, QUEUED")
    parser.add_argument("--since", help="created at or after: 7d, 12h, 2026-11-01 or 2026-11-01T08:00Z (UTC)")
    parser.add_argument("--until", help="created at or before (a date includes its whole day)")
    parser.add_argument(
        "--creator", help="who created it: the principal's whole ARN (--csv and --json give it), or unknown"
    )
    if tasks:
        parser.add_argument("--device", help="a device ARN")
        parser.add_argument("--job", help="a hybrid job ARN: its tasks")
        parser.add_argument("--tag", metavar="KEY=VALUE", help="a tag the task carries")
    parser.add_argument("--newest-first", action="store_true", help="the most recent first")
    parser.add_argument("--limit", type=int, metavar="N", help="at most N rows")
    add_target_options(parser, names=(TABLE,))


def show_listing(
    args: argparse.Namespace,
    output: Output,
    *,
    lister: Lister,
    listing_filter: Any,
    columns: Sequence[Column],
    line: Callable[..., dict[str, Any]],
    noun: str,
) -> int:
    """List from the target's indexes, at most ``--limit`` rows; JSON gives the rows as listed, the
    table and CSV each row through ``line`` (``full=True`` for CSV: whole ARNs, exact decimals)."""
    limit = args.limit
    if limit is not None and limit < 1:
        raise UsageError(f"--limit {limit}: give 1 or more")
    with open_target(args) as target:
        rows = list(_limited(lister(target.audit_log(), listing_filter, newest_first=args.newest_first), limit))
    if output.format == "json":
        output.document(rows)
    else:
        output.table(columns, (line(row, full=output.format == "csv") for row in rows))
        output.line(f"{len(rows)} {noun}(s)")
    return 0


def _limited(rows: Iterable[Mapping[str, Any]], limit: int | None) -> Iterator[Mapping[str, Any]]:
    """Stop reading pages once ``limit`` rows are in (the listers are lazy)."""
    for count, row in enumerate(rows, start=1):
        yield row
        if limit is not None and count >= limit:
            return


def listed_cost(row: dict[str, Any], *, full: bool) -> Any:
    """The decimal string (CSV), or the estimate as people read it: ``~$0.62``, ``unknown``."""
    cost = row.get("estimatedCost")
    return (cost or {}).get("amountUsd") if full else cost_text(cost, brief=True)
