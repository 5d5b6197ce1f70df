"""``task-monitor demo``: a realistic scenario through the real handler, on the embedded AWS."""

from __future__ import annotations

import argparse
import contextlib
import io
from collections import Counter
from typing import Any

from task_monitor_cli.commands.history import show_history
from task_monitor_cli.errors import UsageError
from task_monitor_cli.outcomes import invoke_and_show
from task_monitor_cli.output import Output
from task_monitor_cli.render import caller_text, device_label, short_id
from task_monitor_cli.target import devkit_missing, embedded_aws

NAME = "demo"
SUMMARY = "run a realistic scenario through the real handler on an embedded AWS (no account needed)"
EXAMPLES = """\
  task-monitor demo
  task-monitor demo --json         # every notification as its JSON subscriber received it
  task-monitor --verbose demo      # with the function's JSON logs and metrics on stderr
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The demo takes no options: it always tells the same story."""


DEVICE_ONLY_FILTER = {"kind": ["device"]}  # a subscriber who wants only device availability news


def run(args: argparse.Namespace, output: Output) -> int:
    if output.format == "csv":
        raise UsageError("demo prints no table: drop --csv (--json prints what its subscribers received)")
    try:
        from task_monitor_devkit.scenario import (
            ALICE_QAOA,
            FORTE,
            FORTE_1,
            JOB_ARN,
            JOB_NAME,
            SPENDING_LIMIT_ARN,
            demo_timeline,
        )
    except ImportError:
        raise devkit_missing() from None

    failures = 0
    with embedded_aws() as aws:
        devices_only = aws.subscribe_queue("device-notifications-only", DEVICE_ONLY_FILTER)
        output.line("braket-task-monitor demo: the real handler, on an embedded AWS (moto + Braket emulator)")
        output.line("notify statuses: COMPLETED, FAILED, CANCELLED; device news when tasks wait")
        output.line("kinds: task and job state changes, device status changes, Braket API calls from CloudTrail,")
        output.line("spending limits' spend changes; a monthly budget for project=vqe-h2 ($180, at 50/80/100 %)\n")
        for step in demo_timeline():  # each through the events queue, as deployed
            step.prepare(aws.braket)
            failures += not invoke_and_show(aws.send, aws, step.event(), output, step.note, brief=step.brief)

        dead_letters = _show_queue(aws, output)

        log = aws.audit_log()
        _show_trail(
            output,
            log,
            "task",
            FORTE.arn,
            f"Audit history of task {short_id(FORTE.arn)} ({device_label(FORTE.device_arn)}):",
        )
        output.line("  (the late QUEUED event did not move the latest state back)")
        cancelled = log.latest(ALICE_QAOA.arn) or {}
        output.line(
            f"Task {short_id(ALICE_QAOA.arn)}: {cancelled.get('status')}, created by "
            f"{caller_text(cancelled.get('createdBy'))}, cancelled by {caller_text(cancelled.get('cancelledBy'))}",
        )
        _show_trail(output, log, "job", JOB_ARN, f"Audit history of job {short_id(JOB_ARN)} ({JOB_NAME}):")
        output.line(f"  its tasks now: {', '.join(_task_states(log.tasks_of_job(JOB_ARN)))}")
        _show_trail(output, log, "device", FORTE_1, f"Timeline of device {device_label(FORTE_1)}:")
        title = f"Timeline of Forte-1's spending limit ({short_id(SPENDING_LIMIT_ARN)}):"
        _show_trail(output, log, "spending_limit", SPENDING_LIMIT_ARN, title)
        output.line(f"  (task-monitor history --demo {FORTE.arn} shows any of these on its own)")

        every = aws.subscriber_messages()
        failed_only = aws.subscriber_messages(aws.failed_only_url)
        device_news = aws.subscriber_messages(devices_only)
        kinds = Counter(str(m["MessageAttributes"].get("kind", {}).get("Value", "?")) for m in every)
        by_kind = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
        output.line("\nSubscribers:")
        output.line(f"  JSON subscriber (no filter):             {len(every)} notifications ({by_kind})")
        output.line(f"  subscriber filtered on status = FAILED:  {len(failed_only)} notification(s)")
        output.line(f"  subscriber filtered on kind = device:    {len(device_news)} notification(s)")
        if output.format == "json":  # the story's outcome, as machines receive it
            letters = [{"body": letter.body, "attributes": letter.attributes} for letter in dead_letters]
            output.document(
                {
                    "notifications": every,
                    "filtered": {"status=FAILED": len(failed_only), "kind=device": len(device_news)},
                    "deadLetters": letters,
                    "failedSteps": failures,
                }
            )
    return 1 if failures else 0


def _show_trail(output: Output, log: Any, kind: str, arn: str, title: str) -> None:
    """One resource's trail as ``task-monitor history`` prints it, under the story's title (text only:
    the JSON answer is the notifications)."""
    if not output.is_text:
        return
    output.line(f"\n{title}")
    show_history(output, kind, log.history(arn), log.latest(arn))


def _task_states(tasks: list[dict[str, Any]]) -> list[str]:
    return [f"{short_id(str(task.get('quantumTaskArn', '?')))} {task.get('status', '?')}" for task in tasks]


def _show_queue(aws: Any, output: Output) -> list[Any]:
    """The deployed path: events wait on the queue, the function takes them in batches."""
    from task_monitor_devkit.scenario import FORTE, Step, invalid_event

    late_duplicate = Step(FORTE, "COMPLETED", "2026-11-20T11:43:40Z").event()
    events = [invalid_event(), late_duplicate, "not json at all"]
    output.line(f"\nThrough the events queue, as deployed: one batch of {len(events)} messages")
    output.line("  a malformed event, a third delivery of the FORTE completion, and a body that is not JSON")
    with contextlib.redirect_stdout(io.StringIO()):
        aws.deliver(*events)
        batches = aws.drain()
    for batch in batches:
        retried = len(batch.retried)
        output.line(f"  batch of {len(batch.message_ids)}: {len(batch.message_ids) - retried} done, {retried} to retry")
    letters = aws.dead_letters()
    _show_dead_letters(letters, output)
    return letters


def _show_dead_letters(letters: list[Any], output: Output) -> None:
    output.line(f"\nDead-letter queue: {len(letters)} message(s), each the event as it came plus its error")
    for letter in letters:
        output.line(f"  {letter.attributes.get('errorType', '?')}: {letter.attributes.get('errorMessage', '?')}")
    if letters:
        output.line(
            "  Fix the event, then: task-monitor replay FILE  (dead-letter messages work as they are;"
            " against your stack: task-monitor redrive, or replay --from-dead-letter-queue)",
        )
