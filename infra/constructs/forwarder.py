"""A Braket region's link to the main region: its default bus forwards Braket events there.

Braket sends a task's (or job's) events only to the default bus of its own region, and CloudTrail
sends an API call's event to the bus of the region it was called in. The forwarded event
keeps its ``source``, ``detail-type``, ``region`` and ``account``, so the main region's rule (same
pattern, no region in it) matches it as if Braket had sent it there. Same account, so the main bus
needs no resource policy: the role below is allowed ``events:PutEvents`` on that one bus.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.braket_events import braket_events_rule
from infra.constructs.dead_letter_queue import DeadLetterQueue

DELIVERY_MAX_EVENT_AGE = Duration.hours(24)
DELIVERY_RETRY_ATTEMPTS = 185


def default_bus_arn(stack: Stack, region: str) -> str:
    """The default event bus of ``region`` in this stack's account (tokens, no lookup)."""
    return stack.format_arn(service="events", region=region, resource="event-bus", resource_name="default")


class Forwarder(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, main_region: str) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        main_bus = events.EventBus.from_event_bus_arn(self, "MainBus", default_bus_arn(stack, main_region))
        self.undelivered = DeadLetterQueue(
            self,
            "UndeliveredEvents",
            holds=f"Braket events this region could not forward to {main_region} within 24 hours",
        )
        # Only EventBridge rules of this account in this region may assume it (no confused deputy). The
        # rule's own ARN cannot be named: the rule's target names this role, so the trust policy naming
        # the rule would make a dependency cycle.
        own_rules = stack.format_arn(service="events", resource="rule", resource_name="*")
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal(
                "events.amazonaws.com",
                conditions={
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnLike": {"aws:SourceArn": own_rules},
                },
            ),
            description=f"Lets EventBridge forward Braket events to the default bus in {main_region}",
        )
        main_bus.grant_put_events_to(self.role)
        self.rule = braket_events_rule(
            self,
            "BraketEvents",
            description=f"Forwards Braket task, job and device events and Braket API calls to the default bus "
            f"in {main_region}",
        )
        self.rule.add_target(targets.EventBus(main_bus, dead_letter_queue=self.undelivered.queue, role=self.role))
        # CDK's EventBus target has no retry settings (aws-cdk#28735); CloudFormation does.
        rule_resource = self.rule.node.default_child
        assert isinstance(rule_resource, events.CfnRule)
        rule_resource.add_property_override(
            "Targets.0.RetryPolicy",
            {
                "MaximumEventAgeInSeconds": int(DELIVERY_MAX_EVENT_AGE.to_seconds()),
                "MaximumRetryAttempts": DELIVERY_RETRY_ATTEMPTS,
            },
        )
