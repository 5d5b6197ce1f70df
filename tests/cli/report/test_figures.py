"""The report's figures on hand-made latest states: each statistic, missing fields, grouping, money."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from task_monitor_cli.report.figures import (
    ROW_COLUMNS,
    build_report,
    money_shown,
    nearest_rank,
    report_json,
    report_rows,
    shown_row,
    total_row,
)

SINCE = datetime(2026, 11, 14, tzinfo=UTC)
UNTIL = datetime(2026, 11, 21, tzinfo=UTC)
FORTE = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"
GARNET = "arn:aws:braket:eu-north-1::device/qpu/iqm/Garnet"
SV1 = "arn:aws:braket:::device/quantum-simulator/amazon/sv1"
ALICE = "arn:aws:iam::123456789012:role/QuantumResearcher"
BOB = "arn:aws:iam::123456789012:user/bob"


def task(
    number: int,
    status: str = "COMPLETED",
    device: str = FORTE,
    created: str = "2026-11-20T09:00:00.000Z",
    amount: str | None = "1.00",
    **fields: Any,
) -> dict[str, Any]:
    """A latest state as ``AuditLog`` returns it, with the fields the report reads."""
    record: dict[str, Any] = {
        "quantumTaskArn": f"arn:aws:braket:us-east-1:123456789012:quantum-task/{number:08d}",
        "status": status,
        "deviceArn": device,
        "createdAt": created,
        "eventTime": created,
        "shots": 100,
        "createdBy": {"principal": ALICE},
        "tags": {"project": "vqe"},
    }
    if amount is not None:
        record["estimatedCost"] = {
            "amountUsd": amount,
            "priceTableDate": "2026-11-15",
            "approximate": False,
            "shots": 100,
            "shotsBasis": "successful",
            "basis": "test",
        }
    record.update(fields)
    return record


def report(tasks: list[dict[str, Any]], by: str = "device"):
    return build_report(tasks, since=SINCE, until=UNTIL, by=by)


def only_group(tasks: list[dict[str, Any]], by: str = "device"):
    (group,) = report(tasks, by).groups
    return group


def test_counts_statuses_and_the_failure_rate_over_ended_tasks_only() -> None:
    tasks = [
        task(1, "COMPLETED"),
        task(2, "COMPLETED"),
        task(3, "FAILED"),
        task(4, "CANCELLED"),
        task(5, "RUNNING"),
        task(6, "QUEUED"),
        task(7, "CANCELLING"),
    ]
    group = only_group(tasks)
    assert group.tasks == 7
    assert dict(group.statuses) == {
        "CANCELLED": 1,
        "CANCELLING": 1,
        "COMPLETED": 2,
        "FAILED": 1,
        "QUEUED": 1,
        "RUNNING": 1,
    }
    assert (group.failed, group.ended, group.in_progress) == (1, 4, 3)
    assert group.failure_rate == Decimal(1) / Decimal(4)
    row = report_rows(report(tasks))[0]
    assert (row["failed"], row["completed"], row["cancelled"], row["inProgress"]) == (1, 2, 1, 3)
    assert row["failureRate"] == "25.0%"


def test_no_failure_rate_before_any_task_has_ended() -> None:
    group = only_group([task(1, "QUEUED"), task(2, "RUNNING")])
    assert group.failure_rate is None
    assert report_rows(report([task(1, "QUEUED")]))[0]["failureRate"] == ""


@pytest.mark.parametrize(
    ("values", "p50", "p90"),
    [
        ([1, 2, 3, 4], 2, 4),  # rank ceil(0.5 * 4) = 2; ceil(0.9 * 4) = 4
        (list(range(1, 11)), 5, 9),
        ([7], 7, 7),
        ([10, 1, 5], 5, 10),  # unsorted input; ceil(0.9 * 3) = 3
        (list(range(1, 21)), 10, 18),
    ],
)
def test_percentiles_are_nearest_rank_observed_values(values: list[int], p50: int, p90: int) -> None:
    decimals = [Decimal(v) for v in values]
    assert nearest_rank(decimals, 50) == p50
    assert nearest_rank(decimals, 90) == p90
    assert nearest_rank(decimals, 0) == min(values)
    assert nearest_rank(decimals, 100) == max(values)
    assert nearest_rank([], 50) is None


def test_queue_wait_and_running_time_come_from_timings_and_say_how_many_had_them() -> None:
    tasks = [
        task(1, timings={"queuedSeconds": 10.5, "runningSeconds": 100.25, "totalSeconds": 110.75}),
        task(2, timings={"queuedSeconds": 20, "runningSeconds": 200}),
        task(3, timings={"queuedSeconds": 1723.1}),
        task(4, timings={"totalSeconds": 5}),  # neither: a cancelled task never seen running
        task(5),  # no timings at all
        task(6, timings={"queuedSeconds": -1, "runningSeconds": "soon"}),  # malformed: not measured
    ]
    group = only_group(tasks)
    assert (group.queue_wait.measured, group.queue_wait.p50, group.queue_wait.p90) == (
        3,
        Decimal("20"),
        Decimal("1723.1"),
    )
    assert (group.running.measured, group.running.p50) == (2, Decimal("100.25"))
    row = report_rows(report(tasks))[0]
    assert row["queueWaitP50Seconds"] == "20"
    assert row["queueWaitP90Seconds"] == "1723.1"
    assert (row["queueWaitMeasured"], row["runningMeasured"]) == (3, 2)
    assert row["runningP50Seconds"] == "100.25"
    assert report(tasks).missing["timings.queuedSeconds"] == 3


def test_shots_requested_and_successful() -> None:
    tasks = [
        task(1, shots=1000, numSuccessfulShots=990),
        task(2, shots=500, numSuccessfulShots=Decimal("500")),  # a number as DynamoDB gives it
        task(3, "FAILED", shots=250),
        task(4, shots=Decimal("100")),  # COMPLETED without its count: counted as missing
    ]
    group = only_group(tasks)
    assert (group.shots_requested, group.shots_successful, group.shots_successful_known) == (1850, 1490, 2)
    assert report(tasks).missing["numSuccessfulShots"] == 1


def test_spend_is_an_exact_decimal_sum_with_unpriced_tasks_counted_and_marked_approximate() -> None:
    exact = [task(1, amount="0.1"), task(2, amount="0.2"), task(3, amount="0.000001")]
    group = only_group(exact)
    assert group.spend.amount == Decimal("0.300001")  # a float sum would give 0.30000100000000004
    assert (group.spend.priced, group.spend.unpriced, group.spend.approximate) == (3, 0, False)
    assert report_rows(report(exact))[0]["estimatedCostUsd"] == "0.300001"

    with_gaps = [
        task(1, amount="80.30"),
        task(2, amount=None),  # no estimate at all
        task(3, amount="NaN"),  # not a finite amount: unpriced, never summed
        task(4, estimatedCost={"basis": "unknown device", "priceTableDate": "2026-11-15", "approximate": True}),
    ]
    group = only_group(with_gaps)
    assert (group.spend.amount, group.spend.priced, group.spend.unpriced) == (Decimal("80.30"), 1, 3)
    assert group.spend.approximate
    row = report_rows(report(with_gaps))[0]
    assert (row["estimatedCostUsd"], row["costApproximate"], row["unpricedTasks"]) == ("80.30", "yes", 3)


def test_an_approximate_estimate_makes_the_group_approximate() -> None:
    simulator = task(2, device=SV1, amount="0.008413")
    simulator["estimatedCost"]["approximate"] = True
    report_ = report([task(1, amount="24.30"), simulator])
    assert report_.total.spend.approximate
    assert {g.key: g.spend.approximate for g in report_.groups} == {"ionq/Forte-1": False, "amazon/sv1": True}


def test_groupings_by_device_status_job_and_creator() -> None:
    job = "arn:aws:braket:us-east-1:123456789012:job/95677e5d"
    tasks = [
        task(1, device=FORTE, jobArn=job),
        task(2, "FAILED", device=GARNET, createdBy={"principal": BOB}),
        task(3, device=FORTE, createdBy={"principal": "unknown"}),
        task(4, device=SV1, createdBy=None, deviceArn=None),
    ]
    keys = {by: {g.key: g.tasks for g in report(tasks, by).groups} for by in ("device", "status", "job", "creator")}
    assert keys["device"] == {"ionq/Forte-1": 2, "iqm/Garnet": 1, "(unknown device)": 1}
    assert keys["status"] == {"COMPLETED": 3, "FAILED": 1}
    assert keys["job"] == {job: 1, "(no job)": 3}
    assert keys["creator"] == {ALICE: 1, BOB: 1, "unknown": 2}
    # groups come largest first, then by name
    assert [g.key for g in report(tasks, "creator").groups] == ["unknown", ALICE, BOB]


def test_grouping_by_a_tag_puts_untagged_tasks_in_a_group_of_their_own() -> None:
    tasks = [
        task(1, tags={"project": "vqe-h2"}),
        task(2, tags={"project": "vqe-h2", "owner": "alice"}),
        task(3, tags={"owner": "bob"}),
        task(4, tags=None),
        task(5, tags={"project": "<script>alert(1)</script>"}),
    ]
    groups = {g.key: g.tasks for g in report(tasks, "tag:project").groups}
    assert groups == {"vqe-h2": 2, "(no project tag)": 2, "<script>alert(1)</script>": 1}


@pytest.mark.parametrize("by", ["", "tag:", "region", "Device", "tag"])
def test_an_unknown_grouping_is_refused_naming_the_choices(by: str) -> None:
    with pytest.raises(ValueError, match="device, status, job, creator or tag:KEY"):
        report([task(1)], by)


def test_an_empty_window_is_refused() -> None:
    with pytest.raises(ValueError, match="window is empty"):
        build_report([], since=UNTIL, until=SINCE, by="device")


def test_the_window_holds_tasks_created_from_since_up_to_until() -> None:
    tasks = [
        task(1, created="2026-11-14T00:00:00Z"),  # at since: in
        task(2, created="2026-11-20T23:59:59.999Z"),
        task(3, created="2026-11-21T00:00:00Z"),  # at until: out
        task(4, created="2026-11-13T23:59:59Z"),
        task(5, created="2026-11-15T01:00:00+01:00"),  # an offset: 00:00 UTC, in
        task(6, createdAt=None, eventTime="2026-11-16T10:00:00Z"),  # no creation time: its event's
        task(7, createdAt=None, eventTime=None),  # no time at all: left out, counted
        task(8, createdAt="yesterday", eventTime="also not a time"),
    ]
    report_ = report(tasks)
    assert report_.total.tasks == 4
    assert dict(report_.left_out) == {"no createdAt or eventTime": 2, "outside the window": 2}
    assert report_.missing["createdAt"] == 1
    assert dict(report_.tasks_per_day_by_device) == {
        "2026-11-14": {"ionq/Forte-1": 1},
        "2026-11-15": {"ionq/Forte-1": 1},
        "2026-11-16": {"ionq/Forte-1": 1},
        "2026-11-20": {"ionq/Forte-1": 1},
    }


def test_naive_window_bounds_are_taken_as_utc() -> None:
    naive = build_report([task(1)], since=datetime(2026, 11, 20), until=datetime(2026, 11, 21), by="device")
    assert naive.total.tasks == 1 and naive.since == datetime(2026, 11, 20, tzinfo=UTC)


def test_a_record_with_nothing_but_a_time_is_counted_never_a_crash() -> None:
    bare: list[dict[str, Any]] = [
        {"createdAt": "2026-11-20T09:00:00Z"},
        {"createdAt": "2026-11-20T09:00:00Z", "status": 7, "shots": "many", "timings": [], "tags": "x"},
        {"createdAt": "2026-11-20T09:00:00Z", "estimatedCost": "12", "createdBy": "alice"},
    ]
    report_ = report(bare, "tag:project")
    assert report_.total.tasks == 3
    (group,) = report_.groups
    assert group.key == "(no project tag)"
    assert dict(group.statuses) == {"(unknown status)": 3}
    assert (group.shots_requested, group.spend.unpriced, group.spend.amount) == (0, 3, Decimal(0))
    for field in ("status", "deviceArn", "shots", "createdBy", "estimatedCost.amountUsd", "timings.queuedSeconds"):
        assert report_.missing[field] == 3, field
    json.dumps(report_json(report_))  # still JSON


def test_top_spenders_and_the_chart_series() -> None:
    creators = [f"arn:aws:iam::123456789012:user/u{n}" for n in range(7)]
    tasks = [task(n, amount=f"{n + 1}.50", createdBy={"principal": creators[n]}) for n in range(7)]
    tasks += [task(10, amount="100", createdBy={"principal": creators[0]}, device=GARNET)]
    tasks += [task(11, "FAILED", amount="0", createdBy={"principal": "arn:aws:iam::123456789012:user/free"})]
    report_ = report(tasks)
    assert report_.top_spenders == (
        (creators[0], Decimal("101.50")),
        (creators[6], Decimal("7.50")),
        (creators[5], Decimal("6.50")),
        (creators[4], Decimal("5.50")),
        (creators[3], Decimal("4.50")),
    )
    assert report_.spend_by_device == {"iqm/Garnet": Decimal(100), "ionq/Forte-1": Decimal("31.50")}
    assert report_.spend_by_creator["arn:aws:iam::123456789012:user/free"] == Decimal(0)  # shown, never on top
    assert next(iter(report_.spend_by_creator)) == creators[0]


@pytest.mark.parametrize(
    ("amount", "approximate", "shown"),
    [
        ("0", False, "$0"),
        ("0", True, "~$0"),
        ("0.008413", True, "~$0.0084"),
        ("0.0000123", False, "$0.000012"),
        ("0.01", False, "$0.01"),
        ("24.30", False, "$24.30"),
        ("128.908413", True, "~$128.91"),
        ("128.905", False, "$128.90"),  # Decimal's default rounding, half to even
        ("1234567.891", False, "$1234567.89"),
    ],
)
def test_money_is_shown_to_the_cent_or_two_significant_digits_below_it(
    amount: str, approximate: bool, shown: str
) -> None:
    assert money_shown(Decimal(amount), approximate=approximate) == shown


def test_a_row_as_shown_reads_durations_and_money_and_keeps_the_counts() -> None:
    tasks = [
        task(1, timings={"queuedSeconds": 9675.88, "runningSeconds": 42.25}),
        task(2, "FAILED", amount="0"),
        task(3, "QUEUED", amount="0.0084129"),
    ]
    (row,) = report_rows(report(tasks))
    shown = shown_row(row)
    assert (shown["queueWaitP50Seconds"], shown["queueWaitP90Seconds"]) == ("2 h 41 min 16 s", "2 h 41 min 16 s")
    assert shown["runningP50Seconds"] == "42.2 s"
    assert row["costApproximate"] == "no" and shown["estimatedCostUsd"] == "$1.01"
    assert {key: shown[key] for key in ("tasks", "failed", "shotsRequested", "failureRate")} == {
        key: row[key] for key in ("tasks", "failed", "shotsRequested", "failureRate")
    }
    (empty,) = report_rows(report([task(4, "QUEUED")]))
    assert shown_row(empty)["runningP50Seconds"] == ""  # unknown stays empty: the table shows nothing


def test_rows_are_flat_and_the_json_has_the_basis_and_no_floats() -> None:
    tasks = [task(1, timings={"queuedSeconds": 1.5}), task(2, "FAILED", device=GARNET, amount="0")]
    report_ = report(tasks)
    rows = report_rows(report_)
    assert [list(row) for row in rows] == [list(ROW_COLUMNS)] * 2
    assert all(isinstance(value, str | int) for row in rows for value in row.values())
    assert total_row(report_)["group"] == "(all)" and total_row(report_)["tasks"] == 2
    document = report_json(report_)
    assert document["money"]["estimated"] is True
    assert "estimate" in document["money"]["words"] and "never a bill" in document["money"]["words"]
    assert document["money"]["priceTableDates"] == ["2026-11-15"]
    assert document["window"] == {
        "since": "2026-11-14T00:00:00Z",
        "until": "2026-11-21T00:00:00Z",
        "tasksCreatedIn": "[since, until)",
    }
    assert document["groupedBy"] == "device" and document["percentiles"] == "nearest-rank"
    assert document["groups"][0]["estimatedCost"]["amountUsd"] == "1.00"
    assert document["charts"]["queueWaitByDevice"]["ionq/Forte-1"] == {"measured": 1, "p50": "1.5", "p90": "1.5"}

    def floats(value: Any) -> list[Any]:
        if isinstance(value, float):
            return [value]
        if isinstance(value, dict):
            return [f for item in value.values() for f in floats(item)]
        if isinstance(value, list):
            return [f for item in value for f in floats(item)]
        return []

    assert floats(document) == []
    assert json.loads(json.dumps(document)) == document


# -- properties ----------------------------------------------------------------------------------
DEVICES = [FORTE, GARNET, SV1, None, "not a device"]
STATUSES = ["CREATED", "QUEUED", "RUNNING", "COMPLETED", "FAILED", "CANCELLING", "CANCELLED", None]
amounts = st.one_of(
    st.none(),
    st.decimals(min_value=0, max_value=10**6, places=6, allow_nan=False, allow_infinity=False).map(str),
)
records = st.builds(
    lambda number, status, device, minutes, amount, creator, project, queued: task(
        number,
        status=status,
        device=device,
        created=(SINCE + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z"),
        amount=amount,
        createdBy={"principal": creator} if creator else None,
        tags={"project": project} if project else {},
        timings={"queuedSeconds": queued} if queued is not None else {},
    ),
    st.integers(0, 10**6),
    st.sampled_from(STATUSES),
    st.sampled_from(DEVICES),
    st.integers(0, 7 * 24 * 60 - 1),  # inside the window
    amounts,
    st.sampled_from([ALICE, BOB, "unknown", None]),
    st.sampled_from(["a", "b", "<&>", None]),
    st.one_of(st.none(), st.floats(min_value=0, max_value=1e6, allow_nan=False)),
)
groupings = st.sampled_from(["device", "status", "job", "creator", "tag:project"])


@settings(max_examples=150, deadline=None)
@given(st.lists(records, max_size=40), groupings)
def test_counts_add_up_to_the_tasks_given(tasks: list[dict[str, Any]], by: str) -> None:
    report_ = report(tasks, by)
    assert report_.total.tasks == len(tasks)
    assert sum(group.tasks for group in report_.groups) == len(tasks)
    for group in report_.groups:
        assert sum(group.statuses.values()) == group.tasks
        assert group.spend.priced + group.spend.unpriced == group.tasks
        assert group.queue_wait.measured <= group.tasks
    assert sum(sum(day.values()) for day in report_.tasks_per_day_by_device.values()) == len(tasks)
    assert sum(row["tasks"] for row in report_rows(report_)) == total_row(report_)["tasks"]  # type: ignore[misc]


@settings(max_examples=150, deadline=None)
@given(st.lists(records, max_size=40), groupings)
def test_spend_sums_equal_the_sum_of_the_estimates(tasks: list[dict[str, Any]], by: str) -> None:
    expected = sum(
        (Decimal(t["estimatedCost"]["amountUsd"]) for t in tasks if "estimatedCost" in t),
        Decimal(0),
    )
    report_ = report(tasks, by)
    assert report_.total.spend.amount == expected
    assert sum((group.spend.amount for group in report_.groups), Decimal(0)) == expected
    assert sum(report_.spend_by_device.values(), Decimal(0)) == expected
    assert sum(report_.spend_by_creator.values(), Decimal(0)) == expected
    assert Decimal(str(total_row(report_)["estimatedCostUsd"])) == expected.quantize(Decimal("0.000001"))
    assert [amount for _, amount in report_.top_spenders] == sorted(
        (amount for amount in report_.spend_by_creator.values() if amount > 0), reverse=True
    )[:5]
