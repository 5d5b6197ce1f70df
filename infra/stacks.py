"""The stacks: the monitor in the main region, and one small forwarder per other Braket region.

Thin on purpose: each concern is a construct in ``infra/constructs``; a stack only wires them.
No stack pins an account or looks anything up, so ``cdk synth`` needs no credentials; the account
is the deploying credentials' one, the same for every stack.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Environment, IStackSynthesizer, Stack
from constructs import Construct

from infra.config import MonitorConfig
from infra.constructs.audit_store import AuditStore
from infra.constructs.forwarder import Forwarder
from infra.constructs.ingest import Ingest
from infra.constructs.monitoring import Monitoring, RegionalAlarms
from infra.constructs.notifications import Notifications
from infra.constructs.price_refresh import PriceRefresh
from infra.constructs.processing import Processing
from infra.constructs.spending_limits import SpendingLimits
from infra.constructs.trail import Trail

MAIN_STACK_NAME = "BraketTaskMonitor"


def forwarder_stack_name(region: str) -> str:
    return f"{MAIN_STACK_NAME}-Forwarder-{region}"


class MonitorStack(Stack):
    """Audit store, notifications, the function, the rule feeding it, their monitoring, and optionally a trail."""

    def __init__(self, scope: Construct, construct_id: str, *, config: MonitorConfig) -> None:
        super().__init__(
            scope,
            construct_id,
            env=Environment(region=config.main_region),
            description="Braket task monitor: audits and announces Amazon Braket task, job and device events",
        )
        self.audit_store = AuditStore(
            self, "AuditStore", retain=config.retain_table, migration_step=config.audit_index_migration_step
        )
        self.notifications = Notifications(self, "Notifications", emails=config.notification_emails)
        self.processing = Processing(
            self, "Processing", config=config, audit_store=self.audit_store, notifications=self.notifications
        )
        self.ingest = Ingest(
            self,
            "Ingest",
            function=self.processing.function,
            max_concurrency=config.max_concurrency,
            redrive_principals=config.redrive_principals,
        )
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            function=self.processing.function,
            rule=self.ingest.rule,
            calls_rule=self.ingest.calls_rule,
            events_queue=self.ingest.queue,
            dead_letters=self.ingest.dead_letters.queue,
            undelivered=self.ingest.undelivered.queue,
            alarm_email=config.alarm_email,
            key=self.notifications.key,
        )
        # Optional: the price table read from the AWS Price List on a schedule (docs/prices.md).
        self.price_refresh = (
            PriceRefresh(
                self,
                "PriceRefresh",
                schedule=config.price_refresh_schedule,
                audit_store=self.audit_store,
                log_retention_days=config.log_retention_days,
            )
            if config.price_refresh_schedule
            else None
        )
        if self.price_refresh is not None:
            self.price_refresh.watch_with(self.monitoring)
        # Spending limits as code: those of devices in the main region (the others' in their forwarders).
        self.spending_limits = _spending_limits_of(self, config, config.main_region)
        # Optional: only for accounts with no trail logging management write events (see trail.py).
        self.trail = Trail(self, "Trail", retention_days=config.trail_retention_days) if config.create_trail else None
        outputs = {
            "AuditTableName": (self.audit_store.table.table_name, "The audit table (read API and CLI)"),
            "NotificationTopicArn": (self.notifications.topic.topic_arn, "Subscribe more endpoints here"),
            "FunctionName": (
                self.processing.function.function_name,
                "Replay with `task-monitor replay` (as you, named on each record); a direct "
                "invocation is processed but marked arrival.via=direct and never names a creator or canceller",
            ),
            "EventsQueueUrl": (self.ingest.queue.queue_url, "Where events wait for the function"),
            "DeadLetterQueueUrl": (
                self.ingest.dead_letters.queue.queue_url,
                "Events the function rejected (error in the message attributes) or failed on 60 times",
            ),
            "DeadLetterQueueArn": (
                self.ingest.dead_letters.queue.queue_arn,
                "Source of `task-monitor redrive` (SQS message move task back to the events queue)",
            ),
            "UndeliveredEventsQueueUrl": (
                self.ingest.undelivered.queue.queue_url,
                "Events EventBridge could not put on the events queue",
            ),
            "AlarmTopicArn": (self.monitoring.alarm_topic.topic.topic_arn, "Alarm notifications"),
            "DashboardName": (self.monitoring.dashboard.dashboard_name, "CloudWatch dashboard"),
        }
        if self.trail is not None:
            outputs["TrailLogsBucketName"] = (self.trail.bucket.bucket_name, "Where the CloudTrail trail writes")
        for name, (value, description) in outputs.items():
            CfnOutput(self, name, value=value, description=description)


class ForwarderStack(Stack):
    """A rule on this region's default bus that forwards Braket events to the main region."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        region: str,
        config: MonitorConfig,
        synthesizer: IStackSynthesizer | None = None,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            env=Environment(region=region),
            synthesizer=synthesizer,
            description=f"Braket task monitor: forwards {region}'s Braket events to {config.main_region}",
        )
        self.forwarder = Forwarder(self, "Forwarder", main_region=config.main_region)
        self.alarms = RegionalAlarms(
            self,
            "Monitoring",
            rule=self.forwarder.rule,
            undelivered=self.forwarder.undelivered.queue,
            alarm_email=config.alarm_email,
        )
        self.spending_limits = _spending_limits_of(self, config, region)
        CfnOutput(
            self,
            "UndeliveredEventsQueueUrl",
            value=self.forwarder.undelivered.queue.queue_url,
            description="Events this region could not forward to the main region",
        )


def _spending_limits_of(stack: Stack, config: MonitorConfig, region: str) -> SpendingLimits | None:
    """The declared spending limits of devices in ``region``, if any (``cdk.json`` spendingLimits)."""
    limits = [limit for limit in config.spending_limits if limit.region == region]
    return SpendingLimits(stack, "SpendingLimits", limits=limits) if limits else None
