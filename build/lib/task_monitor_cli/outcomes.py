"""What became of an event, in a person's words: shared by ``demo`` and ``replay``.

The function's own output (its JSON logs and EMF metrics) is captured around each event and shown on
stderr with ``--verbose`` only, so it never mixes into the command's answer.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable, Iterator
from typing import Any

from task_monitor.domain import registry
from task_monitor.domain.notification_model import safe_text
from task_monitor_cli.output import Output
from task_monitor_cli.render import email, email_subject, event_line

# The function's logs stay quiet unless --verbose (the level variable keeps Powertools' name).
QUIET_LOGS = {"POWERTOOLS_LOG_LEVEL": "CRITICAL"}


def verbose() -> bool:
    return os.environ.get("POWERTOOLS_LOG_LEVEL") != QUIET_LOGS["POWERTOOLS_LOG_LEVEL"]


def invoke_and_show(
    run: Callable[[Any], Any], aws: Any, event: Any, output: Output, note: str = "", *, brief: bool = False
) -> bool:
    """``run`` the event (``aws.send``: through the queue; or a replay) and show what became of it."""
    published_before = len(aws.published)
    with function_output(output):
        invocation = run(event)
    if invocation.succeeded:
        output.line(event_line(event, outcome_text(invocation.response, aws), note))
    else:
        output.line(event_line(event, failure_text(invocation.error), note))
    for message in aws.published[published_before:]:
        output.line(email_subject(message.subject) if brief else email(message.subject, message.email_text))
    return invocation.succeeded


def failure_text(error: BaseException) -> str:
    """Rejected: the event itself is wrong. Refused: AWS refused one of its requests for good (a retry
    would not help). Failed: the event is fine, something around it is not."""
    from task_monitor.errors import InvalidEventError, RequestRefusedError

    if isinstance(error, InvalidEventError):
        return f"REJECTED: {error}"
    if isinstance(error, RequestRefusedError):
        return f"REFUSED: {error}"
    return f"FAILED ({type(error).__name__}): {error}"


def outcome_text(response: dict[str, Any], aws: Any | None = None) -> str:
    kind = str(response.get("kind", "task"))
    arn = response.get(registry.ARN_FIELDS.get(kind, registry.ARN_FIELDS[registry.TASK.name]))
    if kind == "refused_task":
        text = "refused by a spending limit: recorded" if response["outcome"] != "duplicate" else "duplicate"
    elif response.get("source") == "apiCall":
        text = call_outcome_text(response["outcome"], kind)
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


def call_outcome_text(outcome: str, kind: str) -> str:
    """What became of a CloudTrail call: joined onto its task's or job's record, or why not."""
    return {
        "recorded": f"joined onto the {kind}",
        "recorded-late": f"kept in the {kind}'s history; an earlier caller stays on its record",
        "duplicate": "duplicate: nothing written",
        "duplicate-unannounced": "duplicate: nothing written",
        "not-recorded": "not recorded: the call failed, so it created or cancelled nothing",
        "kept-unjoined": f"kept in the {kind}'s history, not joined: not from the events queue or a dead letter",
    }.get(outcome, outcome)


@contextlib.contextmanager
def function_output(output: Output) -> Iterator[None]:
    """What the function prints (EMF metrics, logs) during a call: shown only with --verbose."""
    captured = io.StringIO()
    try:
        with contextlib.redirect_stdout(captured):
            yield
    finally:
        if verbose():
            output.err.write(safe_text(captured.getvalue(), keep_newlines=True))
