"""Verdicts and explanations read as sentences about the user's own plan."""

from __future__ import annotations

import pytest

from neurosym.solver import CoreItem, Feasible, Verdict, explain

ASSIGN = CoreItem("assignment", "book_hotel.nights = 20", step=2, tool="book_hotel",
                  param="nights", value=20)
OTHER = CoreItem("assignment", "book_hotel.price = 900.0", step=4, tool="book_hotel",
                 param="price", value=900.0)
RANGE = CoreItem("parameter", "nights in 1..14", step=2, tool="book_hotel", param="nights",
                 origin="parameter range of book_hotel")
BUDGET = CoreItem("constraint", "sum(book_hotel.price) <= 500")
END = CoreItem("end", "the plan ends here (no later call can help)")

EXPLAINED: list[tuple[tuple[CoreItem, ...], str]] = [
    ((ASSIGN, RANGE), "book_hotel.nights = 20 (step 2) conflicts with nights in 1..14 "
                      "(parameter range of book_hotel)"),
    ((ASSIGN, OTHER, BUDGET, RANGE),
     "book_hotel.nights = 20 (step 2) and book_hotel.price = 900.0 (step 4) conflict with the "
     "constraint sum(book_hotel.price) <= 500 and nights in 1..14 (parameter range of "
     "book_hotel)"),
    ((BUDGET, END), "the constraints cannot all hold together: the constraint "
                    "sum(book_hotel.price) <= 500; the plan ends here (no later call can help)"),
    ((), "the constraints cannot all hold"),
    ((ASSIGN,), "book_hotel.nights = 20 (step 2) conflicts with each other"),
]


@pytest.mark.parametrize(("core", "text"), EXPLAINED)
def test_explanations(core: tuple[CoreItem, ...], text: str) -> None:
    assert explain(core) == text


def test_verdict_properties() -> None:
    refuted = Verdict(False, (OTHER, ASSIGN, RANGE))
    assert refuted.refuted and not refuted and refuted.culprits == (4, 2)
    assert refuted.assignments == (OTHER, ASSIGN)
    timed_out = Verdict(False, unknown=True, reason="timeout after 5 ms")
    assert not timed_out.refuted and "timeout after 5 ms" in timed_out.explanation
    assert Verdict(True) and Verdict(True).explanation == "the plan meets every constraint"


ADMITS: list[tuple[Feasible, object, bool | None]] = [
    (Feasible("finite", (1, 2)), 2, True),
    (Feasible("finite", (1, 2)), 3, False),
    (Feasible("range", lo=0, hi=10, hi_inclusive=False), 10, False),
    (Feasible("range", lo=0, hi=10, hi_inclusive=False), 0, True),
    (Feasible("range", lo="2026-01-01"), "2026-06-01", True),
    (Feasible("range", lo=0), "x", None),
    (Feasible("unknown"), 1, None),
    (Feasible("empty"), 1, False),
]


@pytest.mark.parametrize(("found", "value", "expected"), ADMITS)
def test_feasible_admits(found: Feasible, value: object, expected: bool | None) -> None:
    assert found.admits(value) is expected
