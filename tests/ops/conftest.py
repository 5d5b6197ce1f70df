from __future__ import annotations

import pytest

from tests.support.faults import ConnectionFault


@pytest.fixture
def fault() -> type[ConnectionFault]:
    return ConnectionFault
