"""Plan values in the solver's sorts: exact numbers, dates as day numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from neurosym.constraints.values import (NotInSort, format_date, from_sort_value, parse_date,
                                         to_sort_value)

CONVERSIONS: list[tuple[Any, str, Any]] = [
    (3, "int", 3),
    (3.0, "int", 3),
    (3, "real", Fraction(3)),
    (0.1, "real", Fraction(1, 10)),
    (Decimal("2.50"), "real", Fraction(5, 2)),
    ("abc", "string", "abc"),
    (True, "bool", True),
    ("2026-12-01", "date", dt.date(2026, 12, 1).toordinal()),
    (dt.date(2026, 12, 1), "date", dt.date(2026, 12, 1).toordinal()),
    ("2026-12-01T06:00:00", "datetime", dt.date(2026, 12, 1).toordinal() * 86400 + 6 * 3600),
    ("2026-12-01T06:00:00+02:00", "datetime", dt.date(2026, 12, 1).toordinal() * 86400 + 4 * 3600),
    ("2026-12-01", "datetime", dt.date(2026, 12, 1).toordinal() * 86400),
]


@pytest.mark.parametrize(("value", "sort", "expected"), CONVERSIONS,
                         ids=[f"{v!r}-{s}" for v, s, _ in CONVERSIONS])
def test_values_convert_into_their_sort(value: Any, sort: str, expected: Any) -> None:
    assert to_sort_value(value, sort) == expected


REFUSED: list[tuple[Any, str]] = [
    (True, "int"), (2.5, "int"), ("3", "int"), (float("nan"), "real"), (None, "real"),
    (1, "string"), (1, "bool"), ("2026-13-01", "date"), ("tomorrow", "date"),
    (dt.datetime(2026, 1, 1), "date"), (5, "date"), ("noon", "datetime"),
]


@pytest.mark.parametrize(("value", "sort"), REFUSED, ids=[f"{v!r}-{s}" for v, s in REFUSED])
def test_values_outside_a_sort_are_refused(value: Any, sort: str) -> None:
    with pytest.raises(NotInSort):
        to_sort_value(value, sort)


@given(st.dates())
def test_dates_round_trip(day: dt.date) -> None:
    assert format_date(parse_date(day.isoformat())) == day.isoformat()


@given(st.fractions(max_denominator=1000))
def test_reals_come_back_as_plain_numbers(number: Fraction) -> None:
    back = from_sort_value(number, "real")
    assert isinstance(back, int) if number.denominator == 1 else isinstance(back, float)
