"""Cold-start benchmark: importing the handler against importing boto3 and making three clients.

Goal: the handler's cold start (Powertools Logger, Metrics and Tracer included, its clients
created) takes at most 1.15 times the baseline. Each sample is a fresh interpreter; samples of
the two kinds alternate so machine noise hits both alike; medians are compared.

    make bench                      # or: python benchmarks/run.py --samples 21
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL = 1.15

BASELINE = """
import time, resource
start = time.perf_counter()
import boto3
clients = [boto3.client(name) for name in ("braket", "dynamodb", "sns")]
"""

HANDLER = """
import time, resource
start = time.perf_counter()
import task_monitor.handler
"""

REPORT = """
elapsed = time.perf_counter() - start
import json
print(json.dumps({"ms": elapsed * 1000, "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "benchmark",
    "AWS_SECRET_ACCESS_KEY": "benchmark",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    # As in Lambda: tracing on (the X-Ray SDK loads), functions/ on the path.
    "LAMBDA_TASK_ROOT": str(ROOT / "functions"),
    "AWS_LAMBDA_FUNCTION_NAME": "braket-task-monitor",
    "AUDIT_TABLE_NAME": "braket-task-audit",
    "NOTIFICATION_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:braket-task-notifications",
    "PYTHONPATH": str(ROOT / "functions"),
    "PATH": os.environ.get("PATH", ""),
}


def sample(code: str) -> dict[str, float]:
    completed = subprocess.run(
        [sys.executable, "-c", code + REPORT], env=ENVIRONMENT, capture_output=True, text=True, check=True
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=15)
    args = parser.parse_args()

    sample(BASELINE), sample(HANDLER)  # warm the file system cache for both
    baseline, handler = [], []
    for _ in range(args.samples):
        baseline.append(sample(BASELINE))
        handler.append(sample(HANDLER))

    base_ms = statistics.median(s["ms"] for s in baseline)
    ours_ms = statistics.median(s["ms"] for s in handler)
    ratio = ours_ms / base_ms
    print(f"cold start, median of {args.samples} fresh interpreters each")
    print(f"  baseline (import boto3 + braket, dynamodb, sns clients): {base_ms:7.1f} ms")
    print(f"  task_monitor.handler (Powertools + Tracer + clients):    {ours_ms:7.1f} ms")
    print(f"  ratio {ratio:.2f} (goal <= {GOAL:.2f})")
    base_mb = statistics.median(s["rss_kb"] for s in baseline) / 1024
    ours_mb = statistics.median(s["rss_kb"] for s in handler) / 1024
    print(f"peak memory after cold start: baseline {base_mb:.0f} MB, handler {ours_mb:.0f} MB")
    verdict = "PASS" if ratio <= GOAL else "FAIL"
    print(verdict)
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
