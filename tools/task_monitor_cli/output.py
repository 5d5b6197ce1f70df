"""Everything a command prints goes through ``Output``: text, tables, JSON, CSV and progress.

Output is the command's answer only: the function's logs and metrics are captured apart (shown with
``--verbose``, on stderr), progress goes to stderr and only when it is a terminal, and every value
from an event or the table is shown with its control characters escaped (``safe_text``).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TextIO

from task_monitor.domain.notification_model import safe_text

FORMATS = ("text", "json", "csv")
UNFOLDED_WIDTH = 1_000
WRAP_MIN_WIDTH = 12  # a wrap column folds no narrower than this (or its heading, if longer)
COLUMN_GAP = 2  # blanks between two columns (rich pads each cell by one on either side)


def add_format_options(parser: Any) -> None:
    """``--json`` and ``--csv`` (one or neither); unset, the answer is text (the command's default)."""
    formats = parser.add_mutually_exclusive_group()
    formats.add_argument(
        "--json", dest="format", action="store_const", const="json", default=argparse.SUPPRESS, help="answer in JSON"
    )
    formats.add_argument(
        "--csv", dest="format", action="store_const", const="csv", default=argparse.SUPPRESS, help="tables as CSV"
    )


@dataclass(frozen=True)
class Column:
    """One column of a table: the row's key, its heading, and whether it may wrap (else it is kept whole)."""

    key: str
    heading: str
    wrap: bool = False
    numeric: bool = False


class Output:
    def __init__(self, out: TextIO, err: TextIO, *, fmt: str = "text") -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown output format {fmt!r}")
        self.out, self.err, self.format = out, err, fmt

    @property
    def is_text(self) -> bool:
        return self.format == "text"

    def line(self, text: str = "") -> None:
        """A line of the text answer (nothing in --json/--csv, whose answer is the document)."""
        if self.is_text:
            self.out.write(safe_text(text, keep_newlines=True) + "\n")

    def note(self, text: str) -> None:
        """Something the person should know that is not the answer (on stderr, in every format)."""
        self.err.write(safe_text(text) + "\n")

    def document(self, value: Any) -> None:
        """The JSON answer: one document, money as decimal strings."""
        self.out.write(json.dumps(value, indent=2, default=_json_default, ensure_ascii=False) + "\n")

    def table(self, columns: Sequence[Column], rows: Iterable[Mapping[str, Any]], *, title: str | None = None) -> int:
        """Rows as a table fitted to the terminal (text), a JSON list, or CSV; returns how many rows."""
        rows = list(rows)
        if self.format == "json":
            self.document([{column.key: row.get(column.key) for column in columns} for row in rows])
        elif self.format == "csv":
            writer = csv.writer(self.out, lineterminator="\n")
            writer.writerow([column.key for column in columns])
            for row in rows:
                writer.writerow([_cell(row.get(column.key)) for column in columns])
        else:
            self._rich_table(columns, rows, title)
        return len(rows)

    def _rich_table(self, columns: Sequence[Column], rows: list[Mapping[str, Any]], title: str | None) -> None:
        from rich.cells import cell_len
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        cells = [[safe_text(_cell(row.get(column.key))) for column in columns] for row in rows]
        natural = [
            max([cell_len(column.heading), *(cell_len(line[index]) for line in cells)])
            for index, column in enumerate(columns)
        ]
        # A fixed column (ids, times, statuses, numbers) is never cut: at least its widest cell. A wrap
        # column folds into what is left, down to its heading (or WRAP_MIN_WIDTH).
        least = [
            min(width, max(cell_len(column.heading), WRAP_MIN_WIDTH)) if column.wrap else width
            for column, width in zip(columns, natural, strict=True)
        ]
        # Fitted to a terminal (wider only if the fixed columns alone are: the terminal then wraps the
        # lines, which loses nothing); piped or redirected, never folded and with no trailing blanks
        # (whole, clean lines for grep, diff and files).
        terminal = self.out.isatty()
        needed = sum(least) + COLUMN_GAP * (len(columns) - 1)
        width = max(shutil.get_terminal_size().columns, needed) if terminal else UNFOLDED_WIDTH
        captured = io.StringIO()
        console = Console(
            file=self.out if terminal else captured, width=width, highlight=False, emoji=False, soft_wrap=False
        )
        table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False, box=None, expand=False)
        for column, minimum in zip(columns, least, strict=True):
            table.add_column(
                column.heading,
                overflow="fold" if column.wrap else "ellipsis",
                justify="right" if column.numeric else "left",
                no_wrap=not column.wrap,
                min_width=minimum,
                style=None,
                header_style="bold",
            )
        for line in cells:
            table.add_row(*(Text(cell) for cell in line))
        console.print(table)
        if not terminal:
            self.out.writelines(line.rstrip() + "\n" for line in captured.getvalue().splitlines())

    @contextlib.contextmanager
    def progress(self, description: str, total: int | None = None) -> Iterator[Callable[..., None]]:
        """A progress bar on stderr when it is a terminal; ``advance(n=1, total=None)`` moves it."""
        if not self.err.isatty():
            yield lambda *args, **kwargs: None
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=Console(file=self.err), transient=True) as bar:
            task = bar.add_task(description, total=total)

            def advance(steps: int = 1, total: int | None = None) -> None:
                if total is not None:
                    bar.update(task, total=total)
                bar.advance(task, steps)

            yield advance


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(item) for item in value)
    return str(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")
