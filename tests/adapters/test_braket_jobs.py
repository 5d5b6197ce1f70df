"""GetJob through the real botocore client, answered by the Braket emulator."""

from __future__ import annotations

from datetime import UTC, datetime

import botocore.exceptions
import botocore.session
import pytest

from task_monitor.adapters.braket import BRAKET_CLIENT_CONFIG, BraketClients
from task_monitor.adapters.braket_jobs import BraketJobDescriber
from task_monitor.domain.arns import parse_job_arn
from task_monitor.errors import EnrichmentError
from task_monitor_devkit.braket_emulator import BraketEmulator
from task_monitor_devkit.builders.job import JOB_ARN, job_arn, job_description, job_id_for

STOCKHOLM_JOB = job_arn(job_id_for("qaoa-nordic"), region="eu-north-1")


@pytest.fixture
def braket() -> BraketEmulator:
    emulator = BraketEmulator()
    emulator.put_job(job_description("COMPLETED"))
    emulator.put_job(job_description("QUEUED", arn=STOCKHOLM_JOB))
    return emulator


@pytest.fixture
def regions_asked() -> list[str]:
    return []


@pytest.fixture
def describer(braket: BraketEmulator, regions_asked: list[str], sleeps: list[float]) -> BraketJobDescriber:
    session = botocore.session.get_session()

    def client_for_region(region: str):
        regions_asked.append(region)
        return braket.attach(session.create_client("braket", region_name=region, config=BRAKET_CLIENT_CONFIG))

    return BraketJobDescriber(BraketClients(client_for_region))


def _job(arn: str = JOB_ARN):
    job = parse_job_arn(arn)
    assert job is not None
    return job


def test_a_job_is_described_in_its_own_region_with_queue_info(describer, braket, regions_asked) -> None:
    answer = describer.describe(_job(STOCKHOLM_JOB))
    assert answer["queueInfo"] == {"queue": "JOBS_QUEUE", "position": "3"}
    (call,) = braket.calls
    assert (call.operation, call.region, call.job_arn) == ("GetJob", "eu-north-1", STOCKHOLM_JOB)
    assert call.additional_attribute_names == ("QueueInfo",)
    assert regions_asked == ["eu-north-1"]


def test_every_field_the_record_reads_is_parsed(describer) -> None:
    answer = describer.describe(_job())
    assert answer["endedAt"] == datetime(2026, 11, 23, 16, 2, 10, 954000, tzinfo=UTC)
    assert answer["billableDuration"] == 1051746
    assert answer["instanceConfig"]["instanceType"] == "ml.m5.large"
    assert answer["events"][-1]["eventType"] == "COMPLETED"
    assert answer["algorithmSpecification"]["scriptModeConfig"]["entryPoint"] == "vqe.run:main"


def test_not_found_right_after_creation_is_retried_with_backoff(describer, braket, sleeps) -> None:
    braket.hide_job(JOB_ARN, calls=2)
    assert describer.describe(_job())["status"] == "COMPLETED"
    assert [c.status_code for c in braket.calls] == [404, 404, 200]
    assert sleeps == [0.5, 1.0]


def test_a_job_that_stays_missing_is_an_enrichment_error(describer, braket) -> None:
    braket.hide_job(JOB_ARN, calls=10)
    with pytest.raises(EnrichmentError) as raised:
        describer.describe(_job())
    assert raised.value.code == "ResourceNotFoundException"
    assert len(braket.calls) == 4


def test_access_denied_is_an_enrichment_error_at_once(describer, braket) -> None:
    braket.fail_next("AccessDeniedException", job_arn=JOB_ARN, message="not authorized to perform braket:GetJob")
    with pytest.raises(EnrichmentError) as raised:
        describer.describe(_job())
    assert (raised.value.code, raised.value.message) == (
        "AccessDeniedException",
        "not authorized to perform braket:GetJob",
    )
    assert len(braket.calls) == 1


def test_throttling_is_retried_by_botocore_then_becomes_an_enrichment_error(describer, braket, sleeps) -> None:
    braket.fail_next("ThrottlingException", times=2, job_arn=JOB_ARN)
    assert describer.describe(_job())["status"] == "COMPLETED"
    braket.fail_next("ThrottlingException", times=10, job_arn=JOB_ARN)
    with pytest.raises(EnrichmentError) as raised:
        describer.describe(_job())
    assert raised.value.code == "ThrottlingException"


def test_an_answer_behind_an_ending_event_is_asked_again(describer, braket, sleeps) -> None:
    # Given GetJob still reports RUNNING for a job whose COMPLETED event arrived
    braket.update_job(JOB_ARN, status="RUNNING")
    calls_before = len(braket.calls)
    # When it is described for that event; Then it is asked again (twice), and the last answer kept
    assert describer.describe(_job(), "COMPLETED")["status"] == "RUNNING"
    assert len(braket.calls) - calls_before == 3
    assert sleeps == [0.5, 1.0]


class ScriptedClient:
    """GetJob answering from a script: a dict is an answer, an exception is raised."""

    def __init__(self, *script: object) -> None:
        self.script, self.calls = list(script), 0

    def get_job(self, **_: object) -> dict:
        step = self.script[self.calls]
        self.calls += 1
        if isinstance(step, Exception):
            raise step
        assert isinstance(step, dict)
        return step


def test_a_re_ask_that_has_caught_up_stops_asking(sleeps) -> None:
    client = ScriptedClient({"status": "RUNNING"}, {"status": "COMPLETED", "endedAt": "now"}, {"status": "X"})
    answer = BraketJobDescriber(BraketClients(lambda region: client), sleep=sleeps.append).describe(_job(), "COMPLETED")
    assert answer == {"status": "COMPLETED", "endedAt": "now"} and client.calls == 2


def test_a_failed_re_ask_keeps_the_first_answer(sleeps) -> None:
    lost = botocore.exceptions.EndpointConnectionError(endpoint_url="https://braket.us-east-1.amazonaws.com")
    client = ScriptedClient({"status": "RUNNING", "tags": {"kept": "yes"}}, lost)
    answer = BraketJobDescriber(BraketClients(lambda region: client), sleep=sleeps.append).describe(_job(), "COMPLETED")
    assert answer == {"status": "RUNNING", "tags": {"kept": "yes"}} and client.calls == 2


@pytest.mark.parametrize("event_status", [None, "RUNNING", "QUEUED", "PAUSED"])
def test_no_re_ask_unless_an_ending_event_is_ahead_of_the_answer(describer, braket, event_status) -> None:
    braket.update_job(JOB_ARN, status="RUNNING")
    describer.describe(_job(), event_status)
    assert len(braket.calls) == 1
