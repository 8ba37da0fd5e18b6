"""The engine benchmarks run end to end at a tiny size, so none of them rots (no figure is
checked: timing belongs to the benchmarks themselves)."""

from __future__ import annotations

import os
import runpy
from pathlib import Path

import pytest

POSTGRES_URL = os.environ.get("CREDITFLOW_TEST_POSTGRES_URL")
BENCH = Path(__file__).resolve().parents[1] / "bench"
needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="runs on PostgreSQL")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_bench_lifecycle_runs_with_its_breakdown(backend):
    if backend == "postgresql" and not POSTGRES_URL:
        pytest.skip("CREDITFLOW_TEST_POSTGRES_URL is unset")
    bench = runpy.run_path(str(BENCH / "bench_lifecycle.py"))
    url = POSTGRES_URL if backend == "postgresql" else None
    result = bench["main"](2, 1, write=False, db_url=url, breakdown=True)
    assert result["ratio"] > 0 and result["breakdown"][-1].startswith("total")


@pytest.mark.slow
@needs_postgres
def test_bench_timers_runs_with_a_worker_and_its_split():
    bench = runpy.run_path(str(BENCH / "bench_timers.py"))
    result = bench["main"](20, [1], write=False, split_count=20)
    assert result["runs"][0]["fired"] == 20 and result["runs"][0]["twice"] == 0
    assert result["split"]["fired"] == 20


@pytest.mark.slow
@needs_postgres
def test_bench_writers_runs_two_writers():
    bench = runpy.run_path(str(BENCH / "bench_writers.py"))
    [result] = bench["main"](POSTGRES_URL, [2], 2, write=False, settle=8)
    assert result["writers"] == 2 and result["steps_per_s"] > 0


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_bench_inbox_generates_and_pages_the_task_list(backend):
    if backend == "postgresql" and not POSTGRES_URL:
        pytest.skip("CREDITFLOW_TEST_POSTGRES_URL is unset")
    bench = runpy.run_path(str(BENCH / "bench_inbox.py"))
    url = POSTGRES_URL if backend == "postgresql" else None
    result = bench["main"](300, 2000, url, 3, write=False)
    assert result["results"]
    for figures in result["results"].values():
        assert figures["plan"] and figures["p95"] > 0


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_bench_storage_measures_written_and_retained_bytes(backend):
    if backend == "postgresql" and not POSTGRES_URL:
        pytest.skip("CREDITFLOW_TEST_POSTGRES_URL is unset")
    bench = runpy.run_path(str(BENCH / "bench_storage.py"))
    url = POSTGRES_URL if backend == "postgresql" else None
    result = bench["main"](2, url, write=False)
    assert sum(result["written"].values()) > 0 and result["compacted"] >= 2
