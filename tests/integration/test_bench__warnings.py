"""`creditflow bench warnings` at a tiny size: it builds its data, sweeps twice, and agrees."""

from __future__ import annotations

import runpy
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_warnings.py"


def test_the_warnings_benchmark_runs_at_a_tiny_size(database_url):
    bench = runpy.run_path(str(BENCH))
    result = bench["run"](database_url, customers=200, invoices=2000)
    assert result["evaluated"] == result["evaluated_again"] == 200
    assert result["rose_steady"] == 0  # evaluating again the same day changes nothing
    levels = result["levels"]
    assert sum(levels.values()) == 200
    # The data plants each signal: overdue invoices, a near-limit exposure (5 %), grade drops,
    # score drops, enforcement flags and bounced payments.
    assert levels["blue"] and levels["yellow"] and levels["orange"] and levels["red"]
    assert result["rose"] == 200 - levels["none"]
    assert result["one_ms_median"] > 0
