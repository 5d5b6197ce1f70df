"""Write units per event, measured from the items the benchmark's events actually write.

The benchmark's mix (tasks through CREATED, QUEUED, RUNNING, COMPLETED; duplicates; QUEUED arriving
after COMPLETED) runs through the real handler against the embedded AWS (moto, the Braket emulator).
A ``WriteMeter`` on the botocore session reads, around every PutItem, UpdateItem and
TransactWriteItems, the items written as they were before and after, and prices each write with
``benchmarks.write_units``: the table's write (doubled in a transaction) and each index's entry, for
any set of index shapes (so one run prices the deployed indexes and the former all-attribute ones).

    python benchmarks/measured_writes.py          # prints write units per event, before and after
"""

from __future__ import annotations

import statistics
import sys
import uuid
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "functions"), str(ROOT / "tools")]

from benchmarks.write_units import IndexShape, index_write_units, item_size, table_write_units  # noqa: E402

WRITES = ("PutItem", "UpdateItem", "TransactWriteItems")


def shapes(indexes: Sequence[Any], *, all_attributes: bool = False) -> tuple[IndexShape, ...]:
    """Index shapes from ``audit_schema``'s definitions (or, ``all_attributes``, as if projecting ALL)."""
    return tuple(
        IndexShape(index.name, index.partition_key, index.sort_key, None if all_attributes else index.projection)
        for index in indexes
    )


class WriteMeter:
    """Prices every write the function makes to the audit table; ``charge`` gives units per shape set."""

    def __init__(self, reader: Any, table_keys: tuple[str, str], index_sets: dict[str, tuple[IndexShape, ...]]):
        self._reader = reader  # a client of its own (its GetItem calls are not writes)
        self._keys = table_keys
        self._index_sets = index_sets
        self._pending: list[tuple[str, dict[str, Any], dict[str, Any] | None, dict[str, Any] | None, bool]] = []
        self.writes: list[dict[str, Any]] = []  # one per item written: sizes and units

    def hooks(self) -> list[tuple[str, Any]]:
        """botocore handlers to install before the function's session is made (``BUILTIN_HANDLERS``)."""
        return [("before-parameter-build.dynamodb", self._before), ("after-call.dynamodb", self._after)]

    def _targets(self, operation: str, params: dict[str, Any]) -> list[tuple[str, dict[str, Any], Any, bool]]:
        if operation == "PutItem":
            return [(params["TableName"], self._key_of(params["Item"]), params["Item"], False)]
        if operation == "UpdateItem":
            return [(params["TableName"], params["Key"], None, False)]
        targets = []
        for action in params["TransactItems"]:
            ((kind, request),) = action.items()
            if kind == "Put":
                targets.append((request["TableName"], self._key_of(request["Item"]), request["Item"], True))
            elif kind == "Update":
                targets.append((request["TableName"], request["Key"], None, True))
        return targets

    def _key_of(self, item: dict[str, Any]) -> dict[str, Any]:
        return {name: item[name] for name in self._keys}

    def _read(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        return self._reader.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")

    def _before(self, model: Any = None, params: Any = None, **_: Any) -> None:
        if model.name not in WRITES:
            return
        self._pending = [
            (table, key, self._read(table, key), put, in_transaction)
            for table, key, put, in_transaction in self._targets(model.name, params)
        ]

    def _after(self, model: Any = None, http_response: Any = None, parsed: Any = None, **_: Any) -> None:
        if model.name not in WRITES:
            return
        failed = "Error" in (parsed or {}) and parsed["Error"].get("Code")
        for table, key, before, put, in_transaction in self._pending:
            if failed:  # a refused write is still charged for its item (no index changes)
                after = before if put is None else put
                indexes = dict.fromkeys(self._index_sets, 0)
            else:
                after = self._read(table, key)
                indexes = {
                    name: sum(index_write_units(before, after, shape, self._keys) for shape in index_set)
                    for name, index_set in self._index_sets.items()
                }
            self.writes.append(
                {
                    "kind": "latest" if key[self._keys[1]]["S"] == "LATEST" else "event",
                    "size": item_size(after or {}),
                    "table_units": table_write_units(before, after, in_transaction=in_transaction),
                    "index_units": indexes,
                    "failed": bool(failed),
                }
            )
        self._pending = []

    def take(self) -> list[dict[str, Any]]:
        taken, self.writes = self.writes, []
        return taken


def measure(tasks: int = 20, duplicate_every: int = 10, late_every: int = 10) -> dict[str, Any]:
    """Run the mix and return write units per event, by path and for each index set."""
    import botocore.handlers

    from task_monitor import audit_schema
    from task_monitor_devkit.builders.task import description, task_arn, task_event
    from task_monitor_devkit.embedded import EmbeddedAws

    index_sets = {
        "deployed": shapes(audit_schema.INDEXES),
        "all_attributes": shapes(audit_schema.INDEXES, all_attributes=True),
    }
    by_path: dict[str, list[dict[str, float]]] = defaultdict(list)
    sizes: dict[str, list[int]] = defaultdict(list)
    with EmbeddedAws() as aws:
        # The reader was made before the hooks: its own GetItem calls are not metered.
        meter = WriteMeter(aws.dynamodb, (audit_schema.PARTITION_KEY, audit_schema.SORT_KEY), index_sets)
        botocore.handlers.BUILTIN_HANDLERS.extend(meter.hooks())
        try:
            aws.load_handler()  # the function's session and clients, with the meter's hooks
        finally:
            for hook in meter.hooks():
                botocore.handlers.BUILTIN_HANDLERS.remove(hook)
        for number in range(tasks):
            arn = task_arn(task_id=str(uuid.UUID(int=number + 1)))
            for status in ("CREATED", "QUEUED", "RUNNING", "COMPLETED"):
                aws.braket.put_task(description(status, arn=arn))
                event = task_event(status, arn=arn)
                path = "completed_notified" if status == "COMPLETED" else "queued_new"
                _run(aws, meter, event, path, by_path=by_path, sizes=sizes)
                if status == "QUEUED" and number % duplicate_every == 0:
                    _run(aws, meter, event, "duplicate", by_path=by_path, sizes=sizes)
            if number % late_every == 0:
                late = task_event("QUEUED", arn=arn, event_id=str(uuid.uuid4()), time="2026-11-20T11:59:59Z")
                _run(aws, meter, late, "late_queued_after_completed", by_path=by_path, sizes=sizes)
    paths = {
        path: {name: round(statistics.fmean(event[name] for event in events), 3) for name in events[0]}
        for path, events in by_path.items()
    }
    return {
        "paths": paths,
        "item_bytes_p50": {kind: statistics.median(values) for kind, values in sizes.items()},
        "item_bytes_max": {kind: max(values) for kind, values in sizes.items()},
        "events": sum(len(events) for events in by_path.values()),
    }


def _run(aws: Any, meter: WriteMeter, event: dict[str, Any], path: str, *, by_path: Any, sizes: Any) -> None:
    invocation = aws.send(event)
    if invocation.error is not None:
        raise RuntimeError(f"the benchmark's event failed: {invocation.error!r}")
    writes = meter.take()
    for write in writes:
        if not write["failed"]:
            sizes[write["kind"]].append(write["size"])
    table = sum(write["table_units"] for write in writes)
    by_path[path].append(
        {name: table + sum(write["index_units"][name] for write in writes) for name in writes[0]["index_units"]}
        | {"table": table}
    )


def main() -> None:
    """Figures as JSON to ``--out`` (logs, the function's, go to stdout as in Lambda) or to stdout."""
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    figures = json.dumps(measure(), indent=2)
    if args.out:
        args.out.write_text(figures)
    else:
        print(figures)


if __name__ == "__main__":
    main()
