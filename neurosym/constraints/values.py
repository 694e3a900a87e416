"""Plan values in the solver's sorts, and back: dates as day numbers, numbers as exact fractions.

A date ``"2026-12-01"`` is its proleptic ordinal (day 1 is 0001-01-01); a date-time is
seconds since the start of day 1, in UTC, so a date converts to a date-time by
multiplying by 86400. Reals are kept exact (``Fraction`` from the decimal text), so
``0.1 + 0.2 <= 0.3`` holds as a person reading it expects.

>>> to_sort_value("2026-12-01", "date")
739951
>>> from_sort_value(739951, "date")
'2026-12-01'
>>> to_sort_value(0.1, "real")
Fraction(1, 10)
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Literal

__all__ = ["Sort", "SORTS", "NotInSort", "to_sort_value", "from_sort_value", "parse_date",
           "format_date", "parse_datetime", "format_datetime", "sort_label"]

Sort = Literal["int", "real", "string", "bool", "date", "datetime"]
SORTS: tuple[str, ...] = ("int", "real", "string", "bool", "date", "datetime")
_SECONDS_PER_DAY = 86400
_LABELS = {"int": "an integer", "real": "a number", "string": "a string", "bool": "a boolean",
           "date": "a date (YYYY-MM-DD)", "datetime": "a date-time (YYYY-MM-DDTHH:MM:SS)"}


class NotInSort(ValueError):
    """A Python value that has no representation in the requested sort."""


def sort_label(sort: str) -> str:
    """How a sort reads in an explanation: ``"an integer"``."""
    return _LABELS.get(sort, sort)


def parse_date(text: str) -> int:
    """``"2026-12-01"`` -> its day number; a malformed date raises NotInSort."""
    try:
        return _dt.date.fromisoformat(text.strip()).toordinal()
    except (ValueError, AttributeError):
        raise NotInSort(f"{text!r} is not a date (YYYY-MM-DD)") from None


def format_date(days: int) -> str:
    """A day number back to ``YYYY-MM-DD`` (days outside the calendar stay numbers)."""
    try:
        return _dt.date.fromordinal(days).isoformat()
    except (ValueError, OverflowError):
        return str(days)


def _datetime_seconds(moment: _dt.datetime) -> int:
    if moment.tzinfo is not None:
        moment = moment.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    return (moment.toordinal() * _SECONDS_PER_DAY + moment.hour * 3600 + moment.minute * 60
            + moment.second)


def parse_datetime(text: str) -> int:
    """An ISO 8601 date-time (or date) -> seconds since the start of day 1, UTC."""
    try:
        return _datetime_seconds(_dt.datetime.fromisoformat(text.strip()))
    except (ValueError, AttributeError):
        raise NotInSort(f"{text!r} is not a date-time (YYYY-MM-DDTHH:MM:SS)") from None


def format_datetime(seconds: int) -> str:
    days, rest = divmod(seconds, _SECONDS_PER_DAY)
    try:
        day = _dt.date.fromordinal(days)
    except (ValueError, OverflowError):
        return str(seconds)
    moment = _dt.datetime(day.year, day.month, day.day) + _dt.timedelta(seconds=rest)
    return moment.isoformat()


def _exact(value: Any) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise NotInSort(f"{value!r} is not a finite number")
        return Fraction(Decimal(repr(value)))
    if isinstance(value, Decimal):
        try:
            return Fraction(value)
        except (ValueError, OverflowError, InvalidOperation):
            raise NotInSort(f"{value!r} is not a finite number") from None
    raise NotInSort(f"{value!r} is not a number")


def to_sort_value(value: Any, sort: str) -> int | Fraction | str | bool:
    """The value in the solver's terms for ``sort``, or NotInSort when it has none."""
    if sort == "bool":
        if isinstance(value, bool):
            return value
        raise NotInSort(f"{value!r} is not a boolean")
    if sort == "string":
        if isinstance(value, str):
            return value
        raise NotInSort(f"{value!r} is not a string")
    if isinstance(value, bool):
        raise NotInSort(f"{value!r} is not {sort_label(sort)}")
    if sort == "int":
        number = _exact(value) if isinstance(value, (int, float, Decimal, Fraction)) else None
        if number is None or number.denominator != 1:
            raise NotInSort(f"{value!r} is not an integer")
        return int(number)
    if sort == "real":
        return _exact(value)
    if sort == "date":
        if isinstance(value, _dt.datetime):
            raise NotInSort(f"{value!r} is a date-time, not a date")
        if isinstance(value, _dt.date):
            return value.toordinal()
        if isinstance(value, str):
            return parse_date(value)
        raise NotInSort(f"{value!r} is not a date")
    if sort == "datetime":
        if isinstance(value, _dt.datetime):
            return _datetime_seconds(value)
        if isinstance(value, _dt.date):
            return value.toordinal() * _SECONDS_PER_DAY
        if isinstance(value, str):
            return parse_datetime(value)
        raise NotInSort(f"{value!r} is not a date-time")
    raise NotInSort(f"unknown sort {sort!r}")


def from_sort_value(value: int | Fraction | str | bool, sort: str) -> Any:
    """The value as a plan would write it: dates as ISO text, whole reals as ints."""
    if sort == "date":
        return format_date(int(value))
    if sort == "datetime":
        return format_datetime(int(value))
    if sort == "real":
        number = Fraction(value)  # type: ignore[arg-type]
        return int(number) if number.denominator == 1 else float(number)
    return value
