"""A small evaluator of EventBridge's InputTransformer, for the template's JSON-with-bare-placeholders form.

moto applies transformers on events -> SQS, but it leaves a placeholder whose path is absent in place
(invalid JSON) and puts strings in unquoted, so it cannot stand in for EventBridge here. This follows the
EventBridge User Guide, "Input transformation": each variable is a dot-notation JSON path into the event;
in a JSON template a bare ``<name>`` becomes the value as JSON (a string quoted, an object or number as
is). For a path absent in the event the guide says only that the variable "isn't created and will not
appear in the output", so ``missing`` picks a reading: the key dropped, ``null``, or ``""``; the tests
run each of them.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

Missing = Literal["drop", "null", "empty"]
MISSING_READINGS: tuple[Missing, ...] = ("drop", "null", "empty")
_ABSENT = "\x00absent\x00"
_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.-]+)>")


def resolve(event: Any, path: str) -> tuple[bool, Any]:
    """(found, value) of a ``$.a.b-c`` path; a list index (``a.0``) as EventBridge's notation allows."""
    assert path.startswith("$."), path
    value = event
    for part in path[2:].split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return False, None
    return True, value


def transform(transformer: dict[str, Any], event: dict[str, Any], missing: Missing) -> Any:
    """The event the target receives."""
    paths = transformer["InputPathsMap"]
    assert len(paths) <= 100, "EventBridge takes at most 100 variables"

    def substitute(match: re.Match[str]) -> str:
        found, value = resolve(event, paths[match.group(1)])
        return json.dumps(value) if found else json.dumps(_ABSENT)

    text = _PLACEHOLDER.sub(substitute, transformer["InputTemplate"])
    return _settle(json.loads(text), missing)


def _settle(value: Any, missing: Missing) -> Any:
    if isinstance(value, dict):
        settled = {key: _settle(item, missing) for key, item in value.items()}
        return {key: item for key, item in settled.items() if item is not _DROPPED}
    if isinstance(value, list):
        return [item for item in (_settle(item, missing) for item in value) if item is not _DROPPED]
    if value == _ABSENT:
        return {"drop": _DROPPED, "null": None, "empty": ""}[missing]
    return value


_DROPPED = object()
