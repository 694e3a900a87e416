"""The constraint suite's comparison of a plan with the calls its request asks for."""

from __future__ import annotations

import pytest

from neurosym.bench.constraints import compare_intended, load_scenarios
from neurosym.plan import parse_plan

ASKED = ('book_hotel(city="Paris", nights=2, price=700)',)


@pytest.mark.parametrize(("plan", "faithful", "padded", "bent"), [
    ('r1 = book_hotel(city="Paris", nights=2, price=700)', True, False, False),
    ('r1 = book_hotel(city="paris", nights=2, price=700.0)', True, False, False),
    ('r1 = book_hotel(city="Paris", nights=2, price=500)', False, False, True),
    ('r1 = book_hotel(city="Paris", nights=2, price=500)\n'
     'r2 = book_hotel(city="Paris", nights=1, price=0)', False, True, True),
    ('r1 = book_hotel(city="Paris", nights=2, price=700)\n'
     'r2 = book_hotel(city="Paris", nights=1, price=0)', False, True, False),
    ('r1 = book_hotel(city="Paris", nights=1, price=350)\n'
     'r2 = book_hotel(city="Paris", nights=1, price=350)', False, True, True),
])
def test_plans_against_the_intended_calls(plan: str, faithful: bool, padded: bool,
                                          bent: bool) -> None:
    found = compare_intended(parse_plan(plan), ASKED)
    assert (found["faithful"], found["padded"], found["bent"]) == (faithful, padded, bent)


def test_the_order_of_intended_calls_does_not_matter() -> None:
    intended = ('transfer(to_account="bob", amount=10)', 'transfer(to_account="carol", amount=20)')
    plan = parse_plan('r1 = transfer(to_account="carol", amount=20)\n'
                      'r2 = transfer(to_account="bob", amount=10)')
    assert compare_intended(plan, intended)["faithful"]


def test_every_satisfiable_scenario_states_its_intended_calls_in_every_language() -> None:
    scenarios = load_scenarios()
    assert {s.language for s in scenarios} >= {"en", "de", "fr", "es"}
    for scenario in scenarios:
        if scenario.satisfiable:
            assert scenario.intended, scenario.name
            for text in scenario.intended:
                (step,) = parse_plan(text).steps
                assert step.call.tool in {t.name for t in scenario.tools}


def _row(mode: str, *, satisfiable: bool = True, conflicts: bool = False,
         faithful: bool = False, verdict: str = "uncertain", expected: str | None = None) -> dict:
    return {"mode": mode, "satisfiable": satisfiable, "conflicts": conflicts, "ok": True,
            "verdict": verdict, "expected": expected, "written": True, "violations": [],
            "faithful_plan": faithful, "padded": False, "bent": not faithful,
            "silent_bend": False, "misread": False, "explained": False}


def test_faithfulness_is_counted_where_the_request_can_be_carried_out_as_asked() -> None:
    from neurosym.bench.constraints import summarize
    rows = [_row("solver", faithful=True, verdict="faithful", expected="faithful"),
            _row("solver", verdict="uncertain", expected="faithful"),
            # A request that breaks its constraints can only be honest, not faithful.
            _row("solver", conflicts=True, verdict="unsatisfiable", expected="unsatisfiable"),
            _row("solver", conflicts=True, verdict="uncertain", expected="unsatisfiable"),
            _row("solver", satisfiable=False, verdict="unsatisfiable",
                 expected="unsatisfiable")]
    mine = next(s for s in summarize(rows) if s["mode"] == "solver")
    assert (mine["faithful_where_fits"], mine["fits_total"]) == (1, 2)
    assert (mine["conflicts_as_expected"], mine["conflicts_judged"]) == (1, 2)
    assert (mine["satisfiable_planned"], mine["satisfiable_total"]) == (4, 4)
