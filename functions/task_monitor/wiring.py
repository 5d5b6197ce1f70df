"""The composition root: real AWS adapters, created once per container, and one pipeline per event kind."""

from __future__ import annotations

import functools
import importlib
import os
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import botocore.session
from botocore.config import Config

from task_monitor.adapters.audit_items import ITEM_KINDS
from task_monitor.adapters.audit_store import CLAIM_TIMEOUT_SECONDS, DynamoAuditStore
from task_monitor.adapters.braket import BRAKET_CLIENT_CONFIG, BraketClients, BraketTaskDescriber
from task_monitor.adapters.dead_letters import SqsDeadLetters
from task_monitor.adapters.notifier import SnsPublisher
from task_monitor.domain import registry
from task_monitor.domain.announce import Announcer
from task_monitor.domain.cost.source import ShippedPrices
from task_monitor.domain.dispatch import EventDispatcher, Processor
from task_monitor.domain.intake import SqsIntake
from task_monitor.domain.kinds.task.monitor import TaskMonitor
from task_monitor.domain.timefmt import format_instant
from task_monitor.observability import QueueTelemetry
from task_monitor.settings import Settings

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
        # The price source (the ``Prices`` port): the seam where a refreshed table replaces the shipped one.
        self.prices = ShippedPrices(settings.price_overrides)

    def store(self, kind: str) -> DynamoAuditStore:
        """The audit store of one kind's log (``registry.Kind.name``)."""
        return DynamoAuditStore(self.dynamodb, self.settings.audit_table_name, kind=ITEM_KINDS[kind], now=seconds_clock)


# -- one builder per kind, each named by its registry entry (``registry.Kind.pipeline``) -------------
def build_task_pipeline(services: Services) -> Processor:
    """Task events, nearly all of the traffic: built at init."""
    return TaskMonitor(
        describer=BraketTaskDescriber(services.braket),
        store=services.store(registry.TASK.name),
        announcer=services.announcer,
        notify_statuses=services.settings.notify_statuses,
        clock=utc_now,
        prices=services.prices,
        simulator_durations=_simulator_durations(services),
    ).process


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
        waiting_tasks=DynamoWaitingTasks(services.dynamodb, services.settings.audit_table_name),
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
        tasks=AuditLog(services.settings.audit_table_name, client=services.dynamodb),  # the byJob index
        announcer=services.announcer,
        notify_statuses=services.settings.notify_statuses,
        clock=utc_now,
        prices=services.prices,
    ).process


def build_api_call_pipeline(services: Services) -> Processor:
    """CloudTrail-borne Create/Cancel calls, joined onto the task's or the job's audit log.
    Its modules are imported here, on the first API call event, not at cold start."""
    from task_monitor.domain.kinds.api_call.monitor import ApiCallMonitor

    return ApiCallMonitor({kind.name: services.store(kind.name) for kind in registry.KINDS if kind.has_callers}).process


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
