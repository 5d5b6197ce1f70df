"""The way in: two rules on the main region's default bus (every Braket event kind the function takes,
see ``infra/braket_events.py``: state changes whole, CloudTrail calls reduced), an SQS queue where
events wait, and the event source mapping through which the function drains it with bounded concurrency.

Why a queue between the rule and the function, rather than EventBridge invoking it asynchronously:

* **Bounded concurrency without a reservation.** The mapping's ``MaximumConcurrency`` caps how many
  invocations drain the queue at once (``maxConcurrency``, default 5: see ``infra/config.py``) and
  reserves nothing, where reserved concurrency fails the deploy on any account whose concurrency
  quota is under 100 plus the reservation (Lambda keeps 100 unreserved). Events beyond the cap wait
  on the queue instead of being throttled.
* **Latency.** Batch size 10 and no batching window: Lambda's pollers invoke as soon as messages
  are there, so a lone event is handled within about a second, and a burst is taken 10 at a time.
* **Retries per event.** Partial batch responses (``ReportBatchItemFailures``): a failing event
  comes back alone after the visibility timeout; its batch's successes are never run again.
* **Outage tolerance.** A failing event is received again every visibility timeout (6 minutes: six
  times the function's 60 s timeout, AWS's guidance) up to 60 times, so an outage of Braket,
  DynamoDB or SNS of about 6 hours is ridden out; then the queue's redrive policy moves it to the
  dead-letter queue, where a person finds it and moves it back (``StartMessageMoveTask``) or replays
  it. Invalid events go there at once, sent by the function with their error: retrying cannot fix them.
  The queue keeps an event 4 days; the dead-letter queue 14, longer, as SQS requires (a message
  keeps its original enqueue time when it is moved).

EventBridge itself retries delivery to the queue for 24 hours (185 attempts, both the maximum), then
puts the event on the undelivered-events queue: never dropped.

**The queue as evidence** (docs/trust-and-privacy.md, "Trust model"). A message on the events queue is
taken as having come from EventBridge, so only its senders may send: the rules that target it (``Ingest.rules``, each by
``aws:SourceArn``) and the redrive principals (``redrivePrincipals``: roles that move dead letters back
with ``StartMessageMoveTask``). Everyone else is denied ``sqs:SendMessage`` by an explicit Deny whose
conditions name who is let through; receiving and deleting (the event source mapping) are not touched.
The dead-letter queue likewise takes messages only from the function's role (invalid events), the
events queue's redrive, and the redrive principals.
"""

from __future__ import annotations

import jsii
from aws_cdk import Duration, IStableListProducer, Lazy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IValidation

from infra.braket_events import api_call_pattern, braket_events_rule, reduced_call_transformer, state_change_pattern
from infra.constructs.dead_letter_queue import DeadLetterQueue
from infra.nag import acknowledge

DELIVERY_MAX_EVENT_AGE = Duration.hours(24)
DELIVERY_RETRY_ATTEMPTS = 185

BATCH_SIZE = 10  # the most a mapping takes without a batching window
VISIBILITY_TIMEOUT_PER_FUNCTION_TIMEOUT = 6  # AWS's guidance for SQS event sources
MAX_RECEIVES = 60  # x 6 min of visibility timeout: about 6 hours of retries per event
EVENT_RETENTION = Duration.days(4)


class Ingest(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: lambda_.Function,
        max_concurrency: int,
        redrive_principals: tuple[str, ...] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        # Every rule that targets the events queue: each may send to it (by aws:SourceArn), nobody else
        # but the redrive principals. A rule added later is appended here (a validation checks it is).
        self.rules: list[events.Rule] = []
        self.undelivered = DeadLetterQueue(
            self,
            "UndeliveredEvents",
            holds="Braket events EventBridge could not put on the events queue within 24 hours",
        )
        self.dead_letters = DeadLetterQueue(
            self,
            "DeadLetters",
            holds="Braket events the function rejected as invalid (with the error as message attributes) "
            f"or failed on {MAX_RECEIVES} times",
            redrive_target=True,
        )
        self.queue = sqs.Queue(
            self,
            "Events",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=Duration.seconds(
                function.timeout.to_seconds() * VISIBILITY_TIMEOUT_PER_FUNCTION_TIMEOUT  # type: ignore[union-attr]
            ),
            retention_period=EVENT_RETENTION,
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.dead_letters.queue, max_receive_count=MAX_RECEIVES),
        )
        # Two rules (infra/braket_events.py): state changes whole, CloudTrail calls reduced to what the
        # function reads. ``rules`` lists every rule that targets the queue (its policy's senders).
        account = Stack.of(self).account
        self.rule = braket_events_rule(
            self,
            "BraketEvents",
            description="Braket task, job and device events, from this region and forwarded from the other "
            "Braket regions",
            pattern=state_change_pattern(account),
        )
        self.calls_rule = braket_events_rule(
            self,
            "BraketApiCalls",
            description="Braket API calls via CloudTrail (reduced to what the function reads), from this region "
            "and forwarded from the other Braket regions",
            pattern=api_call_pattern(account),
        )
        self.rules.extend([self.rule, self.calls_rule])
        for rule in self.rules:
            # The target adds the queue policy: events.amazonaws.com may send, from this rule only.
            rule.add_target(
                targets.SqsQueue(
                    self.queue,
                    dead_letter_queue=self.undelivered.queue,
                    max_event_age=DELIVERY_MAX_EVENT_AGE,
                    retry_attempts=DELIVERY_RETRY_ATTEMPTS,
                )
            )
        calls = self.calls_rule.node.default_child
        assert isinstance(calls, events.CfnRule)
        calls.add_property_override("Targets.0.InputTransformer", reduced_call_transformer())
        function.add_event_source(
            event_sources.SqsEventSource(
                self.queue,
                batch_size=BATCH_SIZE,
                report_batch_item_failures=True,
                max_concurrency=max_concurrency,
            )
        )
        (self.mapping,) = (child for child in function.node.children if isinstance(child, lambda_.EventSourceMapping))
        acknowledge(
            self.mapping,
            "Serverless-LambdaEventSourceMappingDestination",
            "SQS event source mappings take no on-failure destination (only stream and Kafka sources do): a "
            f"failing event stays on the events queue, whose redrive policy moves it to the dead-letter queue "
            f"after {MAX_RECEIVES} receives; invalid events are sent there at once by the function.",
        )
        # Invalid events go to the dead-letter queue at once, sent by the function with their error.
        function.add_environment("DEAD_LETTER_QUEUE_URL", self.dead_letters.queue.queue_url)
        function.add_to_role_policy(
            iam.PolicyStatement(
                sid="SetAsideInvalidEvents", actions=["sqs:SendMessage"], resources=[self.dead_letters.queue.queue_arn]
            )
        )
        # A batch naming this queue arrived through it (domain/arrival.py); any other is marked otherQueue.
        function.add_environment("EVENTS_QUEUE_ARN", self.queue.queue_arn)
        self._restrict_senders(function, redrive_principals)
        self.node.add_validation(_EveryRuleListed(self))

    def _restrict_senders(self, function: lambda_.Function, redrive_principals: tuple[str, ...]) -> None:
        """Only the queue's own senders may send to it; an explicit Deny for everyone else.

        Conditions, not ``NotPrincipal``: a Deny with ``NotPrincipal`` must name every role session ARN
        exactly (a role's ARN does not match its sessions) and cannot tell one EventBridge rule from
        another; ``aws:PrincipalArn`` is the role's ARN for its sessions, and ``aws:SourceArn`` is set by
        EventBridge alone (a caller cannot set it). A negated condition on a key the request lacks is
        true, so the Deny holds for anyone who is neither."""
        rule_arns = Lazy.list(_RuleArns(self.rules))  # every rule in the list at synthesis
        redrivers = list(redrive_principals)
        for role in redrivers:
            self.queue.add_to_resource_policy(
                iam.PolicyStatement(
                    sid=f"RedriveFrom{redrivers.index(role)}",
                    principals=[iam.ArnPrincipal(role)],
                    actions=["sqs:SendMessage"],
                    resources=[self.queue.queue_arn],
                )
            )
        not_redriver = {"ArnNotLike": {"aws:PrincipalArn": redrivers}} if redrivers else {}
        self.queue.add_to_resource_policy(
            iam.PolicyStatement(
                sid="OnlyTheRulesAndRedriversSend",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["sqs:SendMessage"],
                resources=[self.queue.queue_arn],
                conditions={"ArnNotEquals": {"aws:SourceArn": rule_arns}, **not_redriver},
            )
        )
        dead_letters = self.dead_letters.queue
        self.dead_letters.queue.add_to_resource_policy(
            iam.PolicyStatement(
                sid="OnlyTheFunctionRedriveAndRedriversSend",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["sqs:SendMessage"],
                resources=[dead_letters.queue_arn],
                conditions={
                    "ArnNotLike": {"aws:PrincipalArn": [function.role.role_arn, *redrivers]},  # type: ignore[union-attr]
                    # The events queue's own redrive (SQS, on the queue's behalf) is never refused.
                    "ArnNotEquals": {"aws:SourceArn": self.queue.queue_arn},
                    "StringNotEqualsIfExists": {"aws:PrincipalServiceName": "sqs.amazonaws.com"},
                },
            )
        )


@jsii.implements(IStableListProducer)
class _RuleArns:
    """The ARNs of the rules targeting the queue, read when the template is written (after every rule is added)."""

    def __init__(self, rules: list[events.Rule]) -> None:
        self._rules = rules

    def produce(self) -> list[str]:
        return [rule.rule_arn for rule in self._rules]


@jsii.implements(IValidation)
class _EveryRuleListed:
    """Synthesis fails if a rule targets the events queue without being in ``Ingest.rules`` (so without
    being allowed to send by the queue policy): the list, not the first rule, is what the policy names."""

    def __init__(self, ingest: Ingest) -> None:
        self._ingest = ingest

    def validate(self) -> list[str]:
        from aws_cdk import Stack

        stack = Stack.of(self._ingest)
        queue_arn = stack.resolve(self._ingest.queue.queue_arn)
        listed = {id(rule) for rule in self._ingest.rules}
        missing = []
        for node in stack.node.find_all():
            if isinstance(node, events.Rule) and id(node) not in listed:
                cfn = node.node.default_child
                targets = stack.resolve(getattr(cfn, "targets", None)) or []
                if any(target.get("arn") == queue_arn or target.get("Arn") == queue_arn for target in targets):
                    missing.append(node.node.path)
        return [
            f"rule {path} targets the events queue but is not in Ingest.rules, so the queue policy denies it"
            for path in missing
        ]
