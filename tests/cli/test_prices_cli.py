"""``python -m task_monitor_cli prices update|show``: the refresh by hand, on the embedded AWS, on a
moto-backed "real" AWS (``--aws --table``) with the emulated Price List, and its one-line errors."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path

import botocore.session
import pytest
from moto import mock_aws

from task_monitor import audit_schema
from task_monitor.adapters.price_tables import DynamoPriceTables
from task_monitor.domain.cost.price_list import document_shape_problems
from task_monitor_cli.cli import main
from task_monitor_devkit.price_list_emulator import SAMPLE_INDEX_CSV, PriceListEmulator

TABLE = "braket-task-audit-deployed"


@pytest.fixture(autouse=True)
def quiet(monkeypatch: pytest.MonkeyPatch, sleeps) -> None:
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "CRITICAL")
    monkeypatch.delenv("AUDIT_TABLE_NAME", raising=False)


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def account() -> Iterator[DynamoPriceTables]:
    """A deployed account, in-process: moto's DynamoDB with the audit table, the Price List emulated."""
    with mock_aws(), PriceListEmulator(page_size=3, throttle=1).running():
        client = botocore.session.get_session().create_client("dynamodb", region_name="us-east-1")
        client.create_table(**audit_schema.create_table_request(TABLE))
        yield DynamoPriceTables(client, TABLE)


def test_given_a_file_and_dry_run_then_the_table_is_printed_and_nothing_is_touched():
    status, out, err = _run("prices", "update", "--from-file", str(SAMPLE_INDEX_CSV), "--dry-run")

    assert (status, err) == (0, "")
    assert "Price table of " in out and "publication date 2026-11-15" in out
    assert "qpuTask      quera/Aquila  us-east-1   $0.3 per task + $0.01 per shot  [A]" in out
    assert "Skipped 1 product(s)" in out and "'Nova-2' matches no known device in us-west-2" in out
    assert out.rstrip().endswith("Dry run: nothing stored.")


def test_given_no_aws_then_the_refresh_runs_on_the_embedded_aws_and_stores_the_emulated_price_list():
    status, out, _ = _run("prices", "update")
    assert status == 0
    assert out.startswith("Embedded AWS: an emulated Price List")
    assert "ionq/Forte-1" in out and "Stored in braket-task-audit (pk PRICES, sk CURRENT)" in out


def test_given_aws_then_the_price_list_is_read_page_by_page_and_stored_in_the_table(account):
    status, out, err = _run("prices", "update", "--aws", "--table", TABLE)

    assert (status, err) == (0, "")
    stored = account.load()
    assert document_shape_problems(stored) == [] and len(stored["entries"]) == 8
    assert f"Stored in {TABLE}" in out

    status, shown, _ = _run("prices", "show", "--aws", "--table", TABLE)
    assert status == 0 and f"Price table stored in {TABLE}" in shown
    assert "rigetti/Ankaa-3  us-west-1   $0.3 per task + $0.0009 per shot" in shown


def test_given_a_file_with_aws_then_it_is_stored_and_an_older_one_never_replaces_it(account, tmp_path, monkeypatch):
    assert _run("prices", "update", "--aws", "--table", TABLE, "--from-file", str(SAMPLE_INDEX_CSV))[0] == 0
    monkeypatch.setattr("task_monitor.price_refresh.today_utc", lambda: "2020-01-01")

    status, out, _ = _run("prices", "update", "--aws", "--table", TABLE)

    assert status == 0 and "Kept the stored table of " in out and "newer than 2020-01-01" in out
    assert account.load()["source"].startswith("AWS Price List index.csv index.csv")


def test_given_nothing_stored_then_show_says_so_and_how_to_store_one(account):
    status, out, _ = _run("prices", "show", "--aws", "--table", TABLE)
    assert status == 1
    assert f"No price table is stored in {TABLE}" in out and "prices update --aws --table" in out


@pytest.mark.parametrize(
    ("argv", "fix"),
    [
        (["prices", "update", "--from-file", "no-such.csv"], "give the path of a Price List index.csv"),
        (["prices", "update", "--pricing-region", "eu-north-1"], "served only from us-east-1, eu-central-1"),
        (["prices", "update", "--aws"], "needs the audit table: --table NAME"),
        (["prices", "show", "--aws"], "needs the audit table: --table NAME"),
    ],
)
def test_given_a_usage_mistake_then_one_line_names_the_fix_and_the_status_is_2(argv, fix):
    status, out, err = _run(*argv)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and fix in err


def test_given_a_file_that_is_not_a_price_list_then_one_line_and_status_1(tmp_path):
    not_prices = tmp_path / "index.csv"
    not_prices.write_text("name,value\nforte,1\n")
    status, _, err = _run("prices", "update", "--from-file", str(not_prices), "--dry-run")
    assert status == 1
    assert err == "error: no header row with PricePerUnit and Product Family columns: not a Price List index.csv; " \
                  "nothing stored\n"  # fmt: skip


def test_given_a_throttled_price_list_beyond_the_retries_then_aws_said_and_nothing_stored(account):
    with PriceListEmulator(throttle=100).running():
        status, _, err = _run("prices", "update", "--aws", "--table", TABLE)
    assert status == 2 and "ThrottlingException" in err and err.count("\n") == 1
    assert account.load() is None


def test_the_sample_file_is_the_one_the_docs_name():
    assert (
        Path(__file__).resolve().parents[2] / "tools/task_monitor_devkit/sample_price_list/index.csv"
        == SAMPLE_INDEX_CSV
    )
