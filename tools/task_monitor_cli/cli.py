"""``python -m task_monitor_cli``: demo, replay, history and prices, on the embedded AWS or on real AWS."""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from task_monitor.domain import registry
from task_monitor.domain.arns import parse_job_arn
from task_monitor.domain.notification_model import safe_text
from task_monitor_cli.render import (
    caller_text,
    device_label,
    email,
    email_subject,
    event_line,
    history_table,
    kind_of_arn,
    rollup_text,
    short_id,
)

# The function's JSON logs stay quiet unless --verbose (the level variable keeps Powertools' name). Its
# metrics go to the function's stdout, which the CLI captures around each invocation and shows with
# --verbose.
QUIET_LOGS = {"POWERTOOLS_LOG_LEVEL": "CRITICAL"}


class UsageError(Exception):
    """A mistake in how the command was called: one line on stderr that names the fix, exit status 2."""


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    args = _parser().parse_args(argv)
    if not args.verbose:
        for name, value in QUIET_LOGS.items():
            os.environ.setdefault(name, value)
    try:
        return args.run(args, out)
    except UsageError as error:
        err.write(safe_text(f"error: {error}") + "\n")
        return 2
    except Exception as error:  # AWS refusing the call: credentials, permissions, a missing table
        from botocore.exceptions import BotoCoreError, ClientError

        if not isinstance(error, BotoCoreError | ClientError):
            raise
        err.write(
            safe_text(f"error: AWS said: {error} (check your credentials, --region and the table/topic names)") + "\n"
        )
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m task_monitor_cli", description=__doc__)
    parser.add_argument("--verbose", action="store_true", help="show the function's JSON logs and metrics")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="run a realistic scenario through the real handler, offline")
    demo.set_defaults(run=run_demo)

    replay = commands.add_parser(
        "replay",
        help="process event files (or - for stdin), or the dead-letter queue's messages, in this process, "
        "as you: each record says it was replayed and by whom",
    )
    replay.add_argument("files", nargs="*", metavar="FILE")
    replay.add_argument(
        "--dead-letter-queue",
        metavar="URL",
        help="--aws: replay every message on this dead-letter queue (deleted once processed)",
    )
    _add_aws_options(replay)
    replay.set_defaults(run=run_replay)

    history = commands.add_parser("history", help="print a task's, job's or device's audit history")
    history.add_argument("arn", metavar="ARN", help="a quantum task, hybrid job or device ARN")
    history.add_argument("--events", nargs="*", metavar="FILE", help="embedded: replay these first (default: demo)")
    _add_aws_options(history)
    history.set_defaults(run=run_history)

    from task_monitor_cli.prices import add_prices_commands

    add_prices_commands(commands, UsageError)
    return parser


def _add_aws_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--aws", action="store_true", help="use real AWS with your default credentials")
    parser.add_argument("--table", default=os.environ.get("AUDIT_TABLE_NAME"), help="audit table (--aws)")
    parser.add_argument("--topic", default=os.environ.get("NOTIFICATION_TOPIC_ARN"), help="SNS topic ARN (--aws)")
    parser.add_argument("--region", default=None, help="region of the table and topic (--aws)")


# -- demo -----------------------------------------------------------------------------------
DEVICE_ONLY_FILTER = {"kind": ["device"]}  # a subscriber who wants only device availability news


def run_demo(args: argparse.Namespace, out: TextIO) -> int:
    from task_monitor_devkit.embedded import EmbeddedAws
    from task_monitor_devkit.scenario import (
        ALICE_QAOA,
        FORTE,
        FORTE_1,
        JOB_ARN,
        JOB_NAME,
        SPENDING_LIMIT_ARN,
        demo_settings,
        demo_timeline,
    )

    failures = 0
    with EmbeddedAws(settings=demo_settings()) as aws:
        aws.load_handler()
        devices_only = aws.subscribe_queue("device-notifications-only", DEVICE_ONLY_FILTER)
        _print(out, "braket-task-monitor demo: the real handler, on an embedded AWS (moto + Braket emulator)")
        _print(out, "notify statuses: COMPLETED, FAILED, CANCELLED; device news when tasks wait")
        _print(out, "kinds: task and job state changes, device status changes, Braket API calls from CloudTrail,")
        _print(out, "spending limits' spend changes; a monthly budget for project=vqe-h2 ($180, at 50/80/100 %)\n")
        for step in demo_timeline():  # each through the events queue, as deployed
            step.prepare(aws.braket)
            failures += not _invoke_and_show(aws.send, aws, step.event(), out, step.note, brief=step.brief)

        _show_queue(aws, out)

        log = aws.audit_log()
        _print(out, f"\nAudit history of task {short_id(FORTE.arn)} ({device_label(FORTE.device_arn)}):")
        _print(out, history_table(log.history(FORTE.arn)))
        latest = log.latest(FORTE.arn) or {}
        _print(out, f"Latest state: {latest.get('status')} (the late QUEUED event did not move it back)")
        _print(out, f"  created by {caller_text(latest.get('createdBy'))}")
        cancelled = log.latest(ALICE_QAOA.arn) or {}
        _print(
            out,
            f"Task {short_id(ALICE_QAOA.arn)}: {cancelled.get('status')}, created by "
            f"{caller_text(cancelled.get('createdBy'))}, cancelled by {caller_text(cancelled.get('cancelledBy'))}",
        )

        _print(out, f"\nAudit history of job {short_id(JOB_ARN)} ({JOB_NAME}):")
        _print(out, history_table(log.history(JOB_ARN)))
        job = log.latest(JOB_ARN) or {}
        _print(out, f"Latest state: {job.get('status')}, created by {caller_text(job.get('createdBy'))}")
        _print(out, f"  tasks: {rollup_text(job.get('taskSummary'))}")
        _print(out, f"  its tasks now: {', '.join(_task_states(log.tasks_of_job(JOB_ARN)))}")

        _print(out, f"\nTimeline of device {device_label(FORTE_1)}:")
        _print(out, history_table(log.history(FORTE_1)))
        device = log.latest(FORTE_1) or {}
        _print(out, f"Latest state: {device.get('status')} (last event {device.get('eventTime')})")

        _print(out, f"\nTimeline of Forte-1's spending limit ({short_id(SPENDING_LIMIT_ARN)}):")
        _print(out, history_table(log.history(SPENDING_LIMIT_ARN)))

        every = aws.subscriber_messages()
        failed_only = aws.subscriber_messages(aws.failed_only_url)
        device_news = aws.subscriber_messages(devices_only)
        kinds = Counter(str(m["MessageAttributes"].get("kind", {}).get("Value", "?")) for m in every)
        by_kind = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
        _print(out, "\nSubscribers:")
        _print(out, f"  JSON subscriber (no filter):             {len(every)} notifications ({by_kind})")
        _print(out, f"  subscriber filtered on status = FAILED:  {len(failed_only)} notification(s)")
        _print(out, f"  subscriber filtered on kind = device:    {len(device_news)} notification(s)")
    return 1 if failures else 0


def _task_states(tasks: list[dict[str, Any]]) -> list[str]:
    return [f"{short_id(str(task.get('quantumTaskArn', '?')))} {task.get('status', '?')}" for task in tasks]


def _invoke_and_show(
    run: Callable[[Any], Any], aws: Any, event: Any, out: TextIO, note: str = "", *, brief: bool = False
) -> bool:
    """``run`` the event (``aws.send``: through the queue; or a replay) and show what became of it."""
    published_before = len(aws.published)
    function_output = io.StringIO()  # EMF metrics and logs: shown with --verbose
    with contextlib.redirect_stdout(function_output):
        invocation = run(event)
    if os.environ.get("POWERTOOLS_LOG_LEVEL") != QUIET_LOGS["POWERTOOLS_LOG_LEVEL"]:
        out.write(safe_text(function_output.getvalue(), keep_newlines=True))
    if invocation.succeeded:
        _print(out, event_line(event, _outcome_text(invocation.response, aws), note))
    else:
        _print(out, event_line(event, _failure_text(invocation.error), note))
    for message in aws.published[published_before:]:
        _print(out, email_subject(message.subject) if brief else email(message.subject, message.email_text))
    return invocation.succeeded


def _failure_text(error: BaseException) -> str:
    """Rejected: the event itself is wrong. Refused: AWS refused one of its requests for good (a retry
    would not help). Failed: the event is fine, something around it is not."""
    from task_monitor.errors import InvalidEventError, RequestRefusedError

    if isinstance(error, InvalidEventError):
        return f"REJECTED: {error}"
    if isinstance(error, RequestRefusedError):
        return f"REFUSED: {error}"
    return f"FAILED ({type(error).__name__}): {error}"


def _outcome_text(response: dict[str, Any], aws: Any | None = None) -> str:
    kind = str(response.get("kind", "task"))
    arn = response.get(registry.ARN_FIELDS.get(kind, registry.ARN_FIELDS[registry.TASK.name]))
    if kind == "refused_task":
        text = "refused by a spending limit: recorded" if response["outcome"] != "duplicate" else "duplicate"
    elif response.get("source") == "apiCall":
        text = _call_outcome_text(response["outcome"], kind)
    elif response["outcome"] == "duplicate":
        text = "duplicate: nothing written, nothing sent"
    elif response["outcome"] == "recorded-late":
        latest = aws.audit_log().latest(arn) if aws and isinstance(arn, str) else None
        text = f"recorded late: latest state stays {latest['status']}" if latest else "recorded late"
    elif response["outcome"] == "duplicate-unannounced":
        text = "duplicate, but its notification never went out"
    else:
        text = "recorded"
    if response.get("enrichmentError"):
        text += f", not enriched ({response['enrichmentError']})"
    if response.get("notified"):
        text += ", notified"
    return text


def _call_outcome_text(outcome: str, kind: str) -> str:
    """What became of a CloudTrail call: joined onto its task's or job's record, or why not."""
    return {
        "recorded": f"joined onto the {kind}",
        "recorded-late": f"kept in the {kind}'s history; an earlier caller stays on its record",
        "duplicate": "duplicate: nothing written",
        "duplicate-unannounced": "duplicate: nothing written",
        "not-recorded": "not recorded: the call failed, so it created or cancelled nothing",
        "kept-unjoined": f"kept in the {kind}'s history, not joined: not from the events queue or a dead letter",
    }.get(outcome, outcome)


def _show_queue(aws: Any, out: TextIO) -> None:
    """The deployed path: events wait on the queue, the function takes them in batches."""
    from task_monitor_devkit.scenario import FORTE, Step, invalid_event

    late_duplicate = Step(FORTE, "COMPLETED", "2026-11-20T11:43:40Z").event()
    events = [invalid_event(), late_duplicate, "not json at all"]
    _print(out, f"\nThrough the events queue, as deployed: one batch of {len(events)} messages")
    _print(out, "  a malformed event, a third delivery of the FORTE completion, and a body that is not JSON")
    with contextlib.redirect_stdout(io.StringIO()):
        aws.deliver(*events)
        batches = aws.drain()
    for batch in batches:
        retried = len(batch.retried)
        _print(out, f"  batch of {len(batch.message_ids)}: {len(batch.message_ids) - retried} done, {retried} to retry")
    _show_dead_letters(aws.dead_letters(), out)


def _show_dead_letters(letters: list[Any], out: TextIO) -> None:
    _print(out, f"\nDead-letter queue: {len(letters)} message(s), each the event as it came plus its error")
    for letter in letters:
        _print(out, f"  {letter.attributes.get('errorType', '?')}: {letter.attributes.get('errorMessage', '?')}")
    if letters:
        _print(
            out,
            "  Fix the event, then: python -m task_monitor_cli replay FILE  (dead-letter messages work as they are;"
            " against AWS: replay --aws --dead-letter-queue URL)",
        )


# -- replay ---------------------------------------------------------------------------------
def run_replay(args: argparse.Namespace, out: TextIO) -> int:
    """Each event through the pipeline in this process, with the operator's credentials, recorded as
    ``arrival: {"via": "replay", "operator": ...}``; a dead letter (a message read from the dead-letter
    queue, or from ``aws sqs receive-message``'s output) also names its message id, and only such a
    replay may name who created or cancelled a task or job (README, "Trust model")."""
    if not args.files and not args.dead_letter_queue:
        raise UsageError("replay needs event files (or - for stdin), or --aws --dead-letter-queue URL")
    if args.dead_letter_queue and not args.aws:
        raise UsageError("--dead-letter-queue reads a deployed queue: add --aws (and --table, --topic)")
    if args.aws:
        return _replay_on_aws(args, out)

    from task_monitor_devkit.embedded import EmbeddedAws

    replays = load_replays(args.files)
    with EmbeddedAws() as aws:
        aws.load_handler()
        _print(out, "Embedded AWS: Braket answers with what each event itself says about its task or job.\n")
        results = []
        for replayed in replays:
            _teach_emulator(aws, replayed.event)
            replay = functools.partial(aws.replay, dead_letter_message_id=replayed.dead_letter_message_id)
            results.append(_invoke_and_show(replay, aws, replayed.event, out))
    return 0 if all(results) else 1


def _replay_on_aws(args: argparse.Namespace, out: TextIO) -> int:
    from task_monitor.domain.arrival import Arrival

    handler = _real_aws_handler(args)
    operator = _operator(args)
    queue = DeadLetterQueue(args.dead_letter_queue, args.region) if args.dead_letter_queue else None
    replays = load_replays(args.files) + (queue.receive_all() if queue else [])
    failed = 0
    for replayed in replays:
        event = replayed.event
        try:
            with _function_output(out):
                response = handler.run_one(event, Arrival.replay(operator, replayed.dead_letter_message_id))
            _print(out, event_line(event, _outcome_text(response)))
        except Exception as error:
            failed += 1
            _print(out, event_line(event, _failure_text(error)))
            continue
        if queue and replayed.receipt_handle:
            queue.delete(replayed.receipt_handle)  # processed: off the dead-letter queue
    return 1 if failed else 0


def _operator(args: argparse.Namespace) -> str:
    """Who replays: the ARN of the credentials in use (sts:GetCallerIdentity), named on every record."""
    import botocore.session

    sts = botocore.session.get_session().create_client("sts", region_name=args.region)
    return str(sts.get_caller_identity()["Arn"])


@dataclass(frozen=True)
class Replayed:
    """An event to replay and, for a dead letter, its message id (and where to delete it once done)."""

    event: Any
    dead_letter_message_id: str | None = None
    receipt_handle: str | None = None


class DeadLetterQueue:
    """The deployed dead-letter queue, read for a replay: every message, hidden while it is replayed."""

    VISIBILITY_SECONDS = 900  # long enough for a replay of every message received

    def __init__(self, url: str, region: str | None) -> None:
        import botocore.session

        self.url = url
        self._sqs = botocore.session.get_session().create_client("sqs", region_name=region)

    def receive_all(self) -> list[Replayed]:
        replays: list[Replayed] = []
        while True:
            messages = self._sqs.receive_message(
                QueueUrl=self.url, MaxNumberOfMessages=10, VisibilityTimeout=self.VISIBILITY_SECONDS
            ).get("Messages", [])
            if not messages:
                return replays
            for message in messages:
                replays += [
                    Replayed(event, message["MessageId"], message["ReceiptHandle"])
                    for event in _unwrap(_json_or_text(message["Body"]))
                ]

    def delete(self, receipt_handle: str) -> None:
        self._sqs.delete_message(QueueUrl=self.url, ReceiptHandle=receipt_handle)


def load_events(paths: Iterable[str]) -> list[Any]:
    """Events from files (or - for stdin): an event, a list of events, JSON lines, dead-letter
    messages as ``aws sqs receive-message`` prints them, an SQS batch as Lambda receives it, or
    Lambda destination records."""
    return [replayed.event for replayed in load_replays(paths)]


def load_replays(paths: Iterable[str]) -> list[Replayed]:
    """The events of ``load_events``, each with its dead-letter message id when the file holds dead
    letters as ``aws sqs receive-message`` prints them (a message with its ``MessageId``)."""
    replays: list[Replayed] = []
    for path in paths:
        for document in _documents(path):
            replays.extend(_dead_letters(document) or [Replayed(event) for event in _unwrap(document)])
    return replays


def _dead_letters(document: Any) -> list[Replayed]:
    """``aws sqs receive-message`` output: each message's events with its message id (else nothing)."""
    if not isinstance(document, dict) or not isinstance(document.get("Messages"), list):
        return []
    replays: list[Replayed] = []
    for message in document["Messages"]:
        message_id = message.get("MessageId") if isinstance(message, dict) else None
        events = _unwrap(message)
        replays += [Replayed(event, message_id if isinstance(message_id, str) else None) for event in events]
    return replays


def _documents(path: str) -> list[Any]:
    """The JSON documents in a file: one, or one per line (JSON lines)."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(
            f"cannot read {path}: {error.strerror}; give the path of an event file, or - for stdin"
        ) from None
    try:
        return [json.loads(text)]
    except json.JSONDecodeError:
        pass
    documents = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            documents.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise UsageError(
                f"{path} line {number} is not JSON ({error.msg}); give one JSON document, or one per line"
            ) from None
    return documents


def _unwrap(document: Any) -> list[Any]:
    if isinstance(document, list):
        return [event for item in document for event in _unwrap(item)]
    if isinstance(document, dict):
        if "requestPayload" in document:  # Lambda on-failure destination record
            return [document["requestPayload"]]
        if "Messages" in document:  # aws sqs receive-message output
            return [event for message in document["Messages"] for event in _unwrap(message)]
        if "Body" in document and isinstance(document["Body"], str):  # one SQS message
            return _unwrap(_json_or_text(document["Body"]))
        if set(document) == {"Records"} and isinstance(document["Records"], list):  # an SQS batch for Lambda
            return [event for record in document["Records"] for event in _unwrap(_sqs_body(record))]
    return [document]


def _json_or_text(body: str) -> Any:
    """A message body that is not JSON is kept as text: the handler then says why it is invalid."""
    try:
        return json.loads(body)
    except json.JSONDecodeError:
        return body


def _sqs_body(record: Any) -> Any:
    return _json_or_text(record["body"]) if isinstance(record, dict) and isinstance(record.get("body"), str) else record


def _teach_emulator(aws: Any, event: Any) -> None:
    """Braket answers with what the event itself says: a task event's task, a job event's job.
    CloudTrail calls and device events ask Braket nothing."""
    detail = event.get("detail") if isinstance(event, dict) else None
    if not isinstance(detail, dict):
        return
    if event.get("detail-type") == "Braket Job State Change":
        _teach_job(aws, event, detail)
        return
    if not isinstance(detail.get("quantumTaskArn"), str):
        return
    description = {
        key: detail[key]
        for key in (
            "quantumTaskArn",
            "status",
            "deviceArn",
            "outputS3Bucket",
            "outputS3Directory",
            "createdAt",
            "endedAt",
        )
        if isinstance(detail.get(key), str)
    }
    shots = str(detail.get("shots", ""))
    description["shots"] = int(shots) if shots.isdigit() else 0
    description.setdefault("deviceParameters", "{}")
    aws.braket.put_task(description)


def _teach_job(aws: Any, event: dict[str, Any], detail: dict[str, Any]) -> None:
    """GetJob's answer from a job event: its ARN (the detail's, else the one in resources), status and
    times; what GetJob must return and the event does not say is left empty (no role, no instance)."""
    arn = detail.get("jobArn")
    if not isinstance(arn, str):
        jobs = [r for r in event.get("resources") or [] if isinstance(r, str) and kind_of_arn(r) == "job"]
        arn = jobs[0] if len(jobs) == 1 else None
    status = detail.get("status")
    if not isinstance(arn, str) or not isinstance(status, str):
        return  # the handler will say what is wrong with it
    description: dict[str, Any] = {
        "jobArn": arn,
        "status": status,
        "createdAt": detail.get("createdAt") if isinstance(detail.get("createdAt"), str) else event.get("time"),
        "roleArn": "",
        "algorithmSpecification": {},
        "instanceConfig": {},
        "outputDataConfig": {},
    }
    # GetJob always answers with the job's name (a required field), which the emulator knows only from the
    # event or an older ARN that ends in it; else it says "job-<short id>", a stand-in, never the UUID.
    job = parse_job_arn(arn)
    named = detail.get("jobName") if isinstance(detail.get("jobName"), str) else (job.name_in_arn if job else None)
    description["jobName"] = named or f"job-{job.short_id if job else arn.rsplit('/', 1)[-1][:8]}"
    for name in ("startedAt", "endedAt", "failureReason"):
        if isinstance(detail.get(name), str):
            description[name] = detail[name]
    device = detail.get("deviceArn", detail.get("device"))
    if isinstance(device, str):
        description["deviceConfig"] = {"device": device}
    # Not something GetJob could answer (a malformed time, an ARN that is not a job's): GetJob says not found
    with contextlib.suppress(ValueError, TypeError):
        aws.braket.put_job(description)


# -- history --------------------------------------------------------------------------------
def run_history(args: argparse.Namespace, out: TextIO) -> int:
    kind = kind_of_arn(args.arn)
    if kind is None:
        raise UsageError(f"{args.arn} is not a quantum task, hybrid job or device ARN")
    if args.aws:
        from task_monitor.audit import AuditLog

        if not args.table:
            raise UsageError("history --aws needs the audit table: --table NAME, or AUDIT_TABLE_NAME")
        log = AuditLog(args.table, region=args.region)
        history, latest = log.history(args.arn), log.latest(args.arn)
    else:
        from task_monitor_devkit.embedded import EmbeddedAws
        from task_monitor_devkit.scenario import demo_settings, demo_timeline

        with EmbeddedAws(settings=demo_settings()) as aws:
            aws.load_handler()
            # The events as the deployed stack would take them: through the events queue
            if args.events:
                for event in load_events(args.events):
                    _teach_emulator(aws, event)
                    with _function_output(out):
                        aws.send(event)
            else:
                for step in demo_timeline():
                    step.prepare(aws.braket)
                    with _function_output(out):
                        aws.send(step.event())
            log = aws.audit_log()
            history, latest = log.history(args.arn), log.latest(args.arn)
    if not history:
        _print(out, f"No events recorded for {args.arn}")
        return 1
    _print(out, history_table(history, kind))
    if latest:
        _print(out, _latest_line(kind, latest))
    return 0


def _latest_line(kind: str, latest: dict[str, Any]) -> str:
    """The latest state under the table: status, and who created and cancelled it, or the waiting count."""
    parts = [f"Latest state: {latest.get('status', '(no state event yet)')}"]
    if kind == "device":
        parts.append(f"last event {latest.get('eventTime')}")
    for field, label in (("createdBy", "created by"), ("cancelledBy", "cancelled by")):
        if field in latest:
            parts.append(f"{label} {caller_text(latest[field])}")
    if "taskSummary" in latest:
        parts.append(f"tasks {rollup_text(latest['taskSummary'])}")
    return ", ".join(parts)


# -- helpers --------------------------------------------------------------------------------
def _real_aws_handler(args: argparse.Namespace) -> Any:
    if not (args.table and args.topic):
        raise UsageError(
            "replay --aws needs the deployed table and topic: --table NAME --topic ARN "
            "(or AUDIT_TABLE_NAME and NOTIFICATION_TOPIC_ARN; the stack's outputs name both)"
        )
    if args.table:
        os.environ["AUDIT_TABLE_NAME"] = args.table
    if args.topic:
        os.environ["NOTIFICATION_TOPIC_ARN"] = args.topic
    if args.region:
        os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = args.region
    import importlib

    from task_monitor.errors import ConfigurationError

    try:
        return importlib.import_module("task_monitor.handler")
    except ConfigurationError as error:
        raise UsageError(f"{error}; see --table, --topic and --region") from None


def _context() -> Any:
    from task_monitor_devkit.lambda_context import FakeLambdaContext

    return FakeLambdaContext()


@contextlib.contextmanager
def _function_output(out: TextIO) -> Iterator[None]:
    """What the function prints (EMF metrics, logs) during a call: shown only with --verbose."""
    captured = io.StringIO()
    try:
        with contextlib.redirect_stdout(captured):
            yield
    finally:
        if os.environ.get("POWERTOOLS_LOG_LEVEL") != QUIET_LOGS["POWERTOOLS_LOG_LEVEL"]:
            out.write(safe_text(captured.getvalue(), keep_newlines=True))


def _print(out: TextIO, text: str) -> None:
    """Everything the CLI prints goes through here: values from events or the table are shown with
    their control characters escaped (the CLI's own line breaks stay)."""
    out.write(safe_text(text, keep_newlines=True) + "\n")
