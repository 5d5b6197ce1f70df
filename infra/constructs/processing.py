"""The function that enriches each task event, audits it and announces it.

Sizing, and why:

* **Runtime** Python 3.14 on arm64: the newest Python aws-cdk-lib knows, and Graviton costs less per
  GB-second for this CPU-light, I/O-bound work.
* **Memory** 256 MB: the work is three network calls, but Lambda gives CPU in proportion to memory,
  and the cold start (importing botocore, loading the Braket, DynamoDB and SNS models, parsing the
  JSON responses) is CPU-bound and at 128 MB gets half the CPU. The memory is bought for CPU, not
  for space; revisit with Lambda Power Tuning once real traffic exists.
* **Timeout** 60 s: the handler starts an event of its batch only with 20 s left, and a notified
  terminal event makes five AWS calls (GetQuantumTask, a Query of the
  task's history, the TransactWriteItems, the SNS Publish, the UpdateItem that marks it sent), each
  normally well under a second. The clients retry throttling and 5xx in botocore's standard mode,
  4 attempts each (backoff at most 1+2+4 s), and GetQuantumTask's not-found-yet and still-running
  answers a few more times (0.5+1+2 s): under sustained throttling of every call that adds up to
  about 40 s, which 60 s covers. A hung connection is cut by the clients' 3 s connect / 5 s read
  timeouts, so 60 s is only reached by a genuinely stuck invocation, which Lambda then retries; the
  notification claim (90 s, ``CLAIM_TIMEOUT_SECONDS``) outlives it, so no other attempt publishes
  while this one still might.
* **Concurrency** is bounded by the SQS event source mapping's ``MaximumConcurrency`` (see
  ``ingest.py``), not by a reservation: Lambda lets a function reserve only down to 100 unreserved
  units per account, so any reservation fails the deploy on accounts whose quota is under 100 plus it.
* **Invocation**: synchronous, by the event source mapping, with SQS batches; failures stay on the
  queue (partial batch responses) and its redrive policy, not Lambda's asynchronous retries, decides
  when an event is set aside for a person.
* **Observability**: active X-Ray tracing; JSON logs (Powertools writes JSON, and EMF metrics ride
  on the same log stream) in the function's own log group with the configured retention.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import MonitorConfig
from infra.constructs.audit_store import AuditStore
from infra.constructs.notifications import Notifications
from infra.nag import acknowledge
from infra.packaging import LAMBDA_DATA_PATH, function_code
from task_monitor import telemetry_names
from task_monitor.domain.budgets.model import budgets_json

HANDLER = "task_monitor.handler.lambda_handler"
RUNTIME = lambda_.Runtime.PYTHON_3_14
ARCHITECTURE = lambda_.Architecture.ARM_64
MEMORY_MB = 256
TIMEOUT = Duration.seconds(60)
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
        # A role of our own: the default one would carry the AWSLambdaBasicExecutionRole managed
        # policy (logs on every log group). Each statement below names what it is for.
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Braket task monitor function: read tasks and jobs, write the audit table, notify",
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
                resources=[_braket_arn(stack, region, QUANTUM_TASK) for region in _task_regions(config)],
            )
        )
        # Hybrid jobs live in the same regions as tasks (a job's ARN names its region, like a task's).
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="ReadJobs",
                actions=["braket:GetJob"],
                resources=[_braket_arn(stack, region, JOB) for region in _task_regions(config)],
            )
        )
        audit_store.grant_task_recording(self.role)
        notifications.grant_publish(self.role)

        self.function = lambda_.Function(
            self,
            "Function",
            description="Enriches each Braket task, job and device event and Braket API call, audits it and notifies",
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
                "NOTIFICATION_TOPIC_ARN": notifications.topic.topic_arn,
                "NOTIFY_STATUSES": ",".join(config.notify_statuses),
                # 0: kept until deleted (domain/retention.py; the table's time to live reads expiresAt)
                "HISTORY_RETENTION_DAYS": str(config.history_retention_days or 0),
                "CALLER_DETAILS_RETENTION_DAYS": str(config.caller_details_retention_days or 0),
                "NOTIFY_CALLER_DETAILS": "true" if config.notify_caller_details else "false",
                "SPENDING_LIMIT_THRESHOLDS": ",".join(str(value) for value in config.spending_limit_thresholds),
                "POWERTOOLS_SERVICE_NAME": telemetry_names.SERVICE_NAME,
                "POWERTOOLS_METRICS_NAMESPACE": telemetry_names.METRICS_NAMESPACE,
                "POWERTOOLS_LOG_LEVEL": LOG_LEVEL,
                "AWS_DATA_PATH": LAMBDA_DATA_PATH,  # the asset's newer Braket model (infra/packaging.py)
                **({"BUDGETS": budgets_json(config.budgets)} if config.budgets else {}),
            },
        )
        if audit_store.migrating:  # the function queries the indexes this step of the migration has
            self.function.add_environment("AUDIT_TABLE_INDEXES", ",".join(sorted(audit_store.index_names)))
        if config.price_overrides:  # cdk.json "prices": entries over the shipped price table (docs/costs.md)
            self.function.add_environment("PRICE_OVERRIDES", config.price_overrides)
        if config.simulator_exact_duration:
            self._read_simulator_results(stack)
        self._acknowledge_findings(config)

    def _read_simulator_results(self, stack: Stack) -> None:
        """simulatorExactDuration: one GetObject of a completed simulator task's results.json, in the
        SDK's default result buckets (amazon-braket-<region>-<account>; other buckets are not granted)."""
        self.function.add_environment("SIMULATOR_EXACT_DURATION", "true")
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="ReadSimulatorResults",
                actions=["s3:GetObject"],
                resources=[f"arn:{stack.partition}:s3:::{SIMULATOR_RESULT_BUCKETS}-{stack.account}/*"],
            )
        )
        policy = self.role.node.find_child("DefaultPolicy").node.default_child
        assert policy is not None
        partition = "<AWS::Partition>" if Token.is_unresolved(stack.partition) else stack.partition
        acknowledge(
            policy,
            f"AwsSolutions-IAM5[Resource::arn:{partition}:s3:::{SIMULATOR_RESULT_BUCKETS}-<AWS::AccountId>/*]",
            "simulatorExactDuration reads results.json of the simulator task named in each event: any task's "
            "output directory in the account's default Braket result buckets (one per region), read only.",
        )

    def _acknowledge_findings(self, config: MonitorConfig) -> None:
        policy = self.role.node.find_child("DefaultPolicy").node.default_child
        assert policy is not None, "the role's statements make CDK create its DefaultPolicy"
        stack = Stack.of(self)
        for region in _task_regions(config):
            acknowledge(
                policy,
                f"AwsSolutions-IAM5[Resource::{_as_nag_prints_it(stack, region, QUANTUM_TASK)}]",
                f"GetQuantumTask is called for the task named in each event, any task of this account in "
                f"{region}; the quantum-task/* resource is the narrowest the ARN allows (task ids are "
                "random), and the statement grants that one read action only.",
            )
            acknowledge(
                policy,
                f"AwsSolutions-IAM5[Resource::{_as_nag_prints_it(stack, region, JOB)}]",
                f"GetJob is called for the hybrid job named in each job event or Braket API call, any job of "
                f"this account in {region}; the job/* resource is the narrowest the ARN allows (job names are "
                "the users' own), and the statement grants that one read action only.",
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
            "The function is invoked synchronously by its SQS event source mapping, never asynchronously, so a "
            "Lambda dead-letter queue would never receive anything: failed events stay on the events queue, "
            "whose redrive policy moves them to its dead-letter queue.",
        )


def _task_regions(config: MonitorConfig) -> tuple[str, ...]:
    """Regions whose tasks the function reads: the configured Braket regions (the main region only if
    it is one of them; otherwise no task lives there)."""
    return config.braket_regions


# The Braket SDK's default result buckets, amazon-braket-<region>-<account> (the account is appended).
SIMULATOR_RESULT_BUCKETS = "amazon-braket-*"

# Braket resource types the function reads, as their ARNs spell them.
QUANTUM_TASK = "quantum-task"
JOB = "job"


def _braket_arn(stack: Stack, region: str, resource: str) -> str:
    """Every ``resource`` (quantum-task, job) of this account in ``region``."""
    return stack.format_arn(service="braket", region=region, resource=resource, resource_name="*")


def _as_nag_prints_it(stack: Stack, region: str, resource: str) -> str:
    """That ARN as cdk-nag writes it in a finding id: the account is a token, shown as
    <AWS::AccountId>; the partition is a literal when the stack's region is known."""
    partition = "<AWS::Partition>" if Token.is_unresolved(stack.partition) else stack.partition
    return f"arn:{partition}:braket:{region}:<AWS::AccountId>:{resource}/*"
