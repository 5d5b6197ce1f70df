"""Every kind of Braket event the monitor takes, in one place.

A kind's code lives in its own package, ``task_monitor.domain.kinds.<name>`` (``event.py``, ``record.py``,
``monitor.py``, ``notification.py`` where it has them). What the rest of the project must know about a kind
is declared here, once, and every kind-keyed map is derived from this registry: the dispatcher (detail-type
to pipeline), the audit table's item mapping (partition and status-index prefixes, ARN field, lifecycle),
the processing results, the metrics, the CLI's event lines and histories, the rules' detail-types, the
dashboard, and the cold-start import test.

Pure data: no kind's modules are imported here. Its parts are named as ``"module:attribute"`` strings
(relative to the kind's package) and imported where they are used, so a rare kind still costs nothing
at cold start. ``tests/unit/test_registry.py`` walks this registry and names whatever a kind lacks.

Adding a kind: its package under ``kinds/``, one ``Kind`` entry below, and the function in ``wiring`` that
builds its pipeline from the shared services (named by ``Kind.pipeline``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from task_monitor import telemetry_names as names
from task_monitor.domain import detail_types
from task_monitor.domain.status import (
    DEVICE_LIFECYCLE,
    JOB_LIFECYCLE,
    SPENDING_LIMIT_LIFECYCLE,
    TASK_LIFECYCLE,
    Lifecycle,
)

KINDS_PACKAGE = "task_monitor.domain.kinds"
# The parts a kind may have, each a "module:attribute" in its package.
PARTS = ("parser", "record", "monitor", "renderer")


@dataclass(frozen=True)
class Kind:
    """What the project knows of one kind of Braket event (see the module docstring)."""

    name: str  # the package's name, the results' and notifications' ``kind``
    label: str  # how the CLI's event lines name it
    detail_types: tuple[str, ...]  # the EventBridge detail-types of its events
    parts: Mapping[str, str]  # part name (one of PARTS) -> "module:attribute" in the kind's package
    pipeline: str  # "module:function" that builds its processor from the shared ``wiring.Services``
    events_metric: str  # counted once per event (and once more by status or call)
    metrics: tuple[str, ...]  # every metric of its own, events_metric first
    docs_page: str  # docs/kinds/<page>
    # The resource its events are about, when it has one of its own (a CloudTrail call is joined onto
    # a task's or a job's log instead).
    arn_resource: str | None = None  # the ARN's resource type: ...:<arn_resource>/<id>
    arn_field: str | None = None  # the record field holding the resource's ARN
    lifecycle: Lifecycle | None = None
    key_prefix: str | None = None  # its partition in the audit table: <key_prefix><arn>
    status_prefix: str | None = None  # its partitions in the byStatus index: <status_prefix><status>
    has_callers: bool = False  # createdBy / cancelledBy are joined onto its latest state
    at_cold_start: bool = False  # its pipeline is built at init (the bulk of traffic), else on first use
    # AWS adapters only its pipeline imports (made on its first event unless at_cold_start).
    adapters: tuple[str, ...] = field(default=())

    @property
    def package(self) -> str:
        return f"{KINDS_PACKAGE}.{self.name}"

    def part(self, name: str) -> str:
        """The part's fully qualified "module:attribute" (KeyError if the kind has no such part)."""
        return f"{self.package}.{self.parts[name]}"

    @property
    def stored(self) -> bool:
        """True for kinds that keep a log of their own (a partition per resource)."""
        return self.key_prefix is not None

    def status_partition(self, status: str) -> str:
        if self.status_prefix is None:
            raise ValueError(f"the {self.name} kind is not listed by status")
        return f"{self.status_prefix}{status}"


TASK = Kind(
    name="task",
    label="task",
    detail_types=(detail_types.TASK_STATE_CHANGE,),
    parts={
        "parser": "event:parse_task_event",
        "record": "record:build_record",
        "monitor": "monitor:TaskMonitor",
        "renderer": "notification:render_notification",
    },
    pipeline="task_monitor.wiring:build_task_pipeline",
    events_metric=names.TASK_EVENTS,
    metrics=(names.TASK_EVENTS, names.UNKNOWN_STATUS_EVENTS, names.QUEUE_WAIT_SECONDS),
    docs_page="tasks.md",
    arn_resource="quantum-task",
    arn_field="quantumTaskArn",
    lifecycle=TASK_LIFECYCLE,
    key_prefix="TASK#",
    status_prefix="STATUS#",  # the first kind kept the plain prefix
    has_callers=True,
    at_cold_start=True,
    adapters=("task_monitor.adapters.braket",),
)
JOB = Kind(
    name="job",
    label="job",
    detail_types=(detail_types.JOB_STATE_CHANGE,),
    parts={
        "parser": "event:parse_job_event",
        "record": "record:build_job_record",
        "monitor": "monitor:JobMonitor",
        "renderer": "notification:render_job_notification",
    },
    pipeline="task_monitor.wiring:build_job_pipeline",
    events_metric=names.JOB_EVENTS,
    metrics=(names.JOB_EVENTS,),
    docs_page="hybrid-jobs.md",
    arn_resource="job",
    arn_field="jobArn",
    lifecycle=JOB_LIFECYCLE,
    key_prefix="JOB#",
    status_prefix="JOB_STATUS#",
    has_callers=True,
    adapters=("task_monitor.adapters.braket_jobs", "task_monitor.audit"),
)
DEVICE = Kind(
    name="device",
    label="device",
    detail_types=(detail_types.DEVICE_STATUS_CHANGE, detail_types.QPU_STATUS_CHANGE),
    parts={
        "parser": "event:parse_device_event",
        "record": "record:build_device_record",
        "monitor": "monitor:DeviceMonitor",
        "renderer": "notification:render_device_notification",
    },
    pipeline="task_monitor.wiring:build_device_pipeline",
    events_metric=names.DEVICE_EVENTS,
    metrics=(names.DEVICE_EVENTS, names.DEVICE_NOTIFICATIONS),
    docs_page="devices.md",
    arn_resource="device",
    arn_field="deviceArn",
    lifecycle=DEVICE_LIFECYCLE,
    key_prefix="DEVICE#",
    status_prefix="DEVICE_STATUS#",
    adapters=("task_monitor.adapters.waiting_tasks",),
)
API_CALL = Kind(
    name="api_call",
    label="call",
    detail_types=(detail_types.API_CALL_VIA_CLOUDTRAIL,),
    parts={"parser": "event:parse_api_call", "monitor": "monitor:ApiCallMonitor"},
    pipeline="task_monitor.wiring:build_api_call_pipeline",
    events_metric=names.API_CALLS,
    metrics=(names.API_CALLS, names.UNJOINED_API_CALLS, names.KEPT_UNJOINED_API_CALLS),
    docs_page="who-ran-it.md",
)

SPENDING_LIMIT = Kind(
    name="spending_limit",
    label="spend",
    detail_types=(detail_types.SPENDING_LIMIT_SPEND_CHANGE,),
    parts={
        "parser": "event:parse_spend_change",
        "record": "record:build_spend_record",
        "monitor": "monitor:SpendingLimitMonitor",
        "renderer": "notification:render_threshold_notification",
    },
    pipeline="task_monitor.wiring:build_spending_limit_pipeline",
    events_metric=names.SPENDING_LIMIT_EVENTS,
    metrics=(names.SPENDING_LIMIT_EVENTS, names.SPENDING_THRESHOLDS_CROSSED, names.REFUSED_TASKS),
    docs_page="spending-limits.md",
    arn_resource="spending-limit",
    arn_field="spendingLimitArn",
    lifecycle=SPENDING_LIMIT_LIFECYCLE,
    key_prefix="SPENDING_LIMIT#",
    status_prefix="SPENDING_LIMIT_STATUS#",
    adapters=("task_monitor.adapters.spend_thresholds",),
)

KINDS: tuple[Kind, ...] = (TASK, JOB, DEVICE, API_CALL, SPENDING_LIMIT)
BY_NAME: Mapping[str, Kind] = {kind.name: kind for kind in KINDS}
BY_DETAIL_TYPE: Mapping[str, Kind] = {detail_type: kind for kind in KINDS for detail_type in kind.detail_types}
ALL_DETAIL_TYPES: tuple[str, ...] = tuple(BY_DETAIL_TYPE)
# The kinds that keep a log of their own, and the field naming each one's resource.
STORED_KINDS: tuple[Kind, ...] = tuple(kind for kind in KINDS if kind.stored)
ARN_FIELDS: Mapping[str, str] = {kind.name: kind.arn_field for kind in KINDS if kind.arn_field}
_BY_ARN_RESOURCE: Mapping[str, Kind] = {kind.arn_resource: kind for kind in KINDS if kind.arn_resource}


def kind_of_arn(arn: str) -> Kind | None:
    """The kind whose resource an ARN names (``...:quantum-task/...``, ``...:job/...``, ``...:device/...``)."""
    if arn.count(":") < 5:
        return None
    resource_type = arn.split(":", 5)[5].split("/", 1)[0]
    return _BY_ARN_RESOURCE.get(resource_type)


def kind_of_detail_type(detail_type: object) -> Kind | None:
    return BY_DETAIL_TYPE.get(detail_type) if isinstance(detail_type, str) else None
