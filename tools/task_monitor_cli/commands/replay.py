"""``task-monitor replay FILE|-``: captured events through the pipeline, as you, in this process.

Each record says it was replayed and by whom (``arrival: {"via": "replay", "operator": ...}``); a dead
letter (a message read from the dead-letter queue, or from ``aws sqs receive-message``'s output) also
names its message id, and only such a replay may name who created or cancelled a task or job
(docs/trust-and-privacy.md, "Trust model"). To move dead letters back through the deployed function
instead, use ``redrive``.
"""

from __future__ import annotations

import argparse
import functools
from collections import Counter
from typing import Any

from task_monitor_cli.errors import UsageError
from task_monitor_cli.events_io import DeadLetterQueue, Replayed, load_replays
from task_monitor_cli.outcomes import failure_text, function_output, invoke_and_show, outcome_text
from task_monitor_cli.output import Output
from task_monitor_cli.render import event_line
from task_monitor_cli.target import (
    DEAD_LETTER_QUEUE,
    FUNCTION,
    TABLE,
    TOPIC,
    Deployed,
    add_target_options,
    embedded_aws,
)

NAME = "replay"
SUMMARY = "process captured events (files, JSON lines, dead-letter dumps, stdin) through the pipeline, as you"
EXAMPLES = """\
  task-monitor replay event.json                        # into the deployed stack (its table and topic)
  aws sqs receive-message --queue-url URL --max-number-of-messages 10 | task-monitor replay -
  task-monitor replay --from-dead-letter-queue          # every dead letter, deleted once processed
  task-monitor replay --embedded events.jsonl --quiet   # on an empty embedded AWS: a summary only
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*", metavar="FILE", help="event files, or - for stdin")
    parser.add_argument(
        "--from-dead-letter-queue",
        action="store_true",
        help="also replay every message on the stack's dead-letter queue (deleted once processed)",
    )
    parser.add_argument(
        "--embedded", action="store_true", help="replay into an empty embedded AWS instead (no account needed)"
    )
    parser.add_argument("--quiet", action="store_true", help="no line per event: the summary only")
    add_target_options(parser, embedded=False, names=(TABLE, TOPIC, DEAD_LETTER_QUEUE, FUNCTION))


def run(args: argparse.Namespace, output: Output) -> int:
    if not args.files and not args.from_dead_letter_queue:
        raise UsageError("replay needs event files (or - for stdin), or --from-dead-letter-queue")
    if args.embedded and args.from_dead_letter_queue:
        raise UsageError("--from-dead-letter-queue reads the deployed queue: drop --embedded")
    replays = load_replays(args.files)
    results: Counter[str] = Counter()
    if args.embedded:
        _replay_embedded(replays, output, args.quiet, results)
    else:
        _replay_deployed(args, replays, output, results)
    summary = {"events": sum(results.values()), **results}
    if output.format == "json":
        output.document(summary)
    else:
        output.line(
            f"replayed {summary['events']} event(s): " + ", ".join(f"{n} {k}" for k, n in sorted(results.items()))
        )
    return 1 if results["failed"] or results["rejected"] else 0


def _count(results: Counter[str], text: str) -> None:
    results[
        "rejected" if text.startswith(("REJECTED", "REFUSED")) else "failed" if text.startswith("FAILED") else "done"
    ] += 1


def _replay_embedded(replays: list[Replayed], output: Output, quiet: bool, results: Counter[str]) -> None:
    from task_monitor_devkit.teach import teach_emulator

    with embedded_aws(settings={}) as aws, output.progress("replaying", total=len(replays)) as advance:
        silent = Output(output.out, output.err, fmt="json") if quiet or not output.is_text else output
        for replayed in replays:
            teach_emulator(aws, replayed.event)
            replay = functools.partial(aws.replay, dead_letter_message_id=replayed.dead_letter_message_id)
            succeeded = invoke_and_show(replay, aws, replayed.event, silent)
            results["done" if succeeded else "failed"] += 1
            advance()


def _replay_deployed(args: argparse.Namespace, replays: list[Replayed], output: Output, results: Counter[str]) -> None:
    from task_monitor.domain.arrival import Arrival
    from task_monitor_cli.pipeline import DeployedPipeline, operator_arn

    target = Deployed(args)
    pipeline = DeployedPipeline(target, output)
    operator = operator_arn(target)
    queue = (
        DeadLetterQueue(target.name(DEAD_LETTER_QUEUE), target.client("sqs")) if args.from_dead_letter_queue else None
    )
    replays = replays + (queue.receive_all() if queue else [])
    with output.progress("replaying", total=len(replays)) as advance:
        for replayed in replays:
            text = _replay_one(pipeline, replayed, Arrival.replay(operator, replayed.dead_letter_message_id), output)
            _count(results, text)
            if not args.quiet:
                output.line(event_line(replayed.event, text))
            if queue and replayed.receipt_handle and not text.startswith(("FAILED", "REJECTED", "REFUSED")):
                queue.delete(replayed.receipt_handle)  # processed: off the queue (else it stays for a fix)
            advance()


def _replay_one(pipeline: Any, replayed: Replayed, arrival: Any, output: Output) -> str:
    try:
        with function_output(output):
            return outcome_text(pipeline.run(replayed.event, arrival))
    except Exception as error:  # the event's own outcome: counted and shown, the next one goes on
        return failure_text(error)
