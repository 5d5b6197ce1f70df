"""``task-monitor redrive`` and ``backfill`` on the embedded AWS, through the CLI (the libraries' own
tests, under faults, are in tests/ops)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from task_monitor_cli.app import main
from task_monitor_devkit.builders.task import lifecycle


@pytest.fixture(autouse=True)
def quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "CRITICAL")


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), out=out, err=err), out.getvalue(), err.getvalue()


@pytest.fixture
def events(tmp_path: Path) -> Path:
    """A task's lifecycle and two events the function can never take: both dead-lettered at once."""
    path = tmp_path / "events.jsonl"
    bad = [{"source": "aws.braket", "detail-type": "Braket Task State Change", "detail": {}}, {"not": "an event"}]
    path.write_text("\n".join(json.dumps(event) for event in [*lifecycle(), *bad]))
    return path


def test_a_dry_run_names_the_dead_letters_reasons_and_moves_nothing(events: Path) -> None:
    code, out, err = _run("redrive", "--events", str(events), "--dry-run", "--json")
    assert code == 0 and err == ""
    survey = json.loads(out)
    assert survey["messages"] == 2 and survey["sampled"] == 2
    assert sum(survey["reasons"].values()) == 2 and all(
        reason.startswith("InvalidEventError") for reason in survey["reasons"]
    )


def test_redrive_moves_them_back_and_what_fails_again_is_back_on_the_queue(events: Path) -> None:
    code, out, _ = _run("redrive", "--events", str(events), "--json")
    assert code == 0
    moved = json.loads(out)
    assert (moved["status"], moved["moved"], moved["total"], moved["backOnDeadLetterQueue"]) == ("COMPLETED", 2, 2, 2)
    code, text, _ = _run("redrive", "--events", str(events))
    assert text == (
        "Moved 2 message(s) back to the events queue: the function takes them again. "
        "After it ran: 2 back on the dead-letter queue (failing again).\n"
    )


def test_redrive_with_an_empty_queue_says_so(tmp_path: Path) -> None:
    path = tmp_path / "good.json"
    path.write_text(json.dumps(lifecycle()))
    code, out, _ = _run("redrive", "--events", str(path))
    assert code == 0 and out == "The dead-letter queue is empty: nothing to move.\n"


def test_a_rate_sqs_refuses_is_one_line(events: Path) -> None:
    code, out, err = _run("redrive", "--events", str(events), "--rate", "501")
    assert (code, out) == (
        2,
        "",
    ) and err == "task-monitor: error: --rate 501: SQS moves 1 to 500 messages per second; give one\n"


def test_backfill_on_the_demo_records_what_the_searches_find_once() -> None:
    code, out, err = _run("backfill", "--demo", "--since", "2026-11-01", "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["found"]["tasks"] >= 5 and summary["found"]["jobs"] >= 1
    assert summary["outcomes"]["failed"] == 0 and summary["notified"] is False
    found = summary["found"]["tasks"] + summary["found"]["jobs"]
    # the demo's tasks were seen live: each backfilled state is kept in the history, never moving the latest back
    assert (
        summary["outcomes"]["recorded"] + summary["outcomes"]["recorded-late"] + summary["outcomes"]["duplicate"]
        == found
    )


def test_backfill_text_is_a_table_by_region_and_a_line_saying_nothing_was_announced() -> None:
    code, out, _ = _run("backfill", "--demo", "--since", "30d", "--regions", "us-east-1")
    assert code == 0
    header, *rows, last = out.splitlines()
    assert header.split() == [
        "region",
        "pages",
        "tasks",
        "jobs",
        "new",
        "seen",
        "live",
        "backfilled",
        "before",
        "failed",
    ]
    (row,) = rows
    region, _pages, tasks, jobs, new, seen_live, before, failed = row.split()
    assert region == "us-east-1" and int(tasks) + int(jobs) == int(new) + int(seen_live) + int(before) > 0
    assert last == (
        f"{new} new; {seen_live} already seen live (kept in their history, latest state unchanged); "
        f"{before} backfilled before; not announced (--notify to announce)"
    )
    assert int(seen_live) > 0 and failed == "0"  # the demo's tasks were all seen live first


@pytest.mark.parametrize(
    ("argv", "fix"),
    [
        (
            ["backfill", "--demo", "--since", "last week"],
            "--since: time 'last week' is not an instant, a date or a duration",
        ),
        (
            ["backfill", "--demo", "--since", "7d", "--regions", "mars-1"],
            "argument --regions: invalid choice: 'mars-1'",
        ),
        (["backfill", "--demo", "--since", "7d", "--search-rate", "0"], "--search-rate: search_per_second"),
        (["backfill", "--demo"], "the following arguments are required: --since"),
    ],
)
def test_backfill_mistakes_are_one_line(argv: list[str], fix: str) -> None:
    code, out, err = _run(*argv)
    assert (code, out) == (2, "") and err.count("\n") == 1 and fix in err, err
