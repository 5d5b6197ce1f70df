"""Warm per-event figures for one container, AWS answered in-process at botocore's HTTP layer (no moto).

Run as a fresh interpreter by ``benchmarks/run.py`` (one container per measurement); logs go to
stdout as in Lambda (``run.py`` discards them), figures to the JSON file named by ``--out``.

    python benchmarks/per_event.py cpu --out figures.json           # ms/event per path, handler vs baseline
    python benchmarks/per_event.py cpu --no-validation --out f.json # the same, botocore parameter validation off
    python benchmarks/per_event.py memory --events 30000 --out f.json  # RSS over a long burst
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "functions"), str(ROOT / "tools")]

from benchmarks.environment import FUNCTION_ENVIRONMENT as ENVIRONMENT  # noqa: E402
from task_monitor_devkit.builders.task import task_arn, task_event  # noqa: E402

os.environ.update(ENVIRONMENT)

# path name -> (event status, the audit table's answer to the transaction)
PATHS = {
    "queued_new": ("QUEUED", "new"),
    "completed_notified": ("COMPLETED", "new"),
    "duplicate": ("QUEUED", "duplicate"),
    "late_queued_after_completed": ("QUEUED", "late"),
}
BATCH = 10
PAGE_SIZE = 4096
_KEEP: list[Any] = []


def event(status: str, arn: str | None = None) -> dict[str, Any]:
    """A task event on Forte-1, of a new task unless ``arn`` is given, with an id never seen before."""
    return task_event(status, arn=arn or task_arn(task_id=str(uuid.uuid4())), event_id=str(uuid.uuid4()))


def sqs_batch(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": "handle",
                "body": json.dumps(item),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:braket-task-monitor-events",
                "awsRegion": "us-east-1",
            }
            for item in events
        ]
    }


class CallCounter:
    """``before-call`` hook: AWS API calls by operation (retries are not calls)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def __call__(self, model: Any = None, **_: Any) -> None:
        self.counts[model.name] += 1


def rss_mb() -> float:
    """Current RSS (not the peak) of this process."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_SIZE / 1024 / 1024


def peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM: unlike ru_maxrss, not inherited from the parent across exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise LookupError("no VmHWM in /proc/self/status")


def validation_share(invoke: Any, status: str, batches: int = 5) -> float:
    """Share of the CPU profile spent in botocore's ParamValidator.validate (a profiler's view)."""
    import cProfile
    import pstats

    prepared = [sqs_batch([event(status) for _ in range(BATCH)]) for _ in range(batches)]
    profile = cProfile.Profile()
    profile.enable()
    for batch in prepared:
        invoke(batch)
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in stats.values())
    validating = sum(
        entry[3]
        for (filename, _, function), entry in stats.items()
        if filename.endswith(os.path.join("botocore", "validate.py")) and function == "validate"
    )
    return validating / total if total else 0.0


def container(no_validation: bool) -> tuple[Any, Any, CallCounter, Any]:
    """Import the handler (a cold start) with AWS answered in-process; its clients get the answers."""
    import botocore.handlers
    import botocore.session
    from botocore.config import Config

    from task_monitor_devkit.http_answers import CannedAws, installed
    from task_monitor_devkit.lambda_context import FakeLambdaContext

    if no_validation:
        create_client = botocore.session.Session.create_client

        def without_validation(self: Any, *args: Any, config: Config | None = None, **kwargs: Any) -> Any:
            off = Config(parameter_validation=False)
            return create_client(self, *args, config=config.merge(off) if config else off, **kwargs)

        botocore.session.Session.create_client = without_validation
    canned = CannedAws()
    counter = CallCounter()
    installation = installed(canned)  # for the life of this process (kept: collecting it would uninstall)
    installation.__enter__()
    _KEEP.append(installation)
    botocore.handlers.BUILTIN_HANDLERS.append(("before-call", counter))
    from task_monitor import handler

    return handler, canned, counter, FakeLambdaContext


def per_path_cpu(invoke: Any, canned: Any, counter: CallCounter, batches: int, rounds: int) -> dict[str, Any]:
    """Median CPU ms per event over ``rounds`` rounds of ``batches`` batches of 10, for each path."""
    figures = {}
    for name, (status, transact) in PATHS.items():
        canned.transact = transact
        for _ in range(10):  # warm up this path
            invoke(sqs_batch([event(status) for _ in range(BATCH)]))
        counter.counts.clear()
        samples = []
        for _ in range(rounds):
            prepared = [sqs_batch([event(status) for _ in range(BATCH)]) for _ in range(batches)]
            started = time.process_time()
            for batch in prepared:
                invoke(batch)
            samples.append((time.process_time() - started) * 1000 / (batches * BATCH))
        events = rounds * batches * BATCH
        calls = {op: round(count / events, 3) for op, count in sorted(counter.counts.items())}
        figures[name] = {
            "cpu_ms_per_event": round(statistics.median(samples), 3),
            "calls_per_event": calls,
            "parameter_validation_profile_share": round(validation_share(invoke, status), 3),
        }
    canned.transact = "new"
    return figures


def measure_cpu(args: argparse.Namespace) -> dict[str, Any]:
    handler, canned, counter, context_type = container(args.no_validation)
    context = context_type()

    def invoke(batch: dict[str, Any]) -> None:
        answer = handler.lambda_handler(batch, context)
        if answer["batchItemFailures"]:
            raise RuntimeError(f"the benchmark's batch failed: {answer}")

    result = {"handler": per_path_cpu(invoke, canned, counter, args.batches, args.rounds)}
    from benchmarks.baseline import BaselineFunction

    baseline = BaselineFunction(no_validation=args.no_validation)
    result["baseline"] = per_path_cpu(
        lambda batch: baseline.handle(batch, context), canned, counter, args.batches, args.rounds
    )
    return result


def measure_memory(args: argparse.Namespace) -> dict[str, Any]:
    """RSS of one warm container over a long burst: a mix of the four statuses (a quarter notified)."""
    handler, _canned, _, context_type = container(False)
    context = context_type()
    statuses = ["CREATED", "QUEUED", "RUNNING", "COMPLETED"]
    samples: list[tuple[int, float]] = [(0, rss_mb())]
    snapshots: dict[int, Any] = {}
    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start(args.tracemalloc)
    done = 0
    while done < args.events:
        handler.lambda_handler(sqs_batch([event(statuses[(done + k) % 4]) for k in range(BATCH)]), context)
        done += BATCH
        if done % 1000 == 0:
            samples.append((done, rss_mb()))
        if args.tracemalloc and done in (args.events // 3, args.events):
            import gc

            gc.collect()
            snapshots[done] = tracemalloc.take_snapshot()
    result: dict[str, Any] = {"events": done, "rss_mb": samples, "peak_rss_mb": round(peak_rss_mb(), 1)}
    if snapshots:
        first, last = sorted(snapshots)
        stats = snapshots[last].compare_to(snapshots[first], "traceback")[:8]
        result["growth_top"] = [
            {"size_diff_kb": round(s.size_diff / 1024, 1), "count_diff": s.count_diff, "where": s.traceback.format()}
            for s in stats
        ]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["cpu", "memory"])
    parser.add_argument("--out", required=True)
    parser.add_argument("--no-validation", action="store_true")
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--events", type=int, default=12_000)
    parser.add_argument("--tracemalloc", type=int, default=0, help="frames to keep (0: off)")
    args = parser.parse_args()
    result = measure_cpu(args) if args.what == "cpu" else measure_memory(args)
    Path(args.out).write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
