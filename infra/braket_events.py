"""The one event pattern every rule in this app uses: the Braket events the function processes.

Shared by the main region's rule and every forwarder, so a pattern change reaches them all. It accepts
exactly the kinds in ``task_monitor.domain.registry`` (the function's dispatcher is built from the same
entries):

* the four state changes Braket sends directly (tasks, hybrid jobs, devices, QPUs), in any status,
  so a status Braket adds later is still audited;
* the four Braket API calls the function joins to tasks and jobs, as CloudTrail sends them
  (``AWS API Call via CloudTrail`` with ``detail.eventSource`` ``braket.amazonaws.com``): no other
  Braket call (TagResource, CreateSpendingLimit, the read-only Get/Search calls...).

**One rule with ``$or``, not two rules.** EventBridge patterns on event buses support ``$or`` across
fields, top-level ones included (EventBridge User Guide, "Comparison operators for use in event
patterns": "Or (multiple fields)"), CloudFormation passes ``EventPattern`` through as JSON (cfn-lint's
schema types it ``object``), and moto's matcher, which the tests run the synthesized pattern through,
implements ``$or``. One rule per region keeps one target, one retry policy and dead-letter queue, one
``aws:SourceArn`` in the events queue's policy and one ``FailedInvocations`` alarm per region, so
nothing has to be kept in step between two rules. CDK's ``EventPattern`` has no field for a top-level
``$or``, so :func:`braket_events_rule` writes the pattern on the rule's CloudFormation resource.

The pattern names neither ``region`` nor ``account``: the main rule must also match the events a
forwarder re-delivers from another region, which keep their original ``region`` field.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_events as events
from constructs import Construct

from task_monitor.domain import registry
from task_monitor.domain.detail_types import CLOUDTRAIL_EVENT_SOURCE, EVENT_SOURCE, JOINED_API_CALLS


def braket_event_pattern() -> dict[str, Any]:
    """The EventBridge pattern, as CloudFormation's ``EventPattern`` takes it."""
    return {
        "source": [EVENT_SOURCE],
        "$or": [
            {
                "detail-type": [
                    dt for kind in registry.KINDS if kind is not registry.API_CALL for dt in kind.detail_types
                ]
            },
            {
                "detail-type": list(registry.API_CALL.detail_types),
                "detail": {"eventSource": [CLOUDTRAIL_EVENT_SOURCE], "eventName": list(JOINED_API_CALLS)},
            },
        ],
    }


def braket_events_rule(scope: Construct, construct_id: str, *, description: str) -> events.Rule:
    """A rule on this region's default bus with :func:`braket_event_pattern`.

    The L2 rule is given ``source`` only (it requires a pattern or a schedule); the whole pattern, with
    its ``$or``, replaces it on the ``AWS::Events::Rule`` resource."""
    rule = events.Rule(
        scope, construct_id, description=description, event_pattern=events.EventPattern(source=[EVENT_SOURCE])
    )
    resource = rule.node.default_child
    assert isinstance(resource, events.CfnRule)
    resource.event_pattern = braket_event_pattern()
    return rule
