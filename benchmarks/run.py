"""Cold-start benchmark: the function's cold start against the floor, Lambda's own.

The floor: a Python whose only library is a compiled boto3 (the Lambda runtime's), importing boto3
and creating the braket, dynamodb and sns clients. Goal: the handler's cold start (its logger and
metrics writer included, its clients created) takes at most 1.15 times the floor. Each sample is
a fresh interpreter; samples of the kinds compared alternate so machine noise hits them alike;
medians are compared.

Three measurements:

* **venv**: this checkout's venv, bytecode cached (the developer's view; not what Lambda pays);
* **Lambda-like**, as Lambda runs it: the asset built by ``infra.packaging.build_asset`` in a
  read-only directory, ``python -E -s -B`` (nothing written, nothing from the environment), the path
  ``[asset, runtime SDK]`` (``.build/runtime-sdk``: requirements-runtime-sdk.txt installed and
  compiled, standing in for /var/runtime), ``AWS_DATA_PATH`` and tracing set as in the template;
  the floor on ``[runtime SDK]`` alone. Two assets:

  (a) the asset as deployed. Its bytecode is for Lambda's Python 3.14; this machine's Python ignores
      it, so this is the worst case: an asset without bytecode, compiled at every cold start;
  (b) the same build compiled for this machine's Python: the model of Lambda running the shipped
      3.14 bytecode. The goal is judged on (b).

Then, per event, in warm containers with AWS answered in-process at botocore's HTTP layer (no moto;
``benchmarks/per_event.py``): CPU per event by path beside a plain-boto3 baseline
(``benchmarks/baseline.py``), with botocore's parameter validation on and off; AWS calls per event by
path (``before-call`` hooks); RSS of one container over a burst; and the cost per million events
(``benchmarks/cost_model.py``) from those figures and a stated AWS latency per call.

Figures go to ``benchmarks/results.json`` (one entry per measurement; other entries are kept).

    make bench                      # or: python benchmarks/run.py --samples 21
    python benchmarks/run.py --only per-event   # skip the cold start (no asset build)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import stat
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "functions"), str(ROOT / "tools")]

from benchmarks.environment import FUNCTION_ENVIRONMENT  # noqa: E402
from infra.constructs.processing import ARCHITECTURE, RUNTIME  # noqa: E402
from infra.packaging import MODELS_DIR, asset_size, build_asset, local_python_command  # noqa: E402

GOAL = 1.15
ASSET_GOAL_BYTES = 5 * 1024 * 1024
RUNTIME_SDK = ROOT / ".build" / "runtime-sdk"
RESULTS = Path(__file__).resolve().parent / "results.json"
MB = 1024 * 1024

START = """
import time, resource
start = time.perf_counter()
"""

FLOOR = (
    START
    + """
import boto3
clients = [boto3.client(name) for name in ("braket", "dynamodb", "sns")]
"""
)

HANDLER = (
    START
    + """
import task_monitor.handler
"""
)

REPORT = """
elapsed = time.perf_counter() - start
import json
print(json.dumps({"ms": elapsed * 1000, "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

BASE_ENVIRONMENT = {
    **FUNCTION_ENVIRONMENT,
    "PATH": os.environ.get("PATH", ""),
}

Sampler = Callable[[], dict[str, float]]


def venv_sampler(code: str) -> Sampler:
    """A fresh venv interpreter with functions/ on PYTHONPATH; tracing on, as in Lambda."""
    environment = {
        **BASE_ENVIRONMENT,
        "LAMBDA_TASK_ROOT": str(ROOT / "functions"),
        "PYTHONPATH": str(ROOT / "functions"),
    }
    return lambda: _run([sys.executable, "-c", code + REPORT], environment)


def lambda_sampler(code: str, path: list[Path], asset: Path | None) -> Sampler:
    """A fresh interpreter as Lambda starts one: -E -s -B, the given path first, AWS_DATA_PATH set."""
    environment = dict(BASE_ENVIRONMENT)
    if asset is not None:
        environment |= {"LAMBDA_TASK_ROOT": str(asset), "AWS_DATA_PATH": str(asset / MODELS_DIR)}
    prelude = f"import sys\nsys.path[:0] = {[str(entry) for entry in path]!r}\n"
    return lambda: _run([sys.executable, "-E", "-s", "-B", "-c", prelude + code + REPORT], environment)


def _run(command: list[str], environment: dict[str, str]) -> dict[str, float]:
    completed = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"benchmark sample failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def compare(samplers: dict[str, Sampler], samples: int) -> dict[str, dict[str, float]]:
    """Median ms and peak RSS of each sampler, interleaved sample by sample."""
    for sampler in samplers.values():
        sampler()  # warm the file system cache
    results: dict[str, list[dict[str, float]]] = {name: [] for name in samplers}
    for _ in range(samples):
        for name, sampler in samplers.items():
            results[name].append(sampler())
    return {
        name: {
            "median_ms": round(statistics.median(s["ms"] for s in runs), 1),
            "peak_rss_mb": round(statistics.median(s["rss_kb"] for s in runs) / 1024, 1),
        }
        for name, runs in results.items()
    }


def read_only_copy(source: Path, destination: Path) -> Path:
    """Copy an asset and make it read-only, as /var/task is: Python can write no bytecode into it."""
    shutil.copytree(source, destination)
    for path in [destination, *destination.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    return destination


def make_writable(directory: Path) -> None:
    for path in [directory, *directory.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=15)
    parser.add_argument("--only", choices=["cold-start", "per-event", "write-units"])
    parser.add_argument("--burst-events", type=int, default=10_000)
    args = parser.parse_args()
    passed = True
    if args.only in (None, "cold-start"):
        passed = cold_start(args)
    if args.only == "write-units":
        write_units_per_event(_measured_writes())
    elif args.only != "cold-start":
        passed = per_event(args) and passed
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


def cold_start(args: argparse.Namespace) -> bool:
    if not (RUNTIME_SDK / "boto3").is_dir():
        print(f"{RUNTIME_SDK} is missing: run `make bench` (it installs requirements-runtime-sdk.txt)")
        return False

    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        built, built_local = work / "built", work / "built-local"
        bytecode = build_asset(built, RUNTIME, ARCHITECTURE)
        build_asset(
            built_local,
            RUNTIME,
            ARCHITECTURE,
            compile_command=local_python_command(built_local),
            cache_tag=sys.implementation.cache_tag,
        )
        deployed = read_only_copy(built, work / "task-a")
        local = read_only_copy(built_local, work / "task-b")
        unzipped, zipped = asset_size(built)

        venv = compare({"floor": venv_sampler(FLOOR), "handler": venv_sampler(HANDLER)}, args.samples)
        lambda_like = compare(
            {
                "floor": lambda_sampler(FLOOR, [RUNTIME_SDK], None),
                "asset_as_deployed": lambda_sampler(HANDLER, [deployed, RUNTIME_SDK], deployed),
                "asset_with_local_bytecode": lambda_sampler(HANDLER, [local, RUNTIME_SDK], local),
            },
            args.samples,
        )
    finally:
        make_writable(work)
        shutil.rmtree(work, ignore_errors=True)

    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    floor_ms = lambda_like["floor"]["median_ms"]
    ratio_venv = venv["handler"]["median_ms"] / venv["floor"]["median_ms"]
    ratio_a = lambda_like["asset_as_deployed"]["median_ms"] / floor_ms
    ratio_b = lambda_like["asset_with_local_bytecode"]["median_ms"] / floor_ms
    shipped = f"cpython-314 bytecode ({bytecode.compiled} files)" if bytecode else "NO bytecode (Pyodide missing)"

    print(f"cold start, median of {args.samples} fresh interpreters each (Python {python} on this machine)")
    print("venv (bytecode cached; the developer's view):")
    print(f"  floor  import boto3 + braket, dynamodb, sns clients       {venv['floor']['median_ms']:7.1f} ms")
    print(f"  task_monitor.handler (logs, metrics + clients)          {venv['handler']['median_ms']:7.1f} ms")
    print(f"  ratio {ratio_venv:.2f}")
    print("Lambda-like (read-only asset, -E -s -B, path [asset, runtime SDK], AWS_DATA_PATH, tracing on):")
    print(f"  floor  compiled runtime SDK only: boto3 + 3 clients      {floor_ms:7.1f} ms")
    print(
        f"  (a) asset as deployed, its {shipped} unusable by {python}: no-bytecode worst case "
        f"{lambda_like['asset_as_deployed']['median_ms']:7.1f} ms  ratio {ratio_a:.2f}"
    )
    print(
        f"  (b) same build, bytecode for {python}: models Lambda running the shipped bytecode   "
        f"{lambda_like['asset_with_local_bytecode']['median_ms']:7.1f} ms  ratio {ratio_b:.2f} (goal <= {GOAL:.2f})"
    )
    print(
        f"asset: {unzipped / MB:.2f} MiB unzipped, {zipped / MB:.2f} MiB zipped "
        f"(goal < {ASSET_GOAL_BYTES / MB:.0f} MiB unzipped)"
    )

    results = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    results["cold_start"] = {
        "python": python,
        "samples": args.samples,
        "goal_ratio": GOAL,
        "venv": {**venv, "ratio": round(ratio_venv, 3)},
        "lambda_like": {
            **lambda_like,
            "ratio_asset_as_deployed_no_bytecode": round(ratio_a, 3),
            "ratio_asset_with_bytecode": round(ratio_b, 3),
            "shipped_bytecode": bytecode.cache_tag if bytecode else None,
        },
    }
    results["asset_size"] = {
        "unzipped_bytes": unzipped,
        "zipped_bytes": zipped,
        "goal_unzipped_bytes": ASSET_GOAL_BYTES,
    }
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"figures written to {RESULTS.relative_to(ROOT)}")
    return ratio_b <= GOAL and unzipped < ASSET_GOAL_BYTES


RSS_GOAL_MB = 100
WARM_UP_EVENTS = 2000
LATENCY_MS_PER_CALL = 20.0  # stated assumption: an AWS call from Lambda in-region, 10-30 ms
PATH_LABELS = {
    "queued_new": "new, not notified (QUEUED)",
    "completed_notified": "notified (COMPLETED)",
    "duplicate": "duplicate (QUEUED again)",
    "late_queued_after_completed": "late (QUEUED after COMPLETED)",
}


def _per_event_run(*arguments: str) -> dict:
    """One fresh container (interpreter); its logs (stdout, as in Lambda) are discarded."""
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "figures.json"
        command = [sys.executable, str(Path(__file__).with_name("per_event.py")), *arguments, "--out", str(out)]
        completed = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
        if completed.returncode != 0:
            raise RuntimeError(f"per-event benchmark failed:\n{completed.stderr[-3000:]}")
        return json.loads(out.read_text())


def _measured_writes() -> dict:
    """Write units per event, from the items written (benchmarks/measured_writes.py, a fresh interpreter)."""
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "writes.json"
        command = [sys.executable, str(Path(__file__).with_name("measured_writes.py")), "--out", str(out)]
        completed = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
        if completed.returncode != 0:
            raise RuntimeError(f"write-unit measurement failed:\n{completed.stderr[-3000:]}")
        return json.loads(out.read_text())


# The mix's write units per event when issue 15 began (every index ALL, items of 1.4-1.8 KB), measured
# by this benchmark at commit bb32aeb: the goal is half of it.
ISSUE_15_START_WRU = 13.5


def write_units_per_event(writes: dict) -> dict[str, float]:
    """Print and keep write units per event, before (every index projecting ALL, as before issue 15)
    and after (the indexes as deployed), on the same items; returns the deployed ones per path."""
    from benchmarks.cost_model import mix_mean

    paths = writes["paths"]
    deployed = {name: figures["deployed"] for name, figures in paths.items()}
    before = mix_mean({name: figures["all_attributes"] for name, figures in paths.items()})
    after = mix_mean(deployed)
    table = mix_mean({name: figures["table"] for name, figures in paths.items()})
    p50, largest = writes["item_bytes_p50"], writes.get("item_bytes_max", {})
    print(
        f"\nDynamoDB write units per event, measured from the {writes['events']} events' items (event item p50"
        f" {p50['event']:,.0f} B, max {largest.get('event', 0):,.0f} B; latest state p50 {p50['latest']:,.0f} B,"
        f" max {largest.get('latest', 0):,.0f} B):"
    )
    print(f"  {'path':32} {'if ALL':>13} {'deployed':>8} {'table only':>11}")
    for name, label in PATH_LABELS.items():
        figures = paths[name]
        print(f"  {label:32} {figures['all_attributes']:13.2f} {figures['deployed']:8.2f} {figures['table']:11.2f}")
    print(
        f"  mix: {before:.2f} with every index ALL -> {after:.2f} as deployed; the table's own writes {table:.2f};"
        f" {after / ISSUE_15_START_WRU:.0%} of the {ISSUE_15_START_WRU:.2f} when issue 15 began (goal <= 50 %)"
    )
    results = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    results["write_units_per_event"] = {
        "note": "measured from the items written (benchmarks/measured_writes.py, rules in benchmarks/write_units.py)",
        "item_bytes_p50": writes["item_bytes_p50"],
        "item_bytes_max": writes.get("item_bytes_max", {}),
        "paths": paths,
        "mix": {
            "issue_15_start": ISSUE_15_START_WRU,
            "all_projected": round(before, 3),
            "after": round(after, 3),
            "table_only": round(table, 3),
        },
    }
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    return deployed


def per_event(args: argparse.Namespace) -> bool:
    from benchmarks.cost_model import Assumptions, cost_per_million, workload

    measured_write_units = write_units_per_event(_measured_writes())
    checked = _per_event_run("cpu")
    unchecked = _per_event_run("cpu", "--no-validation")
    memory = _per_event_run("memory", "--events", str(args.burst_events))

    print("\nwarm CPU per event (median of 5 rounds of 100 events, batches of 10), AWS answered in-process:")
    print(f"  {'path':32} {'function':>9} {'no param.':>10} {'validation':>11} {'plain boto3':>12}")
    print(f"  {'':32} {'ms':>9} {'valid. ms':>10} {'(profile)':>11} {'baseline ms':>12}")
    table = {}
    for name, label in PATH_LABELS.items():
        on = checked["handler"][name]["cpu_ms_per_event"]
        off = unchecked["handler"][name]["cpu_ms_per_event"]
        base = checked["baseline"][name]["cpu_ms_per_event"]
        share = checked["handler"][name]["parameter_validation_profile_share"]
        table[name] = {
            "cpu_ms_per_event": on,
            "cpu_ms_per_event_without_parameter_validation": off,
            "parameter_validation_share_profiled": share,
            "parameter_validation_share_measured": round((on - off) / on, 3) if on else 0.0,
            "baseline_cpu_ms_per_event": base,
            "baseline_cpu_ms_per_event_without_parameter_validation": unchecked["baseline"][name]["cpu_ms_per_event"],
            "calls_per_event": checked["handler"][name]["calls_per_event"],
        }
        print(f"  {label:32} {on:9.2f} {off:10.2f} {share:10.0%} {base:12.2f}")
    print("AWS calls per event (botocore before-call hooks; retries not counted):")
    for name, label in PATH_LABELS.items():
        calls = ", ".join(f"{op} {count:g}" for op, count in table[name]["calls_per_event"].items())
        print(f"  {label:32} {calls}")

    samples = memory["rss_mb"]
    warm = [rss for events, rss in samples if events >= WARM_UP_EVENTS]
    span = (samples[-1][0] - WARM_UP_EVENTS) / 1000
    growth_per_1000 = (warm[-1] - warm[0]) / span if len(warm) > 1 and span else 0.0
    peak = memory["peak_rss_mb"]
    print(
        f"one container over {memory['events']:,} events (a quarter notified), canned answers: peak RSS {peak:.1f} MiB"
        f" (goal < {RSS_GOAL_MB}); after warm-up ({WARM_UP_EVENTS:,} events) {warm[0]:.1f} -> {warm[-1]:.1f} MiB,"
        f" {growth_per_1000:+.3f} MiB per 1,000 events"
    )

    assume = Assumptions(latency_ms_per_call=LATENCY_MS_PER_CALL)
    costs = cost_per_million(workload(table, write_units=measured_write_units), assume)
    print(
        f"cost per million events (mix: 90 % fresh, a quarter of them notified; 5 % duplicates; 5 % late; batches of"
        f" {assume.batch_size:g}; {assume.memory_mb} MB arm64; {LATENCY_MS_PER_CALL:g} ms AWS latency per call):"
    )
    print(
        f"  Lambda {costs['lambda_compute']:.2f} compute ({costs['lambda_ms_per_event']:.1f} ms billed per event)"
        f" + {costs['lambda_requests']:.3f} requests; SQS {costs['sqs']:.2f};"
        f" DynamoDB {costs['dynamodb_writes']:.2f} writes ({costs['wru_per_event']:.2f} WRU/event, measured)"
        f" + {costs['dynamodb_reads']:.3f} reads; SNS {costs['sns_publishes']:.3f}"
    )
    print(f"  total ${costs['total']:.2f} per million events, plus ${costs['at_rest_per_month']:.2f}/month at rest")

    results = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    results["per_event_cpu"] = {
        "note": "warm, AWS answered in-process at botocore's HTTP layer; CPU (time.process_time), ms per event",
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "paths": table,
    }
    results["burst_memory"] = {
        "events": memory["events"],
        "peak_rss_mb": peak,
        "rss_mb_every_1000_events": samples,
        "growth_mb_per_1000_events_after_warm_up": round(growth_per_1000, 4),
        "goal_peak_rss_mb": RSS_GOAL_MB,
    }
    results["cost_per_million_events"] = {
        "assumptions": {
            "latency_ms_per_call": LATENCY_MS_PER_CALL,
            "batch_size": assume.batch_size,
            "memory_mb": assume.memory_mb,
            "sqs_requests_per_batch": assume.sqs_requests_per_batch,
            "sqs_sends_per_event": assume.sqs_sends_per_event,
            "write_units": "measured per path (write_units_per_event), not assumed item sizes",
            "mix": "90 % fresh (a quarter notified), 5 % duplicates, 5 % late",
        },
        "usd": {name: round(value, 4) for name, value in costs.items()},
    }
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"figures written to {RESULTS.relative_to(ROOT)}")
    return peak < RSS_GOAL_MB


if __name__ == "__main__":
    sys.exit(main())
