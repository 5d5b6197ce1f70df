"""Write the README's report picture and sample page from the demo's tasks.

    PYTHONPATH=functions:tools:. .venv/bin/python -m tests.support.report_sample [docs/images]

Writes ``report-sample.html`` (the page as ``report --html`` writes it) and ``report.png`` (headless
Chromium's screenshot of it, 1280 x 1200): `make report-sample` runs it, and a test fails while the
committed page differs from the one the demo gives today.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from task_monitor_cli.report import build_report, render_html
from tests.support.chromium import screenshot
from tests.support.demo_states import run_demo_and_read_latest_states

SINCE = datetime(2026, 11, 14, tzinfo=UTC)  # the week of the demo's tasks (2026-11-20)
UNTIL = datetime(2026, 11, 21, tzinfo=UTC)


def main(argv: list[str]) -> int:
    target = Path(argv[0] if argv else "docs/images")
    target.mkdir(parents=True, exist_ok=True)
    time.sleep = lambda seconds: None  # the demo's retry backoffs, instant (this process only)
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "CRITICAL")  # the function's log lines, off
    report = build_report(run_demo_and_read_latest_states(), since=SINCE, until=UNTIL, by="device")
    page = target / "report-sample.html"
    page.write_text(render_html(report), encoding="utf-8")
    with tempfile.TemporaryDirectory() as work:
        screenshot(page, Path(work), (target / "report.png").resolve(), 1280, 1200)
    print(f"wrote {page} and {target / 'report.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
