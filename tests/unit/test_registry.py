"""The kind registry is complete: every kind has every part it needs, and every map is derived from it.

``missing_parts`` walks one kind and names what it lacks; the tests run it on every registered kind
(nothing may be missing) and on a made-up kind (everything must be named), so a new kind learns here
what it still needs. The dashboard's widget per kind is checked on the synthesized template
(``tests/infra/test_monitoring.py``), the rules' detail-types in ``tests/infra/test_event_pattern.py``.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import json
from pathlib import Path

import pytest

from infra.braket_events import braket_event_pattern
from task_monitor import telemetry_names
from task_monitor.adapters.audit_items import ITEM_KINDS, item_kind_for_arn
from task_monitor.domain import registry
from task_monitor.domain.results import ARN_FIELDS

ROOT = Path(__file__).resolve().parents[2]
BAD_INPUT = ROOT / "tests" / "bad_input"
KIND_TESTS = ROOT / "tests" / "unit" / "kinds"
METRIC_NAMES = {value for name, value in vars(telemetry_names).items() if name.isupper() and isinstance(value, str)}
# The parts every kind has, and those a kind with a log of its own (a resource and a lifecycle) has too.
PARTS_OF_EVERY_KIND = ("parser", "monitor")
PARTS_OF_STORED_KINDS = ("record", "renderer")


def _resolve(reference: str) -> object:
    module, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module), attribute)


def _rule_detail_types() -> set[str]:
    return {
        detail_type for branch in braket_event_pattern("123456789012")["$or"] for detail_type in branch["detail-type"]
    }


def _bad_input_detail_types() -> set[str]:
    found = set()
    for path in BAD_INPUT.glob("*.json"):
        body = json.loads(path.read_text(encoding="utf-8")).get("body")
        if isinstance(body, dict) and isinstance(body.get("detail-type"), str):
            found.add(body["detail-type"])
    return found


def missing_parts(kind: registry.Kind) -> list[str]:
    """What the kind lacks, one phrase each (empty when it is complete)."""
    return [*_missing_code(kind), *_missing_routes(kind), *_missing_storage(kind), *_missing_around(kind)]


def _missing_code(kind: registry.Kind) -> list[str]:
    """Its parts (parser, monitor; record and renderer for a kind with a log) and its pipeline builder."""
    missing = []
    wanted = PARTS_OF_EVERY_KIND + (PARTS_OF_STORED_KINDS if kind.stored else ())
    for part in wanted:
        if part not in kind.parts:
            missing.append(f"no {part} declared")
            continue
        try:
            found = _resolve(kind.part(part))
        except (ImportError, AttributeError) as error:
            missing.append(f"{part} {kind.part(part)} not found ({error})")
            continue
        if not callable(found):
            missing.append(f"{part} {kind.part(part)} is not callable")
    if "monitor" in kind.parts and not _has_process(kind):
        missing.append("its monitor has no process(event) method")
    try:
        builder = _resolve(kind.pipeline)
    except (ImportError, AttributeError) as error:
        return [*missing, f"pipeline builder {kind.pipeline} not found ({error})"]
    if list(inspect.signature(builder).parameters) != ["services"]:  # type: ignore[arg-type]
        missing.append(f"pipeline builder {kind.pipeline} does not take (services)")
    return missing


def _missing_routes(kind: registry.Kind) -> list[str]:
    """Its detail-types: taken by the rules, and tried by the bad-input corpus."""
    if not kind.detail_types:
        return ["no detail-type"]
    return [f"no rule takes {dt!r}" for dt in kind.detail_types if dt not in _rule_detail_types()] + [
        f"no bad-input case of {dt!r}" for dt in kind.detail_types if dt not in _bad_input_detail_types()
    ]


def _missing_storage(kind: registry.Kind) -> list[str]:
    if not kind.stored:
        return []
    missing = [] if kind.name in ITEM_KINDS else ["no item kind (adapters/audit_items.ITEM_KINDS)"]
    if not (kind.arn_resource and kind.arn_field and kind.lifecycle and kind.status_prefix):
        missing.append("a stored kind needs its ARN resource, ARN field, lifecycle and status prefix")
    return missing


def _missing_around(kind: registry.Kind) -> list[str]:
    """Its metrics, its docs page and its unit tests."""
    missing = [] if kind.events_metric in kind.metrics else ["its events metric is not among its metrics"]
    missing += [f"metric {name!r} not in telemetry_names" for name in kind.metrics if name not in METRIC_NAMES]
    if not (ROOT / "docs" / "kinds" / kind.docs_page).is_file():
        missing.append(f"no docs/kinds/{kind.docs_page}")
    if not list((KIND_TESTS / kind.name).glob("test_*.py")):
        missing.append(f"no tests in tests/unit/kinds/{kind.name}/")
    return missing


def _has_process(kind: registry.Kind) -> bool:
    try:
        monitor = _resolve(kind.part("monitor"))
    except (ImportError, AttributeError):
        return True  # already named as missing
    return callable(getattr(monitor, "process", None))


@pytest.mark.parametrize("kind", registry.KINDS, ids=lambda kind: kind.name)
def test_every_registered_kind_has_every_part(kind: registry.Kind) -> None:
    assert missing_parts(kind) == []


def test_a_kind_with_nothing_is_told_everything_it_lacks() -> None:
    bare = dataclasses.replace(
        registry.JOB,
        name="reservation",
        detail_types=("Braket Reservation State Change",),
        parts={},
        pipeline="task_monitor.wiring:build_reservation_pipeline",
        metrics=("ReservationEvents",),
        events_metric="ReservationEvents",
        docs_page="reservations.md",
    )
    missing = missing_parts(bare)
    for phrase in (
        "no parser declared",
        "no monitor declared",
        "no record declared",
        "no renderer declared",
        "pipeline builder task_monitor.wiring:build_reservation_pipeline not found",
        "no rule takes 'Braket Reservation State Change'",
        "no bad-input case of 'Braket Reservation State Change'",
        "no item kind",
        "metric 'ReservationEvents' not in telemetry_names",
        "no docs/kinds/reservations.md",
        "no tests in tests/unit/kinds/reservation/",
    ):
        assert any(line.startswith(phrase) for line in missing), (phrase, missing)


def test_names_detail_types_and_arn_resources_are_unique() -> None:
    assert len({kind.name for kind in registry.KINDS}) == len(registry.KINDS)
    every_detail_type = [dt for kind in registry.KINDS for dt in kind.detail_types]
    assert len(set(every_detail_type)) == len(every_detail_type)
    resources = [kind.arn_resource for kind in registry.KINDS if kind.arn_resource]
    assert len(set(resources)) == len(resources)
    prefixes = [prefix for kind in registry.STORED_KINDS for prefix in (kind.key_prefix, kind.status_prefix)]
    assert len(set(prefixes)) == len(prefixes)


def test_exactly_the_task_kind_is_built_at_cold_start() -> None:
    """Task events are nearly all of the traffic; every other kind is built on its first event."""
    assert [kind.name for kind in registry.KINDS if kind.at_cold_start] == ["task"]


@pytest.mark.parametrize(
    ("arn", "kind"),
    [
        ("arn:aws:braket:us-east-1:123456789012:quantum-task/5b0e7a8c-3f41-4a52-9d6e-1c2b3a4d5e6f", "task"),
        ("arn:aws:braket:us-east-1:123456789012:job/acc51817-2b7a-48ed-8dee-fffc87703b10", "job"),
        ("arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1", "device"),
        ("arn:aws:braket:::device/quantum-simulator/amazon/sv1", "device"),
        ("arn:aws:braket:us-west-2:123456789012:spending-limit/b6951b86-8222-45b1-9908-2df6c3ac717d", "spending_limit"),
        ("arn:aws:s3:::bucket/key", None),
        ("not an arn", None),
    ],
)
def test_the_kind_of_an_arn_comes_from_its_resource_type(arn: str, kind: str | None) -> None:
    found = registry.kind_of_arn(arn)
    assert (found.name if found else None) == kind
    if kind:
        assert item_kind_for_arn(arn).name == kind


def test_maps_elsewhere_are_derived_from_the_registry() -> None:
    assert ARN_FIELDS == {
        "task": "quantumTaskArn",
        "job": "jobArn",
        "device": "deviceArn",
        "spending_limit": "spendingLimitArn",
    }
    assert set(ITEM_KINDS) == {kind.name for kind in registry.STORED_KINDS}
    for name, items in ITEM_KINDS.items():
        kind = registry.BY_NAME[name]
        assert (items.key_prefix, items.arn_field, items.lifecycle) == (kind.key_prefix, kind.arn_field, kind.lifecycle)
    assert _rule_detail_types() == set(registry.ALL_DETAIL_TYPES)
