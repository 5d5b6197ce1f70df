"""The composition root: real AWS adapters, created once per container."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import botocore.session
from botocore.config import Config

from task_monitor.adapters.audit_store import CLAIM_TIMEOUT_SECONDS, DynamoAuditStore
from task_monitor.adapters.braket import BRAKET_CLIENT_CONFIG, BraketTaskDescriber
from task_monitor.adapters.dead_letters import SqsDeadLetters
from task_monitor.adapters.notifier import SnsPublisher
from task_monitor.domain.dispatch import EventDispatcher
from task_monitor.domain.events import EVENT_DETAIL_TYPE
from task_monitor.domain.intake import SqsIntake
from task_monitor.domain.monitor import TaskMonitor
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


def build_monitor(settings: Settings, session: Any) -> TaskMonitor:
    """Wire the pipeline to AWS."""
    describer = BraketTaskDescriber(
        lambda region: session.create_client("braket", region_name=region, config=BRAKET_CLIENT_CONFIG)
    )
    home_region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if home_region:
        describer.client_for(home_region)  # most tasks live where the function does: create it at init
    dynamodb = session.create_client("dynamodb", config=AWS_CLIENT_CONFIG)
    sns = session.create_client("sns", config=AWS_CLIENT_CONFIG)
    return TaskMonitor(
        describer=describer,
        store=DynamoAuditStore(dynamodb, settings.audit_table_name, now=seconds_clock),
        publisher=SnsPublisher(sns, settings.notification_topic_arn),
        notify_statuses=settings.notify_statuses,
        clock=utc_now,
        claim_timeout_seconds=CLAIM_TIMEOUT_SECONDS,
        now=seconds_clock,
    )


def build_dispatcher(monitor: TaskMonitor) -> EventDispatcher:
    """One processor per kind of Braket event, by detail-type."""
    return EventDispatcher({EVENT_DETAIL_TYPE: monitor.process})


def build_intake(dispatcher: EventDispatcher, settings: Settings, session: Any) -> SqsIntake:
    """The SQS batch intake; its dead-letter client is made on the first invalid event, not at cold start."""
    dead_letters = (
        SqsDeadLetters(lambda: session.create_client("sqs", config=AWS_CLIENT_CONFIG), settings.dead_letter_queue_url)
        if settings.dead_letter_queue_url
        else None
    )
    return SqsIntake(dispatcher.process, dead_letters, QueueTelemetry(), clock=utc_now)
