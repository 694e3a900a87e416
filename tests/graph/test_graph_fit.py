"""type_fits (declared types, before a run) and value_problems (real values, at the gateway)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from pydantic import BaseModel

from neurosym.graph.fit import field_type, type_fits, value_problems
from neurosym.tools import Param

S, I = Param("s", "string"), Param("i", "integer")
N, B = Param("n", "number"), Param("b", "boolean")
ANY = Param("a", "any")
COLORS = Param("c", "string", enum=("red", "blue"))
RGB = Param("c", "string", enum=("red", "green", "blue"))
STRS = Param("xs", "array", items=S)
INTS = Param("xs", "array", items=I)
NUMS = Param("xs", "array", items=N)
DAY = Param("d", "date")


@pytest.mark.parametrize(("source", "target", "fits"), [
    (S, S, True), (I, N, True), (N, I, False), (B, I, False), (S, I, False),
    (None, I, True), (ANY, I, True), (I, ANY, True),
    (COLORS, RGB, True), (RGB, COLORS, False), (COLORS, S, True), (S, COLORS, True),
    (I, COLORS, False),
    (INTS, NUMS, True), (NUMS, INTS, False), (STRS, S, False), (Param("xs", "array"), STRS, True),
    (DAY, S, True), (S, DAY, True),
])
def test_type_fits(source: Param | None, target: Param, fits: bool) -> None:
    assert type_fits(source, target) is fits


@pytest.mark.parametrize(("param", "part", "type_", "problem"), [
    (STRS, 0, "string", None),
    (Param("xs", "array"), 0, None, None),
    (S, 0, None, "not an array"),
    (Param("xs", "array", items=S, max_items=2), 2, None, "at most 2 items"),
    (Param("o", "object", properties=(I,)), "i", "integer", None),
    (Param("o", "object", properties=(I,)), "j", None, "has no field 'j'"),
    (Param("o", "object"), "j", None, None),
    (I, "j", None, "has no field 'j'"),
    (None, "anything", None, None),
])
def test_field_type(param: Param | None, part: str | int, type_: str | None,
                    problem: str | None) -> None:
    found, why = field_type(param, part)
    assert (found.type if found else None) == type_
    assert (problem is None and why is None) or (problem and why and problem in why)


@dataclass
class Point:
    x: int
    y: int


class Pet(BaseModel):
    name: str
    age: int


POINT = Param("p", "object", properties=(Param("x", "integer"), Param("y", "integer")),
              additional_properties=False)
PET = Param("pet", "object", properties=(Param("name", "string"), Param("age", "integer")))


@pytest.mark.parametrize(("param", "value", "words"), [
    (S, "x", None), (S, 3, "must be a string"),
    (I, 3, None), (I, True, "must be an integer"), (I, 3.0, "must be an integer"),
    (N, 3, None), (N, 2.5, None), (N, "2.5", "must be a number"), (N, float("nan"), "nan"),
    (B, False, None), (B, 0, "True or False"),
    (Param("i", "integer", minimum=1, maximum=9), 0, "at least 1"),
    (Param("i", "integer", minimum=1, maximum=9), 10, "at most 9"),
    (Param("n", "number", exclusive_minimum=0), 0, "more than 0"),
    (Param("n", "number", exclusive_maximum=1), 1, "less than 1"),
    (COLORS, "red", None), (COLORS, "green", "must be one of"),
    (Param("s", "string", pattern=r"^[A-Z]{3}$"), "CDG", None),
    (Param("s", "string", pattern=r"^[A-Z]{3}$"), "cdg", "must match the pattern"),
    (Param("s", "string", pattern="("), "x", "not a valid regular expression"),
    (Param("s", "string", min_length=2), "a", "at least 2 characters"),
    (Param("s", "string", format="date"), "2026-12-01", None),
    (Param("s", "string", format="date"), "2026-13-01", "must be a date"),
    (Param("s", "string", format="date"), dt.date(2026, 1, 1), None),
    (Param("s", "string", format="date-time"), "2026-12-01T10:00", None),
    (Param("s", "string", format="date-time"), "tomorrow", "date-time"),
    (Param("s", "string", format="email"), "a@b.org", None),
    (Param("s", "string", format="email"), "a.b.org", "email"),
    (DAY, "2026-02-28", None), (DAY, "2026-02-30", "must be a date"), (DAY, 20260228, "date"),
    (STRS, ["a", "b"], None), (STRS, ("a",), None), (STRS, "ab", "must be a list"),
    (STRS, ["a", 1], "xs[1]: must be a string"),
    (Param("xs", "array", min_items=1), [], "at least 1 items"),
    (POINT, {"x": 1, "y": 2}, None), (POINT, Point(1, 2), None),
    (POINT, {"x": 1}, "lacks the required field 'y'"),
    (POINT, {"x": 1, "y": 2, "z": 3}, "unexpected fields z"),
    (POINT, {"x": "1", "y": 2}, "p.x: must be an integer"),
    (POINT, [1, 2], "must be an object"),
    (PET, Pet(name="Rex", age=3), None),
    (S, None, "must not be None"),
    (Param("s", "string", nullable=True), None, None),
    (Param("s", "string", required=False), None, None),
    (ANY, object(), None),
])
def test_value_problems(param: Param, value: object, words: str | None) -> None:
    problems = value_problems(param, value)
    if words is None:
        assert problems == []
    else:
        assert problems and words in problems[0]


@pytest.mark.parametrize(("enum", "value", "fits"), [
    ((1, 2), 1, True), ((1, 2), 1.0, True), ((1, 2), True, False), ((True,), 1, False),
    (("a",), "a", True), (("1",), 1, False),
])
def test_enum_membership_does_not_mix_kinds(enum: tuple, value: object, fits: bool) -> None:
    assert (value_problems(Param("e", "any", enum=enum), value) == []) is fits
