"""The way in: a rule on the main region's default bus that hands every task state change to the function.

Delivery failures (the function cannot be invoked: throttled API, missing permission, service error)
are retried by EventBridge for 24 hours, up to 185 times with backoff (both the maximum), then the
event goes to a dead-letter queue, never dropped. Once the function accepted an event, its own
asynchronous retries and on-failure destination take over (see processing.py).
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.braket_events import task_state_change_pattern
from infra.constructs.dead_letter_queue import DeadLetterQueue

DELIVERY_MAX_EVENT_AGE = Duration.hours(24)
DELIVERY_RETRY_ATTEMPTS = 185


class Ingest(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, function: lambda_.IFunction) -> None:
        super().__init__(scope, construct_id)
        self.undelivered = DeadLetterQueue(
            self,
            "UndeliveredEvents",
            holds="task events EventBridge could not hand to the function within 24 hours",
        )
        self.rule = events.Rule(
            self,
            "TaskStateChanges",
            description="Braket task state changes from this region and forwarded from the other Braket regions",
            event_pattern=task_state_change_pattern(),
        )
        self.rule.add_target(
            targets.LambdaFunction(
                function,
                dead_letter_queue=self.undelivered.queue,
                max_event_age=DELIVERY_MAX_EVENT_AGE,
                retry_attempts=DELIVERY_RETRY_ATTEMPTS,
            )
        )
