"""``task-monitor backfill --since DATE``: record the tasks and jobs that ran before the stack existed.

In each Braket region, SearchQuantumTasks then SearchJobs (created at or after --since), page by page
within Braket's request quotas; each one found goes through the function's own pipeline (built from
the deployed function's settings) as a state change of its current status, marked as a backfill by
you. Idempotent: a second run, or the task's live events later, make no second task. Nothing is
announced, and no budget counted, unless --notify.
"""

from __future__ import annotations

import argparse
from typing import Any

from task_monitor_cli.errors import CommandFailedError, UsageError
from task_monitor_cli.outcomes import function_output
from task_monitor_cli.output import Output
from task_monitor_cli.target import FUNCTION, TABLE, TOPIC, Deployed, add_target_options, is_embedded, open_target
from task_monitor_cli.times import parse_moment

NAME = "backfill"
SUMMARY = "record tasks and jobs that ran before the stack existed (Braket's Search APIs, every region)"
EXAMPLES = """\
  task-monitor backfill --since 2026-10-01
  task-monitor backfill --since 30d --regions us-east-1 us-west-1 --search-rate 1
  task-monitor backfill --since 2026-10-01 --notify     # announce them too, and count them in budgets
  task-monitor backfill --since 30d --demo --json
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from task_monitor_cli.ops.backfill import BRAKET_REGIONS

    parser.add_argument("--since", required=True, help="created at or after: 30d, or 2026-10-01 (UTC)")
    parser.add_argument(
        "--regions",
        nargs="+",
        default=list(BRAKET_REGIONS),
        choices=BRAKET_REGIONS,
        metavar="REGION",
        help=f"default: every Braket region ({', '.join(BRAKET_REGIONS)})",
    )
    parser.add_argument("--notify", action="store_true", help="announce what is recorded, and count it in budgets")
    parser.add_argument(
        "--search-rate", type=float, default=2.0, metavar="PER_SECOND", help="Search* calls per second per region"
    )
    add_target_options(parser, names=(TABLE, TOPIC, FUNCTION))


def run(args: argparse.Namespace, output: Output) -> int:
    from task_monitor_cli.ops.backfill import Backfill, BackfillError, Limits
    from task_monitor_cli.pipeline import deployed_settings, operator_arn

    since = parse_moment(args.since, flag="--since")
    try:
        limits = Limits(search_per_second=args.search_rate)
    except ValueError as error:
        raise UsageError(f"--search-rate: {error}") from None
    with open_target(args) as target:
        if is_embedded(args):
            from task_monitor.settings import Settings

            settings = Settings.from_environment()  # the embedded function's own
        else:
            assert isinstance(target, Deployed)
            settings = deployed_settings(target, output)
        backfill = Backfill(target.session, settings, operator=operator_arn(target), notify=args.notify, limits=limits)
        try:
            # The pipeline's own log lines go where the function's always go here: stderr, with --verbose.
            with output.progress("backfilling (pages searched)") as advance, function_output(output):
                for _ in backfill.run(since, regions=args.regions):
                    advance()
        except BackfillError as error:
            raise CommandFailedError(str(error)) from None
    return _show(backfill.summary, output, args)


# What each outcome means for a task or job a search found (the JSON keeps the pipeline's names).
HEADINGS = {
    "recorded": "new",
    "recorded-late": "seen live",  # the live record is already at (or past) the status the search found
    "duplicate": "backfilled before",
}


def _show(summary: Any, output: Output, args: argparse.Namespace) -> int:
    outcomes = ("recorded", "recorded-late", "duplicate", "failed")
    document = {
        "since": args.since,
        "regions": {
            region: {"pages": counts.pages, "found": dict(counts.found), "outcomes": dict(counts.outcomes)}
            for region, counts in summary.regions.items()
        },
        "found": {"tasks": summary.total("task"), "jobs": summary.total("job")},
        "outcomes": {name: summary.total(name) for name in outcomes},
        "failures": [{"arn": arn, "reason": reason} for arn, reason in summary.failures],
        "notified": bool(args.notify),
        "waitedSeconds": round(summary.throttled_seconds, 3),
    }
    if output.format == "json":
        output.document(document)
    else:
        from task_monitor_cli.output import Column

        rows = [
            {
                "region": region,
                "pages": counts.pages,
                "tasks": counts.found.get("task", 0),
                "jobs": counts.found.get("job", 0),
                **{name: counts.outcomes.get(name, 0) for name in outcomes},
            }
            for region, counts in summary.regions.items()
        ]
        numbers = ("pages", "tasks", "jobs", *outcomes)
        columns = [
            Column("region", "region"),
            *(Column(name, HEADINGS.get(name, name), numeric=True) for name in numbers),
        ]
        output.table(columns, rows)
        for failure in document["failures"]:
            output.line(f"failed: {failure['arn']}: {failure['reason']}")
        if output.is_text:
            said = "announced" if args.notify else "not announced (--notify to announce)"
            counts = document["outcomes"]
            output.line(
                f"{counts['recorded']} new; {counts['recorded-late']} already seen live (kept in their history, "
                f"latest state unchanged); {counts['duplicate']} backfilled before; {said}"
            )
    return 1 if summary.failures else 0
