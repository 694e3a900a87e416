"""The fuzz suite's harness: every case runs under the watchdog and must end in a result
or a NeurosymError; the cases are counted for the report at the end of the run.

Each surface gets two tests from one body: a quick one that ``make test`` runs
(derandomised, so every run tries the same cases) and a wide one behind the ``fuzz``
marker that ``make fuzz`` runs with fresh random cases.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.watchdog import ends_cleanly

__all__ = ["CASE_LIMIT_S", "COUNTS", "fuzz_tests"]

#: Seconds one case may take before it counts as a hang (cases take milliseconds).
CASE_LIMIT_S = 15.0
#: Cases run, failures and hangs, per surface (read by the conftest's summary).
COUNTS: Counter[str] = Counter()

_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]


def _case(surface: str, body: Callable[[Any], object], value: Any) -> None:
    COUNTS[f"{surface}:cases"] += 1
    try:
        outcome = ends_cleanly(lambda: body(value), CASE_LIMIT_S)
        COUNTS[f"{surface}:{'errors' if outcome.error is not None else 'results'}"] += 1
    except BaseException as err:
        key = "hangs" if "hang:" in str(err) else "failures"
        COUNTS[f"{surface}:{key}"] += 1
        raise


def fuzz_tests(surface: str, strategy: st.SearchStrategy[Any], body: Callable[[Any], object],
               *, quick: int, wide: int) -> tuple[Callable[[], None], Callable[[], None]]:
    """The quick and the wide test of one surface (assign both at module level)."""

    @settings(max_examples=quick, deadline=None, derandomize=True, database=None,
              suppress_health_check=_HEALTH)
    @given(strategy)
    def test_quick(value: Any) -> None:
        _case(surface, body, value)

    @pytest.mark.fuzz
    @settings(max_examples=wide, deadline=None, suppress_health_check=_HEALTH)
    @given(strategy)
    def test_wide(value: Any) -> None:
        _case(surface, body, value)

    test_quick.__doc__ = f"{surface}: {quick} derandomised cases end cleanly."
    test_wide.__doc__ = f"{surface}: {wide} random cases end cleanly (make fuzz)."
    return test_quick, test_wide
