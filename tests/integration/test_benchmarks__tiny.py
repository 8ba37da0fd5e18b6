"""The benchmarks run end to end at a tiny size, so they cannot rot (figures are not checked)."""

from __future__ import annotations

import os
import runpy
from pathlib import Path

import pytest

POSTGRES_URL = os.environ.get("CREDITFLOW_TEST_POSTGRES_URL")

BENCH = Path(__file__).resolve().parents[1] / "bench"


def test_bench_import_runs_and_reimports_nothing():
    bench = runpy.run_path(str(BENCH / "bench_import.py"))
    backends = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]
    results = bench["main"](300, backends, False, customers=20)
    assert [r["backend"] for r in results] == backends
    assert all(r["rows"] == 300 for r in results)


@pytest.mark.slow
@pytest.mark.skipif(not POSTGRES_URL, reason="the credit-check benchmark runs on PostgreSQL")
def test_bench_credit_check_serves_through_gunicorn():
    bench = runpy.run_path(str(BENCH / "bench_credit_check.py"))
    result = bench["main"](20, 200, 20, 1, 1, False)
    assert result["at_rate"]["requests"] == 20
    assert result["at_rate"]["errors"] == 0 and result["peak"]["errors"] == 0


@pytest.mark.slow
@pytest.mark.skipif(not POSTGRES_URL, reason="the floors of the check run on PostgreSQL")
def test_bench_floors_insert_and_serve_without_errors():
    bench = runpy.run_path(str(BENCH / "bench_floors.py"))
    result = bench["main"](200, 20, 200, 30, 1, False)
    assert [(f["backend"], f["batch"]) for f in result["import"]] == [
        ("sqlite", 5_000), ("sqlite", 50_000), ("postgresql", 5_000), ("postgresql", 50_000)
    ]  # fmt: skip
    assert [f["app"] for f in result["check"]] == ["bare", "core"]
    for floor in result["check"]:
        assert floor["peak"]["requests"] == 30 and floor["peak"]["errors"] == 0
        assert floor["at_rate"]["errors"] == 0


@pytest.mark.slow
@pytest.mark.skipif(not POSTGRES_URL, reason="the HTTP benchmark runs on PostgreSQL")
def test_bench_http_times_approval_inbox_and_filing_through_gunicorn():
    bench = runpy.run_path(str(BENCH / "bench_http.py"))
    result = bench["main"](POSTGRES_URL, 1, 4, 200, 400, 2, False)
    timed = result["results"]
    assert list(timed) == [
        "approval step", "inbox page, default order", "inbox page, by due date", "filing"
    ]  # fmt: skip
    assert all(r["requests"] == 4 and r["errors"] == 0 for r in timed.values())
    assert timed["approval step"]["with_next"] == 4
    assert timed["approval step"]["next_visible"] == 4 + result["warmup"]
    page = timed["inbox page, by due date"]
    assert 0 < page["total"] < 200 and page["rows"] == min(50, page["total"])
