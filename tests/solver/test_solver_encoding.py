"""The Z3 encoding agrees with a plain-Python judge on many small plans."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.solver.solver_world import (JUDGED, OBSERVATIONS, PlanCalls, each, feed, in_domain, judge, plans,
                          to_plan, world_tools)

from neurosym.constraints import compile_constraints
from neurosym.solver import PlanChecker, check_plan

TOOLS = world_tools()
COMPILED = {text: compile_constraints([text], TOOLS) for text, _ in JUDGED}
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("text", [t for t, _ in JUDGED])
@SETTINGS
@given(plan=plans())
def test_the_verdict_on_a_complete_plan_is_the_judges(text: str, plan: PlanCalls) -> None:
    verdict = check_plan(to_plan(plan), TOOLS, COMPILED[text], observations=OBSERVATIONS)
    assert not verdict.unknown
    assert verdict.ok == judge(plan, [text])
    if not verdict.ok:
        assert verdict.core, "a refutation names its conflict"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=plans(), chosen=st.lists(st.sampled_from([t for t, _ in JUDGED]), min_size=2,
                                     max_size=5, unique=True))
def test_several_constraints_hold_together_exactly_when_each_does(plan: PlanCalls,
                                                                   chosen: list[str]) -> None:
    verdict = check_plan(to_plan(plan), TOOLS, chosen, observations=OBSERVATIONS)
    assert verdict.ok == judge(plan, chosen)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=plans(), chosen=st.lists(st.sampled_from([t for t, _ in JUDGED]), min_size=1,
                                     max_size=4, unique=True))
def test_a_refuted_prefix_is_never_completed_into_a_valid_plan(plan: PlanCalls,
                                                               chosen: list[str]) -> None:
    """Soundness of pruning: an open partial plan is refuted only when no completion helps;
    so when any prefix is refuted, this completion (the whole plan) is judged invalid."""
    checker = PlanChecker(TOOLS, chosen, observations=OBSERVATIONS)
    refuted_prefix = not checker.check().ok
    for step, (tool, args) in enumerate(plan):
        checker.begin_call(step, tool)
        refuted_prefix |= checker.check().refuted
        for name, value in args.items():
            checker.assign(step, name, value)
            refuted_prefix |= checker.check().refuted
        checker.end_call(step)
        refuted_prefix |= checker.check().refuted
    final = checker.check(final=True)
    assert final.ok == judge(plan, chosen)
    if refuted_prefix:
        assert not final.ok


# random arithmetic over one call's values, against the judge ---------------------------

@dataclass(frozen=True)
class Expr:
    text: str
    value: object  # a function of one hotel call's arguments


def numeric() -> st.SearchStrategy[Expr]:
    leaves = st.one_of(
        st.integers(-20, 900).map(lambda n: Expr(str(n) if n >= 0 else f"({n})",
                                                 lambda a, n=n: n)),
        st.just(Expr("hotel.nights", lambda a: a["nights"])),
        st.just(Expr("hotel.price", lambda a: a["price"])))

    def grow(inner: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
        def combine(op: str, left: Expr, right: Expr) -> Expr:
            ops = {"+": lambda x, y: x + y, "-": lambda x, y: x - y}
            return Expr(f"({left.text} {op} {right.text})",
                        lambda a: ops[op](left.value(a), right.value(a)))  # type: ignore[operator]

        def scale(k: int, e: Expr) -> Expr:
            return Expr(f"{k} * ({e.text})", lambda a: k * e.value(a))  # type: ignore[operator]

        return st.one_of(st.builds(combine, st.sampled_from(["+", "-"]), inner, inner),
                         st.builds(scale, st.integers(-3, 3), inner),
                         inner.map(lambda e: Expr(f"abs({e.text})", lambda a: abs(
                             e.value(a)))))  # type: ignore[arg-type]
    return st.recursive(leaves, grow, max_leaves=5)


def conditions() -> st.SearchStrategy[Expr]:
    ops = {"==": lambda x, y: x == y, "!=": lambda x, y: x != y, "<": lambda x, y: x < y,
           "<=": lambda x, y: x <= y, ">": lambda x, y: x > y, ">=": lambda x, y: x >= y}
    compare = st.builds(
        lambda op, left, right: Expr(f"{left.text} {op} {right.text}",
                                     lambda a: ops[op](left.value(a), right.value(a))),
        st.sampled_from(sorted(ops)), numeric(), numeric())

    def grow(inner: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
        return st.one_of(
            st.builds(lambda x, y: Expr(f"({x.text}) and ({y.text})",
                                        lambda a: x.value(a) and y.value(a)), inner, inner),
            st.builds(lambda x, y: Expr(f"({x.text}) or ({y.text})",
                                        lambda a: x.value(a) or y.value(a)), inner, inner),
            inner.map(lambda x: Expr(f"not ({x.text})", lambda a: not x.value(a))),
            st.builds(lambda x, y: Expr(f"({x.text}) implies ({y.text})",
                                        lambda a: (not x.value(a)) or y.value(a)), inner, inner))
    return st.recursive(compare, grow, max_leaves=4)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(condition=conditions(), plan=plans(max_calls=3))
def test_random_conditions_on_each_call_agree_with_the_judge(condition: Expr,
                                                             plan: PlanCalls) -> None:
    hotels_only = [(tool, args) for tool, args in plan if tool == "hotel"]
    verdict = check_plan(to_plan(hotels_only), TOOLS, [condition.text])
    if "hotel." in condition.text:
        holds = each(hotels_only, "hotel", condition.value)  # type: ignore[arg-type]
    else:  # no call's value in it: it holds, or not, once for the whole plan
        holds = bool(condition.value({}))  # type: ignore[operator]
    expected = in_domain(hotels_only) and holds
    assert not verdict.unknown
    assert verdict.ok == expected, condition.text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=plans())
def test_feeding_by_hand_and_check_plan_agree(plan: PlanCalls) -> None:
    chosen = ["sum(hotel.price) <= 500", "distinct(seat.code)", "count(transfer) >= 1"]
    checker = PlanChecker(TOOLS, chosen, observations=OBSERVATIONS)
    feed(checker, plan)
    by_hand = checker.check(final=True)
    assert by_hand.ok == check_plan(to_plan(plan), TOOLS, chosen).ok == judge(plan, chosen)
