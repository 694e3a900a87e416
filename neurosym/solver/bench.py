"""How long checks take while a plan is written: the numbers behind the solver's budget.

:func:`measure_check_times` replays many small plans through a :class:`PlanChecker` the
way a decoder drives it (begin a call, check; assign each value, check; end the call,
check; sometimes roll back a value and try another) and reports the distribution of the
times of ``check()`` and of ``feasible()``.

Run it directly: ``python -m neurosym.solver.bench``.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass

from ..tools.tool import Param, Tool
from .checker import PlanChecker

__all__ = ["CheckTimes", "measure_check_times", "benchmark_tools", "BENCHMARK_CONSTRAINTS",
           "run_all"]

BENCHMARK_CONSTRAINTS: tuple[str, ...] = (
    "book_hotel.check_out > book_hotel.check_in",
    "book_hotel.check_out - book_hotel.check_in <= 14",
    "sum(book_hotel.price) + sum(book_flight.price) <= 1500",
    "count(transfer) <= 3",
    "distinct(book_seat.seat)",
    "before(login, transfer)",
    "transfer.amount <= get_balance.result",
    "book_flight.date <= book_hotel.check_in",
)


def benchmark_tools() -> list[Tool]:
    """A small travel-and-bank tool set with declared limits on most values."""
    return [
        Tool("book_hotel", params=(
            Param("city", "string", enum=("Paris", "Rome", "Berlin", "Lisbon")),
            Param("check_in", "string", format="date"),
            Param("check_out", "string", format="date"),
            Param("nights", "integer", minimum=1, maximum=14),
            Param("price", "number", minimum=0),
            Param("breakfast", "boolean", required=False, default=False))),
        Tool("book_flight", params=(
            Param("origin", "string", pattern="^[A-Z]{3}$"),
            Param("destination", "string", pattern="^[A-Z]{3}$"),
            Param("date", "string", format="date"),
            Param("price", "number", minimum=0))),
        Tool("book_seat", params=(Param("seat", "string", pattern="^[0-9]{1,2}[A-F]$"),)),
        Tool("login", params=(Param("user", "string", min_length=1, max_length=32),)),
        Tool("transfer", effect="write", params=(
            Param("amount", "number", exclusive_minimum=0, maximum=10000),
            Param("to", "string", format="email"))),
        Tool("get_balance", returns=Param("balance", "number")),
    ]


@dataclass(frozen=True)
class CheckTimes:
    """Milliseconds per call (wall clock); ``count`` calls measured.

    The ``cpu_`` figures are the process's CPU time for the same calls: on a machine
    shared with other work they show the cost of a check itself.
    """

    count: int
    median_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    cpu_median_ms: float
    cpu_p99_ms: float
    feasible_count: int
    feasible_median_ms: float
    feasible_p99_ms: float


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _value(rng: random.Random, tool: str, param: str) -> object:
    day = rng.randint(1, 27)
    values: dict[tuple[str, str], object] = {
        ("book_hotel", "city"): rng.choice(["Paris", "Rome", "Berlin", "Lisbon"]),
        ("book_hotel", "check_in"): f"2026-12-{day:02d}",
        ("book_hotel", "check_out"): f"2026-12-{min(day + rng.randint(-1, 5), 31):02d}",
        ("book_hotel", "nights"): rng.randint(0, 16),
        ("book_hotel", "price"): rng.choice([80.0, 120.5, 300.0, 900.0]),
        ("book_hotel", "breakfast"): rng.random() < 0.5,
        ("book_flight", "origin"): rng.choice(["SFO", "CDG", "sfo"]),
        ("book_flight", "destination"): rng.choice(["LIS", "FCO", "BER"]),
        ("book_flight", "date"): f"2026-12-{day:02d}",
        ("book_flight", "price"): rng.choice([150.0, 420.0, 700.0]),
        ("book_seat", "seat"): rng.choice(["12A", "3C", "12A", "40G"]),
        ("login", "user"): rng.choice(["ada", "grace"]),
        ("transfer", "amount"): rng.choice([10.0, 75.0, 150.0, 0.0]),
        ("transfer", "to"): rng.choice(["bob@example.com", "nobody"]),
    }
    return values[(tool, param)]


def measure_check_times(plans: int = 200, *, seed: int = 0, max_calls: int = 5,
                        timeout_ms: int = 200, feasible_every: int = 4) -> CheckTimes:
    """Replay ``plans`` random small plans and time every ``check()`` (and some ``feasible()``)."""
    rng = random.Random(seed)
    tools = benchmark_tools()
    by_name = {t.name: t for t in tools}
    names = [t.name for t in tools if t.name != "get_balance"]
    checks: list[float] = []
    cpu: list[float] = []
    feasibles: list[float] = []

    def timed_check(checker: PlanChecker, *, final: bool = False) -> bool:
        start = time.process_time()
        verdict = checker.check(final=final)
        cpu.append((time.process_time() - start) * 1000.0)
        checks.append(verdict.elapsed_ms)
        return verdict.ok
    for _ in range(plans):
        checker = PlanChecker(tools, BENCHMARK_CONSTRAINTS, timeout_ms=timeout_ms,
                              observations={"get_balance": rng.choice([100, 1000])})
        for step in range(rng.randint(1, max_calls)):
            tool = by_name[rng.choice(names)]
            checker.begin_call(step, tool.name)
            timed_check(checker)
            for i, param in enumerate(tool.params):
                if param.default is not None and rng.random() < 0.5:
                    continue
                if feasible_every and i % feasible_every == 0:
                    start = time.perf_counter()
                    checker.feasible(step, param.name)
                    feasibles.append((time.perf_counter() - start) * 1000.0)
                mark = checker.checkpoint()
                checker.assign(step, param.name, _value(rng, tool.name, param.name))
                if not timed_check(checker):
                    checker.rollback(mark)  # retract, then take another value
                    checker.assign(step, param.name, _value(rng, tool.name, param.name))
                    timed_check(checker)
            checker.end_call(step)
            timed_check(checker)
        timed_check(checker, final=True)
    return CheckTimes(
        count=len(checks), median_ms=statistics.median(checks), p90_ms=_percentile(checks, 0.9),
        p99_ms=_percentile(checks, 0.99), max_ms=max(checks),
        cpu_median_ms=statistics.median(cpu), cpu_p99_ms=_percentile(cpu, 0.99),
        feasible_count=len(feasibles),
        feasible_median_ms=statistics.median(feasibles) if feasibles else 0.0,
        feasible_p99_ms=_percentile(feasibles, 0.99))


def run_all() -> int:
    """Measure and print the check times (the ``solver`` suite of ``neurosym bench all``)."""
    times = measure_check_times()
    print(f"solver: {times.count} checks, median {times.median_ms:.3f} ms, "
          f"p90 {times.p90_ms:.3f} ms, p99 {times.p99_ms:.3f} ms, max {times.max_ms:.3f} ms "
          f"(CPU time: median {times.cpu_median_ms:.3f} ms, p99 {times.cpu_p99_ms:.3f} ms); "
          f"{times.feasible_count} feasible() calls, median {times.feasible_median_ms:.3f} ms, "
          f"p99 {times.feasible_p99_ms:.3f} ms")
    return 0


if __name__ == "__main__":  # pragma: no cover
    run_all()
