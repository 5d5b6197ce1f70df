"""The function's deployment package, built on this machine without Docker.

What the asset holds, and why (the goal: a cold start close to the runtime's own, an asset under 5 MiB):

* the dependencies in ``requirements-lambda.txt`` (none as code since the function writes its own
  JSON logs and EMF metrics without Powertools: only botocore, for its Braket model, see below),
  installed by pip from its lock, ``requirements-lambda.lock`` (the same pins with the sha256 of each
  of their files, from ``make lock``), with ``--require-hashes --no-deps``, for the Lambda runtime's
  Python and CPU (``--platform manylinux2014_aarch64 --platform manylinux_2_28_aarch64
  --implementation cp --python-version 3.14 --only-binary=:all:``): pip may only take wheels built
  for that target, never a source build for this machine, and only files whose hash is locked. Both
  platform tags are given since a dependency may publish only manylinux_2_28 wheels;
* **not** botocore, boto3, urllib3, python-dateutil, jmespath, six or s3transfer: the runtime has them,
  with bytecode, at /var/runtime. Shipping our own botocore (20 MiB) meant compiling it from source at
  every cold start, /var/task being read-only. What a newer botocore adds that the function needs is
  the Braket model: its ``service-2.json`` and ``endpoint-rule-set-1.json`` from the pinned botocore go
  into ``aws-models/``, as plain JSON (old botocores may not read .json.gz), and the function's
  ``AWS_DATA_PATH`` (``LAMBDA_DATA_PATH``) makes the runtime's botocore load them ahead of its own;
* no ``*.dist-info``: nothing in the function reads package metadata;
* the ``task_monitor`` package from ``functions/``, without what only runs on a developer's machine:
  tests and bytecode caches (the CLI, demo and embedded AWS live outside it, in ``tools/``);
* bytecode for the runtime's Python: every .py compiled to ``__pycache__/*.cpython-314.pyc``
  (unchecked-hash pycs, valid whatever the files' mtimes after unzipping). This machine has no
  CPython 3.14, so the build runs Pyodide's (CPython 3.14 compiled to WebAssembly, from npm) under
  the venv's Node. Without Node or ``node_modules/pyodide`` (run ``npm ci``, or ``make``), the build
  still succeeds but warns that the asset has **no bytecode**: Lambda would then compile every module
  at every cold start (about 1.4-1.5 times the floor here, ``make bench``).

The pip install is cached under ``.build/lambda-deps/`` keyed by a hash of the lock file, the pip
command and the trimming rules, so a test session or a series of synths downloads once; a fresh
clone's first synth fetches the wheels from PyPI. The asset hash is taken from the output, so a change
of the lock or of the code changes the asset.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = ROOT / "functions"
PACKAGE = "task_monitor"
# What pip installs: requirements-lambda.txt's pins with the sha256 of each of their files (`make lock`).
LOCK = ROOT / "requirements-lambda.lock"
CACHE_ROOT = ROOT / ".build" / "lambda-deps"
BYTECODE_DIR = ROOT / "infra" / "bytecode"
COMPILE_SCRIPT = BYTECODE_DIR / "compile_tree.py"
PYODIDE_RUNNER = BYTECODE_DIR / "run_in_pyodide.mjs"
PYODIDE_PACKAGE = ROOT / "node_modules" / "pyodide"

# Where Lambda unpacks the asset, and the models directory inside it that AWS_DATA_PATH names.
LAMBDA_TASK_ROOT = "/var/task"
MODELS_DIR = "aws-models"
LAMBDA_DATA_PATH = f"{LAMBDA_TASK_ROOT}/{MODELS_DIR}"
# service -> API version -> the model files copied (botocore's layout: <service>/<version>/<file>).
SHIPPED_MODELS = {"braket": ("service-2", "endpoint-rule-set-1")}
# Installed only to take the models above from it.
MODEL_SOURCE = "botocore"
# Import names of what the Lambda Python runtime already has: never shipped.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer", "urllib3", "dateutil", "jmespath", "six"})

# Inside the task_monitor package: what never ships. The package itself is runtime code only.
EXCLUDED_ANYWHERE = frozenset({"__pycache__", "tests", "test", "conftest.py"})
EXCLUDED_SUFFIXES = (".pyc", ".pyo")
# Left behind by pip --target: console scripts, of no use in the function.
EXCLUDED_DEPENDENCY_DIRS = frozenset({"bin"})

_MACHINES = {"arm64": "aarch64", "x86_64": "x86_64"}
# Part of the cache key: a change to what is kept or dropped rebuilds the cached install.
_LAYOUT = json.dumps([sorted(RUNTIME_PROVIDED), SHIPPED_MODELS, MODELS_DIR, "no-dist-info"])


def pip_target_arguments(runtime: lambda_.Runtime, architecture: lambda_.Architecture) -> list[str]:
    """pip flags that install wheels for the runtime's Python and CPU, never for this machine."""
    python_version = runtime.name.removeprefix("python")
    machine = _MACHINES[architecture.name]
    return [
        "--platform",
        f"manylinux2014_{machine}",
        "--platform",
        f"manylinux_2_28_{machine}",
        "--implementation",
        "cp",
        "--python-version",
        python_version,
        "--only-binary=:all:",
    ]


def pip_install_command(
    target: Path, runtime: lambda_.Runtime, architecture: lambda_.Architecture, *, lock: Path = LOCK
) -> list[str]:
    """The pip command installing ``lock`` into ``target`` for the runtime: each file checked against its hash."""
    return [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        "--require-hashes",  # a file whose sha256 is not in the lock fails the build, wherever pip found it
        "--no-deps",  # every dependency is pinned in the file; botocore's own come from the runtime
        "--target",
        str(target),
        *pip_target_arguments(runtime, architecture),
        "-r",
        str(lock),
    ]


def install_dependencies(
    target: Path, runtime: lambda_.Runtime, architecture: lambda_.Architecture, *, lock: Path = LOCK
) -> None:
    """Run :func:`pip_install_command`; a failure (a hash mismatch, no wheel for the target) says pip's reason."""
    result = subprocess.run(
        pip_install_command(target, runtime, architecture, lock=lock), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"pip could not install {lock.name} for {runtime.name}/{architecture.name} (is every dependency "
            f"published as a wheel for that platform, and its lock up to date? `make lock` remakes it):\n"
            f"{result.stderr or result.stdout}"
        )


def dependencies_cache_dir(runtime: lambda_.Runtime, architecture: lambda_.Architecture) -> Path:
    """Where the install for this runtime, architecture and lock is cached: keyed by the lock's bytes, the
    pip command and the trimming rules, so a change to any of them installs afresh."""
    # The command without this machine's paths (the interpreter, the checkout), which change nothing installed.
    command = pip_install_command(Path("<target>"), runtime, architecture, lock=Path(LOCK.name))[1:]
    key_material = LOCK.read_bytes() + "\0".join([*command, _LAYOUT]).encode()
    key = hashlib.sha256(key_material).hexdigest()[:16]
    return CACHE_ROOT / f"{runtime.name}-{architecture.name}-{key}"


def dependencies_dir(runtime: lambda_.Runtime, architecture: lambda_.Architecture) -> Path:
    """The cached, trimmed pip install for this runtime, architecture and lock, made if missing."""
    cached = dependencies_cache_dir(runtime, architecture)
    if cached.is_dir():
        return cached
    CACHE_ROOT.mkdir(parents=True, exist_ok=True)
    # Install next to the final place and rename, so a concurrent synth never sees half an install.
    staging = Path(tempfile.mkdtemp(prefix=f".{cached.name}-", dir=CACHE_ROOT))
    try:
        install_dependencies(staging, runtime, architecture, lock=LOCK)
        _trim_dependencies(staging)
    except Exception:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        staging.rename(cached)
    except OSError:  # another process finished the same install first
        shutil.rmtree(staging, ignore_errors=True)
    return cached


def _trim_dependencies(installed: Path) -> None:
    """Keep the shipped models, then drop what the runtime provides and metadata."""
    copy_models(installed / MODEL_SOURCE / "data", installed / MODELS_DIR)
    for path in list(installed.iterdir()):
        name = path.name.split("-")[0] if path.name.endswith(".dist-info") else path.stem
        if (
            path.name in EXCLUDED_DEPENDENCY_DIRS
            or path.name.endswith(".dist-info")
            or name in RUNTIME_PROVIDED
            or path.name == "__pycache__"
        ):
            _remove(path)


def copy_models(botocore_data: Path, models_dir: Path) -> None:
    """Copy SHIPPED_MODELS from a botocore data directory as plain JSON (decompressing .json.gz)."""
    for service, files in SHIPPED_MODELS.items():
        (version_dir,) = sorted((botocore_data / service).iterdir())[-1:]
        for stem in files:
            plain, packed = version_dir / f"{stem}.json", version_dir / f"{stem}.json.gz"
            content = plain.read_bytes() if plain.is_file() else gzip.decompress(packed.read_bytes())
            destination = models_dir / service / version_dir.name / f"{stem}.json"
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(content)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def _ignore_in_package(directory: str, names: list[str]) -> set[str]:
    return {name for name in names if name in EXCLUDED_ANYWHERE or name.endswith(EXCLUDED_SUFFIXES)}


def copy_function_package(output_dir: Path) -> None:
    shutil.copytree(FUNCTIONS_DIR / PACKAGE, output_dir / PACKAGE, ignore=_ignore_in_package, dirs_exist_ok=True)


# --------------------------------------------------------------------------------------------- bytecode


@dataclass(frozen=True)
class BytecodeReport:
    """What compile_tree.py said: the interpreter that compiled, and how many files."""

    version: tuple[int, ...]
    cache_tag: str
    magic: str
    compiled: int


def pyodide_command(directory: Path) -> list[str] | None:
    """The command compiling ``directory`` with Pyodide's CPython under Node; None if either is missing."""
    node = shutil.which("node")
    if node is None or not (PYODIDE_PACKAGE / "package.json").is_file():
        return None
    mount = "/asset"
    compile_args = [str(COMPILE_SCRIPT), mount, "--dfile-root", LAMBDA_TASK_ROOT]
    return [node, str(PYODIDE_RUNNER), str(directory), mount, *compile_args]


def local_python_command(directory: Path) -> list[str]:
    """The command compiling ``directory`` with this machine's Python (bytecode for it, not for Lambda)."""
    return [sys.executable, str(COMPILE_SCRIPT), str(directory)]


def compile_bytecode(directory: Path, command: list[str], expected_cache_tag: str) -> BytecodeReport:
    """Run a compile command and check the bytecode is for the Python expected."""
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"compiling {directory} failed ({command[0]}):\n{result.stderr or result.stdout}")
    fields = json.loads(result.stdout.strip().splitlines()[-1])
    report = BytecodeReport(tuple(fields["version"]), fields["cache_tag"], fields["magic"], fields["compiled"])
    if report.cache_tag != expected_cache_tag:
        raise RuntimeError(f"bytecode compiled by {report.cache_tag}, but {expected_cache_tag} was wanted")
    return report


def runtime_cache_tag(runtime: lambda_.Runtime) -> str:
    """The cache tag of the runtime's CPython, e.g. ``cpython-314`` for python3.14."""
    return "cpython-" + runtime.name.removeprefix("python").replace(".", "")


def build_asset(
    output: Path,
    runtime: lambda_.Runtime,
    architecture: lambda_.Architecture,
    *,
    compile_command: list[str] | None = None,
    cache_tag: str | None = None,
) -> BytecodeReport | None:
    """Fill ``output`` with the function asset; compile it for the runtime's Python when one is at hand.

    ``compile_command``/``cache_tag`` compile for another interpreter instead (the benchmark uses this
    machine's Python to model Lambda running our shipped bytecode). Returns None when no bytecode was made.
    """
    shutil.copytree(dependencies_dir(runtime, architecture), output, dirs_exist_ok=True)
    copy_function_package(output)
    if compile_command is None:
        compile_command, cache_tag = pyodide_command(output), runtime_cache_tag(runtime)
        if compile_command is None:
            print(
                f"WARNING: the function asset has NO bytecode: building it for {runtime.name} needs Node and "
                f"{PYODIDE_PACKAGE.relative_to(ROOT)} (run `npm ci`, or any make target). Without bytecode, "
                "Lambda compiles every module at every cold start (about 1.5 times the floor; see make bench).",
                file=sys.stderr,
            )
            return None
    return compile_bytecode(output, compile_command, cache_tag or runtime_cache_tag(runtime))


@jsii.implements(ILocalBundling)
class _LocalBundler:
    """CDK's hook for bundling without Docker; it always bundles, so the Docker image is never used."""

    def __init__(self, runtime: lambda_.Runtime, architecture: lambda_.Architecture) -> None:
        self._runtime = runtime
        self._architecture = architecture

    def try_bundle(self, output_dir: str, *, image: DockerImage, **_docker_options: object) -> bool:
        build_asset(Path(output_dir), self._runtime, self._architecture)
        return True


def function_code(runtime: lambda_.Runtime, architecture: lambda_.Architecture) -> lambda_.Code:
    """The function's code asset: dependencies for the target plus the task_monitor package."""
    return lambda_.Code.from_asset(
        str(FUNCTIONS_DIR),
        asset_hash_type=AssetHashType.OUTPUT,
        bundling=BundlingOptions(
            # Required by CDK; never pulled, because the local bundler always succeeds.
            image=runtime.bundling_image,
            local=_LocalBundler(runtime, architecture),
        ),
    )


def asset_size(directory: Path) -> tuple[int, int]:
    """(unzipped, zipped) size in bytes of a directory, zipped the way the CDK CLI uploads it."""
    unzipped = 0
    with tempfile.TemporaryFile() as buffer:
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for root, _dirs, files in os.walk(directory):
                for name in files:
                    path = Path(root, name)
                    unzipped += path.stat().st_size
                    archive.write(path, path.relative_to(directory))
        zipped = buffer.tell()
    return unzipped, zipped
