"""Alarms that tell a person an event is stuck or the function is failing, and the dashboard.

Every alarm means "look now": an event is waiting in a dead-letter queue for a replay, the function
failed or is being throttled for a sustained period, or EventBridge could not deliver. Alarms notify
the alarm topic (and ``alarmEmail`` if set) when they fire and when they recover. A region's alarms
live in that region (CloudWatch alarms watch metrics of their own region), each region with its own
alarm topic.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import STATUSES
from infra.nag import acknowledge
from task_monitor import telemetry_names as names
from task_monitor.domain.arrival import UNVOUCHED_ARRIVALS
from task_monitor.domain.detail_types import JOINED_API_CALLS
from task_monitor.domain.registry import JOB

PERIOD = Duration.minutes(5)
# The event source mapping never invokes beyond its maximum concurrency, so throttles mean the
# account itself is out of concurrency; 15 minutes of them means events are not being drained.
THROTTLE_PERIODS = 3
# A notification should leave within seconds. The oldest event waiting this long means the queue is
# not draining: a failing event is redelivered every 6 minutes, or the backlog outgrows the concurrency.
OLDEST_EVENT_ALARM_SECONDS = 15 * 60
# Hybrid job statuses as GetJob's JobPrimaryStatus lists them (the job kind's lifecycle, in the registry),
# which job events presumably carry (docs/braket-events.md). A status outside it still counts in the total.
assert JOB.lifecycle is not None
JOB_STATUSES = tuple(JOB.lifecycle.ranks)


class AlarmTopic(Construct):
    """An SNS topic for alarm notifications, TLS-only, with an email subscription when ``email`` is given.

    With ``key`` (the main region passes the notification topic's key, so a deployment pays for one
    customer key), the topic is encrypted with it and CloudWatch may use the key. Without one (forwarder
    regions) the topic is not encrypted at rest: alarm messages carry no task data, and CloudWatch cannot
    publish to a topic under the AWS managed ``alias/aws/sns`` key, whose policy cannot admit it.
    """

    def __init__(self, scope: Construct, construct_id: str, *, email: str | None, key: kms.Key | None) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.key = key
        self.topic = sns.Topic(
            self, "Topic", display_name="Braket task monitor alarms", master_key=key, enforce_ssl=True
        )
        # cdk-nag 3's AwsSolutions pack no longer has SNS2 (encryption at rest; NIST/HIPAA/PCI packs
        # do), so an unencrypted alarm topic raises no finding to acknowledge; SNS3 (TLS) is met.
        if key is not None:
            # CloudWatch calls KMS as its service principal when an alarm publishes. AWS documents this
            # statement without conditions, and documents no aws:SourceAccount/aws:SourceArn on that KMS
            # request, so conditions here could drop every alarm; the topic policy below keeps them.
            key.add_to_resource_policy(
                iam.PolicyStatement(
                    sid="CloudWatchAlarmsEncrypt",
                    principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                    actions=["kms:GenerateDataKey*", "kms:Decrypt"],
                    resources=["*"],  # in a key policy, "*" is this key
                )
            )
        # A topic policy replaces SNS's default one, so CloudWatch's right to publish is stated, for this
        # account's alarms in this region only.
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsPublish",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnLike": {
                        "aws:SourceArn": stack.format_arn(
                            service="cloudwatch",
                            resource="alarm",
                            resource_name="*",
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                    },
                },
            )
        )
        if email:
            subscription = self.topic.add_subscription(subscriptions.EmailSubscription(email))
            acknowledge(
                subscription,
                "Serverless-SNSRedrivePolicy",
                "Alarm email without a dead-letter queue: the alarm's state stays visible in CloudWatch and "
                "on the dashboard, and it notifies again on every state change, so a lost email loses no "
                "information; a dead-letter queue would need its own customer key admitting SNS.",
            )
        self.action = cloudwatch_actions.SnsAction(self.topic)

    def watch(self, alarm: cloudwatch.Alarm) -> cloudwatch.Alarm:
        alarm.add_alarm_action(self.action)
        alarm.add_ok_action(self.action)
        return alarm


def _sum(metric: cloudwatch.Metric) -> cloudwatch.Metric:
    return metric.with_(statistic=cloudwatch.Stats.SUM, period=PERIOD)


def _peak(metric: cloudwatch.Metric, label: str) -> cloudwatch.Metric:
    """A queue gauge at its highest in each period: a message waiting a moment still shows."""
    return metric.with_(statistic=cloudwatch.Stats.MAXIMUM, period=PERIOD, label=label)


def queue_holds_messages_alarm(scope: Construct, construct_id: str, queue: sqs.IQueue, what: str) -> cloudwatch.Alarm:
    return cloudwatch.Alarm(
        scope,
        construct_id,
        alarm_description=f"{what} is holding messages: inspect them and replay the events (see the README).",
        metric=queue.metric_approximate_number_of_messages_visible(statistic=cloudwatch.Stats.MAXIMUM, period=PERIOD),
        threshold=1,
        evaluation_periods=1,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )


def rule_failed_invocations_metric(rule: events.IRule) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace="AWS/Events",
        metric_name="FailedInvocations",
        dimensions_map={"RuleName": rule.rule_name},
        statistic=cloudwatch.Stats.SUM,
        period=PERIOD,
    )


def rule_failed_invocations_alarm(scope: Construct, construct_id: str, rule: events.IRule) -> cloudwatch.Alarm:
    return cloudwatch.Alarm(
        scope,
        construct_id,
        alarm_description="EventBridge failed to deliver Braket events to the rule's target; after its retries "
        "they land in the rule's dead-letter queue.",
        metric=rule_failed_invocations_metric(rule),
        threshold=1,
        evaluation_periods=1,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )


def _service_metric(name: str, **dimensions: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=names.METRICS_NAMESPACE,
        metric_name=name,
        dimensions_map={"service": names.SERVICE_NAME, **dimensions},
        statistic=cloudwatch.Stats.SUM,
        period=PERIOD,
    )


class Monitoring(Construct):
    """The main region's alarms and dashboard; ``key`` (the notification topic's) also encrypts the
    alarm topic, so the deployment has one customer managed key."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: lambda_.Function,
        rule: events.IRule,
        events_queue: sqs.IQueue,
        dead_letters: sqs.IQueue,
        undelivered: sqs.IQueue,
        alarm_email: str | None,
        key: kms.Key,
        calls_rule: events.IRule | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.alarm_topic = AlarmTopic(self, "AlarmTopic", email=alarm_email, key=key)
        watch = self.alarm_topic.watch
        self.alarms = [
            watch(
                cloudwatch.Alarm(
                    self,
                    "FunctionErrors",
                    alarm_description="The task monitor function failed as a whole (a crash or a timeout); its "
                    "batch goes back to the events queue and is retried.",
                    metric=_sum(function.metric_errors()),
                    threshold=1,
                    evaluation_periods=1,
                    comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                    treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                )
            ),
            watch(
                cloudwatch.Alarm(
                    self,
                    "FunctionThrottles",
                    alarm_description="The task monitor function has been throttled for 15 minutes: the "
                    "account is out of concurrency, and events wait on the queue.",
                    metric=_sum(function.metric_throttles()),
                    threshold=1,
                    evaluation_periods=THROTTLE_PERIODS,
                    datapoints_to_alarm=THROTTLE_PERIODS,
                    comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                    treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                )
            ),
            watch(
                queue_holds_messages_alarm(
                    self, "UndeliveredEventsWaiting", undelivered, "The rule's dead-letter queue"
                )
            ),
            watch(
                cloudwatch.Alarm(
                    self,
                    "EventsWaitingTooLong",
                    alarm_description="An event has waited on the events queue for 15 minutes: it keeps failing "
                    "(see the function's logs) or the backlog outgrows maxConcurrency.",
                    metric=events_queue.metric_approximate_age_of_oldest_message(
                        statistic=cloudwatch.Stats.MAXIMUM, period=PERIOD
                    ),
                    threshold=OLDEST_EVENT_ALARM_SECONDS,
                    evaluation_periods=1,
                    comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                    treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                )
            ),
            watch(queue_holds_messages_alarm(self, "DeadLettersWaiting", dead_letters, "The dead-letter queue")),
            watch(rule_failed_invocations_alarm(self, "RuleFailedInvocations", rule)),
        ]
        if calls_rule is not None:  # the main region's second rule (CloudTrail calls, reduced)
            self.alarms.append(watch(rule_failed_invocations_alarm(self, "CallsRuleFailedInvocations", calls_rule)))
        self.dashboard = self._dashboard(function, rule, events_queue, dead_letters, undelivered)

    def _dashboard(
        self,
        function: lambda_.Function,
        rule: events.IRule,
        events_queue: sqs.IQueue,
        dead_letters: sqs.IQueue,
        undelivered: sqs.IQueue,
    ) -> cloudwatch.Dashboard:
        stack = Stack.of(self)
        dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=f"{stack.stack_name}-{stack.region}",
            default_interval=Duration.days(1),
        )
        queue_wait_search = (
            f"SEARCH('{{{names.METRICS_NAMESPACE},{names.DEVICE_DIMENSION},service}} "
            f'MetricName="{names.QUEUE_WAIT_SECONDS}" service="{names.SERVICE_NAME}"\', \'Average\', '
            f"{int(PERIOD.to_seconds())})"
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Task events by status",
                left=[
                    _service_metric(names.TASK_EVENTS, **{names.STATUS_DIMENSION: status}).with_(label=status)
                    for status in STATUSES
                ],
                stacked=True,
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Notifications published",
                left=[_service_metric(names.NOTIFICATIONS).with_(label="notifications")],
                width=6,
            ),
            cloudwatch.GraphWidget(
                title="Enrichment errors",
                left=[
                    _service_metric(names.ENRICHMENT_ERRORS).with_(label="GetQuantumTask failed"),
                    _service_metric(names.UNKNOWN_STATUS_EVENTS).with_(label="unknown status"),
                    _service_metric(names.DUPLICATE_EVENTS).with_(label="duplicates"),
                    _service_metric(names.STALE_EVENTS).with_(label="late (stale)"),
                    # Job and device events have no published shape: fields dropped show a change of it.
                    *(
                        _service_metric(names.IGNORED_EVENT_FIELDS, **{names.KIND_DIMENSION: kind}).with_(
                            label=f"{kind} event fields ignored"
                        )
                        for kind in ("job", "device")
                    ),
                ],
                width=6,
            ),
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Queue wait by device (seconds, average)",
                left=[
                    cloudwatch.MathExpression(expression=queue_wait_search, using_metrics={}, label="", period=PERIOD)
                ],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Function: invocations, errors, throttles",
                left=[
                    _sum(function.metric_invocations()).with_(label="invocations"),
                    _sum(function.metric_errors()).with_(label="errors"),
                    _sum(function.metric_throttles()).with_(label="throttles"),
                ],
                right=[
                    function.metric("ConcurrentExecutions", statistic=cloudwatch.Stats.MAXIMUM, period=PERIOD).with_(
                        label="concurrent executions (max)"
                    )
                ],
                width=6,
            ),
            cloudwatch.GraphWidget(
                title="Function duration (ms)",
                left=[
                    function.metric_duration(statistic=cloudwatch.Stats.percentile(50), period=PERIOD).with_(
                        label="p50"
                    ),
                    function.metric_duration(statistic=cloudwatch.Stats.percentile(99), period=PERIOD).with_(
                        label="p99"
                    ),
                    function.metric_duration(statistic=cloudwatch.Stats.MAXIMUM, period=PERIOD).with_(label="max"),
                ],
                width=6,
            ),
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Events queue: waiting, and the oldest (seconds)",
                left=[
                    _peak(events_queue.metric_approximate_number_of_messages_visible(), "waiting"),
                    _peak(events_queue.metric_approximate_number_of_messages_not_visible(), "in flight"),
                ],
                right=[_peak(events_queue.metric_approximate_age_of_oldest_message(), "oldest event (s)")],
                width=6,
            ),
            cloudwatch.GraphWidget(
                title="Events set aside for a person",
                left=[
                    _peak(dead_letters.metric_approximate_number_of_messages_visible(), "dead-letter queue"),
                    _peak(undelivered.metric_approximate_number_of_messages_visible(), "undelivered (rule) queue"),
                ],
                right=[
                    rule_failed_invocations_metric(rule).with_(label="rule failed invocations"),
                    _service_metric(names.INVALID_EVENTS).with_(label="invalid events"),
                    _service_metric(names.REFUSED_EVENTS).with_(label="events AWS refused (validation, size)"),
                    _service_metric(names.FAILED_EVENTS).with_(label="events to retry"),
                ],
                width=6,
            ),
            cloudwatch.AlarmStatusWidget(title="Alarms", alarms=self.alarms, width=12),
        )
        self._add_job_device_and_api_call_widgets(dashboard)
        self._add_price_table_widget(dashboard)
        self._add_budget_widgets(dashboard)
        self._add_spending_widgets(dashboard)
        self._add_cost_widgets(dashboard)
        return dashboard

    @staticmethod
    def _add_price_table_widget(dashboard: cloudwatch.Dashboard) -> None:
        """The price table: the function pricing without the stored table, and what the refresh skipped."""
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Price table",
                left=[_service_metric(names.PRICE_TABLE_FALLBACKS).with_(label="stored table not used (fallbacks)")],
                right=[_service_metric(names.PRICE_LIST_SKIPPED_PRODUCTS).with_(label="Price List products skipped")],
                width=8,
            )
        )

    @staticmethod
    def _add_budget_widgets(dashboard: cloudwatch.Dashboard) -> None:
        """Budgets (docs/budgets.md): totals changed, thresholds announced, tasks of unknown price."""
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Budgets (estimated spend)",
                left=[
                    _service_metric(names.BUDGET_UPDATES).with_(label="month totals changed"),
                    _service_metric(names.BUDGET_THRESHOLDS_CROSSED).with_(label="thresholds announced"),
                ],
                right=[_service_metric(names.UNPRICED_TASKS_IN_BUDGETS).with_(label="tasks of unknown price")],
                width=12,
            ),
        )

    @staticmethod
    def _add_spending_widgets(dashboard: cloudwatch.Dashboard) -> None:
        """Spending limits: spend events, thresholds announced, and tasks a limit refused."""
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Spending limits: spend events, thresholds crossed, tasks refused",
                left=[_service_metric(names.SPENDING_LIMIT_EVENTS).with_(label="spend events")],
                right=[
                    _service_metric(names.SPENDING_THRESHOLDS_CROSSED).with_(label="threshold notifications"),
                    _service_metric(names.REFUSED_TASKS).with_(label="tasks refused by a limit"),
                ],
                width=12,
            ),
        )

    @staticmethod
    def _add_cost_widgets(dashboard: cloudwatch.Dashboard) -> None:
        """Estimated spend (list price, docs/costs.md) of ended tasks by device and by creator, found by
        search (whatever devices and principals the function reports), and the tasks no price covered."""

        def spend_search(dimension: str) -> str:
            return (
                f"SEARCH('{{{names.METRICS_NAMESPACE},{dimension},service}} "
                f'MetricName="{names.ESTIMATED_SPEND}" service="{names.SERVICE_NAME}"\', \'Sum\', '
                f"{int(PERIOD.to_seconds())})"
            )

        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Estimated spend by device (USD, list price)",
                left=[
                    cloudwatch.MathExpression(
                        expression=spend_search(names.DEVICE_DIMENSION), using_metrics={}, label="", period=PERIOD
                    )
                ],
                right=[_service_metric(names.UNPRICED_TASKS).with_(label="ended tasks without a price")],
                stacked=True,
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Estimated spend by creator (USD, list price)",
                left=[
                    cloudwatch.MathExpression(
                        expression=spend_search(names.CREATOR_DIMENSION), using_metrics={}, label="", period=PERIOD
                    )
                ],
                stacked=True,
                width=12,
            ),
        )

    @staticmethod
    def _add_job_device_and_api_call_widgets(dashboard: cloudwatch.Dashboard) -> None:
        """Hybrid jobs by status, device and QPU status changes, and the Braket API calls from CloudTrail."""
        # Device statuses are not documented for these events (docs/braket-events.md), so a search finds
        # whatever `status` values the function reports, rather than a fixed list.
        device_status_search = (
            f"SEARCH('{{{names.METRICS_NAMESPACE},{names.STATUS_DIMENSION},service}} "
            f'MetricName="{names.DEVICE_EVENTS}" service="{names.SERVICE_NAME}"\', \'Sum\', '
            f"{int(PERIOD.to_seconds())})"
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Hybrid job events by status",
                left=[
                    _service_metric(names.JOB_EVENTS, **{names.STATUS_DIMENSION: status}).with_(label=status)
                    for status in JOB_STATUSES
                ],
                right=[_service_metric(names.JOB_EVENTS).with_(label="all job events")],
                stacked=True,
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Device and QPU status changes",
                left=[
                    _service_metric(names.DEVICE_EVENTS).with_(label="all device events"),
                    cloudwatch.MathExpression(
                        expression=device_status_search, using_metrics={}, label="", period=PERIOD
                    ),
                ],
                right=[
                    _service_metric(names.DEVICE_NOTIFICATIONS).with_(label="availability notifications sent"),
                ],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Braket API calls (CloudTrail)",
                left=[
                    _service_metric(names.API_CALLS, **{names.CALL_DIMENSION: call}).with_(label=f"{call} joined")
                    for call in JOINED_API_CALLS
                ],
                right=[
                    _service_metric(names.UNJOINED_API_CALLS).with_(label="not joined (the call failed)"),
                    *(
                        _service_metric(names.KEPT_UNJOINED_API_CALLS, **{names.ARRIVAL_DIMENSION: via}).with_(
                            label=f"kept unjoined ({via}: not from the events queue)"
                        )
                        for via in UNVOUCHED_ARRIVALS
                    ),
                ],
                stacked=True,
                width=8,
            ),
        )


class RegionalAlarms(Construct):
    """A forwarder region's alarms: its dead-letter queue and its rule's failed deliveries."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        rule: events.IRule,
        undelivered: sqs.IQueue,
        alarm_email: str | None,
    ) -> None:
        super().__init__(scope, construct_id)
        # No customer key in a forwarder region: see AlarmTopic.
        self.alarm_topic = AlarmTopic(self, "AlarmTopic", email=alarm_email, key=None)
        region = Stack.of(self).region
        self.alarms = [
            self.alarm_topic.watch(
                queue_holds_messages_alarm(
                    self, "UndeliveredEventsWaiting", undelivered, f"The forwarder's dead-letter queue in {region}"
                )
            ),
            self.alarm_topic.watch(rule_failed_invocations_alarm(self, "RuleFailedInvocations", rule)),
        ]
