"""A simulator task's exact execution time, from its result object in S3 (an option, off by default).

Braket writes ``results.json`` in the task's output directory; its
``additionalMetadata.simulatorMetadata.executionDuration`` is the billed duration in milliseconds
(the SDK's Tracker reads it there). One GetObject per completed simulator task. Anything that keeps
the number from being read (no access, a KMS key the role cannot use, no object, a result larger than
``MAX_RESULT_BYTES``, another shape) is not an error of the event: the answer says why, and the cost
falls back to the running time between events.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

RESULT_FILE = "results.json"
# A result with every shot's measurements can be large; the metadata is not worth reading megabytes.
MAX_RESULT_BYTES = 4 * 1024 * 1024


class S3SimulatorDurations:
    """Reads ``executionDuration`` with one S3 client made on first use (not at cold start); botocore
    follows a bucket in another region by itself."""

    def __init__(self, make_client: Callable[[], Any], *, max_bytes: int = MAX_RESULT_BYTES) -> None:
        self._make_client = make_client
        self._client: Any = None
        self._max_bytes = max_bytes

    def execution_ms(self, bucket: str, directory: str) -> tuple[int | None, str | None]:
        """(milliseconds, None), or (None, why it could not be read)."""
        if self._client is None:
            self._client = self._make_client()
        key = f"{directory.strip('/')}/{RESULT_FILE}" if directory.strip("/") else RESULT_FILE
        try:
            answer = self._client.get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{self._max_bytes}")
            body = answer["Body"].read(self._max_bytes + 1)
        except ClientError as error:
            return None, f"s3://{bucket}/{key}: {error.response.get('Error', {}).get('Code', 'error')}"
        except BotoCoreError as error:
            return None, f"s3://{bucket}/{key}: {type(error).__name__}"
        if len(body) > self._max_bytes:
            return None, f"s3://{bucket}/{key} is larger than {self._max_bytes} bytes"
        return _duration(body, f"s3://{bucket}/{key}")


def _duration(body: bytes, where: str) -> tuple[int | None, str | None]:
    try:
        result = json.loads(body)
        value = result["additionalMetadata"]["simulatorMetadata"]["executionDuration"]
    except (ValueError, KeyError, TypeError):
        return None, f"{where} has no additionalMetadata.simulatorMetadata.executionDuration"
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None, f"{where}: executionDuration {value!r} is not a whole number of milliseconds"
    return value, None
