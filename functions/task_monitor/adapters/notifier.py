"""Publishing notifications to the SNS topic."""

from __future__ import annotations

from typing import Any

from task_monitor.domain.notification import Notification


class SnsPublisher:
    def __init__(self, client: Any, topic_arn: str) -> None:
        self._client = client
        self._topic_arn = topic_arn

    def publish(self, notification: Notification) -> str:
        response = self._client.publish(
            TopicArn=self._topic_arn,
            Subject=notification.subject,
            Message=notification.sns_message(),
            MessageStructure="json",
            MessageAttributes=notification.attributes,
        )
        return response["MessageId"]
