"""The report's HTML page: self-contained, escaped, and read back from a real browser's DOM.

The demo's tasks (as the pipeline wrote them) are reported, the page is opened in headless Chromium,
and what the browser built is compared with the figures: the table with ``report_rows``, each chart's
bars with the report's series. Its network log must show no request from the page, and its
screenshot must be a real picture (the bars' colours in it).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from task_monitor.domain.notification_model import format_duration
from task_monitor_cli.report import build_report, render_html, report_rows, total_row
from task_monitor_cli.report.figures import Report, money_shown, money_text, seconds_text, shown_row
from task_monitor_cli.report.html import PALETTE
from tests.support.chromium import dump_dom, page_requests, read_png, screenshot

ROOT = Path(__file__).resolve().parents[3]
SINCE = datetime(2026, 11, 14, tzinfo=UTC)  # the demo's tasks run on 2026-11-20
UNTIL = datetime(2026, 11, 21, tzinfo=UTC)
CHARTS = {"tasks-per-day", "queue-wait", "spend-by-creator", "spend-by-device"}
SCREEN = (1280, 2000)


# -- a DOM, read back ----------------------------------------------------------------------------
@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element] = field(default_factory=list)
    text: str = ""

    def iter(self) -> Iterator[Element]:
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag: str, **attrs: str) -> list[Element]:
        return [
            element
            for element in self.iter()
            if element.tag == tag and all(element.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def one(self, tag: str, **attrs: str) -> Element:
        (found,) = self.find_all(tag, **attrs)
        return found

    def all_text(self) -> str:
        return self.text + "".join(child.all_text() for child in self.children)


VOID = {"meta", "br", "img", "link", "input", "hr", "source", "area", "base", "col", "embed", "wbr"}


class TreeBuilder(HTMLParser):
    """Enough of a DOM for the tests: elements, their attributes (unescaped) and their text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Element(tag, {name: value or "" for name, value in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(Element("#text", {}, self.current, text=data))


def parse(html: str) -> Element:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


# -- fixtures ------------------------------------------------------------------------------------
def test_the_readmes_sample_page_is_the_page_the_demo_gives_today(demo_report: Report) -> None:
    sample = ROOT / "docs" / "images" / "report-sample.html"
    assert sample.read_text(encoding="utf-8") == render_html(demo_report), (
        "docs/images/report-sample.html is stale: run `make report-sample` and commit it (and report.png)"
    )


@dataclass(frozen=True)
class Rendered:
    report: Report
    page: Path
    dom: Element
    dom_text: str
    requests: list[str]
    png: Path


@pytest.fixture(scope="module")
def demo_report(demo_latest_states: list[dict[str, Any]]) -> Report:
    return build_report(demo_latest_states, since=SINCE, until=UNTIL, by="device")


@pytest.fixture(scope="module")
def rendered(demo_report: Report, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """The demo's report as Chromium builds it (DOM and net log) and shows it (a screenshot)."""
    work = tmp_path_factory.mktemp("report-page")
    page = work / "report.html"
    page.write_text(render_html(demo_report), encoding="utf-8")
    net_log = work / "net-log.json"
    dom_text = dump_dom(page, work / "dom", net_log=net_log)
    png = work / "report.png"
    screenshot(page, work / "shot", png, *SCREEN)
    return Rendered(demo_report, page, parse(dom_text), dom_text, page_requests(net_log), png)


# -- on the demo's tasks, in Chromium -------------------------------------------------------------
def test_the_demo_gives_a_report_worth_drawing(demo_report: Report, demo_latest_states: list[dict]) -> None:
    assert demo_report.total.tasks == len(demo_latest_states) >= 5
    assert len(demo_report.groups) >= 3  # several devices
    assert demo_report.total.spend.amount > 0
    assert demo_report.total.queue_wait.measured >= 3
    assert demo_report.price_table_dates  # every demo task is priced


def test_chromium_builds_every_chart_as_an_image_with_a_title_and_bars(rendered: Rendered) -> None:
    charts = {svg.attrs["data-chart"]: svg for svg in rendered.dom.find_all("svg")}
    assert set(charts) == CHARTS
    for name, svg in charts.items():
        assert svg.attrs["role"] == "img", name
        (title,) = [child for child in svg.children if child.tag == "title"]
        assert title.all_text().strip(), name
        assert svg.find_all("rect", **{"class": "bar"}), f"{name} has no bars"


def test_the_table_in_the_browser_holds_the_numbers_of_the_text_report(rendered: Rendered) -> None:
    table = rendered.dom.one("table", id="report-table")
    assert table.attrs["data-by"] == "device"

    def row_values(row: Element) -> dict[str, str]:
        cells = [cell for cell in row.children if cell.tag in {"td", "th"}]
        return {cell.attrs["data-column"]: cell.attrs["data-value"] for cell in cells}

    body_rows = table.find_all("tr", **{"class": "group-row"})
    expected = [{column: str(value) for column, value in row.items()} for row in report_rows(rendered.report)]
    assert [row_values(row) for row in body_rows] == expected
    (total,) = table.find_all("tr", **{"class": "total-row"})
    assert row_values(total) == {column: str(value) for column, value in total_row(rendered.report).items()}
    # what a reader sees is the same number as the text report shows it (a dash where there is none)
    for row, figures in zip(body_rows, report_rows(rendered.report), strict=True):
        readable = shown_row(figures)
        for cell in (c for c in row.children if c.tag == "td"):
            column = cell.attrs["data-column"]
            assert cell.all_text() == (str(readable[column]) if cell.attrs["data-value"] else "\u2013"), column


def test_the_charts_draw_the_reports_own_series(rendered: Rendered) -> None:
    report, dom = rendered.report, rendered.dom
    per_day = dom.one("svg", data_chart="tasks-per-day")
    drawn: dict[str, dict[str, int]] = {}
    for bar in per_day.find_all("rect", **{"class": "bar"}):
        drawn.setdefault(bar.attrs["data-day"], {})[bar.attrs["data-series"]] = int(bar.attrs["data-value"])
    assert drawn == {day: dict(counts) for day, counts in report.tasks_per_day_by_device.items()}
    totals = {t.attrs["data-day"]: int(t.attrs["data-value"]) for t in per_day.find_all("text", **{"class": "value"})}
    assert totals == {day: sum(counts.values()) for day, counts in report.tasks_per_day_by_device.items()}

    waits = {
        (bar.attrs["data-label"].split(" (n=")[0], bar.attrs["data-series"]): bar.attrs["data-value"]
        for bar in dom.one("svg", data_chart="queue-wait").find_all("rect", **{"class": "bar"})
    }
    assert waits == {
        (device, series): seconds_text(value)
        for device, durations in report.queue_wait_by_device.items()
        for series, value in (("p50", durations.p50), ("p90", durations.p90))
        if value is not None
    }
    shown = {
        (text.attrs["data-label"].split(" (n=")[0], text.attrs["data-series"]): text.all_text()
        for text in dom.one("svg", data_chart="queue-wait").find_all("text", **{"class": "value"})
    }
    assert shown == {key: format_duration(float(value)) + f" {key[1]}" for key, value in waits.items()}

    for chart, series in (("spend-by-creator", report.spend_by_creator), ("spend-by-device", report.spend_by_device)):
        bars = dom.one("svg", data_chart=chart).find_all("rect", **{"class": "bar"})
        assert {bar.attrs["data-label"]: bar.attrs["data-value"] for bar in bars} == {
            key: money_text(amount) for key, amount in series.items()
        }
        labels = dom.one("svg", data_chart=chart).find_all("text", **{"class": "value"})
        assert {t.attrs["data-label"]: t.all_text() for t in labels} == {
            key: money_shown(amount, approximate=False) for key, amount in series.items()
        }
    spenders = dom.one("ol", id="top-spenders").find_all("li")
    assert [(li.attrs["data-creator"], li.attrs["data-value"]) for li in spenders] == [
        (creator, money_text(amount)) for creator, amount in report.top_spenders
    ]


def test_money_is_labelled_an_estimate_with_its_price_table_date(rendered: Rendered) -> None:
    basis = rendered.dom.one("p", id="money-basis")
    assert basis.attrs["data-price-table-dates"] == " ".join(rendered.report.price_table_dates)
    words = basis.all_text()
    assert "estimate" in words and "never a bill" in words
    for date in rendered.report.price_table_dates:
        assert date in words
    title = rendered.dom.one("h1", id="report-title")
    assert (title.attrs["data-since"], title.attrs["data-until"], title.attrs["data-by"]) == (
        "2026-11-14T00:00:00Z",
        "2026-11-21T00:00:00Z",
        "device",
    )
    assert "2026-11-14" in title.all_text() and "by device" in title.all_text()


def test_the_page_asks_the_network_for_nothing(rendered: Rendered) -> None:
    assert rendered.requests == []
    for element in rendered.dom.iter():
        for name in ("src", "href", "xlink:href", "srcset", "action", "poster", "data"):
            assert name not in element.attrs, f"<{element.tag} {name}=...>"
        assert element.tag not in {"script", "link", "img", "iframe", "object", "embed", "image", "use"}
    assert "url(" not in rendered.dom_text and "@import" not in rendered.dom_text


def test_the_network_check_sees_a_page_that_does_fetch(tmp_path: Path) -> None:
    """The control: the same net-log reading catches a page's image and SVG image requests."""
    page = tmp_path / "fetching.html"
    page.write_text(
        '<!DOCTYPE html><img src="http://127.0.0.1:9/x.png"><svg><image href="https://example.invalid/y.png"/></svg>',
        encoding="utf-8",
    )
    net_log = tmp_path / "net-log.json"
    dump_dom(page, tmp_path / "dom", net_log=net_log)
    assert sorted(page_requests(net_log)) == ["http://127.0.0.1:9/x.png", "https://example.invalid/y.png"]


def test_the_screenshot_is_a_picture_with_the_charts_colours(rendered: Rendered) -> None:
    png = read_png(rendered.png)
    assert (png.width, png.height) == SCREEN
    colours = png.colours()
    count = max(colours.values())  # the background
    assert count < png.width * png.height * 0.97, "the page is (almost) one colour"
    assert len(colours) > 50  # text, rules, bars: antialiased
    painted = {hex_colour: colours.get(_rgb(hex_colour), 0) for hex_colour in PALETTE[:3]}
    assert all(pixels > 200 for pixels in painted.values()), painted  # solid bars in the series colours


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


# -- without a browser: escaping and an empty report ----------------------------------------------
def test_text_from_the_records_is_escaped_everywhere() -> None:
    hostile = '<script>alert("x")</script>&"\'<b>'
    tasks = [
        {
            "createdAt": "2026-11-20T09:00:00Z",
            "status": "COMPLETED",
            "deviceArn": hostile,
            "createdBy": {"principal": hostile},
            "jobArn": hostile,
            "tags": {"project": hostile},
            "estimatedCost": {"amountUsd": "1.00", "priceTableDate": "<i>2026</i>", "approximate": False},
            "timings": {"queuedSeconds": 3},
        }
    ]
    for by in ("device", "creator", "job", "tag:project", f"tag:{hostile}"):
        page = render_html(build_report(tasks, since=SINCE, until=UNTIL, by=by))
        assert "<script" not in page and "<b>" not in page and "<i>" not in page
        dom = parse(page)
        assert not dom.find_all("script") and not dom.find_all("b") and not dom.find_all("i")
        if by != f"tag:{hostile}":
            (row,) = dom.find_all("tr", **{"class": "group-row"})
            assert row.attrs["data-group"] == hostile  # the attribute reads back as the record said it


def test_a_report_with_no_task_still_draws_each_chart_saying_so() -> None:
    page = render_html(build_report([], since=SINCE, until=UNTIL, by="creator"))
    dom = parse(page)
    charts = dom.find_all("svg")
    assert {svg.attrs["data-chart"] for svg in charts} == CHARTS
    assert all("no data" in svg.all_text() for svg in charts)
    assert not dom.find_all("tr", **{"class": "group-row"})
    assert dom.one("p", id="top-spenders").all_text() == "No priced task in the window."


def _busy_month() -> Report:
    """30 days, tasks on a few of them, more devices than colours, many creators."""
    devices = [f"arn:aws:braket:us-east-1::device/qpu/vendor{n}/Device-{n}" for n in range(10)]
    tasks = [
        {
            "createdAt": f"2026-11-{day:02d}T{hour:02d}:00:00Z",
            "status": "COMPLETED",
            "deviceArn": devices[(day + hour) % len(devices)],
            "createdBy": {"principal": f"arn:aws:iam::123456789012:user/user{hour}"},
            "estimatedCost": {"amountUsd": f"{day}.{hour:02d}", "priceTableDate": "2026-11-15", "approximate": False},
            "timings": {"queuedSeconds": day * 60 + hour},
        }
        for day in (2, 3, 17, 29)
        for hour in range(12)
    ]
    return build_report(
        tasks, since=datetime(2026, 11, 1, tzinfo=UTC), until=datetime(2026, 12, 1, tzinfo=UTC), by="creator"
    )


def test_a_month_shows_every_day_with_labels_that_never_overlap() -> None:
    report = _busy_month()
    chart = parse(render_html(report)).one("svg", data_chart="tasks-per-day")
    labels = chart.find_all("text", **{"class": "label"})
    assert labels[0].attrs["data-day"] == "2026-11-01"  # quiet days keep their place on the axis
    positions = [float(label.attrs["x"]) for label in labels]
    assert all(b - a >= 40 for a, b in itertools.pairwise(positions))
    assert len(labels) >= 10  # and the axis is still labelled along its length
    drawn: dict[str, int] = {}
    for bar in chart.find_all("rect", **{"class": "bar"}):
        drawn[bar.attrs["data-day"]] = drawn.get(bar.attrs["data-day"], 0) + int(bar.attrs["data-value"])
    assert drawn == {day: sum(counts.values()) for day, counts in report.tasks_per_day_by_device.items()}
    # four days had tasks: four columns of stacked bars, whatever the number of devices
    xs = sorted({float(bar.attrs["x"]) for bar in chart.find_all("rect", **{"class": "bar"})})
    assert len(xs) == 4


def test_chromium_draws_a_busy_month_too(tmp_path: Path) -> None:
    report = _busy_month()
    page = tmp_path / "month.html"
    page.write_text(render_html(report), encoding="utf-8")
    dom = parse(dump_dom(page, tmp_path / "dom"))
    assert {svg.attrs["data-chart"] for svg in dom.find_all("svg")} == CHARTS
    rows = dom.one("table", id="report-table").find_all("tr", **{"class": "group-row"})
    assert len(rows) == len(report_rows(report)) == 12
    png_path = tmp_path / "month.png"
    screenshot(page, tmp_path / "shot", png_path, *SCREEN)
    png = read_png(png_path)
    assert max(png.colours().values()) < png.width * png.height * 0.97


def test_without_chromium_the_test_fails_naming_the_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from tests.support import chromium

    monkeypatch.setattr(chromium, "CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setattr(chromium.shutil, "which", lambda name: None)
    with pytest.raises(pytest.fail.Exception, match=r"apt-get install chromium"):
        chromium.dump_dom(tmp_path / "page.html", tmp_path / "work")
