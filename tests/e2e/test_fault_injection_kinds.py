"""The delivery guarantee under injected faults for hybrid jobs, CloudTrail joins and device availability.

The same injector and runs as ``test_fault_injection.py`` (``tests/support/fault_plan.py``,
``fault_runs.py``): the real handler's SQS path, moto and the Braket emulator, one fault plan at a
time. Faults are *scoped* here (``Fault(..., scope=...)``): "the first transaction of the job's
COMPLETED event", "the byJob query", so each lands on the call it is meant for whatever else the
story does. Each run checks the README's guarantee (``check_guarantee``: nothing lost, one audit
record per distinct event, notifications at least once and more than once only in the allowed
window) and what the kind adds: the job ends COMPLETED with its tasks rolled up, the callers end
real and are never left ``unknown``, the device's timeline ends at its latest event and a late
OFFLINE never notifies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from task_monitor.adapters.audit_items import stored_record
from task_monitor.adapters.dynamodb_codec import from_item
from task_monitor.audit_schema import JOB_INDEX, STATUS_INDEX
from task_monitor_devkit.builders.api_call import cancel_task_call, create_task_call, iam_user
from task_monitor_devkit.builders.device import device_event
from task_monitor_devkit.builders.job import (
    JOB_ARN,
    job_description,
    job_event,
    job_task_description,
    job_task_events,
)
from task_monitor_devkit.builders.task import FORTE, description, task_arn, task_event
from tests.support.fault_plan import KIND_OPERATIONS, LOST_ANSWER_KINDS, OPERATIONS, Fault, FaultPlan, kinds_for
from tests.support.fault_runs import (
    NOTIFY_STATUSES,
    FaultEnvironment,
    FaultRun,
    Verdict,
    check_guarantee,
    fault_run,
    record_stats,
)

Event = dict[str, Any]
TASK, JOB, DEVICE = "Braket Task State Change", "Braket Job State Change", "Braket Device Status Change"
ROLE = "arn:aws:iam::123456789012:role/QubitWrangler"
USER = "arn:aws:iam::123456789012:user/tomasz"


@pytest.fixture(scope="module")
def environment():
    with FaultEnvironment() as shared:
        yield shared


def _announced(devices: Sequence[Event] = ()) -> Callable[[Event], bool]:
    """Which events the guarantee expects announced: ending tasks and jobs, and the device events given."""
    device_ids = {event["id"] for event in devices}

    def expected(event: Event) -> bool:
        if event["detail-type"] in (TASK, JOB):
            return event["detail"]["status"] in NOTIFY_STATUSES
        return event["id"] in device_ids

    return expected


def _play(run: FaultRun, steps: Sequence[Sequence[Event]], after: Callable[[], None] | None = None) -> None:
    """Each step delivered, then the queue drained (redelivering what failed) before the next."""
    for step in steps:
        run.deliver(*step)
        run.drain()
        if after is not None:
            after()


def _latest(items: list[dict[str, Any]], partition: str) -> dict[str, Any]:
    (latest,) = [item for item in items if item["pk"] == partition and item["sk"] == "LATEST"]
    return latest


def _event_item(items: list[dict[str, Any]], event_id: str) -> dict[str, Any]:
    (item,) = [item for item in items if item["sk"].startswith("EVENT#") and item["eventId"] == event_id]
    return item


def _published(run: FaultRun, event_id: str) -> list[dict[str, Any]]:
    """The notifications of one event (what the subscriber got is read once, by ``check_guarantee``)."""
    return [message.json_body for message in run.aws.published if message.json_body["eventId"] == event_id]


def _matrix(calls: dict[str, tuple[str, dict[str, Any]]]) -> list[Any]:
    """Every fault kind that makes sense on each named call: (operation, where, kind) params, id name-kind."""
    return [
        pytest.param(operation, where, kind, id=f"{name}-{kind}")
        for name, (operation, where) in calls.items()
        for kind in kinds_for(operation)
    ]


# Request tokens matter only when botocore retries a transaction that did its work (a lost answer):
# those faults run again without DynamoDB's request-token idempotency (moto's behaviour).
TOKEN_SENSITIVE = frozenset(LOST_ANSWER_KINDS)


def _tokens_too(params: list[Any]) -> list[Any]:
    """Each param with request tokens emulated, and the transaction's lost answers without them too."""
    return [pytest.param(*param.values, True, id=param.id) for param in params] + [
        pytest.param(*param.values, False, id=f"{param.id}-moto-tokens")
        for param in params
        if param.values[0] == "TransactWriteItems" and param.values[2] in TOKEN_SENSITIVE
    ]


# -- 1. a hybrid job: its events, its tasks' events, and the calls of the job's end ---------------------

JOB_QUEUED, JOB_RUNNING, JOB_END = job_event("QUEUED"), job_event("RUNNING"), job_event("COMPLETED")
JOB_TASKS = (1, 2)
# Task 1 is seen running, then completed; task 2 only completed (what a job's roll-up meets when some of
# a task's events are still on their way).
JOB_TASK_EVENTS = [*job_task_events(1)[2:], job_task_events(2)[3]]
JOB_EVENTS = [JOB_QUEUED, JOB_RUNNING, *JOB_TASK_EVENTS, JOB_END]

# What the job's end calls, and how a fault finds that call. GetJob is unscoped: QUEUED's and RUNNING's
# come first (indexes 0 and 1), so the end's is index 2.
JOB_END_CALLS: dict[str, tuple[str, dict[str, Any]]] = {
    "GetJob": ("GetJob", {"index": 2}),
    "history-query": ("Query", {"scope": "JOB"}),
    "byJob-query": ("Query", {"scope": JOB_INDEX.name}),
    "transaction": ("TransactWriteItems", {"scope": JOB_END["id"]}),
    "publish": ("Publish", {"scope": JOB_END["id"]}),
    "sent-mark": ("UpdateItem", {"scope": JOB_END["id"]}),
}


def _fault(operation: str, where: dict[str, Any], kind: str) -> Fault:
    return Fault(operation, where.get("index", 0), kind, scope=where.get("scope"))


def _job_world(run: FaultRun) -> None:
    run.aws.braket.put_job(job_description("COMPLETED"))
    for number in JOB_TASKS:
        run.aws.braket.put_task(job_task_description(number))


def _check_job(run: FaultRun) -> Verdict:
    verdict = check_guarantee(run, JOB_EVENTS, [], notified=_announced())
    items = verdict.items
    latest, end = _latest(items, f"JOB#{JOB_ARN}"), _event_item(items, JOB_END["id"])
    assert (latest["status"], latest["eventId"], latest["eventTime"]) == ("COMPLETED", JOB_END["id"], end["eventTime"])
    # The roll-up the end was announced with counts the tasks recorded before it.
    assert end["taskSummary"]["count"] == len(JOB_TASKS), end.get("taskSummary")
    assert latest["taskSummary"]["count"] == len(JOB_TASKS)
    for message in _published(run, JOB_END["id"]):
        assert message["taskSummary"]["byStatus"] == {"COMPLETED": len(JOB_TASKS)}
    return verdict


@pytest.mark.parametrize(("operation", "where", "kind", "emulate"), _tokens_too(_matrix(JOB_END_CALLS)))
def test_a_job_s_end_keeps_the_guarantee_under_each_fault_on_each_call(
    environment, operation: str, where: dict[str, Any], kind: str, emulate: bool
) -> None:
    plan = FaultPlan([_fault(operation, where, kind)], emulate_request_tokens=emulate)
    with fault_run(environment, plan) as run:
        _job_world(run)
        # The job queued and running, its tasks' events, its end, and the end delivered again later.
        _play(run, [[JOB_QUEUED, JOB_RUNNING], JOB_TASK_EVENTS, [JOB_END], [JOB_END]])
        verdict = _check_job(run)
    assert plan.injected[kind] == 1, f"{kind} on the job end's {operation} was never injected"
    record_stats(run, verdict, JOB_EVENTS, "jobs matrix")


PAIR_SCHEDULES = ([0, 1], [1, 0], [0, 0, 1, 1, 0], [0, 0, 0, 0, 1, 1, 1, 1])
PAIR_FAULTS = {
    "none": None,
    "crash-after-transaction": ("TransactWriteItems", "crash_after"),
}


@pytest.mark.parametrize("fault", PAIR_FAULTS, ids=list(PAIR_FAULTS))
@pytest.mark.parametrize("schedule", PAIR_SCHEDULES[:3], ids=[str(s) for s in PAIR_SCHEDULES[:3]])
def test_a_job_s_end_delivered_twice_at_once_is_audited_once_and_announced_once(
    environment, schedule: list[int], fault: str
) -> None:
    named = PAIR_FAULTS[fault]
    faults = [Fault(named[0], 0, named[1], scope=JOB_END["id"])] if named else []
    plan = FaultPlan(faults)
    with fault_run(environment, plan) as run:
        _job_world(run)
        _play(run, [[JOB_QUEUED, JOB_RUNNING], JOB_TASK_EVENTS])
        run.run_pair([JOB_END], schedule)
        run.drain()
        verdict = _check_job(run)
    record_stats(run, verdict, JOB_EVENTS, "jobs concurrent pair")


# -- 2. CloudTrail joins: who created and who cancelled a task, in either order, under faults -------------

CALL_TASK = task_arn(task_id="c0ffee00-0000-4000-8000-0000000ca11a")
CREATE = create_task_call(CALL_TASK)
CANCEL = cancel_task_call(CALL_TASK, identity=iam_user())
# CREATED writes createdBy "unknown" if no caller is there, CANCELLING cancelledBy; CANCELLED reads both.
CALL_STATES = [task_event(status, arn=CALL_TASK) for status in ("CREATED", "CANCELLING")]
CALL_END = task_event("CANCELLED", arn=CALL_TASK)
CALL_EVENTS = [CREATE, CANCEL, *CALL_STATES, CALL_END]
CALL_ORDERS = {
    # the calls before CREATED (each alone, then the lifecycle)
    "calls-first": [[CREATE], [CANCEL], [CALL_STATES[0]], CALL_STATES[1:], [CALL_END]],
    # the calls after the end
    "calls-last": [[CALL_STATES[0]], CALL_STATES[1:], [CALL_END], [CREATE], [CANCEL]],
}
# Where the faults go: both calls' join transactions, or the state transactions that meet the callers
# (CREATED writes createdBy if none is there; CANCELLED, the end, reads them and writes cancelledBy).
# With the calls last, the state transactions meet no caller (their faults are the task matrix's): only
# the joins, which meet the "unknown" those wrote, are faulted there.
CALL_TARGETS = {"join": (CREATE, CANCEL), "state": (CALL_STATES[0], CALL_END)}


def _callers_are_never_unknown_once_joined(run: FaultRun) -> None:
    """Checked after every step: a call that is in the history has its caller on the latest state."""
    partition = {":pk": {"S": f"TASK#{CALL_TASK}"}}
    query = run.aws.dynamodb.query(
        TableName="braket-task-audit", KeyConditionExpression="pk = :pk", ExpressionAttributeValues=partition
    )
    items = [stored_record(from_item(item)) for item in query["Items"]]  # as the store reads them
    recorded = {item["eventId"] for item in items if item["sk"].startswith("EVENT#")}
    latest = [item for item in items if item["pk"] == f"TASK#{CALL_TASK}" and item["sk"] == "LATEST"]
    for call, role, principal in ((CREATE, "createdBy", ROLE), (CANCEL, "cancelledBy", USER)):
        if call["id"] in recorded:
            assert latest and latest[0].get(role, {}).get("principal") == principal, (
                f"{call['detail']['eventName']} is recorded, but the latest state says {role} = "
                f"{latest[0].get(role) if latest else None}"
            )


def _check_calls(run: FaultRun, calls_first: bool) -> Verdict:
    verdict = check_guarantee(run, CALL_EVENTS, [], notified=_announced())
    items = verdict.items
    latest = _latest(items, f"TASK#{CALL_TASK}")
    assert latest["status"] == "CANCELLED"
    assert (latest["createdBy"]["principal"], latest["createdBy"]["eventName"]) == (ROLE, "CreateQuantumTask")
    assert "sessionName" not in latest["createdBy"]  # who; the session stays on the call's own item
    assert (latest["cancelledBy"]["principal"], latest["cancelledBy"]["eventName"]) == (USER, "CancelQuantumTask")
    if calls_first:  # the end read both callers from the history: its record and its notification name them
        end = _event_item(items, CALL_END["id"])
        assert (end["createdBy"]["principal"], end["cancelledBy"]["principal"]) == (ROLE, USER)
        for message in _published(run, CALL_END["id"]):
            assert (message["createdBy"]["principal"], message["cancelledBy"]["principal"]) == (ROLE, USER)
    return verdict


CALL_MATRIX = [
    pytest.param(order, target, kind, emulate, id=f"{order}-{target}-{kind}{'' if emulate else '-moto-tokens'}")
    for order in CALL_ORDERS
    for target in CALL_TARGETS
    for kind in kinds_for("TransactWriteItems")
    for emulate in (True, False)
    if (emulate or kind in TOKEN_SENSITIVE) and (order, target) != ("calls-last", "state")
]


@pytest.mark.parametrize(("order", "target", "kind", "emulate"), CALL_MATRIX)
def test_calls_are_joined_once_and_their_callers_stay_under_each_fault(
    environment, order: str, target: str, kind: str, emulate: bool
) -> None:
    faults = [Fault("TransactWriteItems", 0, kind, scope=event["id"]) for event in CALL_TARGETS[target]]
    plan = FaultPlan(faults, emulate_request_tokens=emulate)
    with fault_run(environment, plan) as run:
        run.aws.braket.put_task(description("CANCELLED", arn=CALL_TASK))
        _play(run, CALL_ORDERS[order], after=lambda: _callers_are_never_unknown_once_joined(run))
        verdict = _check_calls(run, calls_first=order == "calls-first")
    assert plan.injected[kind] == 2, f"{kind} was not injected on both {target} transactions"
    record_stats(run, verdict, CALL_EVENTS, "calls matrix")


# Each call with the state event that first meets its caller, delivered at once to two invocations.
CALL_PAIRS = {"create-and-created": (CREATE, CALL_STATES[0]), "cancel-and-cancelling": (CANCEL, CALL_STATES[1])}
CALL_PAIR_FAULTS = ("none", "join-conflict", "state-lost-answer")


@pytest.mark.parametrize("fault", CALL_PAIR_FAULTS)
@pytest.mark.parametrize("schedule", PAIR_SCHEDULES[1:3], ids=[str(s) for s in PAIR_SCHEDULES[1:3]])
@pytest.mark.parametrize("pair", CALL_PAIRS)
def test_a_call_and_its_state_event_at_once_end_with_the_real_caller(
    environment, pair: str, schedule: list[int], fault: str
) -> None:
    call, state = CALL_PAIRS[pair]
    faults = {
        "none": [],
        "join-conflict": [Fault("TransactWriteItems", 0, "cancelled_conflict", scope=call["id"])],
        "state-lost-answer": [Fault("TransactWriteItems", 0, "lost_500", scope=state["id"])],
    }[fault]
    plan = FaultPlan(faults)
    check = lambda: _callers_are_never_unknown_once_joined(run)  # noqa: E731
    with fault_run(environment, plan) as run:
        run.aws.braket.put_task(description("CANCELLED", arn=CALL_TASK))
        before, after = (
            ([], [[CANCEL], [CALL_STATES[1]], [CALL_END]])
            if call is CREATE
            else ([[CREATE], [CALL_STATES[0]]], [[CALL_END]])
        )
        _play(run, before, after=check)
        # One invocation gets [call, state], the other [state, call], interleaved at each AWS call.
        run.run_pair([call, state], schedule)
        run.drain()
        check()
        _play(run, after, after=check)
        verdict = _check_calls(run, calls_first=True)
    assert plan.injected[faults[0].kind if faults else "none"] == (1 if faults else 0)
    record_stats(run, verdict, CALL_EVENTS, "calls concurrent pair")


# -- 3. device availability: tasks waiting, the device goes OFFLINE, comes back, a late OFFLINE ------------

OFFLINE_AT, STALE_AT, ONLINE_AT = "2026-11-21T06:00:04Z", "2026-11-21T08:00:00Z", "2026-11-21T09:30:00Z"
OFFLINE, ONLINE = device_event("OFFLINE", time=OFFLINE_AT), device_event("ONLINE", time=ONLINE_AT)
LATE_OFFLINE = device_event("OFFLINE", time=STALE_AT)
DEVICE_TASKS = {  # two tasks waiting (one queued, one just created), one running: it does not count
    task_arn(task_id="de71ce00-0000-4000-8000-000000000001"): "QUEUED",
    task_arn(task_id="de71ce00-0000-4000-8000-000000000002"): "CREATED",
    task_arn(task_id="de71ce00-0000-4000-8000-000000000003"): "RUNNING",
}
WAITING = 2
DEVICE_TASK_EVENTS = [task_event(latest, arn=arn, device=FORTE) for arn, latest in DEVICE_TASKS.items()]
DEVICE_EVENTS = [*DEVICE_TASK_EVENTS, OFFLINE, ONLINE, LATE_OFFLINE]

# What OFFLINE calls: the device's latest state (GetItem), the waiting count (byStatus: CREATED's page
# first), the transaction, the publish and the SENT mark (its event item's first UpdateItem).
OFFLINE_CALLS: dict[str, tuple[str, dict[str, Any]]] = {
    "latest-state-read": ("GetItem", {"scope": "DEVICE"}),
    "waiting-count": ("Query", {"scope": STATUS_INDEX.name}),
    "transaction": ("TransactWriteItems", {"scope": OFFLINE["id"]}),
    "publish": ("Publish", {"scope": OFFLINE["id"]}),
    "sent-mark": ("UpdateItem", {"scope": OFFLINE["id"]}),
}
# The late OFFLINE's own path: its read (the third device read, after OFFLINE's and ONLINE's), its
# transaction (refused: the device moved on) and the PutItem that records it alone.
_LATE = {"scope": LATE_OFFLINE["id"]}
LATE_FAULTS = [
    ("GetItem", {"scope": "DEVICE", "index": 2}, "crash"),
    ("TransactWriteItems", _LATE, "lost_500"),
    ("TransactWriteItems", _LATE, "cancelled_conflict"),
    ("PutItem", _LATE, "lost_drop"),
    ("PutItem", _LATE, "crash_after"),
]


def _device_world(run: FaultRun) -> None:
    for arn, latest in DEVICE_TASKS.items():
        run.aws.braket.put_task(description(latest, arn=arn, device=FORTE))


def _check_device(run: FaultRun) -> Verdict:
    verdict = check_guarantee(run, DEVICE_EVENTS, [], notified=_announced(devices=[OFFLINE, ONLINE]))
    items = verdict.items
    latest = _latest(items, f"DEVICE#{FORTE}")
    assert (latest["status"], latest["eventId"]) == ("ONLINE", ONLINE["id"]), "the device's latest is not its latest"
    assert _event_item(items, OFFLINE["id"])["waitingTasks"] == WAITING
    assert {message["waitingTasks"] for message in _published(run, OFFLINE["id"])} == {WAITING}
    return verdict


def _device_run(environment: FaultEnvironment, faults: list[Fault], emulate: bool = True) -> FaultPlan:
    plan = FaultPlan(faults, emulate_request_tokens=emulate)
    with fault_run(environment, plan) as run:
        _device_world(run)
        _play(run, [DEVICE_TASK_EVENTS, [OFFLINE], [ONLINE], [LATE_OFFLINE]])
        verdict = _check_device(run)
    record_stats(run, verdict, DEVICE_EVENTS, "devices matrix")
    return plan


@pytest.mark.parametrize(("operation", "where", "kind", "emulate"), _tokens_too(_matrix(OFFLINE_CALLS)))
def test_a_device_going_offline_is_announced_under_each_fault_on_each_call(
    environment, operation: str, where: dict[str, Any], kind: str, emulate: bool
) -> None:
    plan = _device_run(environment, [_fault(operation, where, kind)], emulate)
    assert plan.injected[kind] == 1, f"{kind} on OFFLINE's {operation} was never injected"


@pytest.mark.parametrize(("operation", "where", "kind"), LATE_FAULTS, ids=[f"{o}-{k}" for o, _, k in LATE_FAULTS])
def test_a_late_offline_after_online_never_notifies_even_under_faults(
    environment, operation: str, where: dict[str, Any], kind: str
) -> None:
    plan = _device_run(environment, [_fault(operation, where, kind)])
    assert plan.injected[kind] == 1, f"{kind} on the late OFFLINE's {operation} was never injected"


# -- 4. a property: random interleavings of every kind's events, duplicates, concurrent pairs, faults -----

# One world: a job with one task, a task created and cancelled by CloudTrail-recorded calls, and the
# device both tasks run on going OFFLINE and coming back. The task waits on the device while it is
# CREATED, so whether a device event is announced depends on the order: the property checks it is
# never announced twice outside the allowed window, not that it is announced.
WORLD_TASK = job_task_events(1)[3]  # the job's task, only its end (a RUNNING would race the end's query)
WORLD_EVENTS = [JOB_QUEUED, JOB_RUNNING, JOB_END, WORLD_TASK, CREATE, CANCEL, *CALL_STATES, CALL_END, OFFLINE, ONLINE]
WORLD_OPERATIONS = (*OPERATIONS, *KIND_OPERATIONS)


# Where a drawn fault lands: a write, publish or mark of one event; one kind of query; a device read;
# or (unscoped) the n-th Braket call. Scoped, nearly every drawn fault meets its call.
WORLD_SCOPES: dict[str, tuple[list[str], int]] = {
    "TransactWriteItems": ([event["id"] for event in WORLD_EVENTS], 1),
    "PutItem": ([event["id"] for event in WORLD_EVENTS], 1),
    "Publish": ([event["id"] for event in WORLD_EVENTS], 1),
    "UpdateItem": ([event["id"] for event in WORLD_EVENTS], 1),
    "Query": (["history", JOB_INDEX.name, STATUS_INDEX.name], 2),
    "GetItem": (["DEVICE"], 2),
}


@st.composite
def world_faults(draw: st.DrawFn) -> Fault:
    operation = draw(st.sampled_from(WORLD_OPERATIONS))
    kind = draw(st.sampled_from(kinds_for(operation)))
    times = draw(st.integers(1, 3)) if kind in ("throttle", "server_error", "drop") else 1
    scopes, last_index = WORLD_SCOPES.get(operation, ([], 4))
    scope = draw(st.sampled_from(scopes)) if scopes else None
    return Fault(operation, draw(st.integers(0, last_index)), kind, times, scope=scope)


@st.composite
def world_stories(draw: st.DrawFn) -> dict[str, Any]:
    duplicates = draw(st.lists(st.sampled_from(WORLD_EVENTS), max_size=3))
    sequence = draw(st.permutations(WORLD_EVENTS + duplicates))
    steps, position = [], 0
    while position < len(sequence):
        size = draw(st.integers(1, 4))
        chunk, position = sequence[position : position + size], position + size
        if draw(st.integers(0, 3)) == 0:  # one chunk in four runs as two concurrent invocations
            steps.append(("pair", chunk, draw(st.lists(st.integers(0, 1), min_size=1, max_size=8))))
        else:
            steps.append(("queue", chunk, draw(st.sampled_from([1, 3, 10]))))
    return {"steps": steps, "faults": draw(st.lists(world_faults(), max_size=3)), "emulate": draw(st.booleans())}


def _world_announced(event: Event) -> bool | None:
    return None if event["detail-type"] == DEVICE else _announced()(event)


@settings(max_examples=8)
@given(story=world_stories())
def test_every_kind_keeps_the_guarantee_under_random_interleavings_and_faults(environment, story: dict) -> None:
    plan = FaultPlan(story["faults"], emulate_request_tokens=story["emulate"])
    with fault_run(environment, plan) as run:
        run.aws.braket.put_job(job_description("COMPLETED"))
        run.aws.braket.put_task(job_task_description(1))
        run.aws.braket.put_task(description("CANCELLED", arn=CALL_TASK))
        for mode, chunk, detail in story["steps"]:
            if mode == "pair":
                run.run_pair(chunk, detail)
            else:
                run.deliver(*chunk)
                run.drain(batch_size=detail)
        run.drain()
        verdict = check_guarantee(run, WORLD_EVENTS, [], notified=_world_announced)
    audited = {item["eventId"] for item in verdict.items if item["sk"].startswith("EVENT#")}
    if JOB_END["id"] in audited:
        assert _latest(verdict.items, f"JOB#{JOB_ARN}")["status"] == "COMPLETED"
    call_task = _latest(verdict.items, f"TASK#{CALL_TASK}")
    if CALL_END["id"] in audited:
        assert call_task["status"] == "CANCELLED"
    for call, role, principal in ((CREATE, "createdBy", ROLE), (CANCEL, "cancelledBy", USER)):
        if call["id"] in audited:
            assert call_task[role]["principal"] == principal, f"{role} is {call_task[role]} after the call"
    if {OFFLINE["id"], ONLINE["id"]} <= audited:
        assert _latest(verdict.items, f"DEVICE#{FORTE}")["eventId"] == ONLINE["id"]
    record_stats(run, verdict, WORLD_EVENTS, "kinds property")
