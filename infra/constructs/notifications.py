"""The notification topic: task state changes people asked for, by email, optionally filtered."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infra.config import EmailSubscription
from infra.constructs.encrypted_topic import encrypted_topic
from infra.nag import acknowledge

# The email subscriptions get no dead-letter queue, deliberately: see _acknowledge_no_redrive.
NO_REDRIVE_REASON = (
    "Email subscription without a dead-letter queue: the notification is a courtesy copy of a task "
    "state the audit table has already stored durably (queryable by status, device and job), so an "
    "undeliverable email loses no record. An SNS dead-letter queue would also have to be encrypted "
    "with a customer key whose policy admits SNS, a second key and alarm for no data that is not kept."
)


def email_subscription(subscription: EmailSubscription) -> subscriptions.EmailSubscription:
    """An email subscription whose filter policy matches the message attributes the function sets
    (``status``, ``deviceArn``, ``provider``, ``tags`` as "key=value" strings)."""
    values = subscription.filter_policy_values()
    return subscriptions.EmailSubscription(
        subscription.address,
        filter_policy={
            attribute: sns.SubscriptionFilter.string_filter(allowlist=allowed) for attribute, allowed in values.items()
        }
        or None,
    )


class Notifications(Construct):
    """An SNS topic encrypted with a customer managed key (rotated yearly; the main region's alarm topic
    shares it, see ``Monitoring``), refusing any request not made over TLS, with one email subscription
    per ``notificationEmails`` entry."""

    def __init__(self, scope: Construct, construct_id: str, *, emails: tuple[EmailSubscription, ...]) -> None:
        super().__init__(scope, construct_id)
        self.key, self.topic = encrypted_topic(
            self,
            key_description="Encrypts the Braket task monitor's notification and alarm topics",
            display_name="Braket task notifications",
        )
        for subscription in emails:
            added = self.topic.add_subscription(email_subscription(subscription))
            acknowledge(added, "Serverless-SNSRedrivePolicy", NO_REDRIVE_REASON)

    def grant_publish(self, grantee: iam.IGrantable) -> None:
        """``sns:Publish`` on this topic, and the two key actions SNS needs for a publisher to an
        encrypted topic (``kms:GenerateDataKey`` for the message's data key, ``kms:Decrypt`` to reuse
        it) on this key only, and only through SNS in this region (``kms:ViaService``): the role cannot use
        the key directly, or through another service."""
        principal = grantee.grant_principal
        principal.add_to_principal_policy(
            iam.PolicyStatement(sid="PublishNotifications", actions=["sns:Publish"], resources=[self.topic.topic_arn])
        )
        principal.add_to_principal_policy(
            iam.PolicyStatement(
                sid="EncryptNotifications",
                actions=["kms:GenerateDataKey", "kms:Decrypt"],
                resources=[self.key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"sns.{Stack.of(self).region}.amazonaws.com"}},
            )
        )
