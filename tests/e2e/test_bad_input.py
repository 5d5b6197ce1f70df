"""The bad-input corpus (``tests/bad_input/*.json``) through the real handler's SQS path.

Each file is one SQS message body as it would arrive, and what must become of it:

``{"description": ..., "category": ..., "body": <event JSON>}`` (or ``"bodyText": "<raw text>"`` for a
body that is not a JSON document, sent as it is), optionally ``"generate": {"pad": {"path":
"detail.x", "characters": N, "marker": "M"}}`` to grow the body to a size not worth storing (a field
of N characters ending in the marker) or ``"generate": {"repeat": [{"placeholder": "@@X@@", "text": "x",
"times": N}]}`` (each placeholder in the body's text replaced by the text N times), ``"describe_tags"``
(tags GetQuantumTask answers with, for accepted cases), ``"not_in_logs"`` (strings no log line may
hold), and ``"expect"``:

* ``{"outcome": "rejected", "field": "detail.shots", "message_contains": "..."}``: a specific error;
  nothing written, published or asked of Braket; the message on the dead-letter queue unchanged with
  its error attributes; not retried; one log line and the ``InvalidEvents`` metric.
* ``{"outcome": "accepted", "status": "PAUSED", "record": {...}, "ignoredFields": [...], "notified": bool}``:
  audited (the record holding the fields given, and naming exactly the ``ignoredFields`` listed, none
  if absent), nothing set aside, and announced exactly once or never as ``notified`` (required)
  says. These are contrast cases: the documented edge of what is accepted. A job or device event's
  optional field of the wrong shape is dropped and named, not rejected.

Adding a file adds a case.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from task_monitor.audit_schema import PARTITION_KEY, SORT_KEY
from task_monitor_devkit.builders.job import job_description
from task_monitor_devkit.builders.task import TASK_ARN, description

CORPUS = Path(__file__).resolve().parent.parent / "bad_input"
CASES = sorted(CORPUS.glob("*.json"))
FAKE_CREDENTIAL = "testing"  # the fake AWS keys in the environment (tests/conftest.py)
LONGEST_LOG_LINE = 2_000  # a line longer than this is quoting a payload


def load_case(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _body_text(case: dict[str, Any]) -> str:
    if "bodyText" in case:
        return case["bodyText"]
    body = case["body"]
    pad = case.get("generate", {}).get("pad")
    if pad:
        *parents, leaf = pad["path"].split(".")
        container = body
        for key in parents:
            container = container[key]
        container[leaf] = "x" * (pad["characters"] - len(pad["marker"])) + pad["marker"]
    return json.dumps(body)


def body_text(case: dict[str, Any]) -> str:
    """The SQS message body exactly as it arrives (placeholders expanded: ``generate.repeat``)."""
    text = _body_text(case)
    for repeat in case.get("generate", {}).get("repeat", []):
        text = text.replace(repeat["placeholder"], repeat["text"] * repeat["times"])
    return text


def corpus_summary() -> str:
    cases = [load_case(path) for path in CASES]
    categories = Counter(case["category"] for case in cases)
    outcomes = Counter(case["expect"]["outcome"] for case in cases)
    by_category = ", ".join(f"{name} {count}" for name, count in sorted(categories.items()))
    return (
        f"bad-input corpus: {len(cases)} cases ({outcomes['rejected']} rejected, "
        f"{outcomes['accepted']} accepted): {by_category}"
    )


def test_the_corpus_is_large_and_well_formed() -> None:
    assert len(CASES) >= 40
    for path in CASES:
        case = load_case(path)
        assert {"description", "category", "expect"} <= set(case), path.name
        assert ("body" in case) != ("bodyText" in case), path.name
        assert case["expect"]["outcome"] in {"rejected", "accepted"}, path.name
        if case["expect"]["outcome"] == "rejected":
            assert {"field", "message_contains"} <= set(case["expect"]), path.name
        else:  # an accepted case says whether it is announced, and the case checks it
            assert isinstance(case["expect"].get("notified"), bool), f"{path.name}: accepted without notified"


REJECTED = [path for path in CASES if load_case(path)["expect"]["outcome"] == "rejected"]
ACCEPTED = [path for path in CASES if path not in REJECTED]
TABLE = "braket-task-audit"
KNOWN = {"CREATED", "QUEUED", "RUNNING", "CANCELLING", "COMPLETED", "FAILED", "CANCELLED"}


@pytest.fixture(scope="class")
def one_aws():
    """One embedded AWS (one cold start) for every rejected case: a rejection writes, publishes and asks
    nothing, so each case still starts from an empty table, topic and queues (each case checks it)."""
    from task_monitor_devkit.embedded import EmbeddedAws

    with EmbeddedAws() as aws:
        aws.load_handler()
        yield aws


def _start_clean(aws) -> None:
    """Whatever an earlier case left behind (if it failed) must not fail this one too."""
    aws.dead_letters()  # drains the dead-letter queue
    while messages := aws.sqs.receive_message(QueueUrl=aws.events_url, MaxNumberOfMessages=10).get("Messages"):
        for message in messages:
            aws.sqs.delete_message(QueueUrl=aws.events_url, ReceiptHandle=message["ReceiptHandle"])
    for item in aws.dynamodb.scan(TableName=TABLE)["Items"]:
        aws.dynamodb.delete_item(TableName=TABLE, Key={key: item[key] for key in (PARTITION_KEY, SORT_KEY)})
    aws.published.clear()
    aws.braket.calls.clear()


def _run(aws, case: dict[str, Any], capsys) -> tuple[str, str, list[dict[str, Any]], str]:
    """Deliver the body as the rule's SQS target would, and poll as the event source mapping does."""
    text = body_text(case)
    stream = io.StringIO()
    logger = aws.handler.logger  # one logger per process: set its stream and level, then put them back
    level, previous = logger.log_level, logger.registered_handler.stream
    logger.registered_handler.setStream(stream)
    logger.setLevel("INFO")
    try:
        (message_id,) = aws.deliver(text)
        batches = aws.drain()
    finally:
        logger.registered_handler.setStream(previous)
        logger.setLevel(level)
    # Never handed back for a retry; the logs hold no credentials and no payload
    assert [batch.retried for batch in batches] == [[]]
    assert aws.queued_events() == 0
    stdout = capsys.readouterr().out
    log_text = stream.getvalue()
    assert FAKE_CREDENTIAL not in log_text
    assert all(len(line) <= LONGEST_LOG_LINE for line in log_text.splitlines())
    for marker in case.get("not_in_logs", []):
        assert marker not in log_text and marker not in stdout
    return text, message_id, [json.loads(line) for line in log_text.splitlines()], stdout


class TestRejected:
    @pytest.mark.parametrize("path", REJECTED, ids=[path.stem for path in REJECTED])
    def test_is_set_aside_with_its_error_and_nothing_else_happens(self, path: Path, one_aws, capsys) -> None:
        case = load_case(path)
        expect = case["expect"]
        _start_clean(one_aws)
        text, message_id, log_lines, stdout = _run(one_aws, case, capsys)
        # Set aside at once, unchanged, with its error
        (letter,) = one_aws.dead_letters()
        assert letter.body == text
        assert letter.receive_count == 1
        assert letter.attributes["errorType"] == "InvalidEventError"
        assert letter.attributes["field"] == expect["field"]
        assert expect["message_contains"] in letter.attributes["errorMessage"]
        assert letter.attributes["sourceMessageId"] == message_id
        for marker in case.get("not_in_logs", []):
            assert marker not in letter.attributes["errorMessage"]
        # Nothing asked, written or announced
        assert one_aws.braket.calls == []
        assert one_aws.dynamodb.scan(TableName=TABLE)["Items"] == []
        assert one_aws.published == []
        # One log line, naming the field, and the metric
        (rejected,) = log_lines
        assert rejected["level"] == "ERROR" and rejected["message"] == "Rejected invalid event"
        assert rejected["field"] == expect["field"] and rejected["messageId"] == message_id
        assert '"InvalidEvents":[1.0]' in stdout.replace(" ", "")


def _arn_and_kind(body: dict[str, Any]) -> tuple[str, str]:
    """The resource an accepted event is about, and its kind (from the detail-type)."""
    detail_type, detail = body["detail-type"], body["detail"]
    if detail_type == "Braket Job State Change":
        return detail["jobArn"], "job"
    if detail_type in {"Braket Device Status Change", "Braket QPU Status Change"}:
        return detail["deviceArn"], "device"
    if detail_type == "Braket Spending Limit Spend Change":
        return detail["spendingLimitArn"], "spending_limit"
    return TASK_ARN, "task"


@pytest.mark.parametrize("path", ACCEPTED, ids=[path.stem for path in ACCEPTED])
def test_contrast_case_is_accepted_and_audited(path: Path, embedded, capsys) -> None:
    case = load_case(path)
    expect = case["expect"]
    tags = case.get("describe_tags")
    arn, kind = _arn_and_kind(case["body"])
    described = expect["status"] if expect["status"] in KNOWN else "RUNNING"  # Braket knows no PAUSED
    if kind == "task":
        embedded.braket.put_task(description(described, **({"tags": tags} if tags else {})))
    elif kind == "job":
        embedded.braket.put_job(job_description(described, arn=arn))
    _, _, log_lines, stdout = _run(embedded, case, capsys)
    assert embedded.dead_letters() == []
    (record,) = embedded.audit_log().history(arn)
    assert record["status"] == expect["status"]
    assert expect.get("record", {}).items() <= record.items()
    ignored = expect.get("ignoredFields", [])
    assert record.get("ignoredFields", []) == ignored
    pad = case.get("generate", {}).get("pad")
    if pad:  # unknown detail fields are not copied into the record, which stays small
        assert pad["path"].split(".")[-1] not in record
        assert len(json.dumps(record)) < 10_000
    expected_lines = [f"Processed {kind} event"] + (["Event fields ignored"] if ignored else [])
    assert sorted(line["message"] for line in log_lines) == sorted(expected_lines)
    if ignored:  # counted by kind, so a change of the event's shape shows on the dashboard
        assert f'"kind":"{kind}"' in stdout.replace(" ", "")
        assert f'"IgnoredEventFields":[{float(len(ignored))}]' in stdout.replace(" ", "")
    for marker in case.get("not_in_logs", []):  # a dropped value is not stored or sent either
        assert marker not in json.dumps(record)
        for published in embedded.published:
            assert marker not in published.email_text and marker not in json.dumps(published.json_body)
    assert len(embedded.published) == (1 if expect["notified"] else 0), f"published {len(embedded.published)}"
    if tags:  # from GetQuantumTask: intact in the filter attribute and the JSON record, escaped in the email
        from task_monitor.domain.notification_model import safe_text

        (published,) = embedded.published
        expected = [f"{key}={value}" for key, value in sorted(tags.items())]
        assert json.loads(published.attributes["tags"]["StringValue"]) == expected
        assert all(safe_text(f"{key}={value}") in published.email_text for key, value in tags.items())
        assert published.json_body["tags"] == tags
