"""``task-monitor redrive``: move the dead-letter queue's messages back to the events queue.

With SQS's own message move task (StartMessageMoveTask), so the deployed function takes them again
as queue messages, in its own role; progress is shown until the task ends. Nothing is deleted: a
message the function fails on again returns to the dead-letter queue (at once if it is invalid,
after its receives otherwise). ``--dry-run`` says what is there, by reason and kind, and moves nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import io
from typing import Any

from task_monitor_cli.errors import CommandFailedError, UsageError
from task_monitor_cli.output import Column, Output
from task_monitor_cli.target import DEAD_LETTER_QUEUE, EVENTS_QUEUE, add_target_options, is_embedded, open_target

NAME = "redrive"
SUMMARY = "move dead letters back to the events queue (SQS message move task), with progress"
EXAMPLES = """\
  task-monitor redrive --dry-run             # what is on the dead-letter queue, by reason; nothing moves
  task-monitor redrive                       # move them all back; the function takes them again
  task-monitor redrive --rate 10             # at most 10 messages per second
  task-monitor redrive --events bad.jsonl    # on an embedded AWS: these events, their dead letters moved back
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="show the dead letters by reason; move nothing")
    parser.add_argument("--rate", type=int, metavar="PER_SECOND", help="messages per second (1-500; SQS's default)")
    parser.add_argument("--peek", type=int, default=10, metavar="N", help="dead letters sampled by --dry-run")
    add_target_options(parser, names=(EVENTS_QUEUE, DEAD_LETTER_QUEUE))


def run(args: argparse.Namespace, output: Output) -> int:
    with open_target(args) as target:
        sqs = target.client("sqs")
        with _move_tasks(args, target, sqs):
            return _redrive(args, target, sqs, output)


def _redrive(args: argparse.Namespace, target: Any, sqs: Any, output: Output) -> int:
    from task_monitor_cli.ops import redrive

    if args.rate is not None and not 1 <= args.rate <= redrive.MAX_RATE:
        raise UsageError(f"--rate {args.rate}: SQS moves 1 to {redrive.MAX_RATE} messages per second; give one")
    try:
        survey = redrive.survey(sqs, target.name(DEAD_LETTER_QUEUE), peek=args.peek if args.dry_run else 0)
        if args.dry_run:
            return _show_survey(survey, output)
        if survey.approximate_count == 0:
            empty = {"moved": 0, "status": "NOTHING_TO_MOVE"}
            _say(output, empty, "The dead-letter queue is empty: nothing to move.")
            return 0
        attributes = sqs.get_queue_attributes(QueueUrl=target.name(EVENTS_QUEUE), AttributeNames=["QueueArn"])
        task = redrive.start(sqs, survey.queue_arn, attributes["Attributes"]["QueueArn"], rate=args.rate)
        final = _follow(redrive, sqs, survey, output, embedded=is_embedded(args))
    except redrive.MoveTaskRunningError as error:
        raise UsageError(str(error)) from None
    except redrive.RedriveError as error:
        raise CommandFailedError(str(error)) from None
    if final.status != "COMPLETED":
        raise CommandFailedError(
            f"the move task ended {final.status} after {final.moved} message(s)"
            + (f": {final.failure_reason}" if final.failure_reason else "")
            + "; what was not moved is still on the dead-letter queue: run redrive again once fixed"
        )
    returned = _run_embedded_function(target) if is_embedded(args) else None
    document: dict[str, Any] = {"task": task.handle, "status": final.status, "moved": final.moved, "total": final.total}
    text = f"Moved {final.moved} message(s) back to the events queue: the function takes them again."
    if returned is None:
        text += " Any it fails on again return to the dead-letter queue (redrive --dry-run shows them)."
    else:
        document["backOnDeadLetterQueue"] = returned
        text += f" After it ran: {returned} back on the dead-letter queue (failing again)."
    _say(output, document, text)
    return 0


def _follow(redrive: Any, sqs: Any, survey: Any, output: Output, *, embedded: bool) -> Any:
    """Poll the move task to its end, with a progress bar (on a terminal)."""
    final = None
    with output.progress("moving dead letters", total=survey.approximate_count) as advance:
        moved = 0
        for step in redrive.progress(sqs, survey.queue_arn, poll_seconds=0.0 if embedded else 2.0):
            advance(step.moved - moved, total=step.total)
            moved, final = step.moved, step
    return final


@contextlib.contextmanager
def _move_tasks(args: argparse.Namespace, target: Any, sqs: Any) -> Any:
    """On the embedded AWS, SQS's message move tasks are the development kit's (moto has none)."""
    if not is_embedded(args):
        yield
        return
    from task_monitor_devkit.sqs_move_emulator import SqsMoveEmulator

    with SqsMoveEmulator().running(target.aws.sqs, sqs):
        yield


def _run_embedded_function(target: Any) -> int:
    """The embedded function takes the moved messages (as the deployed one would); what it fails on
    again is back on the dead-letter queue: counted, and left there."""
    with contextlib.redirect_stdout(io.StringIO()):
        target.aws.drain()
    attributes = target.aws.sqs.get_queue_attributes(
        QueueUrl=target.aws.dead_letters_url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def _show_survey(survey: Any, output: Output) -> int:
    document = {
        "queue": survey.queue_url,
        "messages": survey.approximate_count,
        "inFlight": survey.in_flight,
        "sampled": len(survey.sample),
        "reasons": dict(survey.reasons),
        "kinds": dict(survey.kinds),
    }
    if output.format == "json":
        output.document(document)
        return 0
    output.line(f"{survey.approximate_count} message(s) on the dead-letter queue ({survey.in_flight} being read)")
    rows = [{"reason": reason, "count": count} for reason, count in sorted(survey.reasons.items())]
    if rows:
        output.line(f"In a sample of {len(survey.sample)}, by reason:")
        output.table((Column("reason", "reason", wrap=True), Column("count", "count", numeric=True)), rows)
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(survey.kinds.items()))
        output.line(f"By kind: {kinds}")
    output.line("Dry run: nothing moved. `task-monitor redrive` moves them back to the events queue.")
    return 0


def _say(output: Output, document: dict[str, Any], text: str) -> None:
    if output.format == "json":
        output.document(document)
    else:
        output.line(text)
