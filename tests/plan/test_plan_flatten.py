"""flatten: nested calls become bound steps before their users, under fresh names."""

from __future__ import annotations

from hypothesis import given, settings

from neurosym.plan import parse_plan
from neurosym.plan.ast import Call, Plan, Ref, walk_values
from neurosym.plan.flatten import flatten
from tests.plan.plan_strategies import plans


def test_nested_calls_run_first_in_written_order() -> None:
    plan = parse_plan("r = f(a=g(x=h()), b=[k(y=1)], c={'z': g()})\nanswer('ok')")
    assert flatten(plan).text == (
        "_h = h()\n"
        "_g = g(x=_h)\n"
        "_k = k(y=1)\n"
        "_g_2 = g()\n"
        'r = f(a=_g, b=[_k], c={"z": _g_2})\n'
        'answer("ok")')


def test_fresh_names_avoid_binds_and_references() -> None:
    plan = parse_plan("_g = f()\nh(a=g(), b=_g_2.x)")
    flat = flatten(plan)
    assert [s.bind for s in flat.steps] == ["_g", "_g_3", None]
    assert flat.steps[2].call.arg("a") == Ref("_g_3")


def test_dotted_tool_names_give_identifier_names() -> None:
    flat = flatten(parse_plan("f(x=math.sqrt(v=2))"))
    assert flat.steps[0].bind == "_sqrt"
    assert parse_plan(flat.text) == flat


def test_flat_plan_is_unchanged() -> None:
    plan = parse_plan("a = f(x=1)\ng(y=a)")
    assert flatten(plan) == plan


@settings(max_examples=150, deadline=None)
@given(plans())
def test_flattened_plans_have_no_nested_calls_and_keep_every_call(plan: Plan) -> None:
    flat = flatten(plan)
    for step in flat.steps:
        assert not any(isinstance(v, Call) for v in walk_values(step.call) if v is not step.call)
    nested = sum(isinstance(v, Call) for s in plan.steps for v in walk_values(s.call))
    assert len(flat.steps) == nested
    binds = [s.bind for s in flat.steps if s.bind]
    assert len(binds) == len(set(binds))
    assert flat.terminal == plan.terminal
    assert parse_plan(flat.text) == flat
