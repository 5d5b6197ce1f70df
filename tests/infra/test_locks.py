"""The lock files: every pip install of the project takes exact versions and sha256 hashes from one.

Each hand-edited ``requirements*.txt`` (top-level pins) has a lock beside it made by ``make lock``; the
Makefile installs the development venv and the runtime-SDK stand-in from them with ``--require-hashes``,
and ``infra/packaging.py`` the function asset (tests/infra/test_packaging.py checks that one)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# lock -> the input it is made from (an input's `-r` includes are part of it).
LOCKS = {
    "requirements-dev.lock": "requirements-dev.txt",
    "requirements-runtime-sdk.lock": "requirements-runtime-sdk.txt",
    "requirements-lambda.lock": "requirements-lambda.txt",
}
# Read only through requirements-dev.txt's `-r`: no install of its own, so no lock of its own.
INCLUDED_ONLY = {"requirements.txt"}

_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_LOCKED = re.compile(
    rf"^(?P<name>{_NAME})(?:\[[^\]]*\])?==(?P<version>[^\s;]+)"
    r"(?:\s*;\s*(?P<marker>[^-][^\\]*?))?"
    r"(?P<hashes>(?:\s+--hash=sha256:[0-9a-f]{64})+)$"
)
_PINNED = re.compile(rf"^(?P<name>{_NAME})(?:\[[^\]]*\])?==(?P<version>\S+)$")


@dataclass(frozen=True)
class LockEntry:
    name: str
    version: str
    marker: str | None
    hashes: tuple[str, ...]


def canonical(name: str) -> str:
    """PEP 503's normalized name: typing_extensions and typing-extensions are one package."""
    return re.sub(r"[-_.]+", "-", name).lower()


def logical_lines(text: str) -> list[str]:
    """The requirement lines of a requirements file: continuations joined, comments and blanks dropped."""
    joined = re.sub(r"\\\n", " ", text)
    lines = [re.sub(r"(^|\s)#.*$", "", line).strip() for line in joined.splitlines()]
    return [line for line in lines if line]


def parse_lock(text: str) -> list[LockEntry]:
    """Every entry of a lock; a line that is not `name==version [; marker] --hash=sha256:...` fails."""
    entries = []
    for line in logical_lines(text):
        match = _LOCKED.match(line)
        assert match, f"not an exact pin with sha256 hashes: {line[:200]!r}"
        hashes = tuple(re.findall(r"--hash=sha256:([0-9a-f]{64})", match["hashes"]))
        entries.append(LockEntry(canonical(match["name"]), match["version"], match["marker"], hashes))
    return entries


def top_level_pins(path: Path) -> dict[str, str]:
    """name -> version of every pin of a hand-edited input, following its `-r` includes."""
    pins: dict[str, str] = {}
    for line in logical_lines(path.read_text()):
        if line.startswith("-r "):
            pins.update(top_level_pins(path.parent / line.removeprefix("-r ").strip()))
            continue
        match = _PINNED.match(line)
        assert match, f"{path.name}: not an exact pin: {line!r}"
        pins[canonical(match["name"])] = match["version"]
    return pins


def drift(pins: dict[str, str], entries: list[LockEntry]) -> dict[str, tuple[str, list[str]]]:
    """Top-level pins the lock does not hold at exactly that version: name -> (pinned, locked)."""
    locked: dict[str, list[str]] = {}
    for entry in entries:
        locked.setdefault(entry.name, []).append(entry.version)
    return {
        name: (version, locked.get(name, []))
        for name, version in pins.items()
        if locked.get(name, []) == [] or set(locked[name]) != {version}
    }


# ------------------------------------------------------------------------------------ the lock files


def test_given_the_checkout_then_each_installed_requirements_file_has_a_lock_and_no_lock_is_orphaned():
    inputs = {path.name for path in ROOT.glob("requirements*.txt")}
    locks = {path.name for path in ROOT.glob("requirements*.lock")}

    assert inputs - INCLUDED_ONLY == set(LOCKS.values())
    assert locks == set(LOCKS)


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_given_a_lock_then_every_line_pins_one_version_with_sha256_hashes(lock):
    text = (ROOT / lock).read_text()
    entries = parse_lock(text)

    assert entries, f"{lock} holds no package"
    assert all(entry.hashes for entry in entries)
    assert text.startswith(f"# Locked from {LOCKS[lock]} by `make lock`"), "the header says how it was made"
    # One entry per package, unless markers split it (e.g. a release that needs a newer Python).
    names = [entry.name for entry in entries]
    repeated = {name for name in names if names.count(name) > 1}
    assert all(entry.marker for entry in entries if entry.name in repeated), repeated


@pytest.mark.parametrize(("lock", "source"), sorted(LOCKS.items()))
def test_given_a_lock_then_it_holds_every_top_level_pin_of_its_input_at_the_same_version(lock, source):
    pins = top_level_pins(ROOT / source)
    entries = parse_lock((ROOT / lock).read_text())

    assert pins
    assert drift(pins, entries) == {}, f"{lock} is out of date with {source}: run `make lock`"


def test_given_the_lambda_lock_then_it_holds_only_its_pins_since_pip_installs_it_with_no_deps():
    # botocore's own dependencies come from the runtime: the asset's lock must not add them.
    pins = top_level_pins(ROOT / "requirements-lambda.txt")
    entries = parse_lock((ROOT / "requirements-lambda.lock").read_text())

    assert sorted(entry.name for entry in entries) == sorted(pins)


def test_given_bad_lines_then_the_checks_reject_them():
    """The checks above can fail: a range, a pin without a hash, an editable, a short hash, a moved pin."""
    good = "rich==15.0.0 \\\n    --hash=sha256:" + "a" * 64 + "\n    # via -r requirements-dev.txt\n"
    for bad in (
        "rich>=15.0.0 --hash=sha256:" + "a" * 64,
        "rich==15.0.0",
        "-e .",
        "rich==15.0.0 --hash=sha256:abc",
        "rich==15.0.0 --hash=md5:" + "a" * 32,
    ):
        with pytest.raises(AssertionError, match="not an exact pin"):
            parse_lock(good + bad + "\n")
    entries = parse_lock(good)

    assert entries == [LockEntry("rich", "15.0.0", None, ("a" * 64,))]
    assert drift({"rich": "15.0.0"}, entries) == {}
    assert drift({"rich": "15.0.1"}, entries) == {"rich": ("15.0.1", ["15.0.0"])}
    assert drift({"pytest": "9.2.0"}, entries) == {"pytest": ("9.2.0", [])}


# ------------------------------------------------------------------------------------- the Makefile


def _make(*arguments: str) -> str:
    """make run dry (-n: recipes printed, not run), in the checkout."""
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", *arguments], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_given_the_makefile_then_every_pip_install_checks_hashes_from_a_lock():
    commands = _make("-B", ".venv/.installed", ".build/runtime-sdk/.installed").splitlines()
    every_install = [line for line in commands if " pip install " in line]
    # The project itself, editable and without dependencies (they are the lock's): no third-party code.
    project = [line for line in every_install if line.endswith("--no-deps --editable .")]
    installs = [line for line in every_install if line not in project]

    assert len(project) == 1 and len(installs) == 2
    assert all("--require-hashes" in line and "--no-deps" in line for line in installs), installs
    assert [line.split(" -r ")[-1] for line in installs] == ["requirements-dev.lock", "requirements-runtime-sdk.lock"]
    assert "--target .build/runtime-sdk" in installs[1]


def test_given_the_makefile_then_a_lock_change_reinstalls_and_only_make_lock_writes_locks():
    database = _make("-p", "help")
    everything = _make("-B", "test", "bench", "demo", "synth")
    locking = _make("-B", "lock")

    assert re.search(r"^\.venv/\.installed: requirements-dev\.lock pyproject\.toml$", database, re.MULTILINE)
    assert re.search(r"^\.build/runtime-sdk/\.installed: requirements-runtime-sdk\.lock\b", database, re.MULTILINE)
    assert "pip compile" not in everything
    compiled = [line for line in locking.splitlines() if " pip compile " in line]
    assert [line.split(" -o ")[-1] for line in compiled] == [
        "requirements-dev.lock",
        "requirements-runtime-sdk.lock",
        "requirements-lambda.lock",
    ]
    assert all("--generate-hashes" in line for line in compiled)
