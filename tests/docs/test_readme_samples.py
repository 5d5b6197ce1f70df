"""The README's sample outputs are what the commands print today, on the demo's events.

Each sample is the fenced block after the sentence that names its command line; the command runs
here through ``main`` on the embedded AWS, piped (unfolded, no colour), as a reader would run it.
"""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import pytest

from task_monitor_cli.app import main

README = Path(__file__).resolve().parents[2] / "README.md"
DEMO_TASK = "arn:aws:braket:us-east-1:123456789012:quantum-task/d6dbdceb-adbc-5c51-af17-0047bc87fffa"


def _block_after(text: str, sentence: str) -> str:
    """The first fenced block after ``sentence``, without its fences."""
    start = text.index(sentence)
    match = re.compile(r"```[a-z]*\n(.*?)```", re.DOTALL).search(text, start)
    assert match is not None, f"no fenced block after {sentence!r}"
    return match.group(1)


@pytest.mark.parametrize(
    ("sentence", "command"),
    [
        ("The last one, the task of the email above", f"history --demo {DEMO_TASK}"),
        (
            "On the demo's tasks (`task-monitor report --demo --since 2026-11-01 --until 2026-12-01`)",
            "report --demo --since 2026-11-01 --until 2026-12-01",
        ),
    ],
)
def test_a_readme_sample_is_what_the_command_prints(sentence: str, command: str, sleeps) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(shlex.split(command), out=out, err=err) == 0, err.getvalue()
    assert _block_after(README.read_text(encoding="utf-8"), sentence) == out.getvalue(), (
        f"README's sample of `task-monitor {command}` is stale: paste its output again"
    )
