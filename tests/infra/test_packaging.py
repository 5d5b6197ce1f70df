"""Packaging: the synthesized function asset holds our code, the few dependencies the runtime lacks,
the Braket model the runtime's botocore is too old for, and bytecode for the runtime's Python;
nothing the runtime already has, nor anything that only runs on a developer's machine.

"The runtime's SDK" here is ``.build/runtime-sdk`` (requirements-runtime-sdk.txt, installed by make)."""

from __future__ import annotations

import _imp
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from infra import packaging
from infra.constructs.processing import ARCHITECTURE, HANDLER, RUNTIME
from infra.packaging import (
    LAMBDA_DATA_PATH,
    LAMBDA_TASK_ROOT,
    LOCK,
    MODELS_DIR,
    PYODIDE_RUNNER,
    ROOT,
    RUNTIME_PROVIDED,
    asset_size,
    dependencies_cache_dir,
    install_dependencies,
    pip_install_command,
    pip_target_arguments,
)
from infra.stacks import MAIN_STACK_NAME
from task_monitor_devkit.builders.task import ENRICHMENT_FIELD_NAMES, fully_described, task_event

pytestmark = pytest.mark.infra

MB = 1024 * 1024
ASSET_GOAL_BYTES = 5 * MB
RUNTIME_SDK = ROOT / ".build" / "runtime-sdk"
FUNCTIONS = ROOT / "functions"
TOOLS = ROOT / "tools"
# CPython 3.14's bytecode magic number (importlib.util.MAGIC_NUMBER), and PEP 552's flags for an
# unchecked-hash pyc: hash-based (bit 0) without check_source (bit 1).
PYTHON_314_MAGIC = (3627).to_bytes(2, "little") + b"\r\n"
UNCHECKED_HASH_FLAGS = 0b01


@pytest.fixture(scope="session")
def runtime_sdk() -> Path:
    """The stand-in for the runtime's botocore; `make test` installs it before pytest runs."""
    assert (RUNTIME_SDK / "botocore").is_dir(), f"{RUNTIME_SDK} is missing: run `make test` (or make bench)"
    return RUNTIME_SDK


def _run(code: str, *args: str, env: dict[str, str], flags: tuple[str, ...] = ("-s",)) -> dict:
    result = subprocess.run(
        [sys.executable, *flags, "-c", code, *args], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _shipped_sources(asset: Path) -> list[Path]:
    return sorted(path for path in asset.rglob("*.py"))


# ------------------------------------------------------------------------------------------ contents


def test_given_the_asset_then_it_has_our_code_and_what_the_runtime_lacks_but_no_sdk(function_asset_dir):
    present = {path.name for path in function_asset_dir.iterdir()}

    assert {"task_monitor", MODELS_DIR} <= present
    assert not {"aws_xray_sdk", "wrapt"} & present  # no tracer SDK: see task_monitor/observability.py
    # No Powertools (nor its typing_extensions): the function writes its own logs and EMF (telemetry.py).
    assert not {"aws_lambda_powertools", "typing_extensions.py"} & present
    assert (function_asset_dir / "task_monitor" / "__init__.py").is_file()
    shipped_names = {Path(name).stem for name in present}
    assert not RUNTIME_PROVIDED & shipped_names, "the runtime provides these: they must not ship"
    assert not {"boto3", "botocore", "urllib3", "moto", "pytest", "cdk_nag", "aws_cdk", "bin"} & present
    assert not [name for name in present if name.endswith(".dist-info")]
    # The CLI, the development kit (event builders) and the tests live outside functions/: never shipped.
    assert not {"task_monitor_cli", "task_monitor_devkit", "tests"} & present


def test_given_the_asset_then_it_ships_the_price_table_as_it_is_in_the_checkout(function_asset_dir):
    """prices.json is data, not a module: the asset must carry it (docs/costs.md), byte for byte."""
    shipped = function_asset_dir / "task_monitor" / "domain" / "cost" / "prices.json"
    source = ROOT / "functions" / "task_monitor" / "domain" / "cost" / "prices.json"

    assert shipped.is_file()
    assert shipped.read_bytes() == source.read_bytes()


def test_given_the_asset_then_it_is_under_the_5_mib_goal(function_asset_dir, record_property):
    unzipped, zipped = asset_size(function_asset_dir)
    record_property("asset_unzipped_mb", round(unzipped / MB, 2))
    record_property("asset_zipped_mb", round(zipped / MB, 2))
    print(f"function asset: {unzipped / MB:.2f} MiB unzipped, {zipped / MB:.2f} MiB zipped")

    assert unzipped < ASSET_GOAL_BYTES


def test_given_the_asset_then_it_is_the_runtime_package_as_it_stands_and_no_development_code(function_asset_dir):
    package = function_asset_dir / "task_monitor"
    shipped = sorted(path.relative_to(package) for path in package.rglob("*.py"))
    source = sorted(path.relative_to(FUNCTIONS / "task_monitor") for path in (FUNCTIONS / "task_monitor").rglob("*.py"))
    everything = [path.relative_to(function_asset_dir) for path in function_asset_dir.rglob("*")]

    assert shipped == source  # nothing to leave out: the CLI, demo and embedded AWS live in tools/
    assert not (function_asset_dir / "task_monitor_cli").exists()
    assert not [path for path in everything if path.name in ("tests", "conftest.py", "__main__.py")]
    assert not [path for path in everything if path.suffix == ".pyo"]
    development_only = ("moto", "task_monitor_cli", "pytest", "aws_cdk", "hypothesis")
    imports = [
        (path.relative_to(function_asset_dir), line)
        for path in package.rglob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.match(rf"\s*(from|import) ({'|'.join(development_only)})\b", line)
    ]
    assert imports == []


def test_given_the_dependencies_then_they_are_taken_for_the_lambda_python_and_cpu_only(function_asset_dir):
    # Pure Python today; should a compiled one come back, pip may only take a wheel for python3.14/aarch64.
    assert [path.name for path in function_asset_dir.rglob("*.so")] == []
    assert RUNTIME.name == "python3.14"
    assert pip_target_arguments(RUNTIME, ARCHITECTURE) == [
        "--platform",
        "manylinux2014_aarch64",
        "--platform",
        "manylinux_2_28_aarch64",
        "--implementation",
        "cp",
        "--python-version",
        "3.14",
        "--only-binary=:all:",
    ]


def test_given_the_dependencies_then_pip_installs_the_lock_and_checks_every_hash(tmp_path):
    command = pip_install_command(tmp_path, RUNTIME, ARCHITECTURE)

    assert command[1:4] == ["-m", "pip", "install"]
    assert {"--require-hashes", "--no-deps", "--no-compile"} <= set(command)
    assert command[-2:] == ["-r", str(ROOT / "requirements-lambda.lock")]
    assert LOCK == ROOT / "requirements-lambda.lock"
    target = command.index("--target")
    assert command[target + 1] == str(tmp_path)
    assert command[target + 2 : -2] == pip_target_arguments(RUNTIME, ARCHITECTURE)


def test_given_a_changed_lock_then_the_cached_install_is_not_reused(tmp_path, monkeypatch, function_asset_dir):
    checked_in = dependencies_cache_dir(RUNTIME, ARCHITECTURE)
    lock = tmp_path / LOCK.name
    lock.write_bytes(LOCK.read_bytes())
    monkeypatch.setattr(packaging, "LOCK", lock)
    copied = dependencies_cache_dir(RUNTIME, ARCHITECTURE)
    lock.write_text(re.sub(r"sha256:[0-9a-f]", "sha256:-", LOCK.read_text(), count=1))
    altered = dependencies_cache_dir(RUNTIME, ARCHITECTURE)

    assert checked_in.is_dir(), "the synthesis installed the lock under the key computed from it"
    assert copied == checked_in  # the key is the lock's content, wherever the checkout is
    assert altered.parent == checked_in.parent
    assert altered != checked_in


def _locked_entry(name: str) -> str:
    """One package's entry of the asset's lock (its pin and hash lines), as a lock of its own."""
    match = re.search(
        rf"^{name}==\S+ \\\n(?:\s+--hash=sha256:[0-9a-f]{{64}}(?: \\)?\n)+", LOCK.read_text(), re.MULTILINE
    )
    assert match, f"{name} is not in {LOCK.name}"
    return match.group(0)


def test_given_a_lock_with_an_altered_hash_then_the_asset_install_fails_on_the_hash(tmp_path):
    """The real pip install the asset build runs, on the one package of its lock: as locked it installs;
    with that package's hashes altered, pip refuses the file it fetched (from its cache, a local index or
    PyPI) and the build fails with pip's hash-mismatch error."""
    entry = _locked_entry("botocore")
    locked_hashes = re.findall(r"sha256:([0-9a-f]{64})", entry)
    as_locked, altered = tmp_path / "as-locked.lock", tmp_path / "altered.lock"
    as_locked.write_text(entry)
    # Every hash of the entry (its wheel's and its sdist's) with its last digit changed.
    altered.write_text(re.sub(r"(sha256:[0-9a-f]{63})([0-9a-f])", lambda m: m[1] + "ef"[m[2] == "e"], entry))
    assert not set(re.findall(r"sha256:([0-9a-f]{64})", altered.read_text())) & set(locked_hashes)

    install_dependencies(tmp_path / "as-locked", RUNTIME, ARCHITECTURE, lock=as_locked)
    with pytest.raises(RuntimeError) as failure:
        install_dependencies(tmp_path / "altered", RUNTIME, ARCHITECTURE, lock=altered)

    assert (tmp_path / "as-locked" / "botocore" / "__init__.py").is_file()
    message = str(failure.value)
    assert "THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE" in message, message
    assert entry.split(" ")[0] in message, message
    (got,) = re.findall(r"Got +([0-9a-f]{64})", message)
    assert got in locked_hashes  # pip hashed the genuine file, which the lock as made accepts
    assert not list((tmp_path / "altered").glob("botocore*"))


# ------------------------------------------------------------------------------------------ bytecode


def test_given_the_asset_then_every_source_has_unchecked_hash_bytecode_for_python_3_14(function_asset_dir):
    sources = _shipped_sources(function_asset_dir)
    missing, wrong = [], []
    for source in sources:
        pyc = source.parent / "__pycache__" / f"{source.stem}.cpython-314.pyc"
        if not pyc.is_file():
            missing.append(source.relative_to(function_asset_dir))
            continue
        header = pyc.read_bytes()[:8]
        if header[:4] != PYTHON_314_MAGIC or int.from_bytes(header[4:8], "little") != UNCHECKED_HASH_FLAGS:
            wrong.append(source.relative_to(function_asset_dir))
    other_bytecode = [
        path.relative_to(function_asset_dir)
        for path in function_asset_dir.rglob("*.pyc")
        if not path.name.endswith(".cpython-314.pyc")
    ]

    assert len(sources) > 50
    assert not missing, f"sources without cpython-314 bytecode: {missing[:10]}"
    assert not wrong, f"bytecode that is not unchecked-hash for 3.14: {wrong[:10]}"
    assert not other_bytecode


def _source_hash_for_314(source: bytes) -> bytes:
    """The source hash a 3.14 hash-based pyc records: CPython's keyed hash of the source, keyed by 3.14's
    magic number (the same function in 3.11, so this machine can compute it)."""
    return _imp.source_hash(int.from_bytes(PYTHON_314_MAGIC, "little"), source)


def test_given_the_asset_then_each_pyc_was_compiled_from_the_source_shipped_beside_it(function_asset_dir):
    """An unchecked-hash pyc is never compared with its source by Lambda, so a pyc built from another
    version of a file would run silently: each one's recorded hash must be its shipped source's."""
    stale = []
    for source in _shipped_sources(function_asset_dir):
        pyc = source.parent / "__pycache__" / f"{source.stem}.cpython-314.pyc"
        if pyc.read_bytes()[8:16] != _source_hash_for_314(source.read_bytes()):
            stale.append(source.relative_to(function_asset_dir))
    assert not stale, f"bytecode not compiled from the shipped source: {stale[:10]}"
    # The check can fail: one changed byte of a source changes the hash its pyc must record.
    handler = function_asset_dir / "task_monitor" / "handler.py"
    recorded = (handler.parent / "__pycache__" / "handler.cpython-314.pyc").read_bytes()[8:16]
    assert _source_hash_for_314(handler.read_bytes() + b"\n") != recorded


PYODIDE_IMPORT_CHECK = """
import importlib, importlib._bootstrap_external as external, json, os, sys
root = sys.argv[1]
compiled = []
original = external.SourceLoader.source_to_code
RUNTIME_PROVIDED = ("jmespath",)  # copied in beside the asset, as the runtime has it; not ours to check
def record(self, data, path, *args, **kwargs):
    if not any(f"/{name}/" in path for name in RUNTIME_PROVIDED):
        compiled.append(path)
    return original(self, data, path, *args, **kwargs)
external.SourceLoader.source_to_code = record
sys.dont_write_bytecode = True
sys.path.insert(0, root)
failed = {}
for directory, subdirectories, files in os.walk(root):
    subdirectories[:] = sorted(d for d in subdirectories if d != "__pycache__")
    for name in sorted(files):
        if not name.endswith(".py"):
            continue
        relative = os.path.relpath(os.path.join(directory, name), root)[:-3].split(os.sep)
        if relative[-1] == "__init__":
            relative = relative[:-1]
        if not relative or "-" in relative[0] or relative[0] in RUNTIME_PROVIDED:
            continue
        module = ".".join(relative)
        try:
            importlib.import_module(module)
        except Exception as error:  # needs botocore etc., which the runtime provides and Pyodide lacks
            failed[module] = type(error).__name__
loaded = {
    name: module.__cached__
    for name, module in list(sys.modules.items())
    if (getattr(module, "__file__", None) or "").startswith(root + "/") and getattr(module, "__cached__", None)
    and name.split(".")[0] not in RUNTIME_PROVIDED
}
print(json.dumps({"version": list(sys.version_info[:2]), "compiled": compiled, "loaded": loaded, "failed": failed}))
"""


def test_given_pyodide_python_3_14_then_it_imports_the_asset_from_bytecode_without_compiling(
    function_asset_dir, tmp_path
):
    script = tmp_path / "import_check.py"
    script.write_text(PYODIDE_IMPORT_CHECK)
    # The task root as Lambda sees it; Pyodide has no botocore, so what needs it cannot import here.
    task_root = tmp_path / "task"
    shutil.copytree(function_asset_dir, task_root)
    result = subprocess.run(
        ["node", str(PYODIDE_RUNNER), str(task_root), LAMBDA_TASK_ROOT, str(script), LAMBDA_TASK_ROOT],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    loaded = report["loaded"]

    assert report["version"] == [3, 14]
    assert report["compiled"] == [], "Python 3.14 compiled sources: the shipped bytecode was not used"
    assert len(loaded) > 50, report["failed"]
    # Modules that need botocore (the runtime's, absent from Pyodide) cannot import here.
    assert {
        "task_monitor.domain.kinds.task.record",
        "task_monitor.telemetry",
    } <= set(loaded)
    assert all(cached.endswith(".cpython-314.pyc") for cached in loaded.values())


# -------------------------------------------------- the runtime's botocore and the shipped Braket model


def test_given_the_template_then_aws_data_path_names_the_asset_models_directory(synthesis, function_asset_dir):
    template = synthesis.template_dict(MAIN_STACK_NAME)
    (function,) = [
        r
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function" and r["Properties"]["Handler"] == HANDLER
    ]
    model = function_asset_dir / MODELS_DIR / "braket" / "2019-09-01" / "service-2.json"

    assert function["Properties"]["Environment"]["Variables"]["AWS_DATA_PATH"] == LAMBDA_DATA_PATH
    assert f"{LAMBDA_TASK_ROOT}/{MODELS_DIR}" == LAMBDA_DATA_PATH
    assert (model.parent / "endpoint-rule-set-1.json").is_file()
    output = json.loads(model.read_text())["shapes"]["GetQuantumTaskResponse"]["members"]
    assert set(ENRICHMENT_FIELD_NAMES) <= set(output)


DESCRIBE_WITH_RUNTIME_BOTOCORE = """
import functools, importlib.util, json, sys
asset, emulator_file, description, event = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
import botocore, botocore.loaders, botocore.session
from task_monitor.adapters.braket import BRAKET_CLIENT_CONFIG, BraketClients, BraketTaskDescriber
from task_monitor.domain.kinds.task.event import parse_task_event
from task_monitor.domain.kinds.task.record import build_record
assert all(m.__file__.startswith(asset) for m in [sys.modules["task_monitor.adapters.braket"]])
spec = importlib.util.spec_from_file_location("braket_emulator", emulator_file)
emulator_module = sys.modules["braket_emulator"] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(emulator_module)
# The emulator plays today's Braket: it answers with the newest model (the asset's), whatever botocore runs.
emulator_module.create_loader = functools.partial(botocore.loaders.create_loader, asset + "/aws-models")
emulator = emulator_module.BraketEmulator()
emulator.put_task(description)
with emulator.install():
    session = botocore.session.get_session()
    describer = BraketTaskDescriber(
        BraketClients(lambda region: session.create_client("braket", region_name=region, config=BRAKET_CLIENT_CONFIG))
    )
    change = parse_task_event(event)
    answer = describer.describe(change.task, change.status)
record = build_record(change, answer)
builtin = botocore.loaders.Loader().load_service_model("braket", "service-2")
print(json.dumps({
    "botocore": botocore.__version__,
    "botocore_file": botocore.__file__,
    "record": record,
    "builtin_fields": sorted(builtin["shapes"]["GetQuantumTaskResponse"]["members"]),
}))
"""


def _describe_with_runtime_botocore(asset: Path, runtime_sdk: Path, *, data_path: str | None) -> dict:
    """GetQuantumTask through the asset's describer and record code, on the runtime's botocore."""
    description = fully_described("FAILED")
    event = task_event("FAILED", arn=description["quantumTaskArn"], device=description["deviceArn"])
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": os.pathsep.join([str(runtime_sdk), str(asset), str(TOOLS)]),  # the old botocore first
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    if data_path is not None:
        environment["AWS_DATA_PATH"] = data_path
    emulator = TOOLS / "task_monitor_cli" / "braket_emulator.py"
    return _run(
        DESCRIBE_WITH_RUNTIME_BOTOCORE,
        str(asset),
        str(emulator),
        json.dumps(description),
        json.dumps(event),
        env=environment,
        flags=("-s", "-B"),
    )


def test_given_the_runtimes_older_botocore_then_the_asset_parses_every_getquantumtask_field(
    function_asset_dir, runtime_sdk
):
    report = _describe_with_runtime_botocore(
        function_asset_dir, runtime_sdk, data_path=str(function_asset_dir / MODELS_DIR)
    )
    record = report["record"]

    assert report["botocore_file"].startswith(str(runtime_sdk))
    assert set(ENRICHMENT_FIELD_NAMES) <= set(record), sorted(set(ENRICHMENT_FIELD_NAMES) - set(record))
    assert record["actionMetadata"] == {
        "actionType": "braket.ir.openqasm.program_set",
        "programCount": 3,
        "executableCount": 12,
    }
    assert record["experimentalCapabilities"] == {"enabled": "ALL"}
    assert record["queueInfo"]["queue"] == "QUANTUM_TASKS_QUEUE"


def test_given_the_runtimes_botocore_without_aws_data_path_then_a_field_is_lost(function_asset_dir, runtime_sdk):
    # The control: the runtime botocore's own Braket model predates experimentalCapabilities, so the
    # shipped model (through AWS_DATA_PATH) is what keeps it. Fails, deliberately, if the runtime SDK
    # pinned in requirements-runtime-sdk.txt becomes new enough not to need it: then say so there.
    report = _describe_with_runtime_botocore(function_asset_dir, runtime_sdk, data_path=None)
    lost = sorted(set(ENRICHMENT_FIELD_NAMES) - set(report["record"]))

    assert "experimentalCapabilities" not in report["builtin_fields"], report["botocore"]
    assert lost == ["experimentalCapabilities"]


# ------------------------------------------------------------------------ the handler run from the asset

PIPELINE_FROM_ASSET = """
import json, sys
asset, tools = sys.argv[1], sys.argv[2]
import task_monitor
assert task_monitor.__file__.startswith(asset), task_monitor.__file__
# The embedded AWS (moto + Braket emulator) is not shipped: task_monitor_cli comes from the checkout's tools/.
sys.path.append(tools)
from task_monitor_devkit.embedded import EmbeddedAws
from task_monitor_devkit.scenario import demo_steps, demo_timeline, invalid_event
outcomes = []
with EmbeddedAws() as aws:
    aws.load_handler()
    for step in demo_timeline():  # every kind: tasks, a hybrid job, devices, CloudTrail calls
        step.prepare(aws.braket)
        outcomes.append(aws.invoke(step.event()).succeeded)
    outcomes.append(aws.invoke(invalid_event()).succeeded)
# typing_extensions is no longer shipped (nothing in the function imports it): moto loads the venv's.
watched = ("aws_lambda_powertools", "aws_xray_sdk", "wrapt", "task_monitor")
# And through the events queue, as deployed: a batch with an invalid event, which goes to the dead-letter queue.
with EmbeddedAws() as aws:
    aws.load_handler()
    aws.deliver(demo_steps()[0].event(), invalid_event(), "not json")
    batches = aws.drain()
    outcomes.append([len(batch.retried) for batch in batches] == [0] and len(aws.dead_letters()) == 2)
elsewhere = sorted(
    f"{name}: {getattr(module, '__file__', None)}"
    for name, module in list(sys.modules.items())
    if name.split(".")[0] in watched
    and getattr(module, "__file__", None)
    and not module.__file__.startswith(asset)
)
loaded = sorted(name for name in sys.modules if name.split(".")[0] in watched)
print(json.dumps({"outcomes": outcomes, "elsewhere": elsewhere, "loaded": loaded}))
"""


def test_given_the_handler_run_from_the_asset_then_every_module_it_loads_is_in_the_asset(function_asset_dir):
    """A full pipeline (every kind and status, notifications, a late event, a duplicate, an invalid event) with
    the asset first on the path and tracing on: proves the asset holds all it needs, and no Powertools is loaded."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(function_asset_dir),  # ahead of the venv's site-packages (moto, botocore)
        "LAMBDA_TASK_ROOT": str(function_asset_dir),  # Powertools' Tracer is on only in Lambda
        "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
        "AWS_DATA_PATH": str(function_asset_dir / MODELS_DIR),
        "AWS_LAMBDA_FUNCTION_NAME": "braket-task-monitor",
        "POWERTOOLS_SERVICE_NAME": "braket-task-monitor",
        "POWERTOOLS_METRICS_NAMESPACE": "BraketTaskMonitor",
    }
    report = _run(PIPELINE_FROM_ASSET, str(function_asset_dir), str(TOOLS), env=environment, flags=("-s", "-B"))

    *direct, invalid, queued = report["outcomes"]
    assert direct and all(direct)
    assert invalid is False  # the invalid event is rejected
    assert queued is True  # the batch succeeded and both bad messages reached the dead-letter queue
    assert "task_monitor.adapters.dead_letters" in report["loaded"]
    assert "task_monitor.telemetry" in report["loaded"]
    assert not [name for name in report["loaded"] if name.split(".")[0] in {"aws_lambda_powertools", "aws_xray_sdk"}]
    # The rare kinds' pipelines, built on their first event, came from the asset too.
    for kind in ("job", "device", "api_call"):
        assert f"task_monitor.domain.kinds.{kind}.monitor" in report["loaded"]
    assert report["elsewhere"] == []
