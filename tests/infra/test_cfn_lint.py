"""cfn-lint reports no error on any synthesized template (warnings such as W3005 on CDK's DependsOn are allowed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.infra


def _cfn_lint() -> str:
    return str(Path(sys.executable).with_name("cfn-lint"))


def test_given_every_synthesized_template_then_cfn_lint_finds_no_error_in_any_of_their_regions(synthesis):
    stacks = synthesis.assembly.stacks
    regions = sorted({stack.environment.region for stack in stacks})
    templates = [stack.template_full_path for stack in stacks]

    result = subprocess.run(
        [_cfn_lint(), "--non-zero-exit-code", "error", "--regions", *regions, "--", *templates],
        capture_output=True,
        text=True,
        check=False,
    )

    assert len(templates) == 5
    assert result.returncode == 0, result.stdout + result.stderr
