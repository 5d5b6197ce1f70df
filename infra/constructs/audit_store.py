"""The audit table: every task event and each task's latest state, built from ``task_monitor.audit_schema``."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

from task_monitor import audit_schema

# The indexes the function queries (issue 8): a job's tasks (byJob) and tasks by latest status (byStatus).
# Add an index here if the function starts querying it; the least-privilege test lists them too.
FUNCTION_QUERIED_INDEXES = (audit_schema.JOB_INDEX, audit_schema.STATUS_INDEX)


def _string_key(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


def _projection(index: audit_schema.IndexDefinition) -> dict:
    if index.projection is None:
        return {"projection_type": dynamodb.ProjectionType.ALL}
    if not index.projection:
        return {"projection_type": dynamodb.ProjectionType.KEYS_ONLY}
    return {"projection_type": dynamodb.ProjectionType.INCLUDE, "non_key_attributes": list(index.projection)}


class AuditStore(Construct):
    """On-demand (task events come in bursts, and idle months cost nothing), point-in-time recovery
    (35 days of restorable history), encrypted at rest with the AWS managed key for DynamoDB (no key
    to administer, and every write is recorded in CloudTrail), and by default protected from deletion
    and retained when the stack is deleted: the table is the audit record.
    ``retain=False`` (context ``tableRemovalPolicy: destroy``) is for throwaway deployments: it turns
    deletion protection off too, or CloudFormation could not delete the table."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        retain: bool,
        migration_step: int = audit_schema.FINAL_MIGRATION_STEP,
    ) -> None:
        super().__init__(scope, construct_id)
        # A stack made before issue 15 moves to the new indexes one deploy per index
        # (audit_schema.MIGRATION_STEPS; CloudFormation creates or deletes one index per update).
        self.indexes = audit_schema.MIGRATION_STEPS[migration_step]
        self.migrating = migration_step != audit_schema.FINAL_MIGRATION_STEP
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=_string_key(audit_schema.PARTITION_KEY),
            sort_key=_string_key(audit_schema.SORT_KEY),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=retain,
            # Items carry their own expiry (domain/retention.py); with none, an item is kept.
            time_to_live_attribute=audit_schema.EXPIRY_ATTRIBUTE,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
        )
        for index in self.indexes:
            self.table.add_global_secondary_index(
                index_name=index.name,
                partition_key=_string_key(index.partition_key),
                sort_key=_string_key(index.sort_key),
                **_projection(index),
            )

    @property
    def index_names(self) -> frozenset[str]:
        return frozenset(index.name for index in self.indexes)

    def grant_task_recording(self, grantee: iam.IGrantable) -> None:
        """What the function does, and nothing more: a transaction of ``PutItem`` (the event) and
        ``UpdateItem`` (the latest state), each also usable alone, ``GetItem`` (a device's latest
        state, read before deciding whether its change is news) and ``Query`` on the table itself
        (a task's or job's history); and ``Query`` on the indexes the function reads (:data:`FUNCTION_QUERIED_INDEXES`),
        named one by one rather than ``index/*``. ``byDevice`` serves the read API only."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                sid="RecordTaskEvents",
                actions=["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"],
                resources=[self.table.table_arn],
            )
        )
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                sid="QueryIndexes",
                actions=["dynamodb:Query"],
                resources=[
                    f"{self.table.table_arn}/index/{audit_schema.in_service(index, self.index_names).name}"
                    for index in FUNCTION_QUERIED_INDEXES
                ],
            )
        )
