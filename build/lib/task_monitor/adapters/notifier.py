"""Publishing notifications to the SNS topic."""

from __future__ import annotations

from typing import Any

from task_monitor.adapters.refusals import SNS, permanent_refusals
from task_monitor.domain.notification_model import Notification

# botocore's standard retry mode waits at most random() * 2 ** (attempt - 1) s (capped at 20 s) before
# each retry.
_MAX_BACKOFF_SECONDS = 20


class SnsPublisher:
    def __init__(self, client: Any, topic_arn: str) -> None:
        self._client = client
        self._topic_arn = topic_arn
        self.longest_publish_seconds = longest_call_seconds(client.meta.config)

    @permanent_refusals(SNS)
    def publish(self, notification: Notification) -> str:
        """Publish; a message SNS refuses for itself (``InvalidParameter``: too long, a bad attribute)
        raises ``RequestRefusedError``, throttling and 5xx pass (botocore retried them already)."""
        response = self._client.publish(
            TopicArn=self._topic_arn,
            Subject=notification.subject,
            Message=notification.sns_message(),
            MessageStructure="json",
            MessageAttributes=notification.attributes,
        )
        return response["MessageId"]


def longest_call_seconds(config: Any) -> float:
    """The longest one call can take with this client configuration: every attempt connecting and
    reading up to its timeouts, plus the longest backoff before each retry (standard retry mode)."""
    retries = config.retries or {}
    attempts = retries.get("total_max_attempts") or (retries.get("max_attempts", 4) + 1)
    per_attempt = float(config.connect_timeout) + float(config.read_timeout)
    backoff = sum(min(2**retry, _MAX_BACKOFF_SECONDS) for retry in range(attempts - 1))
    return attempts * per_attempt + backoff
