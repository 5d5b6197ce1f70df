"""An optional CloudTrail trail (context ``createTrail``), for accounts that have none.

EventBridge receives ``AWS API Call via CloudTrail`` events (the Braket CreateQuantumTask, CreateJob,
CancelQuantumTask and CancelJob calls the function joins to tasks and jobs) only while a trail logs
management events in the region of the call ("To record events with one of the CloudTrail detail-type
values, you must enable a CloudTrail trail with logging": EventBridge User Guide, "AWS service events
delivered via AWS CloudTrail"). Any trail does, an organization trail included; this one is for an
account that has none, and is off by default because a second trail's copy of management events is
billed (see docs/deployment.md, "CloudTrail trail").

What it logs is the least that serves: management **write** events (Create*/Cancel* are writes; a rule
in state ENABLED receives no read-only events anyway), in **every region** (one multi-region trail,
so every Braket region is covered, including those added later), no data events and no Insights (both
billed per event, from the first). Log file integrity validation is on (CloudTrail's digest files).

The bucket holds only the trail's log files: S3-managed encryption, public access blocked, TLS only,
objects owned by the bucket owner, and expired after ``trailRetentionDays``. It is retained when the
stack is deleted (its files are an audit record; they still expire), like the audit table's default.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.nag import acknowledge

# Multipart uploads CloudTrail leaves unfinished cost storage until aborted.
ABORT_INCOMPLETE_UPLOADS_AFTER = Duration.days(1)


class Trail(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, retention_days: int) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self,
            "Logs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ExpireTrailLogs",
                    expiration=Duration.days(retention_days),
                    abort_incomplete_multipart_upload_after=ABORT_INCOMPLETE_UPLOADS_AFTER,
                )
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        stack = Stack.of(self)
        # Named, so the bucket policy can name the trail's ARN without depending on the trail (which
        # depends on the policy: CloudTrail checks it when the trail is created).
        self.trail_name = f"{stack.stack_name}-Trail"
        self.trail_arn = stack.format_arn(service="cloudtrail", resource="trail", resource_name=self.trail_name)
        # CDK's statements let cloudtrail.amazonaws.com write here without a condition; AWS recommends
        # aws:SourceArn so that no other trail (another account's, say) can use this bucket.
        self.bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="OnlyThisTrail",
                effect=iam.Effect.DENY,
                principals=[iam.ServicePrincipal("cloudtrail.amazonaws.com")],
                actions=["s3:GetBucketAcl", "s3:PutObject"],
                resources=[self.bucket.bucket_arn, self.bucket.arn_for_objects("*")],
                conditions={"StringNotEquals": {"aws:SourceArn": self.trail_arn}},
            )
        )
        self.trail = cloudtrail.Trail(
            self,
            "Trail",
            trail_name=self.trail_name,
            bucket=self.bucket,
            is_multi_region_trail=True,
            include_global_service_events=True,
            management_events=cloudtrail.ReadWriteType.WRITE_ONLY,
            enable_file_validation=True,
            send_to_cloud_watch_logs=False,
        )
        acknowledge(
            self.bucket,
            "AwsSolutions-S1",
            "This bucket receives only CloudTrail's log files. Server access logs would need a second bucket "
            "(itself unlogged); tampering with the log files is detected by the trail's integrity validation "
            "(signed digest files), public access is blocked, TLS is enforced, and reads are governed by IAM.",
        )
