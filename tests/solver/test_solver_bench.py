"""The check-time measurement runs and reports a coherent distribution (no timing bounds)."""

from __future__ import annotations

from neurosym.solver.bench import BENCHMARK_CONSTRAINTS, benchmark_tools, measure_check_times
from neurosym.constraints import compile_constraints


def test_the_benchmark_constraints_compile_against_its_tools() -> None:
    assert len(compile_constraints(BENCHMARK_CONSTRAINTS, benchmark_tools())) == len(
        BENCHMARK_CONSTRAINTS)


def test_measure_check_times_reports_ordered_percentiles() -> None:
    times = measure_check_times(plans=6, seed=1, max_calls=3)
    assert times.count > 6 and times.feasible_count > 0
    assert 0 < times.median_ms <= times.p90_ms <= times.p99_ms <= times.max_ms
