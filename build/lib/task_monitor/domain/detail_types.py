"""The kinds of Braket event this project takes, by EventBridge ``detail-type``: defined once.

Each kind's entry in ``task_monitor.domain.registry`` names its detail-types from here; the dispatcher
and the CDK rules are both built from the registry, so a rule never sends a kind the function cannot
process, and the function never waits for a kind no rule sends.
"""

from __future__ import annotations

EVENT_SOURCE = "aws.braket"

TASK_STATE_CHANGE = "Braket Task State Change"
JOB_STATE_CHANGE = "Braket Job State Change"
DEVICE_STATUS_CHANGE = "Braket Device Status Change"
QPU_STATUS_CHANGE = "Braket QPU Status Change"
SPENDING_LIMIT_SPEND_CHANGE = "Braket Spending Limit Spend Change"
# (The four above are sent directly by Braket: durable, at least once, possibly out of order.)

# Braket API calls, through CloudTrail (best effort; needs a trail logging management write events).
API_CALL_VIA_CLOUDTRAIL = "AWS API Call via CloudTrail"
CLOUDTRAIL_EVENT_SOURCE = "braket.amazonaws.com"
JOINED_API_CALLS = ("CreateQuantumTask", "CreateJob", "CancelQuantumTask", "CancelJob")
