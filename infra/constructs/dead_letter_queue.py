"""An SQS queue that holds what could not be delivered or processed, for a person to inspect and replay."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.nag import acknowledge

# The longest SQS keeps a message: the time a person has to notice the alarm and replay the event.
RETENTION = Duration.days(14)
# SQS's largest message, stated rather than left to a default that has changed over the years: an event
# near EventBridge's 256 KB limit plus the error attributes the function sets always fits.
MAX_MESSAGE_BYTES = 1_048_576


class DeadLetterQueue(Construct):
    """Encrypted (SQS-managed keys, which EventBridge and Lambda can write to without a key policy),
    TLS-only, and kept for 14 days. ``holds`` says what lands here, for the console and the
    acknowledgments. ``redrive_target``: another queue's redrive policy names this one, which
    AwsSolutions recognizes as a dead-letter queue by itself (the Serverless pack does not)."""

    def __init__(self, scope: Construct, construct_id: str, *, holds: str, redrive_target: bool = False) -> None:
        super().__init__(scope, construct_id)
        self.queue = sqs.Queue(
            self,
            "Queue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=RETENTION,
            max_message_size_bytes=MAX_MESSAGE_BYTES,
        )
        reason = (
            f"This queue is itself the dead-letter queue for {holds}; a person replays its messages after "
            "the alarm on it fires. Moving them on to another queue would hide them, not protect them."
        )
        if not redrive_target:
            acknowledge(self.queue, "AwsSolutions-SQS3", reason)
        acknowledge(self.queue, "Serverless-SQSRedrivePolicy", reason)
