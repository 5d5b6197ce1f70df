"""The report as one self-contained HTML page: inline CSS and SVG charts drawn here, nothing fetched.

No JavaScript, no fonts, no images, no links to elsewhere: the page opens the same offline, in a mail
attachment or on paper. Every number shown sits in an element with a ``data-value`` (table cells
also carry ``data-column``), and every chart is an ``<svg role="img">`` with a ``<title>`` and a
``data-chart`` name, so a test (or a script) reads the page back without parsing prose. Every text
that comes from the records (devices, creators, jobs, tag values) is escaped: tags are user input.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from html import escape

from task_monitor.domain.notification_model import format_duration
from task_monitor_cli.report.figures import (
    ESTIMATE_WORDS,
    ROW_COLUMNS,
    Report,
    money_shown,
    money_text,
    report_rows,
    seconds_text,
    shown_row,
    total_row,
)

# Okabe-Ito, then Paul Tol's muted scheme: told apart with the common colour-vision deficiencies.
# Past 16 devices the colours repeat (the bars' titles still name each device).
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
    "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255",
)  # fmt: skip
COLUMN_TITLES = {
    "group": "Group",
    "tasks": "Tasks",
    "completed": "Completed",
    "failed": "Failed",
    "cancelled": "Cancelled",
    "inProgress": "In progress",
    "failureRate": "Failure rate",
    "queueWaitP50Seconds": "Queue wait p50",
    "queueWaitP90Seconds": "Queue wait p90",
    "queueWaitMeasured": "Queue wait measured",
    "runningP50Seconds": "Running p50",
    "runningMeasured": "Running measured",
    "shotsRequested": "Shots requested",
    "shotsSuccessful": "Shots successful",
    "estimatedCostUsd": "Estimated cost",
    "costApproximate": "Approximate",
    "unpricedTasks": "Unpriced tasks",
}
CHART_WIDTH = 760
LABEL_WIDTH = 230  # left margin for the names of horizontal bars
BAR_HEIGHT = 18
VALUE_CHAR_WIDTH = 7  # px a character of a value label takes at most (12 px sans-serif, digits and letters)
BAR_GAP = 8
MAX_CHART_DAYS = 92  # a quarter: beyond, the chart shows only the days with tasks

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1a1a1a;
       margin: 2rem auto; max-width: 1240px; padding: 0 .75rem; line-height: 1.4; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
.basis { color: #444; font-size: .9rem; margin: .2rem 0; }
table { border-collapse: collapse; font-size: .74rem; width: 100%; }
th, td { border-bottom: 1px solid #e3e3e3; padding: .25rem .22rem; text-align: right; }
thead th:first-child { text-align: left; }
td { white-space: nowrap; }
thead th { background: #f3f5f8; vertical-align: bottom; font-size: .72rem; }
tbody th, tfoot th { text-align: left; font-weight: normal; min-width: 7rem; overflow-wrap: anywhere; }
tfoot th { font-weight: 600; }
tfoot td, tfoot th { font-weight: 600; border-top: 2px solid #999; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 1.5rem; }
figure { margin: 0; }
figcaption { font-weight: 600; margin-bottom: .3rem; }
svg { max-width: 100%; height: auto; font-size: 12px; }
svg text { fill: #1a1a1a; }
svg .axis { stroke: #999; stroke-width: 1; }
svg .grid { stroke: #eee; stroke-width: 1; }
.legend { font-size: .85rem; }
.swatch { display: inline-block; width: .8em; height: .8em; margin: 0 .3em 0 .9em; vertical-align: -.05em; }
ol#top-spenders li { margin: .15rem 0; }
.none { color: #777; font-style: italic; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  figure, table { break-inside: avoid; }
  .charts { display: block; }
  figure { margin-bottom: 1rem; }
}
"""


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its series (a device, "p50"...), the value it stands for and how it reads."""

    label: str
    series: str
    value: Decimal
    text: str
    data: str  # the value as the figures write it (a decimal string), for data-value


def render_html(report: Report) -> str:
    """The whole page, as one string (UTF-8 when written)."""
    title = f"Braket tasks {_day_time(report.since)} to {_day_time(report.until)}, by {report.by}"
    dates = ", ".join(report.price_table_dates) or "none: no task was priced"
    left_out = "; ".join(f"{count} {why}" for why, count in report.left_out.items())
    missing = ", ".join(f"{name} ({count})" for name, count in report.missing.items())
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        f'<h1 id="report-title" data-since="{_e(_iso(report)[0])}" data-until="{_e(_iso(report)[1])}" '
        f'data-by="{_e(report.by)}">{_e(title)}</h1>',
        f'<p class="basis" id="window">Tasks created from <time>{_e(_iso(report)[0])}</time> up to '
        f"<time>{_e(_iso(report)[1])}</time> (UTC): "
        f'<span data-value="{report.total.tasks}" id="task-count">{report.total.tasks}</span> tasks.'
        + (f" Left out: {_e(left_out)}." if left_out else "")
        + "</p>",
        f'<p class="basis" id="money-basis" data-price-table-dates="{_e(" ".join(report.price_table_dates))}">'
        f"Money: {_e(ESTIMATE_WORDS)}, in USD; price table of {_e(dates)}.</p>",
        '<p class="basis">Percentiles are nearest-rank (an observed value, never an interpolation); '
        "each says over how many tasks it was measured.</p>",
        (f'<p class="basis" id="missing-fields">Fields missing on some tasks: {_e(missing)}.</p>' if missing else ""),
        "</header>",
        "<main>",
        f"<h2>By {_e(report.by)}</h2>",
        _table(report),
        "<h2>Top spenders (estimated)</h2>",
        _top_spenders(report),
        "<h2>Charts</h2>",
        '<div class="charts">',
        _tasks_per_day_chart(report),
        _queue_wait_chart(report),
        _spend_chart(
            "spend-by-creator",
            "Estimated spend by creator (USD)",
            [(creator, amount) for creator, amount in report.spend_by_creator.items()],
            dates,
        ),
        _spend_chart(
            "spend-by-device",
            "Estimated spend by device (USD)",
            [(device, amount) for device, amount in report.spend_by_device.items()],
            dates,
        ),
        "</div>",
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(part for part in parts if part) + "\n"


# -- the table -----------------------------------------------------------------------------------
def _table(report: Report) -> str:
    head = "".join(f'<th scope="col" data-column="{column}">{COLUMN_TITLES[column]}</th>' for column in ROW_COLUMNS)
    body = "\n".join(_row(row, "group-row") for row in report_rows(report))
    return (
        f'<table id="report-table" data-by="{_e(report.by)}">\n<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}\n</tbody>\n<tfoot>{_row(total_row(report), 'total-row')}</tfoot>\n</table>"
    )


def _row(row: dict[str, str | int], kind: str) -> str:
    cells = []
    readable = shown_row(row)
    for column in ROW_COLUMNS:
        value = str(row[column])
        shown = _e(str(readable[column])) if value != "" else "&#8211;"  # an en dash: unknown
        if column == "group":
            cells.append(
                f'<th scope="row" data-column="group" data-value="{_e(value)}" title="{_e(value)}">'
                f"{_e(_short_name(value))}</th>"
            )
        else:
            cells.append(f'<td data-column="{column}" data-value="{_e(value)}">{shown}</td>')
    return f'<tr class="{kind}" data-group="{_e(str(row["group"]))}">{"".join(cells)}</tr>'


def _top_spenders(report: Report) -> str:
    if not report.top_spenders:
        return '<p class="none" id="top-spenders">No priced task in the window.</p>'
    items = "".join(
        f'<li data-creator="{_e(creator)}" data-value="{money_text(amount)}" title="{_e(creator)}">'
        f"{_e(_short_name(creator))}: {money_shown(amount, approximate=False)} estimated</li>"
        for creator, amount in report.top_spenders
    )
    return f'<ol id="top-spenders">{items}</ol>'


# -- charts --------------------------------------------------------------------------------------
def _tasks_per_day_chart(report: Report) -> str:
    """Stacked vertical bars: one per day, a segment per device, the day's total above it."""
    name, title = "tasks-per-day", "Tasks per day by device"
    if not report.tasks_per_day_by_device:
        return _empty_chart(name, title)
    days = _window_days(report)
    devices = sorted({device for counts in report.tasks_per_day_by_device.values() for device in counts})
    colours = {device: PALETTE[i % len(PALETTE)] for i, device in enumerate(devices)}
    per_day = {day: report.tasks_per_day_by_device.get(day, {}) for day in days}
    totals = [sum(per_day[day].values()) for day in days]
    top = max(totals)
    left, right, top_margin, bottom = 44, 12, 22, 46
    plot_height = 240
    height = top_margin + plot_height + bottom
    slot = (CHART_WIDTH - left - right) / len(days)
    bar_width = min(64.0, slot * 0.7)
    label_every = max(1, math.ceil((70 if len(days) <= 7 else 40) / slot))  # labels never overlap
    shapes: list[str] = []
    for tick in _ticks(top):
        y = top_margin + plot_height - plot_height * tick / top
        shapes.append(f'<line class="grid" x1="{left}" x2="{CHART_WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}"/>')
        shapes.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    for index, (day, total) in enumerate(zip(days, totals, strict=True)):
        x = left + slot * index + (slot - bar_width) / 2
        base = float(top_margin + plot_height)
        for device in devices:
            count = per_day[day].get(device, 0)
            if not count:
                continue
            h = plot_height * count / top
            base -= h
            shapes.append(
                f'<rect class="bar" data-day="{day}" data-series="{_e(device)}" data-value="{count}" '
                f'x="{x:.1f}" y="{base:.1f}" width="{bar_width:.1f}" height="{h:.1f}" fill="{colours[device]}">'
                f"<title>{_e(day)} {_e(device)}: {count} tasks</title></rect>"
            )
        if total and slot >= 16:  # the day's total, where there is room for it
            shapes.append(
                f'<text class="value" data-day="{day}" data-value="{total}" x="{x + bar_width / 2:.1f}" '
                f'y="{base - 5:.1f}" text-anchor="middle">{total}</text>'
            )
        if index % label_every == 0:
            shown = day if len(days) <= 7 else day[5:]  # MM-DD when there are many
            shapes.append(
                f'<text class="label" data-day="{day}" x="{x + bar_width / 2:.1f}" '
                f'y="{top_margin + plot_height + 16}" text-anchor="middle">{_e(shown)}</text>'
            )
    shapes.append(
        f'<line class="axis" x1="{left}" x2="{CHART_WIDTH - right}" y1="{top_margin + plot_height}" '
        f'y2="{top_margin + plot_height}"/>'
    )
    legend = _legend(colours)
    return _figure(name, title, f"{title}: {len(days)} days, {len(devices)} devices", height, shapes, below=legend)


def _window_days(report: Report) -> list[str]:
    """Every day of the window (UTC), so that a quiet day shows as a gap, not as nothing; only the
    days with tasks when the window is longer than ``MAX_CHART_DAYS``."""
    with_tasks = set(report.tasks_per_day_by_device)
    first, last = report.since.date(), (report.until - timedelta(microseconds=1)).date()
    if (last - first).days + 1 > MAX_CHART_DAYS:
        return sorted(with_tasks)
    every_day = {(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)}
    return sorted(every_day | with_tasks)


def _queue_wait_chart(report: Report) -> str:
    """Horizontal bars: p50 and p90 of the queue wait on each device (``data-value`` in seconds)."""
    name, title = "queue-wait", "Queue wait by device (nearest-rank)"
    bars: list[Bar] = []
    for device, durations in report.queue_wait_by_device.items():
        for series, value in (("p50", durations.p50), ("p90", durations.p90)):
            if value is not None:
                label = f"{device} (n={durations.measured})"
                bars.append(Bar(label, series, value, format_duration(float(value)) or "", seconds_text(value)))
    colours = {"p50": PALETTE[0], "p90": PALETTE[1]}
    return _horizontal_chart(name, title, bars, colours)


def _spend_chart(name: str, title: str, amounts: Sequence[tuple[str, Decimal]], dates: str) -> str:
    bars = [
        Bar(label, "estimated", amount, money_shown(amount, approximate=False), money_text(amount))
        for label, amount in amounts
    ]
    return _horizontal_chart(
        name, title, bars, {"estimated": PALETTE[2]}, note=f"estimated at list price, price table of {dates}"
    )


def _horizontal_chart(name: str, title: str, bars: Sequence[Bar], colours: dict[str, str], note: str = "") -> str:
    """Labelled horizontal bars, the value written after each; bars of one label sit together."""
    if not bars:
        return _empty_chart(name, title)
    top = max(bar.value for bar in bars) or Decimal(1)
    per_label = len(colours)
    longest = max(len(bar.text) + (len(bar.series) + 1 if per_label > 1 else 0) for bar in bars)
    value_room = 12 + VALUE_CHAR_WIDTH * longest  # the longest value written after its bar stays inside the chart
    plot_width = CHART_WIDTH - LABEL_WIDTH - value_room
    labels: list[str] = []
    for bar in bars:
        if bar.label not in labels:
            labels.append(bar.label)
    group_height = per_label * BAR_HEIGHT + BAR_GAP
    height = 10 + group_height * len(labels) + 10
    shapes: list[str] = []
    for index, label in enumerate(labels):
        y0 = 10 + group_height * index
        shapes.append(
            f'<text class="label" x="{LABEL_WIDTH - 8}" y="{y0 + per_label * BAR_HEIGHT / 2 + 4:.1f}" '
            f'text-anchor="end">{_e(_shorten(_short_name(label)))}<title>{_e(label)}</title></text>'
        )
        for slot, series in enumerate(colours):
            for bar in (b for b in bars if b.label == label and b.series == series):
                width = max(1.0, float(bar.value / top) * plot_width) if bar.value > 0 else 0.0
                y = y0 + slot * BAR_HEIGHT
                shapes.append(
                    f'<rect class="bar" data-label="{_e(label)}" data-series="{_e(series)}" '
                    f'data-value="{_e(bar.data)}" x="{LABEL_WIDTH}" y="{y + 1}" width="{width:.1f}" '
                    f'height="{BAR_HEIGHT - 2}" fill="{colours[series]}"><title>{_e(label)} {_e(series)}: '
                    f"{_e(bar.text)}</title></rect>"
                )
                shapes.append(
                    f'<text class="value" data-label="{_e(label)}" data-series="{_e(series)}" '
                    f'data-value="{_e(bar.data)}" x="{LABEL_WIDTH + width + 5:.1f}" '
                    f'y="{y + BAR_HEIGHT - 5}">{_e(bar.text)}{" " + _e(series) if per_label > 1 else ""}</text>'
                )
    shapes.append(f'<line class="axis" x1="{LABEL_WIDTH}" x2="{LABEL_WIDTH}" y1="4" y2="{height - 4}"/>')
    legend = _legend(colours) if per_label > 1 else ""
    if note:
        legend += f'<p class="basis">{_e(note)}</p>'
    return _figure(name, title, f"{title}: {len(labels)} bars", height, shapes, below=legend)


def _figure(name: str, title: str, description: str, height: float, shapes: list[str], *, below: str = "") -> str:
    return (
        f'<figure id="chart-{name}"><figcaption>{_e(title)}</figcaption>'
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" data-chart="{name}" '
        f'viewBox="0 0 {CHART_WIDTH} {height:.0f}" width="{CHART_WIDTH}" height="{height:.0f}" '
        f'aria-labelledby="chart-{name}-title">'
        f'<title id="chart-{name}-title">{_e(description)}</title>' + "".join(shapes) + f"</svg>{below}</figure>"
    )


def _empty_chart(name: str, title: str) -> str:
    shapes = [f'<text class="none" x="{CHART_WIDTH / 2}" y="30" text-anchor="middle">no data in the window</text>']
    return _figure(name, title, f"{title}: no data", 50, shapes)


def _legend(colours: dict[str, str]) -> str:
    entries = "".join(
        f'<span class="swatch" style="background:{colour}"></span><span data-series="{_e(series)}">{_e(series)}</span>'
        for series, colour in colours.items()
    )
    return f'<p class="legend">{entries}</p>'


def _ticks(top: int) -> list[int]:
    """Whole-number gridlines from 0 to at least ``top``: at most about five."""
    step = max(1, -(-top // 5))
    return list(range(0, top + step, step))


def _short_name(name: str) -> str:
    """An ARN by its resource ("role/QuantumResearcher", "job/95677e5d-..."); other names as they are.
    The full name stays in the element's ``title`` and ``data-*`` attributes."""
    parts = name.split(":", 5)
    return parts[5] if name.startswith("arn:") and len(parts) == 6 and parts[5] else name


def _shorten(label: str, limit: int = 34) -> str:
    """A long label (an IAM principal's ARN) cut from the left: its end names it."""
    return label if len(label) <= limit else "…" + label[-(limit - 1) :]


def _iso(report: Report) -> tuple[str, str]:
    return (
        report.since.isoformat().replace("+00:00", "Z"),
        report.until.isoformat().replace("+00:00", "Z"),
    )


def _day_time(moment: datetime) -> str:
    """A window bound for the title: the day alone at midnight UTC, else to the minute."""
    at_midnight = (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0)
    return moment.strftime("%Y-%m-%d" if at_midnight else "%Y-%m-%d %H:%M UTC")


def _e(text: str) -> str:
    return escape(text, quote=True)
