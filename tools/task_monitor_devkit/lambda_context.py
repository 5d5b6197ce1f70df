"""A stand-in for the Lambda context object, for running the handler outside Lambda."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

TIMEOUT_MS = 60_000  # the deployed function's timeout

ACCOUNT_ID = "123456789012"


@dataclass
class FakeLambdaContext:
    """The attributes of a Lambda context that Powertools reads."""

    function_name: str = "braket-task-monitor"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = f"arn:aws:lambda:us-east-1:{ACCOUNT_ID}:function:braket-task-monitor"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    # What get_remaining_time_in_millis answers; a test passes its own to run the clock down.
    remaining_ms: Callable[[], int] = field(default=lambda: TIMEOUT_MS)

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms()
