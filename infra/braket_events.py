"""The one event pattern every rule in this app uses: Braket quantum-task state changes.

Shared by the main region's rule and every forwarder, so a pattern change reaches them all. The
pattern names neither ``region`` nor ``account``: the main rule must also match the events a
forwarder re-delivers from another region, which keep their original ``region`` field. It does not
filter on status either, so a status Braket adds later is still audited.
"""

from __future__ import annotations

from aws_cdk import aws_events as events

BRAKET_SOURCE = "aws.braket"
TASK_STATE_CHANGE = "Braket Task State Change"


def task_state_change_pattern() -> events.EventPattern:
    return events.EventPattern(source=[BRAKET_SOURCE], detail_type=[TASK_STATE_CHANGE])
