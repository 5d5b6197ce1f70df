"""Console output for the CLI: one line per event, emails in a frame, history as a table."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from task_monitor.domain.notification_model import format_duration

_TABLE_WIDTH = 240  # wide enough that no row of ours wraps


def short_id(task_arn: str) -> str:
    return task_arn.rsplit("/", 1)[-1][:8]


def event_line(event: dict[str, Any], outcome: str, note: str = "") -> str:
    detail = event.get("detail", {}) if isinstance(event, dict) else {}
    device = str(detail.get("deviceArn", "?")).split("/", 2)[-1]
    when = str(event.get("time", "?")).replace("T", " ").rstrip("Z") if isinstance(event, dict) else "?"
    line = (
        f"{when:<19}  {detail.get('status', '?'):<10}  {device:<18}  "
        f"{short_id(str(detail.get('quantumTaskArn', '?'))):<8}  {outcome}"
    )
    return f"{line}  ({note})" if note else line


def email(subject: str, text: str) -> str:
    """An email as its reader sees it, indented under the event that caused it."""
    lines = [f"Subject: {subject}", "", *text.rstrip("\n").splitlines()]
    bar = "    " + "~" * 72
    return "\n".join([bar, *(f"    | {line}".rstrip() for line in lines), bar])


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table (rich, no colour: it goes to files and pipes as well as terminals)."""
    grid = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for header in headers:
        grid.add_column(str(header), no_wrap=True)
    for row in rows:
        grid.add_row(*("" if cell is None else str(cell) for cell in row))
    buffer = io.StringIO()
    Console(file=buffer, width=_TABLE_WIDTH, color_system=None, force_terminal=False).print(grid)
    return "\n".join(line.rstrip() for line in buffer.getvalue().rstrip("\n").splitlines())


def history_table(history: list[dict[str, Any]]) -> str:
    rows = []
    for record in history:
        queue = record.get("queueInfo") or {}
        position = queue.get("position")
        rows.append(
            [
                record["eventTime"],
                record["status"],
                record.get("statusAtEnrichment") or f"({record.get('enrichmentError', {}).get('code', '?')})",
                f"{queue.get('queue', '')} #{position}" if position and position != "None" else "-",
                record.get("numSuccessfulShots", ""),
                _seconds(record.get("timings", {})),
                record["eventId"][:8],
            ]
        )
    headers = ["event time", "status", "Braket said", "queue / position", "shots ok", "timings", "event"]
    return table(headers, rows)


def _seconds(timings: dict[str, Any]) -> str:
    labels = {"queuedSeconds": "queued", "runningSeconds": "running", "totalSeconds": "total"}
    return ", ".join(f"{labels[k]} {format_duration(timings[k])}" for k in labels if k in timings)
