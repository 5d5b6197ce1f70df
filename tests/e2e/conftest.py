from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import botocore.handlers
import pytest

from tests.support.faults import ConnectionFault, ErrorAnswer


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


@pytest.fixture
def fault() -> type[ConnectionFault]:
    return ConnectionFault


@pytest.fixture
def error_answer() -> type[ErrorAnswer]:
    return ErrorAnswer


def pytest_terminal_summary(terminalreporter) -> None:
    """One line: how many bad-input cases there are, by outcome and category; one for fault injection."""
    from tests.e2e.test_bad_input import CASES, corpus_summary
    from tests.support.fault_runs import STATS

    if CASES:
        terminalreporter.write_line(corpus_summary())
    if STATS.runs:
        terminalreporter.write_line(STATS.line())
