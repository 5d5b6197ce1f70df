"""The output layer every command prints through: tables that fit, JSON, CSV, progress, escaping."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

import pytest

from task_monitor_cli.output import Column, Output

COLUMNS = (
    Column("arn", "task"),
    Column("status", "status"),
    Column("notes", "notes", wrap=True),
    Column("cost", "est. cost", numeric=True),
)
ROWS = [
    {"arn": "task-0001", "status": "COMPLETED", "notes": "ran 2 min 3 s; " * 8, "cost": Decimal("0.62")},
    {"arn": "task-0002", "status": "FAILED", "notes": "device offline", "cost": None},
]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_table_on_a_terminal_fits_its_width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    out = Terminal()
    Output(out, io.StringIO()).table(COLUMNS, ROWS)
    lines = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue()).splitlines()  # the header's bold
    assert lines and max(len(line) for line in lines) <= 60
    assert "COMPLETED" in out.getvalue() and "task-0002" in out.getvalue()


def test_a_table_piped_is_never_folded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    out = io.StringIO()
    Output(out, io.StringIO()).table(COLUMNS, ROWS)
    first_row = out.getvalue().splitlines()[1]
    assert "task-0001" in first_row and ("ran 2 min 3 s; " * 8).strip() in first_row
    # and no line ends in blanks (the last column of a short row would be padded out)
    assert all(line == line.rstrip() for line in out.getvalue().splitlines())
    assert out.getvalue().endswith("\n") and "\x1b" not in out.getvalue()  # no colour in a file


def test_json_is_the_rows_with_money_as_decimal_strings() -> None:
    out = io.StringIO()
    assert Output(out, io.StringIO(), fmt="json").table(COLUMNS, ROWS) == 2
    rows = json.loads(out.getvalue())
    assert rows[0]["cost"] == "0.62" and rows[1]["cost"] is None and rows[1]["status"] == "FAILED"


def test_csv_has_a_header_of_keys_and_one_line_per_row() -> None:
    out = io.StringIO()
    Output(out, io.StringIO(), fmt="csv").table(COLUMNS, ROWS)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [row["arn"] for row in rows] == ["task-0001", "task-0002"] and rows[1]["cost"] == ""


def test_values_from_events_are_shown_escaped_in_text() -> None:
    out = io.StringIO()
    Output(out, io.StringIO()).table(COLUMNS, [{"arn": "t", "status": "\x1b[31mRED\x07", "notes": "a\u2028b"}])
    assert "\x1b" not in out.getvalue() and "\\x1b[31mRED\\x07" in out.getvalue() and "\\u2028" in out.getvalue()


def test_text_lines_are_not_printed_in_json_or_csv() -> None:
    out = io.StringIO()
    Output(out, io.StringIO(), fmt="json").line("Latest state: COMPLETED")
    assert out.getvalue() == ""


def test_progress_is_silent_when_stderr_is_not_a_terminal() -> None:
    err = io.StringIO()
    with Output(io.StringIO(), err).progress("replaying", total=3) as advance:
        advance()
        advance(total=4)
    assert err.getvalue() == ""


def test_progress_draws_on_a_terminal_and_never_on_stdout() -> None:
    out, err = io.StringIO(), Terminal()
    with Output(out, err).progress("replaying", total=2) as advance:
        advance()
        advance()
    assert out.getvalue() == "" and "replaying" in err.getvalue()


def test_on_a_narrow_terminal_ids_are_never_cut_and_wrapped_text_is_all_there(monkeypatch: pytest.MonkeyPatch) -> None:
    columns = (
        Column("task", "task"),
        Column("created", "created (UTC)"),
        Column("creator", "creator", wrap=True),
        Column("notes", "notes", wrap=True),
    )
    creator = "arn:aws:iam::123456789012:role/service-role/AmazonBraketJobsExecutionRole"
    rows = [{"task": "5589d002", "created": "2026-11-20 09:10:00", "creator": creator, "notes": "queued 2 h 41 min"}]
    for width in (40, 60, 200):
        monkeypatch.setenv("COLUMNS", str(width))
        out = Terminal()
        Output(out, io.StringIO()).table(columns, rows)
        text = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())
        assert "…" not in text, width
        first = text.splitlines()[1]
        assert first.startswith("5589d002  2026-11-20 09:10:00"), width  # the fixed columns, whole
        folded = "".join(line[31:].split("  ")[0].strip() for line in text.splitlines()[1:])
        assert folded.replace(" ", "") == creator.replace(" ", ""), width  # the creator, folded, all there
        if width >= 60:
            assert max(len(line) for line in text.splitlines()) <= width  # fits when the fixed columns do
