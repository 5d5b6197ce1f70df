"""The mutation check (``make mutation``): the fault suite must fail on each planted bug.

Runs the suite below once unmutated (it must pass) and once per mutation of ``tests/mutations.py``
(``TASK_MONITOR_MUTATION=<name>``, Hypothesis without shrinking), each in its own pytest process
that stops at the first failure. A mutation is killed when some test failed; it survived when the
whole suite passed. Prints a table (mutation, verdict, the first test that failed and why, time),
writes it to ``docs/mutation.md`` with ``--write``, and exits non-zero if the unmutated suite fails
or any mutation survives.

    python -m tests.run_mutations [--write] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.mutations import ENVIRONMENT_VARIABLE, MUTATIONS

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "mutation.md"
# The fault suite first (the oracle is what must catch these bugs), then the claim and mark tests.
SUITE = (
    "tests/e2e/test_fault_injection.py",
    "tests/e2e/test_fault_injection_kinds.py",
    "tests/e2e/test_fault_injection_budgets.py",
    "tests/e2e/test_fault_injection_spend.py",
    "tests/adapters/test_audit_store.py",
)
_FAILED = re.compile(r"^FAILED (\S+)(?: - (.*))?$", re.MULTILINE)
_STATS = re.compile(r"^fault injection: .*$", re.MULTILINE)
_SUMMARY = re.compile(r"^=* ?(\d+ (?:passed|failed|error).*? in [\d.]+s(?: \([\d:]+\))?) ?=*$", re.MULTILINE)


@dataclass(frozen=True)
class Outcome:
    name: str
    bug: str
    returncode: int
    seconds: float
    output: str

    @property
    def failed_test(self) -> str:
        found = _FAILED.search(self.output)
        return found.group(1) if found else ""

    @property
    def why(self) -> str:
        found = _FAILED.search(self.output)
        return (found.group(2) or "").strip()[:160] if found else ""

    @property
    def summary(self) -> str:
        found = _SUMMARY.findall(self.output)
        return found[-1] if found else f"pytest exited {self.returncode}"

    @property
    def stats(self) -> str:
        found = _STATS.search(self.output)
        return found.group(0) if found else ""


def run(name: str, bug: str) -> Outcome:
    # COLUMNS: wide enough that the short summary keeps each failure's message after its test id.
    environment = {**os.environ, "HYPOTHESIS_PROFILE": "mutation", ENVIRONMENT_VARIABLE: name, "COLUMNS": "1000"}
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *SUITE]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, check=False)
    output = done.stdout + done.stderr
    if name and f"MUTATION APPLIED: {name}" not in output:
        raise SystemExit(f"the mutation {name} was not applied (no header line from tests/conftest.py):\n{output}")
    return Outcome(name or "(none)", bug, done.returncode, time.perf_counter() - started, output)


def verdict(outcome: Outcome) -> str:
    """killed (a test failed: pytest exit 1), survived (exit 0) or error (the run itself broke)."""
    return {0: "survived", 1: "killed"}.get(outcome.returncode, f"error (pytest exit {outcome.returncode})")


def table(baseline: Outcome, outcomes: list[Outcome]) -> str:
    lines = [
        "| mutation | planted bug | result | killed by (first failing test: why) | time |",
        "|---|---|---|---|---|",
        f"| (none) | the unmutated function | {'passes' if baseline.returncode == 0 else 'FAILS'}: "
        f"{baseline.summary} | | {baseline.seconds:.0f} s |",
    ]
    for outcome in outcomes:
        killer = f"`{outcome.failed_test}`: {outcome.why}".replace("|", "\\|") if outcome.failed_test else ""
        lines.append(f"| `{outcome.name}` | {outcome.bug} | {verdict(outcome)} | {killer} | {outcome.seconds:.0f} s |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write the table to {DOC.relative_to(ROOT)}")
    parser.add_argument("--only", nargs="*", choices=list(MUTATIONS), help="run only these mutations")
    arguments = parser.parse_args()
    started = time.perf_counter()
    print(f"mutation check: {len(SUITE)} test files, unmutated first", flush=True)
    baseline = run("", "")
    print(f"  (none): {baseline.summary} in {baseline.seconds:.0f} s", flush=True)
    outcomes = []
    for name in arguments.only or MUTATIONS:
        outcome = run(name, MUTATIONS[name].bug)
        print(f"  {name}: {verdict(outcome)} {outcome.failed_test} in {outcome.seconds:.0f} s", flush=True)
        outcomes.append(outcome)
    total = time.perf_counter() - started
    report = table(baseline, outcomes)
    print(report)
    print(f"mutation check took {total:.0f} s")
    if arguments.write:
        _write(report, baseline, total)
    survived = [outcome.name for outcome in outcomes if verdict(outcome) != "killed"]
    if baseline.returncode != 0:
        print("the unmutated suite fails: fix it first", file=sys.stderr)
        return 1
    if survived:
        print(f"not killed: {', '.join(survived)}", file=sys.stderr)
        return 1
    return 0


def _write(report: str, baseline: Outcome, total: float) -> None:
    text = DOC.read_text(encoding="utf-8")
    begin, end = "<!-- mutation-table:begin -->", "<!-- mutation-table:end -->"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    body = (
        f"{begin}\n{report}\n\nThe whole check took {total:.0f} s. The unmutated run's line:\n\n"
        f"```text\n{baseline.stats}\n```\n{end}"
    )
    DOC.write_text(head + body + tail, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
