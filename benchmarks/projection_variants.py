"""Write units per event for other index projections: the figures behind the listings' decisions
(docs/table-design.md, "Listings: what they read"), measured as ``measured_writes`` measures the
deployed ones (same mix, same meter), with two variations of the tasks:

* ``--creators``: each task's CreateQuantumTask call (CloudTrail) arrives before its first state, so
  latest states name their creator (``createdBy``), as in an account with the CloudTrail rule on;
* ``--big-tags``: every task carries four tags of about 100 bytes in all, instead of the emulator's two.

    python benchmarks/projection_variants.py --creators --big-tags
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "functions"), str(ROOT / "tools")]

from benchmarks import measured_writes  # noqa: E402
from benchmarks.cost_model import mix_mean  # noqa: E402

BIG_TAGS = {"project": "vqe-h2-ground-state", "owner": "alice@example.com", "costCentre": "qlab-4411", "run": "h2-07"}
# name -> attributes added to each index's projection, or removed (a leading "-")
VARIANTS: dict[str, dict[str, tuple[str, ...]]] = {
    "deployed": {},
    "without timings in byStatus": {"byStatus-v2": ("-timings",)},
    "tags in byStatus": {"byStatus-v2": ("tags",)},
    "status and its facts in byDevice": {
        "byDevice-v2": ("status", "eventTime", "numSuccessfulShots", "estimatedCost", "timings")
    },
}


def _changed(index: Any, change: tuple[str, ...]) -> Any:
    removed = {name[1:] for name in change if name.startswith("-")}
    added = tuple(name for name in change if not name.startswith("-"))
    kept = tuple(name for name in index.projection or () if name not in removed)
    return dataclasses.replace(index, projection=kept + added)


@contextmanager
def _indexes(changes: dict[str, tuple[str, ...]]) -> Iterator[None]:
    from task_monitor import audit_schema

    deployed = audit_schema.INDEXES
    audit_schema.INDEXES = tuple(_changed(index, changes.get(index.name, ())) for index in deployed)
    try:
        yield
    finally:
        audit_schema.INDEXES = deployed


@contextmanager
def _tasks(*, creators: bool, big_tags: bool) -> Iterator[None]:
    from task_monitor_devkit.builders import api_call, task

    described, run = task.description, measured_writes._run

    def description(*args: Any, **fields: Any) -> dict[str, Any]:
        return described(*args, **({"tags": dict(BIG_TAGS)} | fields))

    def with_creator(aws: Any, meter: Any, event: dict[str, Any], path: str, **kept: Any) -> None:
        if event["detail"].get("status") == "CREATED":  # the call first; its own writes are not counted
            invocation = aws.send(api_call.create_task_call(event["detail"]["quantumTaskArn"]))
            if invocation.error is not None:
                raise RuntimeError(f"the creator's call failed: {invocation.error!r}")
            meter.take()
        run(aws, meter, event, path, **kept)

    if big_tags:
        task.description = description
    if creators:
        measured_writes._run = with_creator
    try:
        yield
    finally:
        task.description, measured_writes._run = described, run


def measure(*, creators: bool, big_tags: bool) -> dict[str, float]:
    """The mix's write units per event for each variant (``mix_mean`` of the deployed shapes)."""
    figures = {}
    with _tasks(creators=creators, big_tags=big_tags):
        for name, changes in VARIANTS.items():
            with _indexes(changes):
                paths = measured_writes.measure()["paths"]
            figures[name] = round(mix_mean({path: values["deployed"] for path, values in paths.items()}), 3)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creators", action="store_true", help="creators known (CloudTrail calls joined)")
    parser.add_argument("--big-tags", action="store_true", help="four tags of about 100 bytes on every task")
    args = parser.parse_args()
    figures = measure(creators=args.creators, big_tags=args.big_tags)
    print(f"write units per event, mix (creators known: {args.creators}, big tags: {args.big_tags}):", file=sys.stderr)
    for name, units in figures.items():
        print(f"  {name:36} {units:7.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
