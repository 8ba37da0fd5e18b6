"""`creditflow bench sweep` at a tiny size: day 1 starts every escalation, day 2 does nothing."""

from __future__ import annotations

import runpy
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_sweep.py"


def test_the_sweep_benchmark_runs_at_a_tiny_size(database_url):
    bench = runpy.run_path(str(BENCH))
    result = bench["run"](database_url, 12, 150, 36, progress=lambda *_: None)
    assert result["day1_report"]["started"] == 12
    assert result["day1_report"]["failed"] == 0
    assert result["day2_report"] == {
        "started": 0,
        "woken": 0,
        "closing": 0,
        "rescheduled": 0,
        "skipped": 0,
        "failed": 0,
    }
