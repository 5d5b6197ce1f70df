"""The Braket emulator's SearchQuantumTasks and SearchJobs, through a real botocore client.

What backfill relies on: the model's filter names and operators (others refused), region scoping,
pages of ``maxResults`` with an opaque ``nextToken`` bound to its filters, summaries in the model's
shape (botocore parses the timestamps), and injected faults.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from task_monitor_devkit.braket_emulator import BraketEmulator
from task_monitor_devkit.builders.job import job_arn, job_description, job_id_for
from task_monitor_devkit.builders.task import description, task_arn

NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})
CREATED = ("2026-11-01T00:00:00.000Z", "2026-11-10T12:00:00.000Z", "2026-11-20T09:00:01.120Z")


def _id(number: int) -> str:
    return f"00000000-0000-4000-8000-{number:012d}"


@pytest.fixture
def braket() -> BraketEmulator:
    emulator = BraketEmulator(search_page_size=100)
    for number, created in enumerate(CREATED):
        emulator.put_task(description("COMPLETED", arn=task_arn(task_id=_id(number)), createdAt=created))
    emulator.put_task(description("QUEUED", arn=task_arn(region="us-west-1", task_id=_id(7))))
    emulator.put_job(job_description("RUNNING", arn=job_arn(job_id_for("searched"))))
    return emulator


def _client(braket: BraketEmulator, region: str = "us-east-1") -> Any:
    session = botocore.session.get_session()
    return braket.attach(session.create_client("braket", region_name=region, config=NO_RETRIES))


def _since(value: str, operator: str = "GTE") -> list[dict[str, Any]]:
    return [{"name": "createdAt", "operator": operator, "values": [value]}]


def test_tasks_are_filtered_by_creation_time_and_scoped_to_the_region_asked(braket) -> None:
    found = _client(braket).search_quantum_tasks(filters=_since("2026-11-10T12:00:00Z"))["quantumTasks"]
    assert [task["quantumTaskArn"] for task in found] == [task_arn(task_id=_id(1)), task_arn(task_id=_id(2))]
    assert found[0]["createdAt"] == datetime(2026, 11, 10, 12, tzinfo=UTC)  # parsed by botocore
    assert set(found[0]) <= {
        "quantumTaskArn", "status", "deviceArn", "shots", "outputS3Bucket", "outputS3Directory",
        "createdAt", "endedAt", "tags",
    }  # fmt: skip
    west = _client(braket, "us-west-1").search_quantum_tasks(filters=[])["quantumTasks"]
    assert [task["status"] for task in west] == ["QUEUED"]


@pytest.mark.parametrize(
    ("operator", "values", "expected"),
    [
        ("LT", ["2026-11-10T12:00:00Z"], [0]),
        ("LTE", ["2026-11-10T12:00:00Z"], [0, 1]),
        ("GT", ["2026-11-10T12:00:00Z"], [2]),
        ("EQUAL", ["2026-11-01T00:00:00Z"], [0]),
        ("BETWEEN", ["2026-11-02T00:00:00Z", "2026-11-30T00:00:00Z"], [1, 2]),
    ],
)
def test_each_operator_of_the_model(braket, operator, values, expected) -> None:
    filters = [{"name": "createdAt", "operator": operator, "values": values}]
    found = _client(braket).search_quantum_tasks(filters=filters)["quantumTasks"]
    assert [task["quantumTaskArn"] for task in found] == [task_arn(task_id=_id(n)) for n in expected]


def test_jobs_are_summarised_with_their_device(braket) -> None:
    (job,) = _client(braket).search_jobs(filters=_since("2026-11-01T00:00:00Z"))["jobs"]
    assert job["jobArn"] == job_arn(job_id_for("searched")) and job["status"] == "RUNNING"
    assert job["device"].endswith("Forte-1") and isinstance(job["startedAt"], datetime)


@pytest.mark.parametrize(
    ("operation", "filters"),
    [
        ("search_jobs", [{"name": "status", "operator": "EQUAL", "values": ["RUNNING"]}]),  # jobs: jobArn, createdAt
        ("search_quantum_tasks", [{"name": "createdAt", "operator": "CONTAINS", "values": ["2026"]}]),
        ("search_quantum_tasks", [{"name": "createdAt", "operator": "GTE", "values": ["last week"]}]),
        ("search_quantum_tasks", [{"name": "createdAt", "operator": "BETWEEN", "values": ["2026-11-01T00:00:00Z"]}]),
    ],
)
def test_filters_outside_the_model_are_refused(braket, operation, filters) -> None:
    with pytest.raises(ClientError) as refused:
        getattr(_client(braket), operation)(filters=filters)
    assert refused.value.response["Error"]["Code"] == "ValidationException"


@settings(max_examples=25)
@given(page_size=st.integers(min_value=1, max_value=4), max_results=st.integers(min_value=1, max_value=5))
def test_pages_cover_every_match_once_in_order(page_size: int, max_results: int) -> None:
    braket = BraketEmulator(search_page_size=page_size)
    for number in range(9):
        braket.put_task(
            description(
                "COMPLETED", arn=task_arn(task_id=_id(number)), createdAt=f"2026-11-{number + 1:02d}T00:00:00.000Z"
            )
        )
    client, seen, token, pages = _client(braket), [], None, 0
    while True:
        request: dict[str, Any] = {"filters": _since("2026-11-01T00:00:00Z"), "maxResults": max_results}
        if token:
            request["nextToken"] = token
        answer = client.search_quantum_tasks(**request)
        pages += 1
        assert len(answer["quantumTasks"]) <= min(page_size, max_results)
        seen += [task["quantumTaskArn"] for task in answer["quantumTasks"]]
        token = answer.get("nextToken")
        if not token:
            break
    assert seen == [task_arn(task_id=_id(number)) for number in range(9)]
    assert pages == -(-9 // min(page_size, max_results))


def test_a_token_for_other_filters_or_forged_is_refused(braket) -> None:
    braket.search_page_size = 1
    client = _client(braket)
    token = client.search_quantum_tasks(filters=_since("2026-11-01T00:00:00Z"))["nextToken"]
    for filters, bad in ((_since("2026-11-02T00:00:00Z"), token), (_since("2026-11-01T00:00:00Z"), "not-a-token")):
        with pytest.raises(ClientError) as refused:
            client.search_quantum_tasks(filters=filters, nextToken=bad)
        assert refused.value.response["Error"]["Code"] == "ValidationException"


def test_an_injected_fault_answers_a_search_with_the_model_s_status(braket) -> None:
    braket.fail_next("ThrottlingException")
    with pytest.raises(ClientError) as throttled:
        _client(braket).search_jobs(filters=[])
    assert throttled.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert braket.calls[-1].operation == "SearchJobs" and braket.calls[-1].region == "us-east-1"
