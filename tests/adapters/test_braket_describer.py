"""GetQuantumTask through the real botocore client, answered by the Braket emulator."""

from __future__ import annotations

import botocore.session
import pytest

from task_monitor.adapters.braket import BRAKET_CLIENT_CONFIG, BraketClients, BraketTaskDescriber
from task_monitor.domain.arns import parse_task_arn
from task_monitor.errors import EnrichmentError
from task_monitor_devkit.braket_emulator import BraketEmulator
from task_monitor_devkit.builders.task import GARNET, TASK_ARN, description, fully_described, task_arn

GARNET_TASK = task_arn("eu-north-1", "9a8b7c6d-1e2f-4a3b-8c4d-5e6f7a8b9c0d")


@pytest.fixture
def braket() -> BraketEmulator:
    emulator = BraketEmulator()
    emulator.put_task(fully_described("COMPLETED"))
    emulator.put_task(description("QUEUED", arn=GARNET_TASK, device=GARNET))
    return emulator


@pytest.fixture
def describer(braket: BraketEmulator, sleeps: list[float]) -> BraketTaskDescriber:
    session = botocore.session.get_session()

    def make_client(region: str):
        return braket.attach(session.create_client("braket", region_name=region, config=BRAKET_CLIENT_CONFIG))

    return BraketTaskDescriber(BraketClients(make_client))


def test_task_is_described_in_its_own_region_with_queue_info(describer, braket) -> None:
    answer = describer.describe(parse_task_arn(GARNET_TASK))
    assert answer["queueInfo"]["position"] == "17"
    (call,) = braket.calls
    assert (call.region, call.additional_attribute_names) == ("eu-north-1", ("QueueInfo",))


def test_every_field_the_monitor_reads_is_parsed(describer) -> None:
    answer = describer.describe(parse_task_arn(TASK_ARN))
    assert answer["actionMetadata"] == {
        "actionType": "braket.ir.openqasm.program_set",
        "programCount": 3,
        "executableCount": 12,
    }
    assert answer["associations"][0]["type"] == "RESERVATION_TIME_WINDOW_ARN"
    assert answer["experimentalCapabilities"] == {"enabled": "ALL"}
    assert answer["jobArn"].endswith(":job/2a7c4e6f-8b1d-4f3a-9c5e-7d0b2f4a6c81")
    assert answer["numSuccessfulShots"] == 1000


def test_one_client_per_region_is_reused(describer) -> None:
    describer.describe(parse_task_arn(TASK_ARN))
    first = describer.client_for("us-east-1")
    describer.describe(parse_task_arn(TASK_ARN))
    describer.describe(parse_task_arn(GARNET_TASK))
    assert describer.client_for("us-east-1") is first
    assert describer.client_for("eu-north-1") is not first


def test_not_found_right_after_creation_is_retried_with_backoff(describer, braket, sleeps) -> None:
    braket.hide_task(TASK_ARN, calls=2)
    assert describer.describe(parse_task_arn(TASK_ARN))["status"] == "COMPLETED"
    assert [c.status_code for c in braket.calls] == [404, 404, 200]
    assert sleeps == [0.5, 1.0]


def test_task_that_stays_missing_is_an_enrichment_error(describer, braket) -> None:
    braket.hide_task(TASK_ARN, calls=10)
    with pytest.raises(EnrichmentError) as raised:
        describer.describe(parse_task_arn(TASK_ARN))
    assert raised.value.code == "ResourceNotFoundException"
    assert len(braket.calls) == 4


def test_access_denied_is_not_retried(describer, braket) -> None:
    braket.fail_next("AccessDeniedException", message="not authorized to GetQuantumTask")
    with pytest.raises(EnrichmentError, match="AccessDeniedException: not authorized"):
        describer.describe(parse_task_arn(TASK_ARN))
    assert len(braket.calls) == 1


@pytest.mark.parametrize("code", ["ThrottlingException", "InternalServiceException"])
def test_throttling_and_server_errors_are_retried_by_botocore(describer, braket, sleeps, code) -> None:
    braket.fail_next(code, times=2)
    assert describer.describe(parse_task_arn(TASK_ARN))["status"] == "COMPLETED"
    assert [c.error_code for c in braket.calls] == [code, code, None]
    assert len(sleeps) == 2


def test_persistent_throttling_ends_as_an_enrichment_error(describer, braket) -> None:
    braket.fail_next("ThrottlingException", times=10)
    with pytest.raises(EnrichmentError) as raised:
        describer.describe(parse_task_arn(TASK_ARN))
    assert raised.value.code == "ThrottlingException"
    assert len(braket.calls) == 4  # total_max_attempts


def test_running_event_takes_braket_s_answer_at_once(describer, braket, sleeps) -> None:
    braket.put_task(description("QUEUED"))
    assert describer.describe(parse_task_arn(TASK_ARN), "RUNNING")["status"] == "QUEUED"
    assert len(braket.calls) == 1 and sleeps == []


def test_ended_task_still_shown_running_is_asked_again_for_its_end_details(describer, braket, sleeps) -> None:
    # Given Braket still reports RUNNING on the first call after the FAILED event, then catches up
    braket.put_task(description("RUNNING"))

    def catch_up(**_: object) -> None:
        braket.put_task(fully_described("FAILED"))

    describer.client_for("us-east-1").meta.events.register("after-call.braket.GetQuantumTask", catch_up)
    # When the task is described for its FAILED event
    answer = describer.describe(parse_task_arn(TASK_ARN), "FAILED")
    # Then it is asked again once and the failure reason comes through
    assert (answer["status"], answer["failureReason"]) == ("FAILED", "Device calibration drifted")
    assert len(braket.calls) == 2 and sleeps == [0.5]


def test_ended_task_that_braket_never_catches_up_with_is_described_as_it_stands(describer, braket, sleeps) -> None:
    braket.put_task(description("RUNNING"))
    answer = describer.describe(parse_task_arn(TASK_ARN), "COMPLETED")
    assert answer["status"] == "RUNNING"
    assert len(braket.calls) == 3 and sleeps == [0.5, 1.0]


@pytest.mark.parametrize("code", ["ThrottlingException", "InternalServiceException"])
def test_a_failed_re_ask_keeps_the_answer_already_in_hand(describer, braket, sleeps, code) -> None:
    # Given Braket still reports RUNNING for a task whose FAILED event arrived, with tags and job
    braket.put_task(fully_described("RUNNING"))

    def fail_from_now_on(**_: object) -> None:
        braket.fail_next(code, times=100)  # every re-ask: throttled or 5xx, botocore's retries spent

    describer.client_for("us-east-1").meta.events.register_first("after-call.braket.GetQuantumTask", fail_from_now_on)
    # When the task is described for its FAILED event
    answer = describer.describe(parse_task_arn(TASK_ARN), "FAILED")
    # Then the first answer is kept: what it knew is not thrown away because a re-ask failed
    assert answer["status"] == "RUNNING"
    assert answer["jobArn"].endswith(":job/2a7c4e6f-8b1d-4f3a-9c5e-7d0b2f4a6c81") and answer["tags"]
    assert [c.error_code for c in braket.calls] == [None, code, code, code, code]


def test_the_client_cache_is_bounded_dropping_the_least_recently_used_region() -> None:
    made: list[str] = []

    def make(region: str) -> object:
        made.append(region)
        return object()

    clients = BraketClients(make, home_region="us-east-1", limit=3)
    home = clients.for_region("us-east-1")
    for number in range(1, 21):  # twenty region-shaped names, as forged ARNs could send
        clients.for_region(f"xx-forged-{number}")
        clients.for_region("us-east-1")  # the home region stays in use
    assert len(clients.regions) == 3
    assert clients.regions[-1] == "us-east-1" and clients.for_region("us-east-1") is home
    assert made.count("us-east-1") == 1  # kept, never made again
    clients.for_region("xx-forged-1")  # dropped long ago: made again
    assert made.count("xx-forged-1") == 2
