"""An SNS topic with a customer managed key of its own, rotated yearly, and TLS only (the notification
topic; the main region's alarm topic is encrypted with the same key, so a deployment pays for one)."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct


def encrypted_topic(scope: Construct, *, key_description: str, display_name: str) -> tuple[kms.Key, sns.Topic]:
    """Add a ``Key`` and a ``Topic`` encrypted with it to ``scope``; requests without TLS are refused."""
    key = kms.Key(
        scope,
        "Key",
        description=key_description,
        enable_key_rotation=True,
        # The key protects messages in flight only (SNS keeps none), so it goes with the stack.
        removal_policy=RemovalPolicy.DESTROY,
    )
    topic = sns.Topic(scope, "Topic", display_name=display_name, master_key=key, enforce_ssl=True)
    return key, topic
