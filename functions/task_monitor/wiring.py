"""The composition root: real AWS adapters, created once per container, and one pipeline per event kind."""

from __future__ import annotations

import functools
import importlib
import os
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import botocore.session
from botocore.config import Config

from task_monitor.adapters.audit_items import ITEM_KINDS
from task_monitor.adapters.audit_store import CLAIM_TIMEOUT_SECONDS, DynamoAuditStore
from task_monitor.adapters.braket import BRAKET_CLIENT_CONFIG, BraketClients, BraketTaskDescriber
from task_monitor.adapters.dead_letters import SqsDeadLetters
from task_monitor.adapters.notifier import SnsPublisher
from task_monitor.domain import registry
from task_monitor.domain.announce import Announcer
from task_monitor.domain.cost.source import RefreshedPrices
from task_monitor.domain.dispatch import EventDispatcher, Processor
from task_monitor.domain.intake import SqsIntake
from task_monitor.domain.kinds.task.monitor import TaskMonitor
from task_monitor.domain.timefmt import format_instant
from task_monitor.observability import QueueTelemetry
from task_monitor.settings import Settings

if TYPE_CHECKING:
    from task_monitor.adapters.price_tables import StoredPrices
    from task_monitor.domain.ports import Budgets

# The wall clock the claims are timed by (their claimedAt, and the deadline before publishing).
seconds_clock: Callable[[], float] = time.time

AWS_CLIENT_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 4}, connect_timeout=3, read_timeout=5)


def utc_now() -> str:
    return format_instant(datetime.now(UTC))


def new_session() -> Any:
    """One botocore session per container, shared by every client so they share its loaded models."""
    return botocore.session.get_session()


class Services:
    """The adapters every kind's pipeline shares, made once per container."""

    def __init__(self, settings: Settings, session: Any) -> None:
        self.settings = settings
        self.session = session
        self.braket = BraketClients(
            lambda region: session.create_client("braket", region_name=region, config=BRAKET_CLIENT_CONFIG),
            home_region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"),
        )
        self.dynamodb = session.create_client("dynamodb", config=AWS_CLIENT_CONFIG)
        self.publisher = SnsPublisher(
            session.create_client("sns", config=AWS_CLIENT_CONFIG), settings.notification_topic_arn
        )
        self.announcer = Announcer(self.publisher, claim_timeout_seconds=CLAIM_TIMEOUT_SECONDS, now=seconds_clock)

    @functools.cached_property
    def prices(self) -> RefreshedPrices:
        """The price source (the ``Prices`` port): the refreshed table when one is stored, else the shipped
        one, with cdk.json's overrides; made on the first task event, not at the cold start."""
        from task_monitor.observability import record_price_table_fallback

        return RefreshedPrices(
            lambda: self.price_documents.current(),  # noqa: PLW0108 (read late: the adapter is made on first use)
            self.settings.price_overrides,
            on_invalid=record_price_table_fallback,
        )

    @functools.cached_property
    def price_documents(self) -> StoredPrices:
        """The price table document to price with (``prices.current()``): the refresh's stored one, read
        once per container and again after ``price_table_reread_seconds``, else the shipped one. Made on
        first use, so a cold start that prices nothing imports none of it. The seam for the cost model:
        ``RefreshedPrices`` parses it."""
        from task_monitor.adapters.price_tables import DynamoPriceTables, StoredPrices, load_shipped_document
        from task_monitor.observability import record_price_table_fallback

        return StoredPrices(
            DynamoPriceTables(self.dynamodb, self.settings.audit_table_name),
            load_shipped_document,
            clock=seconds_clock,
            on_fallback=record_price_table_fallback,
            reread_seconds=self.settings.price_table_reread_seconds,
        )

    def store(self, kind: str) -> DynamoAuditStore:
        """The audit store of one kind's log (``registry.Kind.name``)."""
        return DynamoAuditStore(
            self.dynamodb,
            self.settings.audit_table_name,
            kind=ITEM_KINDS[kind],
            now=seconds_clock,
            retention=self.settings.retention,
        )


# -- one builder per kind, each named by its registry entry (``registry.Kind.pipeline``) -------------
def build_task_pipeline(services: Services) -> Processor:
    """Task events, nearly all of the traffic: built at init."""
    return TaskMonitor(
        describer=BraketTaskDescriber(services.braket),
        store=services.store(registry.TASK.name),
        announcer=services.announcer,
        notify_statuses=services.settings.notify_statuses,
        clock=utc_now,
        notify_caller_details=services.settings.notify_caller_details,
        budgets=build_budgets(services),
        prices=services.prices,
        simulator_durations=_simulator_durations(services),
    ).process


def build_budgets(services: Services) -> Budgets | None:
    """The budget step, only when cdk.json declares budgets: otherwise nothing of it is imported."""
    if not services.settings.budgets:
        return None
    from task_monitor.adapters.budget_ledger import DynamoBudgetLedger
    from task_monitor.domain.budgets.accounting import BudgetAccounting

    tasks = services.store(registry.TASK.name)
    ledger = DynamoBudgetLedger(services.dynamodb, services.settings.audit_table_name, tasks.latest, now=seconds_clock)
    return BudgetAccounting(services.settings.budgets, ledger, services.announcer, clock=utc_now)


def _simulator_durations(services: Services) -> Any:
    """With SIMULATOR_EXACT_DURATION on, the S3 reader of simulators' executionDuration (its client made
    on the first completed simulator task); off (the default), nothing is imported or made."""
    if not services.settings.simulator_exact_duration:
        return None
    from task_monitor.adapters.simulator_results import S3SimulatorDurations

    return S3SimulatorDurations(lambda: services.session.create_client("s3", config=AWS_CLIENT_CONFIG))


def on_first_use(build: Callable[[], Processor]) -> Processor:
    """A pipeline built (its modules imported, its adapters made) on its kind's first event.

    Task events are nearly all of the traffic; jobs, devices and API calls are rare, so their
    pipelines cost no cold start: the container that first meets one builds it, once."""
    built: list[Processor] = []

    def process(event: Any, arrival: Any) -> Any:
        if not built:
            built.append(build())
        return built[0](event, arrival)

    return process


def build_device_pipeline(services: Services) -> Processor:
    """Both device detail-types share one monitor: one timeline per device, whichever name the event had.
    Its modules are imported here, on the first device event, not at cold start."""
    from task_monitor.adapters.waiting_tasks import DynamoWaitingTasks
    from task_monitor.domain.kinds.device.monitor import DeviceMonitor

    return DeviceMonitor(
        store=services.store(registry.DEVICE.name),
        waiting_tasks=DynamoWaitingTasks(
            services.dynamodb,
            services.settings.audit_table_name,
            deployed_indexes=services.settings.audit_table_indexes,
        ),
        announcer=services.announcer,
    ).process


def build_job_pipeline(services: Services) -> Processor:
    """Hybrid jobs: GetJob in the job's region, the roll-up of its tasks from the byJob index.
    Its modules are imported here, on the first job event, not at cold start."""
    from task_monitor.adapters.braket_jobs import BraketJobDescriber
    from task_monitor.audit import AuditLog
    from task_monitor.domain.kinds.job.monitor import JobMonitor

    return JobMonitor(
        describer=BraketJobDescriber(services.braket),
        store=services.store(registry.JOB.name),
        tasks=AuditLog(
            services.settings.audit_table_name,
            client=services.dynamodb,
            deployed_indexes=services.settings.audit_table_indexes,
        ),  # the byJob index
        announcer=services.announcer,
        notify_statuses=services.settings.notify_statuses,
        clock=utc_now,
        notify_caller_details=services.settings.notify_caller_details,
        prices=services.prices,
    ).process


def build_api_call_pipeline(services: Services) -> Processor:
    """CloudTrail-borne Create/Cancel calls, joined onto the task's or the job's audit log.
    Its modules are imported here, on the first API call event, not at cold start."""
    from task_monitor.adapters.audit_items import REFUSED_TASK_ITEMS
    from task_monitor.domain.kinds.api_call.monitor import ApiCallMonitor
    from task_monitor.domain.kinds.api_call.refused import RefusedTaskRecorder

    refused_tasks = DynamoAuditStore(
        services.dynamodb,
        services.settings.audit_table_name,
        kind=REFUSED_TASK_ITEMS,
        now=seconds_clock,
        retention=services.settings.retention,  # who tried, in full: kept like any call's details
    )
    stores = {kind.name: services.store(kind.name) for kind in registry.KINDS if kind.has_callers}
    return ApiCallMonitor(
        stores,
        budgets=build_budgets(services),
        refused=RefusedTaskRecorder(
            refused_tasks, services.announcer, notify_caller_details=services.settings.notify_caller_details
        ),
    ).process


def build_spending_limit_pipeline(services: Services) -> Processor:
    """Spend events: each limit's timeline and its threshold marks, in the audit table.
    Its modules are imported here, on the first spend event, not at cold start."""
    from task_monitor.adapters.spend_thresholds import DynamoThresholdMarks
    from task_monitor.domain.kinds.spending_limit.monitor import SpendingLimitMonitor

    return SpendingLimitMonitor(
        store=services.store(registry.SPENDING_LIMIT.name),
        marks=DynamoThresholdMarks(services.dynamodb, services.settings.audit_table_name, now=seconds_clock),
        announcer=services.announcer,
        thresholds=services.settings.spending_limit_thresholds,
        now=seconds_clock,
    ).process


def build_pipelines(settings: Settings, session: Any) -> dict[str, Processor]:
    """Each kind of Braket event, by detail-type, with the pipeline that processes it (from the registry):
    the kinds marked ``at_cold_start`` built now, the rare ones on their first event."""
    services = Services(settings, session)
    pipelines: dict[str, Processor] = {}
    for kind in registry.KINDS:
        build = _pipeline_builder(kind)
        processor = build(services) if kind.at_cold_start else on_first_use(functools.partial(build, services))
        pipelines.update(dict.fromkeys(kind.detail_types, processor))
    return pipelines


def _pipeline_builder(kind: registry.Kind) -> Callable[[Services], Processor]:
    module_name, _, function = kind.pipeline.partition(":")
    builder: Callable[[Services], Processor] = getattr(importlib.import_module(module_name), function)
    return builder


def build_dispatcher(pipelines: Mapping[str, Processor]) -> EventDispatcher:
    return EventDispatcher(pipelines)


def build_intake(dispatcher: EventDispatcher, settings: Settings, session: Any) -> SqsIntake:
    """The SQS batch intake; its dead-letter client is made on the first invalid event, not at cold start."""
    dead_letters = (
        SqsDeadLetters(lambda: session.create_client("sqs", config=AWS_CLIENT_CONFIG), settings.dead_letter_queue_url)
        if settings.dead_letter_queue_url
        else None
    )
    return SqsIntake(
        dispatcher.process, dead_letters, QueueTelemetry(), clock=utc_now, events_queue_arn=settings.events_queue_arn
    )
