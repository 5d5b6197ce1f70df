"""The event patterns the rules in this app use: the Braket events the function processes.

Shared by the main region's rules and every forwarder, so a pattern change reaches them all. They accept
exactly the kinds in ``task_monitor.domain.registry`` (the function's dispatcher is built from the same
entries):

* the four state changes Braket sends directly (tasks, hybrid jobs, devices, QPUs), in any status,
  so a status Braket adds later is still audited;
* the four Braket API calls the function joins to tasks and jobs, as CloudTrail sends them
  (``AWS API Call via CloudTrail`` with ``detail.eventSource`` ``braket.amazonaws.com``): no other
  Braket call (TagResource, CreateSpendingLimit, the read-only Get/Search calls...).

**Forwarders: one rule with ``$or``.** EventBridge patterns on event buses support ``$or`` across
fields, top-level ones included (EventBridge User Guide, "Comparison operators for use in event
patterns": "Or (multiple fields)"), CloudFormation passes ``EventPattern`` through as JSON (cfn-lint's
schema types it ``object``), and moto's matcher, which the tests run the synthesized pattern through,
implements ``$or``. CDK's ``EventPattern`` has no field for a top-level ``$or``, so
:func:`braket_events_rule` writes the pattern on the rule's CloudFormation resource. A forwarder's target
is an event bus, which takes the event as it is (no input transformer on an event-bus target), so the
calls travel whole to the main region's bus.

**Main region: two rules** (docs/decisions.md, "CloudTrail calls reach the queue reduced"): the state
changes, whole, and the CloudTrail calls through :func:`reduced_call_transformer`, which rebuilds an
EventBridge-shaped event holding only what ``domain/kinds/api_call/event.py`` reads. The program, the
hyperparameter values, the access key id and the rest of a CloudTrail record never reach the queues.

**Every pattern pins this account** (``account``: the stack's own, a CloudFormation token): an event
another account puts on a bus of ours is not taken. A forwarded event keeps its ``account`` (and its
``region``), which is this account, so the main rules still match it; they name no ``region``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_events as events
from constructs import Construct

from task_monitor.domain import registry
from task_monitor.domain.detail_types import CLOUDTRAIL_EVENT_SOURCE, EVENT_SOURCE, JOINED_API_CALLS


def state_change_pattern(account: str) -> dict[str, Any]:
    """The state changes Braket sends directly (every kind but the API calls), from ``account``."""
    return {
        "source": [EVENT_SOURCE],
        "account": [account],
        "detail-type": [dt for kind in registry.KINDS if kind is not registry.API_CALL for dt in kind.detail_types],
    }


def api_call_pattern(account: str) -> dict[str, Any]:
    """The four joined Braket API calls, as CloudTrail sends them, from ``account``."""
    return {
        "source": [EVENT_SOURCE],
        "account": [account],
        "detail-type": list(registry.API_CALL.detail_types),
        "detail": {"eventSource": [CLOUDTRAIL_EVENT_SOURCE], "eventName": list(JOINED_API_CALLS)},
    }


def braket_event_pattern(account: str) -> dict[str, Any]:
    """Every kind in one pattern (a forwarder's rule), as CloudFormation's ``EventPattern`` takes it."""
    strip = ("source", "account")
    state, calls = state_change_pattern(account), api_call_pattern(account)
    return {
        "source": [EVENT_SOURCE],
        "account": [account],
        "$or": [
            {key: value for key, value in state.items() if key not in strip},
            {key: value for key, value in calls.items() if key not in strip},
        ],
    }


def braket_events_rule(
    scope: Construct, construct_id: str, *, description: str, pattern: dict[str, Any] | None = None
) -> events.Rule:
    """A rule on this region's default bus with ``pattern`` (default: :func:`braket_event_pattern` of
    this stack's account).

    The L2 rule is given ``source`` only (it requires a pattern or a schedule); the whole pattern, with
    its ``$or``, replaces it on the ``AWS::Events::Rule`` resource."""
    rule = events.Rule(
        scope, construct_id, description=description, event_pattern=events.EventPattern(source=[EVENT_SOURCE])
    )
    resource = rule.node.default_child
    assert isinstance(resource, events.CfnRule)
    resource.event_pattern = pattern if pattern is not None else braket_event_pattern(Stack.of(scope).account)
    return rule


# -- the reduced CloudTrail call -------------------------------------------------------------------
# Each value the function reads from a call (domain/kinds/api_call/event.py), by a variable name, and the
# JSON path it comes from. Nothing else of the CloudTrail record is sent on.
_DETAIL = "$.detail"
_IDENTITY = f"{_DETAIL}.userIdentity"
_ISSUER = f"{_IDENTITY}.sessionContext.sessionIssuer"
_REQUEST = f"{_DETAIL}.requestParameters"
_RESPONSE = f"{_DETAIL}.responseElements"
CALL_PATHS: dict[str, str] = {
    "id": "$.id",
    "time": "$.time",
    "region": "$.region",
    "account": "$.account",
    **{
        name: f"{_DETAIL}.{name}"
        for name in (
            "eventSource",
            "eventName",
            "eventTime",
            "eventID",
            "awsRegion",
            "sourceIPAddress",
            "userAgent",
            "errorCode",
            "errorMessage",  # a refused CreateQuantumTask's: a spending limit's amounts (kinds/api_call/refused.py)
        )
    },
    **{
        f"identity-{name}": f"{_IDENTITY}.{name}"
        for name in ("type", "arn", "principalId", "accountId", "userName", "invokedBy")
    },
    **{f"issuer-{name}": f"{_ISSUER}.{name}" for name in ("type", "arn", "userName")},
    # CreateQuantumTask
    "deviceArn": f"{_REQUEST}.deviceArn",
    "shots": f"{_REQUEST}.shots",
    "outputS3Bucket": f"{_REQUEST}.outputS3Bucket",
    "outputS3KeyPrefix": f"{_REQUEST}.outputS3KeyPrefix",
    "tags": f"{_REQUEST}.tags",
    "associations": f"{_REQUEST}.associations",
    "experimental-enabled": f"{_REQUEST}.experimentalCapabilities.enabled",
    # CreateJob (hyperParameters are not taken: their names cannot be had without their values)
    "jobName": f"{_REQUEST}.jobName",
    "roleArn": f"{_REQUEST}.roleArn",
    "device": f"{_REQUEST}.deviceConfig.device",
    "instanceType": f"{_REQUEST}.instanceConfig.instanceType",
    "volumeSizeInGb": f"{_REQUEST}.instanceConfig.volumeSizeInGb",
    "instanceCount": f"{_REQUEST}.instanceConfig.instanceCount",
    "maxRuntimeInSeconds": f"{_REQUEST}.stoppingCondition.maxRuntimeInSeconds",
    "entryPoint": f"{_REQUEST}.algorithmSpecification.scriptModeConfig.entryPoint",
    "containerImage": f"{_REQUEST}.algorithmSpecification.containerImage.uri",
    # CancelQuantumTask / CancelJob ask for an ARN; the Create calls return one
    "request-quantumTaskArn": f"{_REQUEST}.quantumTaskArn",
    "request-jobArn": f"{_REQUEST}.jobArn",
    "response-quantumTaskArn": f"{_RESPONSE}.quantumTaskArn",
    "response-jobArn": f"{_RESPONSE}.jobArn",
}
# The event the queue receives: the EventBridge envelope and a CloudTrail-shaped detail, each value an
# unquoted placeholder (EventBridge puts a string in quotes and an object or a number as JSON).
_CALL_TEMPLATE: dict[str, Any] = {
    "version": "0",
    "id": "<id>",
    "detail-type": "AWS API Call via CloudTrail",
    "source": EVENT_SOURCE,
    "account": "<account>",
    "time": "<time>",
    "region": "<region>",
    "resources": [],
    "detail": {
        **{
            name: f"<{name}>"
            for name in (
                "eventSource",
                "eventName",
                "eventTime",
                "eventID",
                "awsRegion",
                "sourceIPAddress",
                "userAgent",
                "errorCode",
                "errorMessage",
            )
        },
        "userIdentity": {
            **{
                name: f"<identity-{name}>"
                for name in ("type", "arn", "principalId", "accountId", "userName", "invokedBy")
            },
            "sessionContext": {"sessionIssuer": {name: f"<issuer-{name}>" for name in ("type", "arn", "userName")}},
        },
        "requestParameters": {
            "deviceArn": "<deviceArn>",
            "shots": "<shots>",
            "outputS3Bucket": "<outputS3Bucket>",
            "outputS3KeyPrefix": "<outputS3KeyPrefix>",
            "tags": "<tags>",
            "associations": "<associations>",
            "experimentalCapabilities": {"enabled": "<experimental-enabled>"},
            "jobName": "<jobName>",
            "roleArn": "<roleArn>",
            "deviceConfig": {"device": "<device>"},
            "instanceConfig": {
                "instanceType": "<instanceType>",
                "volumeSizeInGb": "<volumeSizeInGb>",
                "instanceCount": "<instanceCount>",
            },
            "stoppingCondition": {"maxRuntimeInSeconds": "<maxRuntimeInSeconds>"},
            "algorithmSpecification": {
                "scriptModeConfig": {"entryPoint": "<entryPoint>"},
                "containerImage": {"uri": "<containerImage>"},
            },
            "quantumTaskArn": "<request-quantumTaskArn>",
            "jobArn": "<request-jobArn>",
        },
        "responseElements": {"quantumTaskArn": "<response-quantumTaskArn>", "jobArn": "<response-jobArn>"},
    },
}


def reduced_call_transformer() -> dict[str, Any]:
    """The SQS target's ``InputTransformer`` for the main region's call rule (CloudFormation's shape).

    The template is JSON whose values are bare placeholders (``"id": <id>``), as the EventBridge User
    Guide's "Input transformation" shows for JSON output: a string is inserted quoted, an object or a
    number as JSON. A path absent from the event leaves its variable undefined ("that variable isn't
    created and will not appear in the output", same page, "Common issues"); the function reads an absent
    key, ``null`` and ``""`` alike as "not given", so whichever EventBridge writes, the call parses the
    same (tests/infra/test_call_transformer.py runs every shape of call through each reading)."""
    template = json.dumps(_CALL_TEMPLATE, separators=(",", ":"))
    template = re.sub(r'"(<[A-Za-z0-9-]+>)"', r"\1", template)  # the placeholders unquoted
    return {"InputPathsMap": dict(CALL_PATHS), "InputTemplate": template}
