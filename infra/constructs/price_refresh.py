"""The scheduled price refresh: a small function of its own that reads the AWS Price List into the
audit table (``task_monitor.price_refresh``), and the EventBridge schedule that runs it.

* **Same asset** as the monitor (one upload, one bytecode build), a different handler: the monitor's
  cold start never imports the refresh.
* **Role**: ``pricing:GetProducts``, which supports no resource-level permissions (so ``*``), and
  ``dynamodb:GetItem``/``PutItem`` on the audit table restricted by ``dynamodb:LeadingKeys`` to the
  ``PRICES`` partition: the refresh can touch no task, job or device record.
* **Failures**: EventBridge invokes asynchronously (two retries by Lambda). A missed run costs nothing
  but staleness (the function keeps the last stored table, else the shipped one), and the next run
  repeats it; the function's errors and the rule's failed invocations raise alarms.
* **Sizing**: 256 MB (botocore's model loading is CPU-bound), 120 s (a few pages of GetProducts, each
  retried on throttling with backoff, and one PutItem).
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constructs.audit_store import AuditStore
from infra.constructs.monitoring import Monitoring, rule_failed_invocations_alarm
from infra.constructs.processing import _RETENTION, ARCHITECTURE, RUNTIME
from infra.nag import acknowledge
from infra.packaging import function_code
from task_monitor import telemetry_names
from task_monitor.adapters.price_tables import PRICES_PARTITION

HANDLER = "task_monitor.price_refresh.lambda_handler"
PRICING_REGION = "us-east-1"  # the Price List Query API is served from us-east-1, eu-central-1, ap-south-1
MEMORY_MB = 256
TIMEOUT = Duration.seconds(120)


class PriceRefresh(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        schedule: str,
        audit_store: AuditStore,
        log_retention_days: int,
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            retention=_RETENTION[log_retention_days],
            removal_policy=RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Braket task monitor price refresh: read the AWS Price List, write the price table item",
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="WriteOwnLogs",
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self.log_group.log_group_arn],
            )
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(sid="ReadPriceList", actions=["pricing:GetProducts"], resources=["*"])
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="WritePriceTable",
                actions=["dynamodb:GetItem", "dynamodb:PutItem"],
                resources=[audit_store.table.table_arn],
                conditions={"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [PRICES_PARTITION]}},
            )
        )
        self.function = lambda_.Function(
            self,
            "Function",
            description="Reads the AWS Price List for Amazon Braket into the audit table (the price table)",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=HANDLER,
            code=function_code(RUNTIME, ARCHITECTURE),
            memory_size=MEMORY_MB,
            timeout=TIMEOUT,
            tracing=lambda_.Tracing.ACTIVE,
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            log_group=self.log_group,
            role=self.role,
            environment={
                "AUDIT_TABLE_NAME": audit_store.table.table_name,
                "PRICING_REGION": PRICING_REGION,
                "POWERTOOLS_SERVICE_NAME": telemetry_names.SERVICE_NAME,
                "POWERTOOLS_METRICS_NAMESPACE": telemetry_names.METRICS_NAMESPACE,
                "POWERTOOLS_LOG_LEVEL": "INFO",
            },
        )
        self.rule = events.Rule(
            self,
            "Schedule",
            description="Runs the Braket task monitor's price refresh",
            schedule=events.Schedule.expression(schedule),
            targets=[targets.LambdaFunction(self.function, retry_attempts=2, max_event_age=Duration.hours(6))],
        )
        self._acknowledge_findings()

    def watch_with(self, monitoring: Monitoring) -> None:
        """Alarms on the alarm topic: the refresh failed (its errors), or EventBridge could not run it."""
        watch = monitoring.alarm_topic.watch
        monitoring.alarms.append(
            watch(
                cloudwatch.Alarm(
                    self,
                    "Errors",
                    alarm_description="The price refresh failed (see its logs); the function keeps pricing with "
                    "the last stored table, or the shipped one. Run `python -m task_monitor_cli prices update "
                    "--aws` to retry by hand.",
                    metric=self.function.metric_errors(statistic=cloudwatch.Stats.SUM, period=Duration.hours(1)),
                    threshold=1,
                    evaluation_periods=1,
                    comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                    treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                )
            )
        )
        monitoring.alarms.append(watch(rule_failed_invocations_alarm(self, "RuleFailedInvocations", self.rule)))

    def _acknowledge_findings(self) -> None:
        policy = self.role.node.find_child("DefaultPolicy").node.default_child
        assert policy is not None, "the role's statements make CDK create its DefaultPolicy"
        acknowledge(
            policy,
            "AwsSolutions-IAM5[Resource::*]",
            "pricing:GetProducts supports no resource-level permissions (AWS requires Resource '*'); so do "
            "xray:PutTraceSegments and xray:PutTelemetryRecords, added by active tracing. The table statement "
            "names the table and is limited to its PRICES partition.",
        )
        acknowledge(
            self.function,
            "Serverless-LambdaDLQ",
            "A weekly refresh that fails after Lambda's two retries loses nothing: the next run repeats it, the "
            "monitor keeps the last stored table (else the shipped one), and an alarm reports the failure. A "
            "dead-letter queue would hold only an empty scheduled event.",
        )
        acknowledge(
            self.rule,
            "Serverless-EventBusDLQ",
            "The schedule's event carries nothing but its time: one EventBridge could not deliver is replaced by "
            "the next scheduled run, and the rule's failed invocations raise an alarm.",
        )
