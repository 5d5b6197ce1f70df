from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import botocore.handlers
import pytest
from botocore.exceptions import ConnectionClosedError


@contextlib.contextmanager
def cold_start_with(aws, event_name: str, hook: Callable[..., Any], *, last: bool = False) -> Iterator[None]:
    """Reload the handler with an extra botocore hook in every client it makes, then remove it."""
    entry = (event_name, hook, botocore.handlers.REGISTER_LAST) if last else (event_name, hook)
    botocore.handlers.BUILTIN_HANDLERS.append(entry)
    try:
        aws.load_handler()
        yield
    finally:
        botocore.handlers.BUILTIN_HANDLERS.remove(entry)
        aws.load_handler()


class ConnectionFault:
    """Raises as if the connection dropped, for the operation named, ``times`` times."""

    def __init__(self, operation: str, times: int = 1_000) -> None:
        self.operation, self.remaining, self.raised = operation, times, 0

    def __call__(self, request, event_name: str = "", **_: Any) -> None:
        if event_name.endswith(f".{self.operation}") and self.remaining > 0:
            self.remaining -= 1
            self.raised += 1
            raise ConnectionClosedError(endpoint_url=request.url)


@pytest.fixture
def fault() -> type[ConnectionFault]:
    return ConnectionFault


def pytest_terminal_summary(terminalreporter) -> None:
    """One line: how many bad-input cases there are, by outcome and category."""
    from tests.e2e.test_bad_input import CASES, corpus_summary

    if CASES:
        terminalreporter.write_line(corpus_summary())
