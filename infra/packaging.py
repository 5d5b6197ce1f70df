"""The function's deployment package, built on this machine without Docker.

The asset holds two things:

* the dependencies in ``requirements-lambda.txt`` (Powertools, the X-Ray SDK, and a botocore new
  enough to parse every GetQuantumTask field the handler reads), installed by pip for the Lambda
  runtime's Python version and CPU (``--platform manylinux2014_aarch64 --implementation cp
  --python-version 3.14 --only-binary=:all:``): pip may then only take wheels built for that target,
  never a source build for the machine running the synth. The one compiled dependency, wrapt (under
  aws-xray-sdk), publishes cp314 aarch64 wheels; the rest are pure Python;
* the ``task_monitor`` package from ``functions/``, without what only runs on a developer's machine:
  the ``local`` subpackage (emulator, demo, embedded AWS), the ``__main__`` CLI, tests and bytecode.

The pip install is cached under ``.build/lambda-deps/`` keyed by a hash of the requirements and the
target, so a test session or a series of synths downloads once; a fresh clone's first synth fetches
the wheels from PyPI. The asset hash is taken from the output, so a change of requirements or of the
code changes the asset.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = ROOT / "functions"
PACKAGE = "task_monitor"
REQUIREMENTS = ROOT / "requirements-lambda.txt"
CACHE_ROOT = ROOT / ".build" / "lambda-deps"

# Inside the task_monitor package: what never ships.
EXCLUDED_AT_PACKAGE_ROOT = frozenset({"local", "__main__.py"})
EXCLUDED_ANYWHERE = frozenset({"__pycache__", "tests", "test", "conftest.py"})
EXCLUDED_SUFFIXES = (".pyc", ".pyo")
# Left behind by pip --target: console scripts, of no use in the function.
EXCLUDED_DEPENDENCY_DIRS = frozenset({"bin"})

_MACHINES = {"arm64": "aarch64", "x86_64": "x86_64"}


def pip_target_arguments(runtime: lambda_.Runtime, architecture: lambda_.Architecture) -> list[str]:
    """pip flags that install wheels for the runtime's Python and CPU, never for this machine."""
    python_version = runtime.name.removeprefix("python")
    machine = _MACHINES[architecture.name]
    return [
        "--platform",
        f"manylinux2014_{machine}",
        "--implementation",
        "cp",
        "--python-version",
        python_version,
        "--only-binary=:all:",
    ]


def dependencies_dir(runtime: lambda_.Runtime, architecture: lambda_.Architecture) -> Path:
    """The cached pip install for this runtime, architecture and requirements, made if missing."""
    target = pip_target_arguments(runtime, architecture)
    key = hashlib.sha256(REQUIREMENTS.read_bytes() + "\0".join(target).encode()).hexdigest()[:16]
    cached = CACHE_ROOT / f"{runtime.name}-{architecture.name}-{key}"
    if cached.is_dir():
        return cached
    CACHE_ROOT.mkdir(parents=True, exist_ok=True)
    # Install next to the final place and rename, so a concurrent synth never sees half an install.
    staging = Path(tempfile.mkdtemp(prefix=f".{cached.name}-", dir=CACHE_ROOT))
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        "--target",
        str(staging),
        *target,
        "-r",
        str(REQUIREMENTS),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise RuntimeError(
            f"pip could not install {REQUIREMENTS.name} for {runtime.name}/{architecture.name} "
            f"(is every dependency published as a wheel for that platform?):\n{result.stderr or result.stdout}"
        )
    for name in EXCLUDED_DEPENDENCY_DIRS:
        shutil.rmtree(staging / name, ignore_errors=True)
    try:
        staging.rename(cached)
    except OSError:  # another process finished the same install first
        shutil.rmtree(staging, ignore_errors=True)
    return cached


def _ignore_in_package(directory: str, names: list[str]) -> set[str]:
    ignored = {name for name in names if name in EXCLUDED_ANYWHERE or name.endswith(EXCLUDED_SUFFIXES)}
    if Path(directory).resolve() == (FUNCTIONS_DIR / PACKAGE).resolve():
        ignored |= EXCLUDED_AT_PACKAGE_ROOT & set(names)
    return ignored


def copy_function_package(output_dir: Path) -> None:
    shutil.copytree(FUNCTIONS_DIR / PACKAGE, output_dir / PACKAGE, ignore=_ignore_in_package, dirs_exist_ok=True)


@jsii.implements(ILocalBundling)
class _LocalBundler:
    """CDK's hook for bundling without Docker; it always bundles, so the Docker image is never used."""

    def __init__(self, runtime: lambda_.Runtime, architecture: lambda_.Architecture) -> None:
        self._runtime = runtime
        self._architecture = architecture

    def try_bundle(self, output_dir: str, *, image: DockerImage, **_docker_options: object) -> bool:
        output = Path(output_dir)
        shutil.copytree(dependencies_dir(self._runtime, self._architecture), output, dirs_exist_ok=True)
        copy_function_package(output)
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
