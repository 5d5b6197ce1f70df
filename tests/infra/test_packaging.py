"""Packaging: the synthesized function asset holds the code and the dependencies the handler needs,
for the Lambda runtime's Python and CPU, and nothing that only runs on a developer's machine."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from infra.constructs.processing import ARCHITECTURE, RUNTIME
from infra.packaging import asset_size, pip_target_arguments

pytestmark = pytest.mark.infra

MB = 1024 * 1024
LAMBDA_UNZIPPED_LIMIT = 250 * MB


def _braket_model(asset: Path) -> dict:
    (model,) = (asset / "botocore" / "data" / "braket").glob("*/service-2.json*")
    opener = gzip.open if model.suffix == ".gz" else open
    with opener(model, "rt") as handle:
        return json.load(handle)


def test_given_the_asset_then_botocore_parses_every_getquantumtask_field_the_handler_reads(function_asset_dir):
    shapes = _braket_model(function_asset_dir)["shapes"]
    output = shapes["GetQuantumTaskResponse"]["members"]

    assert {"actionMetadata", "associations", "queueInfo", "experimentalCapabilities"} <= set(output)
    action_metadata = shapes[output["actionMetadata"]["shape"]]["members"]
    assert {"programCount", "executableCount"} <= set(action_metadata)


def test_given_the_asset_then_it_has_the_handler_powertools_and_the_xray_sdk_but_not_boto3(function_asset_dir):
    present = {path.name for path in function_asset_dir.iterdir()}

    assert {"task_monitor", "botocore", "aws_lambda_powertools", "aws_xray_sdk"} <= present
    assert (function_asset_dir / "task_monitor" / "__init__.py").is_file()
    assert not {"boto3", "moto", "pytest", "cdk_nag", "aws_cdk", "bin"} & present


def test_given_the_asset_then_nothing_for_local_use_tests_or_bytecode_is_in_it(function_asset_dir):
    package = function_asset_dir / "task_monitor"
    everything = [path.relative_to(function_asset_dir) for path in function_asset_dir.rglob("*")]

    assert not (package / "local").exists()
    assert not (package / "__main__.py").exists()
    assert not [path for path in everything if path.name in ("tests", "__pycache__", "conftest.py")]
    assert not [path for path in everything if path.suffix in (".pyc", ".pyo")]


def test_given_the_compiled_dependency_then_it_is_built_for_the_lambda_python_and_cpu(function_asset_dir):
    (extension,) = (function_asset_dir / "wrapt").glob("_wrappers.*.so")

    assert RUNTIME.name == "python3.14"
    assert extension.name == "_wrappers.cpython-314-aarch64-linux-gnu.so"
    assert pip_target_arguments(RUNTIME, ARCHITECTURE) == [
        "--platform",
        "manylinux2014_aarch64",
        "--implementation",
        "cp",
        "--python-version",
        "3.14",
        "--only-binary=:all:",
    ]


IMPORT_CHECK = """
import sys
from aws_lambda_powertools import Logger, Metrics, Tracer
import aws_xray_sdk, botocore.session
client = botocore.session.get_session().create_client("braket", region_name="us-east-1")
assert "boto3" not in sys.modules, "something imported boto3"
assert all(path.startswith(sys.argv[1]) for path in [botocore.__file__, aws_xray_sdk.__file__])
print("ok")
"""


def test_given_only_the_asset_on_the_path_then_powertools_tracer_and_botocore_import_without_boto3(
    function_asset_dir,
):
    # -S: no site-packages, so nothing from this machine's venv (boto3, moto) can stand in.
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(function_asset_dir),
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_SERVICE_NAME": "test",
    }

    result = subprocess.run(
        [sys.executable, "-S", "-c", IMPORT_CHECK, str(function_asset_dir)],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_given_only_the_asset_on_the_path_then_the_handler_module_imports(function_asset_dir):
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(function_asset_dir),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_SERVICE_NAME": "braket-task-monitor",
        "POWERTOOLS_METRICS_NAMESPACE": "BraketTaskMonitor",
        "AUDIT_TABLE_NAME": "audit",
        "NOTIFICATION_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:notifications",
        "NOTIFY_STATUSES": "COMPLETED,FAILED,CANCELLED",
    }
    code = "import sys, task_monitor.handler as h; assert callable(h.lambda_handler); assert 'boto3' not in sys.modules"

    result = subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, env=environment, check=False
    )

    assert result.returncode == 0, result.stderr


def test_given_the_asset_then_its_size_fits_lambda_and_is_reported(function_asset_dir, record_property):
    unzipped, zipped = asset_size(function_asset_dir)
    record_property("asset_unzipped_mb", round(unzipped / MB, 1))
    record_property("asset_zipped_mb", round(zipped / MB, 1))
    print(f"function asset: {unzipped / MB:.1f} MB unzipped, {zipped / MB:.1f} MB zipped")

    assert unzipped < LAMBDA_UNZIPPED_LIMIT
