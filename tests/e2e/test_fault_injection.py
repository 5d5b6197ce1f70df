"""The delivery guarantee under injected faults, through the real handler (moto + the Braket emulator).

Every AWS call the function makes (GetQuantumTask; DynamoDB TransactWriteItems, Query, UpdateItem,
PutItem; SNS Publish) meets throttling, 5xx, dropped connections, DynamoDB's transaction conflicts,
lost answers (the work done, the answer replaced) and crashes of the whole invocation, one plan at a
time (``tests/support/fault_plan.py``). See docs/how-it-works.md, "Correct under duplicates and out-of-order
delivery", for the guarantee checked by ``check_guarantee``.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from task_monitor_devkit.builders.task import TERMINAL, fully_described, task_arn, task_event
from tests.support import fault_runs
from tests.support.fault_plan import OPERATIONS, Fault, FaultPlan, kinds_for
from tests.support.fault_runs import FaultEnvironment, FaultRun, Stats, check_guarantee, fault_run, record_stats


@pytest.fixture(scope="module")
def environment():
    with FaultEnvironment() as shared:
        yield shared


# -- the matrix: every operation x every fault kind, on a small story that makes every call -----------

MATRIX_TASK = task_arn(task_id="7a7a7a7a-0000-4000-8000-000000000001")


def _story() -> list[dict]:
    # COMPLETED first (GetQuantumTask, Query, TransactWriteItems, Publish, UpdateItem), then a late
    # QUEUED with nothing to fill (a cancelled transaction, then PutItem), then a duplicate COMPLETED.
    return [task_event("COMPLETED", arn=MATRIX_TASK), task_event("QUEUED", arn=MATRIX_TASK)]


@pytest.mark.parametrize("emulate", [True, False], ids=["request-tokens", "moto-tokens"])
@pytest.mark.parametrize(
    ("operation", "kind"), [(operation, kind) for operation in OPERATIONS for kind in kinds_for(operation)]
)
def test_each_fault_on_each_call_keeps_the_guarantee(environment, operation: str, kind: str, emulate: bool) -> None:
    plan = FaultPlan([Fault(operation, 0, kind)], emulate_request_tokens=emulate)
    with fault_run(environment, plan) as run:
        run.aws.braket.put_task(fully_described("COMPLETED", arn=MATRIX_TASK))
        completed, queued = _story()
        run.deliver(completed)
        run.drain()
        run.deliver(queued, completed)
        run.drain()
        verdict = check_guarantee(run, [completed, queued], [])
    assert plan.injected[kind] == 1, f"{kind} on {operation} was never injected: the story lacks the call"
    record_stats(run, verdict, [completed, queued], "matrix")


# A fault that outlasts botocore's own retries (wiring's AWS_CLIENT_CONFIG: 4 attempts in all), so the
# function's own handling decides: the event is retried from the queue (never set aside, never reported
# sent when SNS refused it), the SENT mark retried in-process.
OUTLASTING_TIMES = 4


@pytest.mark.parametrize(
    ("operation", "kind"),
    [(operation, kind) for operation in OPERATIONS for kind in ("throttle", "server_error", "drop")],
)
def test_a_fault_outlasting_botocore_s_retries_keeps_the_guarantee(environment, operation: str, kind: str) -> None:
    plan = FaultPlan([Fault(operation, 0, kind, times=OUTLASTING_TIMES)])
    with fault_run(environment, plan) as run:
        run.aws.braket.put_task(fully_described("COMPLETED", arn=MATRIX_TASK))
        completed, queued = _story()
        run.deliver(completed)
        run.drain()
        run.deliver(queued, completed)
        run.drain()
        verdict = check_guarantee(run, [completed, queued], [])
    assert plan.injected[kind] == OUTLASTING_TIMES, f"{kind} on {operation} was not injected {OUTLASTING_TIMES} times"
    record_stats(run, verdict, [completed, queued], "matrix (outlasting botocore's retries)")


# -- the oracle: a valid event on the dead-letter queue is lost unless the plan made it unprocessable ------


def _play_refused_story(run: FaultRun) -> list[dict]:
    """COMPLETED, then a late QUEUED whose transaction DynamoDB refuses for good (the plan's fault)."""
    completed, queued = _story()
    run.aws.braket.put_task(fully_described("COMPLETED", arn=MATRIX_TASK))
    run.deliver(completed)
    run.drain()
    run.deliver(queued)
    run.drain()
    return [completed, queued]


REFUSED = _story()[1]["id"]
REFUSAL = Fault("TransactWriteItems", 0, "refused", scope=REFUSED)


def test_a_valid_event_the_plan_makes_unprocessable_is_dead_lettered_as_planned(environment) -> None:
    plan = FaultPlan([REFUSAL], unprocessable={REFUSED: "DynamoDB refuses its transaction (ValidationException)"})
    with fault_run(environment, plan) as run:
        valid = _play_refused_story(run)
        verdict = check_guarantee(run, valid, [])
    assert (verdict.lost, verdict.dead_lettered_as_planned) == ([], [REFUSED])
    record_stats(run, verdict, valid, "planted refusal")


def test_a_valid_event_dead_lettered_without_the_plan_saying_so_is_lost(environment, monkeypatch) -> None:
    monkeypatch.setattr(fault_runs, "STATS", Stats())  # this deliberate breach stays out of the summary
    plan = FaultPlan([REFUSAL])
    with fault_run(environment, plan) as run:
        valid = _play_refused_story(run)
        with pytest.raises(AssertionError, match=rf"valid events lost: {REFUSED} \(QUEUED\): dead-lettered"):
            check_guarantee(run, valid, [])
    assert (fault_runs.STATS.lost, fault_runs.STATS.failed_checks) == (1, 1)


# -- properties: random lifecycles, permutations, duplicates, concurrent pairs and fault plans ------------


def _lifecycle(final: str) -> list[str]:
    return ["CREATED", "QUEUED", "RUNNING", *(["CANCELLING"] if final == "CANCELLED" else []), final]


FAULT_INDEX_LIMIT = {"GetQuantumTask": 14, "TransactWriteItems": 14}


@st.composite
def faults(draw: st.DrawFn) -> Fault:
    operation = draw(st.sampled_from(OPERATIONS))
    kind = draw(st.sampled_from(kinds_for(operation)))
    index = draw(st.integers(0, FAULT_INDEX_LIMIT.get(operation, 6)))
    times = draw(st.integers(1, 4)) if kind in ("throttle", "server_error", "drop") else 1
    return Fault(operation, index, kind, times)


@st.composite
def stories(draw: st.DrawFn) -> dict:
    valid = []
    for number in range(draw(st.integers(2, 4))):
        arn = task_arn(task_id=f"{number:08d}-0000-4000-8000-00000000000{number}")
        final = draw(st.sampled_from(TERMINAL))
        statuses = draw(st.lists(st.sampled_from(_lifecycle(final)), min_size=1, unique=True))
        valid += [task_event(status, arn=arn) for status in statuses]
    duplicates = draw(st.lists(st.sampled_from(valid), max_size=3))
    invalid = [
        task_event(
            "RUNNING",
            arn=task_arn(task_id="0badbad0-0000-4000-8000-000000000000"),
            shots="lots",
            event_id=f"00000000-0000-4000-8000-00000000bad{n}",
        )
        for n in range(draw(st.integers(0, 1)))
    ]
    sequence = draw(st.permutations(valid + duplicates + invalid))
    steps, position = [], 0
    while position < len(sequence):
        size = draw(st.integers(1, 3))
        chunk, position = sequence[position : position + size], position + size
        if draw(st.integers(0, 3)) == 0:  # one chunk in four runs as two concurrent invocations
            steps.append(("pair", chunk, draw(st.lists(st.integers(0, 1), min_size=1, max_size=8))))
        else:
            steps.append(("queue", chunk, draw(st.sampled_from([1, 3, 10]))))
    finals = {event["detail"]["quantumTaskArn"]: event for event in valid}
    return {
        "valid": valid,
        "invalid": invalid,
        "steps": steps,
        "faults": draw(st.lists(faults(), max_size=4)),
        "finals": {arn: _final_of(valid, arn) for arn in finals},
    }


def _final_of(valid: list[dict], arn: str) -> str:
    statuses = {event["detail"]["status"] for event in valid if event["detail"]["quantumTaskArn"] == arn}
    return next((status for status in TERMINAL if status in statuses), "RUNNING")


def _run_story(environment: FaultEnvironment, story: dict, emulate: bool) -> None:
    plan = FaultPlan(story["faults"], emulate_request_tokens=emulate)
    with fault_run(environment, plan) as run:
        for arn, status in story["finals"].items():
            run.aws.braket.put_task(fully_described(status, arn=arn))
        for mode, chunk, detail in story["steps"]:
            if mode == "pair":
                run.run_pair(chunk, detail)
            else:
                run.deliver(*chunk)
                run.drain(batch_size=detail)
        run.drain()
        verdict = check_guarantee(run, story["valid"], story["invalid"])
    record_stats(run, verdict, story["valid"], f"property ({'request tokens' if emulate else 'moto tokens'})")


@settings(max_examples=60)
@given(story=stories())
def test_the_guarantee_holds_under_random_faults_with_request_token_idempotency(environment, story: dict) -> None:
    _run_story(environment, story, emulate=True)


@settings(max_examples=30)
@given(story=stories())
def test_the_guarantee_holds_under_random_faults_without_request_token_idempotency(environment, story: dict) -> None:
    _run_story(environment, story, emulate=False)
