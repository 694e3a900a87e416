"""Every solver call has a time limit: a hard problem gives 'unknown', never a hang."""

from __future__ import annotations

import pytest

from neurosym.errors import NeurosymError
from neurosym.plan.ast import Call, Plan, Step
from neurosym.solver import Feasible, PlanChecker, check_plan
from neurosym.tools.tool import Param, Tool

CUBE = Tool("cube", params=(Param("x", "integer"), Param("y", "integer"), Param("z", "integer")))
# integers whose cubes sum to 33: a famously hard search, far beyond any time limit here
HARD = "cube.x * cube.x * cube.x + cube.y * cube.y * cube.y + cube.z * cube.z * cube.z == 33"


def test_a_check_that_runs_out_of_time_is_unknown() -> None:
    checker = PlanChecker([CUBE], [HARD], timeout_ms=50)
    checker.begin_call(0, "cube")
    verdict = checker.check()
    assert verdict.unknown and not verdict.ok and not verdict.refuted
    assert "timeout" in verdict.reason and "50 ms" in verdict.reason
    assert verdict.elapsed_ms < 5000  # the limit was honoured (with room for a busy machine)
    assert "could not decide in time" in verdict.explanation


def test_forward_checking_under_a_timeout_says_unknown() -> None:
    checker = PlanChecker([CUBE], [HARD], timeout_ms=50)
    checker.begin_call(0, "cube")
    assert checker.feasible(0, "x") == Feasible("unknown")
    assert checker.propose(0, "x") == []


def test_check_plan_passes_its_time_limit_on() -> None:
    plan = Plan((Step(Call("cube")),))
    verdict = check_plan(plan, [CUBE], [HARD], timeout_ms=50)
    assert verdict.unknown


def test_a_generous_limit_decides_the_easy_cases_of_the_same_problem() -> None:
    checker = PlanChecker([CUBE], [HARD], timeout_ms=2000)
    checker.begin_call(0, "cube")
    for name, value in (("x", 1), ("y", 2), ("z", 3)):
        checker.assign(0, name, value)
    assert checker.check().refuted  # 1 + 8 + 27 = 36


def test_a_time_limit_below_one_millisecond_is_refused() -> None:
    with pytest.raises(NeurosymError, match="at least 1 millisecond"):
        PlanChecker([CUBE], [], timeout_ms=0)
