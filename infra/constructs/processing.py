"""The function that enriches each task event, audits it and announces it.

Sizing, and why:

* **Runtime** Python 3.14 on arm64: the newest Python aws-cdk-lib knows, and Graviton costs less per
  GB-second for this CPU-light, I/O-bound work.
* **Memory** 256 MB: the work is three network calls, but Lambda gives CPU in proportion to memory,
  and the cold start (importing botocore, loading the Braket, DynamoDB and SNS models, parsing the
  JSON responses) is CPU-bound and at 128 MB gets half the CPU. The memory is bought for CPU, not
  for space; revisit with Lambda Power Tuning once real traffic exists.
* **Timeout** 60 s: a notified terminal event makes five AWS calls (GetQuantumTask, a Query of the
  task's history, the TransactWriteItems, the SNS Publish, the UpdateItem that marks it sent), each
  normally well under a second. The clients retry throttling and 5xx in botocore's standard mode,
  4 attempts each (backoff at most 1+2+4 s), and GetQuantumTask's not-found-yet and still-running
  answers a few more times (0.5+1+2 s): under sustained throttling of every call that adds up to
  about 40 s, which 60 s covers. A hung connection is cut by the clients' 3 s connect / 5 s read
  timeouts, so 60 s is only reached by a genuinely stuck invocation, which Lambda then retries; the
  notification claim (90 s, ``CLAIM_TIMEOUT_SECONDS``) outlives it, so no other attempt publishes
  while this one still might.
* **Reserved concurrency** 10 by default (context ``reservedConcurrency``): GetQuantumTask allows
  100 requests/s (burst 500) per account and region, shared with the users' own SDK calls. One
  execution makes about 5 calls/s (one per ~0.2 s invocation), so 10 cap the monitor near 50 calls/s
  while a burst drains, half the quota; events beyond that wait in Lambda's asynchronous queue
  instead of stealing quota. Reservation also keeps a runaway burst from starving other functions.
* **Asynchronous invocation** (EventBridge invokes asynchronously): ``retry_attempts=2`` (Lambda's
  maximum, for transient failures: the handler is idempotent, a repeated event is recorded once);
  ``max_event_age`` 6 hours (the maximum), so an event throttled or failing through an outage of
  Braket, DynamoDB or SNS of a few hours is still processed; after that, or after the last retry,
  the event with its error goes to the on-failure queue for a person to replay.
* **Observability**: active X-Ray tracing; JSON logs (Powertools writes JSON, and EMF metrics ride
  on the same log stream) in the function's own log group with the configured retention.
"""

from __future__ import annotations

import jsii
from aws_cdk import Duration, RemovalPolicy, Stack, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import MonitorConfig
from infra.constructs.audit_store import AuditStore
from infra.constructs.dead_letter_queue import DeadLetterQueue
from infra.constructs.notifications import Notifications
from infra.nag import acknowledge
from infra.packaging import LAMBDA_DATA_PATH, function_code
from task_monitor import telemetry_names

HANDLER = "task_monitor.handler.lambda_handler"
RUNTIME = lambda_.Runtime.PYTHON_3_14
ARCHITECTURE = lambda_.Architecture.ARM_64
MEMORY_MB = 256
TIMEOUT = Duration.seconds(60)
ASYNC_RETRY_ATTEMPTS = 2
ASYNC_MAX_EVENT_AGE = Duration.hours(6)
LOG_LEVEL = "INFO"

# Days (as validated in infra/config.py) to CDK's enum, whose Python members are named, not numbered.
_D = logs.RetentionDays
_RETENTION = {
    1: _D.ONE_DAY, 3: _D.THREE_DAYS, 5: _D.FIVE_DAYS, 7: _D.ONE_WEEK, 14: _D.TWO_WEEKS, 30: _D.ONE_MONTH,
    60: _D.TWO_MONTHS, 90: _D.THREE_MONTHS, 120: _D.FOUR_MONTHS, 150: _D.FIVE_MONTHS, 180: _D.SIX_MONTHS,
    365: _D.ONE_YEAR, 400: _D.THIRTEEN_MONTHS, 545: _D.EIGHTEEN_MONTHS, 731: _D.TWO_YEARS,
    1096: _D.THREE_YEARS, 1827: _D.FIVE_YEARS, 2192: _D.SIX_YEARS, 2557: _D.SEVEN_YEARS,
    2922: _D.EIGHT_YEARS, 3288: _D.NINE_YEARS, 3653: _D.TEN_YEARS,
}  # fmt: skip


@jsii.implements(lambda_.IDestination)
class _QueueDestination:
    """An SQS on-failure destination that grants only ``sqs:SendMessage`` (all Lambda needs), where
    CDK's SqsDestination also grants GetQueueAttributes and GetQueueUrl."""

    def __init__(self, queue: sqs.IQueue) -> None:
        self._queue = queue

    def bind(
        self, _scope: Construct, fn: lambda_.IFunction, *, type: lambda_.DestinationType
    ) -> lambda_.DestinationConfig:
        fn.add_to_role_policy(
            iam.PolicyStatement(
                sid="ReportFailedEvents", actions=["sqs:SendMessage"], resources=[self._queue.queue_arn]
            )
        )
        return lambda_.DestinationConfig(destination=self._queue.queue_arn)


class Processing(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: MonitorConfig,
        audit_store: AuditStore,
        notifications: Notifications,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)

        # Kept when the stack is deleted (the logs are part of the audit trail), but removed when a
        # first deployment rolls back, so a failed attempt leaves nothing behind.
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            retention=_RETENTION[config.log_retention_days],
            removal_policy=RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        )
        self.failures = DeadLetterQueue(
            self,
            "FailedEvents",
            holds="task events the function failed on after its retries or that outlived the maximum "
            "event age (on-failure destination; each message carries the event and the error)",
        )
        # A role of our own: the default one would carry the AWSLambdaBasicExecutionRole managed
        # policy (logs on every log group). Each statement below names what it is for.
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Braket task monitor function: read tasks, write the audit table, notify",
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="WriteOwnLogs",
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self.log_group.log_group_arn],
            )
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="ReadQuantumTasks",
                actions=["braket:GetQuantumTask"],
                resources=[_quantum_tasks_arn(stack, region) for region in _task_regions(config)],
            )
        )
        audit_store.grant_task_recording(self.role)
        notifications.grant_publish(self.role)

        self.function = lambda_.Function(
            self,
            "Function",
            description="Enriches each Braket task state change, audits it and notifies",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=HANDLER,
            code=function_code(RUNTIME, ARCHITECTURE),
            memory_size=MEMORY_MB,
            timeout=TIMEOUT,
            reserved_concurrent_executions=config.reserved_concurrency,
            retry_attempts=ASYNC_RETRY_ATTEMPTS,
            max_event_age=ASYNC_MAX_EVENT_AGE,
            on_failure=_QueueDestination(self.failures.queue),
            tracing=lambda_.Tracing.ACTIVE,
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            log_group=self.log_group,
            role=self.role,
            environment={
                "AUDIT_TABLE_NAME": audit_store.table.table_name,
                "NOTIFICATION_TOPIC_ARN": notifications.topic.topic_arn,
                "NOTIFY_STATUSES": ",".join(config.notify_statuses),
                "POWERTOOLS_SERVICE_NAME": telemetry_names.SERVICE_NAME,
                "POWERTOOLS_METRICS_NAMESPACE": telemetry_names.METRICS_NAMESPACE,
                "POWERTOOLS_LOG_LEVEL": LOG_LEVEL,
                "AWS_DATA_PATH": LAMBDA_DATA_PATH,  # the asset's newer Braket model (infra/packaging.py)
            },
        )
        self._acknowledge_findings(config)

    def _acknowledge_findings(self, config: MonitorConfig) -> None:
        policy = self.role.node.find_child("DefaultPolicy").node.default_child
        stack = Stack.of(self)
        for region in _task_regions(config):
            acknowledge(
                policy,
                f"AwsSolutions-IAM5[Resource::{_as_nag_prints_it(stack, region)}]",
                f"GetQuantumTask is called for the task named in each event, any task of this account in "
                f"{region}; the quantum-task/* resource is the narrowest the ARN allows (task ids are "
                "random), and the statement grants that one read action only.",
            )
        acknowledge(
            policy,
            "AwsSolutions-IAM5[Resource::*]",
            "xray:PutTraceSegments and xray:PutTelemetryRecords (added by active tracing) support no "
            "resource-level permissions; AWS requires Resource '*' for them. No other action uses '*'.",
        )
        acknowledge(
            self.function,
            "Serverless-LambdaDLQ",
            "Failed events go to an on-failure destination (EventInvokeConfig), which supersedes "
            "DeadLetterConfig: its record holds the event with the request context, error and retry count in "
            "one JSON document. Configuring both would put every failed event in two queues.",
        )


def _task_regions(config: MonitorConfig) -> tuple[str, ...]:
    """Regions whose tasks the function reads: the configured Braket regions (the main region only if
    it is one of them; otherwise no task lives there)."""
    return config.braket_regions


def _quantum_tasks_arn(stack: Stack, region: str) -> str:
    return stack.format_arn(service="braket", region=region, resource="quantum-task", resource_name="*")


def _as_nag_prints_it(stack: Stack, region: str) -> str:
    """The quantum-task ARN as cdk-nag writes it in a finding id: the account is a token, shown as
    <AWS::AccountId>; the partition is a literal when the stack's region is known."""
    partition = "<AWS::Partition>" if Token.is_unresolved(stack.partition) else stack.partition
    return f"arn:{partition}:braket:{region}:<AWS::AccountId>:quantum-task/*"
