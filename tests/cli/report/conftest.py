"""The report's fixtures: the demo's tasks, as the pipeline really writes their latest states."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.demo_states import run_demo_and_read_latest_states


@pytest.fixture(scope="session")
def demo_latest_states() -> list[dict[str, Any]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("time.sleep", lambda seconds: None)  # the demo's retry backoffs, instant
        return run_demo_and_read_latest_states()
