"""A response body botocore can read, for answers made in-process (the emulator, canned answers, injected faults)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class RawBody:
    """The little of urllib3's response botocore reads for a non-streaming body."""

    def __init__(self, payload: bytes) -> None:
        self._payload = payload

    def stream(self, **_: Any) -> Iterator[bytes]:
        if self._payload:
            yield self._payload
        self._payload = b""

    def read(self, amt: int | None = None) -> bytes:
        chunk = self._payload if amt is None else self._payload[:amt]
        self._payload = self._payload[len(chunk) :]
        return chunk
