"""The write-unit measurement on a few real tasks (handler, moto, Braket emulator): what it finds
must follow from the indexes' shapes, not be written into the benchmark."""

from __future__ import annotations

from benchmarks.measured_writes import measure


def test_the_measurement_prices_the_indexes_from_the_items_written(sleeps) -> None:
    figures = measure(tasks=2, duplicate_every=2, late_every=2)
    paths = figures["paths"]
    assert set(paths) == {"queued_new", "completed_notified", "duplicate", "late_queued_after_completed"}
    assert figures["events"] == 2 * 4 + 1 + 1
    for path in paths.values():
        # The table's own writes are the floor; the former all-attribute indexes cost at least the new ones.
        assert path["table"] <= path["deployed"] <= path["all_attributes"]
    # A new state moves byStatus (a delete and a put) and, with ALL, rewrites byDevice: the slim
    # indexes cost less on that path; a duplicate writes no index at all.
    assert paths["queued_new"]["deployed"] < paths["queued_new"]["all_attributes"]
    assert paths["duplicate"]["deployed"] == paths["duplicate"]["table"] == paths["duplicate"]["all_attributes"]
    # Every item the benchmark's tasks write is under 1 KB (issue 15): a transaction of two costs 2 x (1 + 1).
    assert max(figures["item_bytes_max"].values()) <= 1024 and paths["duplicate"]["table"] == 4
    # A new state: the transaction (4), byStatus moved (a delete and a put), byDevice once per task.
    assert paths["queued_new"]["table"] == 4 and paths["completed_notified"]["table"] == 4 + 1  # + marked SENT
