"""``task-monitor tasks``, ``jobs`` and ``report`` on the embedded AWS loaded with the demo's events.

The listings' own tests (every filter, the index each one uses, never a scan) are in
tests/cli/test_listings.py; the report's figures and page in tests/cli/report/. These check the
commands: their filters reach the listing, their tables, JSON and CSV, their errors, and that the
HTML page the command writes, rendered in headless Chromium, shows the figures its --json gives.
"""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from task_monitor_cli.app import main
from task_monitor_devkit.scenario import FORTE, FORTE_1, JOB_ARN
from tests.support.chromium import dump_dom


@pytest.fixture(autouse=True)
def quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "CRITICAL")


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), out=out, err=err), out.getvalue(), err.getvalue()


def _json(*argv: str) -> object:
    code, out, err = _run(*argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_tasks_lists_every_demo_task_and_each_filter_narrows_it() -> None:
    every = _json("tasks", "--demo")
    assert isinstance(every, list) and len(every) == 8
    on_forte = _json("tasks", "--demo", "--device", FORTE_1)
    assert on_forte and all(row["deviceArn"] == FORTE_1 for row in on_forte) and len(on_forte) < len(every)
    completed = _json("tasks", "--demo", "--status", "completed")
    assert completed and {row["status"] for row in completed} == {"COMPLETED"}
    of_job = _json("tasks", "--demo", "--job", JOB_ARN)
    assert of_job and all(row["jobArn"] == JOB_ARN for row in of_job)
    tagged = _json("tasks", "--demo", "--tag", "project=vqe-h2")
    assert tagged and len(tagged) < len(every)
    mine = _json("tasks", "--demo", "--creator", "arn:aws:iam::123456789012:role/QuantumResearcher")
    assert FORTE.arn in {row["arn"] for row in mine}
    assert _json("tasks", "--demo", "--since", "2026-11-21") == []
    assert len(_json("tasks", "--demo", "--limit", "3", "--newest-first")) == 3


def test_tasks_as_csv_has_whole_arns_and_decimal_costs() -> None:
    code, out, _ = _run("tasks", "--demo", "--status", "COMPLETED", "--csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    forte = next(row for row in rows if row["task"] == FORTE.arn)
    assert forte["cost"] == "80.30" and forte["device"] == FORTE_1


def test_tasks_as_text_is_a_table_with_a_count() -> None:
    code, out, _ = _run("tasks", "--demo", "--device", FORTE_1)
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:3] == ["task", "status", "device"]
    assert lines[-1] == f"{len(lines) - 2} task(s)" and "ionq/Forte-1" in lines[1]


def test_jobs_lists_the_demo_job() -> None:
    (job,) = _json("jobs", "--demo")
    assert job["arn"] == JOB_ARN and job["status"] == "COMPLETED"
    assert _json("jobs", "--demo", "--status", "FAILED") == []
    # Its instances have no price in the shipped table: no amount, but its priced tasks are a floor
    cost = job["estimatedCost"]
    assert cost["amountUsd"] is None and cost["atLeastUsd"] == "48.60"
    assert "no jobInstance price for ml.m5.large" in cost["basis"]
    code, text, _ = _run("jobs", "--demo")
    assert code == 0 and " ≥$48.60 " in text.splitlines()[1]


@pytest.mark.parametrize(
    ("argv", "fix"),
    [
        (["tasks", "--demo", "--status", "DONE"], "DONE"),
        (["tasks", "--demo", "--tag", "project"], "is not KEY=VALUE: give it as --tag project=vqe"),
        (["tasks", "--demo", "--since", "yesterday"], "give 2026-11-20T09:00Z, 2026-11-20 or 7d"),
        (["tasks", "--demo", "--device", "Forte-1"], "--device"),
        (["tasks", "--demo", "--limit", "0"], "--limit 0: give 1 or more"),
        (["report", "--demo", "--since", "2026-11-01", "--by", "colour"], "colour"),
        (["report", "--demo", "--since", "2026-12-01", "--until", "2026-11-01"], "must be before --until"),
        (["report", "--demo"], "the following arguments are required: --since"),
    ],
)
def test_listing_mistakes_are_one_line(argv: list[str], fix: str) -> None:
    code, out, err = _run(*argv)
    assert (code, out) == (2, "") and err.count("\n") == 1 and fix in err, err


def test_report_groups_the_demo_tasks_and_its_csv_and_text_agree() -> None:
    document = _json("report", "--demo", "--since", "2026-11-01", "--until", "2026-12-01")
    assert document["total"]["tasks"] == 8 and document["money"]["estimated"] is True
    groups = {group["group"]: group for group in document["groups"]}
    assert groups["ionq/Forte-1"]["tasks"] == 5
    code, out, _ = _run("report", "--demo", "--since", "2026-11-01", "--until", "2026-12-01", "--csv")
    assert code == 0
    rows = {row["group"]: row for row in csv.DictReader(io.StringIO(out))}
    assert rows["(all)"]["tasks"] == "8" and rows["ionq/Forte-1"]["estimatedCostUsd"] == "128.90"
    code, text, _ = _run("report", "--demo", "--since", "2026-11-01", "--until", "2026-12-01", "--by", "creator")
    assert code == 0
    assert "Top spenders (estimated): arn:aws:iam::123456789012:role/QuantumResearcher $80.31," in text
    (alice,) = [line for line in text.splitlines() if line.startswith("arn:aws:iam::123456789012:role/Quantum")]
    assert alice.endswith("~$80.31") and "2 h 41 min 16 s" in alice
    assert text.splitlines()[-1].startswith("Costs are estimates (price table of 2026-11-15), never a bill")


class _Cells(HTMLParser):
    """Each table cell's (group, column) -> data-value, as the browser's DOM holds them."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[str, str], str] = {}
        self._group = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "th" and attributes.get("data-column") == "group" and attributes.get("data-value") is not None:
            self._group = str(attributes["data-value"])
        elif tag == "td" and attributes.get("data-column") and attributes.get("data-value") is not None:
            self.cells[(self._group, str(attributes["data-column"]))] = str(attributes["data-value"])


def test_the_html_page_the_command_writes_shows_its_own_figures_in_chromium(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    argv = ("report", "--demo", "--since", "2026-11-01", "--until", "2026-12-01", "--by", "status")
    code, out, err = _run(*argv, "--html", str(page), "--csv")
    assert code == 0 and err == f"wrote {page}\n"
    dom = dump_dom(page, tmp_path)
    assert dom.count('role="img"') >= 4 and "<script" not in dom
    parser = _Cells()
    parser.feed(dom)
    for row in csv.DictReader(io.StringIO(out)):
        for column in ("tasks", "failed", "estimatedCostUsd", "queueWaitP50Seconds"):
            assert parser.cells[(row["group"], column)] == row[column], (row["group"], column)


def test_an_unwritable_html_path_is_one_line(tmp_path: Path) -> None:
    code, _, err = _run("report", "--demo", "--since", "2026-11-01", "--html", str(tmp_path / "no" / "such" / "r.html"))
    assert code == 1 and err.count("\n") == 1 and "give --html a writable path" in err
