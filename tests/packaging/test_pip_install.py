"""``pip install .`` into an empty virtual environment gives the ``task-monitor`` command.

The real user's path, run once per session: a wheel built by pip in its isolated build environment
(setuptools from the package index), installed with its dependencies into a new venv, then the
console script run from that venv alone (no checkout on its path).
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from task_monitor_cli.commands import COMMANDS

ROOT = Path(__file__).resolve().parents[2]
# pip in the new venv must see nothing of the checkout: not its packages, not the egg-info a build
# leaves beside them (it would take the project as installed already).
CLEAN_ENVIRONMENT = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the venv's bin folder, the wheel)."""
    work = tmp_path_factory.mktemp("pip-install")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(work / "dist"), str(ROOT)],
        check=True,
        capture_output=True,
        env=CLEAN_ENVIRONMENT,
    )
    (wheel,) = (work / "dist").glob("braket_task_monitor-*.whl")
    venv.create(work / "venv", with_pip=True)
    bin_dir = work / "venv" / "bin"
    subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True,
        capture_output=True,
        env=CLEAN_ENVIRONMENT,
    )
    return bin_dir, wheel


def _run(bin_dir: Path, *argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(cwd), "AWS_EC2_METADATA_DISABLED": "true"}
    return subprocess.run(
        [str(bin_dir / "task-monitor"), *argv], capture_output=True, text=True, cwd=cwd, env=environment, check=False
    )


def test_the_installed_command_lists_every_command(installed, tmp_path: Path) -> None:
    bin_dir, _ = installed
    shown = _run(bin_dir, "--help", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    for command in COMMANDS:
        assert f"    {command.NAME}" in shown.stdout, command.NAME
    for command in COMMANDS:  # and each command's own help, with examples
        help_text = _run(bin_dir, command.NAME, "--help", cwd=tmp_path)
        assert help_text.returncode == 0 and "examples:" in help_text.stdout, command.NAME


def test_the_wheel_holds_the_three_packages_and_their_data_never_the_tests(installed) -> None:
    _, wheel = installed
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/", 1)[0] for name in names if not name.startswith("braket_task_monitor-")}
    assert tops == {"task_monitor", "task_monitor_cli", "task_monitor_devkit"}
    assert "task_monitor/domain/cost/prices.json" in names
    assert "task_monitor_devkit/sample_price_list/index.csv" in names
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("/METADATA"))).decode()
    assert "Requires-Dist: rich" in metadata and "Provides-Extra: devkit" in metadata
    assert "moto" not in metadata.split("Provides-Extra: devkit")[0]  # moto only with the extra


def test_without_the_devkit_the_demo_says_how_to_get_it(installed, tmp_path: Path) -> None:
    bin_dir, _ = installed
    shown = _run(bin_dir, "demo", cwd=tmp_path)
    assert shown.returncode == 2 and shown.stdout == ""
    assert shown.stderr == (
        "task-monitor: error: --demo and --events need the development kit: "
        "pip install 'braket-task-monitor[devkit]' (or make demo)\n"
    )


def test_without_credentials_the_installed_command_says_so_in_one_line(installed, tmp_path: Path) -> None:
    bin_dir, _ = installed
    task = "arn:aws:braket:us-east-1:123456789012:quantum-task/5b0e7a8c-3f41-4a52-9d6e-1c2b3a4d5e6f"
    shown = _run(bin_dir, "history", task, "--table", "audit", "--region", "us-east-1", cwd=tmp_path)
    assert shown.returncode == 1 and "Traceback" not in shown.stderr
    assert shown.stderr.startswith("task-monitor: error: no AWS credentials found") and shown.stderr.count("\n") == 1
    assert os.path.exists(bin_dir / "task-monitor")


def test_pipx_install_gives_the_command_in_an_environment_of_its_own(tmp_path: Path) -> None:
    """``pipx install .`` as the README says: pipx (from the dev lock) builds the checkout and puts
    ``task-monitor`` in its bin folder, which then runs with nothing but the system on its path."""
    homes = {"PIPX_HOME": str(tmp_path / "pipx"), "PIPX_BIN_DIR": str(tmp_path / "bin")}
    homes["PIPX_MAN_DIR"] = str(tmp_path / "man")
    installed = subprocess.run(
        [sys.executable, "-m", "pipx", "install", "--python", sys.executable, str(ROOT)],
        capture_output=True,
        text=True,
        env={**CLEAN_ENVIRONMENT, **homes},
        check=False,
    )
    assert installed.returncode == 0, installed.stderr[-2000:]
    shown = _run(tmp_path / "bin", "--help", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert all(f"    {command.NAME}" in shown.stdout for command in COMMANDS)
    assert (tmp_path / "bin" / "task-monitor").resolve().is_relative_to(tmp_path / "pipx")  # its own venv
