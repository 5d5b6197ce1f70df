"""The pipeline for one device availability event: validate, audit, and tell whoever has tasks waiting.

A device's status swings both ways, so the audit is a timeline (``DEVICE#<deviceArn>``) whose latest
state is simply its latest event. A notification goes out only when it says something new to
someone: the status is known (ONLINE, OFFLINE, RETIRED), differs from the device's stored latest
status, the event is not older than that state, and this account has tasks waiting on the device.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from task_monitor.domain.announce import Announcer
from task_monitor.domain.arrival import Arrival
from task_monitor.domain.kinds.device.event import DEVICE_DETAIL_TYPES, DeviceStatusChange, parse_device_event
from task_monitor.domain.kinds.device.notification import render_device_notification
from task_monitor.domain.kinds.device.record import availability, build_device_record
from task_monitor.domain.registry import DEVICE
from task_monitor.domain.results import ProcessingResult

if TYPE_CHECKING:
    from task_monitor.domain.ports import AuditStore, WaitingTasks


class DeviceMonitor:
    """Turns one device event (either detail-type) into a timeline entry and, if it matters, one notification."""

    def __init__(self, store: AuditStore, waiting_tasks: WaitingTasks, announcer: Announcer) -> None:
        self._store = store
        self._waiting_tasks = waiting_tasks
        self._announcer = announcer

    def process(self, event: Any, arrival: Arrival) -> ProcessingResult:
        change = parse_device_event(event, _detail_type(event))  # InvalidEventError: nothing read or written
        waiting = self._waiting_if_news(change)
        record = build_device_record(change, waiting_tasks=waiting, arrival=arrival.field())
        # A newer event of the device that won the race since the latest state was read makes this one
        # old news: its claim is given back rather than announced.
        recorded = self._announcer.record_and_announce(
            self._store,
            record,
            notify=bool(waiting),
            render=lambda: render_device_notification(record),
            announce_late=False,
        )
        return ProcessingResult.of(DEVICE.name, record, recorded)

    def _waiting_if_news(self, change: DeviceStatusChange) -> int | None:
        """The number of tasks waiting, counted only when the event changes the device's availability;
        None when it cannot be news (unknown status, a late event, or the status already stored)."""
        if availability(change.status) is None:
            return None
        latest = self._store.latest(change.device.arn)
        if latest and not _is_this_event(latest, change):
            if str(latest.get("eventTime", "")) >= change.event_time:
                return None  # late: recorded in the history, never announced
            if latest.get("status") == change.status:
                return None  # no change
        # (The latest state being this very event means a redelivery: its claim decides.)
        return self._waiting_tasks.count(change.device.arn)


def _is_this_event(latest: Mapping[str, Any], change: DeviceStatusChange) -> bool:
    return latest.get("eventId") == change.event_id


def _detail_type(event: Any) -> str:
    """The event's own device detail-type; anything else is checked (and rejected) as a Device Status Change."""
    detail_type = event.get("detail-type") if isinstance(event, dict) else None
    return detail_type if detail_type in DEVICE_DETAIL_TYPES else DEVICE_DETAIL_TYPES[0]
