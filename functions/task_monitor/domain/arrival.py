"""How an event reached the pipeline, kept on every record it writes (``arrival``).

Anyone in the account with ``lambda:InvokeFunction`` can hand the function an event, and so can a
principal allowed to send to the events queue: the event's own fields prove nothing about who sent
it. What the entry point saw is the evidence the audit keeps (docs/trust-and-privacy.md, "Trust model"):

* ``queue``: an SQS batch from the event source mapping naming the configured events queue (whose
  policy lets only the EventBridge rules and the redrive principals send); its SQS message id;
* ``otherQueue``: an SQS batch naming another queue (or none configured); that queue's ARN;
* ``direct``: the function invoked with one EventBridge event;
* ``replay``: an operator's ``replay`` (the CLI, in the operator's own process and credentials),
  naming the operator and, for a dead letter, the dead-letter message's id;
* ``backfill``: no event at all, but a task or job an operator's ``backfill`` found with Braket's
  ``SearchQuantumTasks``/``SearchJobs`` (state as Braket reported it then, under a synthetic event),
  naming the operator. It never names a creator: nothing of a CloudTrail call came with it.

The entry points (the handler, the SQS intake, the CLI) make the value; the domain only passes it on.
Only an arrival the queue's policy vouches for, or an operator's replay of a dead letter, may name a
task's or job's creator or canceller (``joins_callers``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Required, TypedDict

VIA_QUEUE = "queue"
VIA_OTHER_QUEUE = "otherQueue"
VIA_DIRECT = "direct"
VIA_REPLAY = "replay"
VIA_BACKFILL = "backfill"
VIAS = (VIA_QUEUE, VIA_OTHER_QUEUE, VIA_DIRECT, VIA_REPLAY, VIA_BACKFILL)
# How a call may come that cannot name a caller (a replay can, of a dead letter; the metric by `via`).
UNVOUCHED_ARRIVALS = (VIA_OTHER_QUEUE, VIA_DIRECT, VIA_REPLAY)
ARRIVAL_FIELD = "arrival"


class ArrivalField(TypedDict, total=False):
    """The ``arrival`` field of a record: as small as it can be (only what says how it came)."""

    via: Required[str]  # one of VIAS
    messageId: str  # queue, otherQueue: the SQS message; replay: the dead-letter message replayed
    queue: str  # otherQueue: the ARN the batch named ("" when it named none)
    operator: str  # replay, backfill: the operator's ARN (sts:GetCallerIdentity)


@dataclass(frozen=True)
class Arrival:
    """How one event arrived (see the module docstring)."""

    via: str
    message_id: str | None = None
    queue_arn: str | None = None
    operator: str | None = None

    def __post_init__(self) -> None:
        if self.via not in VIAS:
            raise ValueError(f"arrival via must be one of {', '.join(VIAS)}, got {self.via!r}")
        if self.via in (VIA_REPLAY, VIA_BACKFILL) and not self.operator:
            raise ValueError(f"a {self.via}'s arrival must name its operator")
        if self.via == VIA_BACKFILL and self.message_id is not None:
            raise ValueError("a backfill has no message: it was found by a search, not delivered")

    @classmethod
    def direct(cls) -> Arrival:
        return cls(VIA_DIRECT)

    @classmethod
    def from_queue(cls, message_id: str, queue_arn: str | None, events_queue_arn: str | None) -> Arrival:
        """An SQS message: from the events queue only if the batch names the configured queue's ARN."""
        if events_queue_arn and queue_arn == events_queue_arn:
            return cls(VIA_QUEUE, message_id=message_id)
        return cls(VIA_OTHER_QUEUE, message_id=message_id, queue_arn=queue_arn or "")

    @classmethod
    def replay(cls, operator: str, dead_letter_message_id: str | None = None) -> Arrival:
        return cls(VIA_REPLAY, message_id=dead_letter_message_id, operator=operator)

    @classmethod
    def backfill(cls, operator: str) -> Arrival:
        """A task or job found by the operator's search, recorded as a synthetic event (never joins a caller)."""
        return cls(VIA_BACKFILL, operator=operator)

    @property
    def joins_callers(self) -> bool:
        """True when a CloudTrail call that came this way may name a creator or canceller: through the
        events queue, or an operator's replay of a dead letter (which came through it first)."""
        return self.via == VIA_QUEUE or (self.via == VIA_REPLAY and self.message_id is not None)

    def field(self) -> ArrivalField:
        """The record's ``arrival`` field."""
        field: ArrivalField = {"via": self.via}
        if self.message_id is not None:
            field["messageId"] = self.message_id
        if self.via == VIA_OTHER_QUEUE:
            field["queue"] = self.queue_arn or ""
        if self.operator is not None:
            field["operator"] = self.operator
        return field


def stored_arrival_joins_callers(record: Mapping[str, Any]) -> bool:
    """Whether a stored call's caller counts (``history_facts``): by the arrival it was recorded with.
    A record written before arrivals were kept has none; it is taken as it was then, joined."""
    field = record.get(ARRIVAL_FIELD)
    if not isinstance(field, Mapping):
        return True
    via = field.get("via")
    return via == VIA_QUEUE or (via == VIA_REPLAY and isinstance(field.get("messageId"), str))


def stored_arrival_dates_its_status(record: Mapping[str, Any]) -> bool:
    """Whether a record's ``eventTime`` is when its resource reached its status. Not for a backfill: a
    search tells a task's status but not when it began RUNNING, so its synthetic event is dated by the
    times Braket does give (``createdAt``, ``endedAt``), and no queue wait may be measured from it."""
    field = record.get(ARRIVAL_FIELD)
    return not (isinstance(field, Mapping) and field.get("via") == VIA_BACKFILL)
