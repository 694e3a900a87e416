"""Checkpoints and rollbacks: after any rollback the checker answers as a fresh one would."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.solver.solver_world import ARGS, OBSERVATIONS, world_tools

from neurosym.errors import DecodeError, PlanValidationError
from neurosym.solver import PlanChecker

TOOLS = world_tools()
CONSTRAINTS = ["sum(hotel.price) <= 500", "count(transfer) <= 2", "distinct(seat.code)",
               "before(login, transfer)", "hotel.check_out > hotel.check_in",
               "min(hotel.nights) >= 2", "transfer.amount < limit.result"]

Op = tuple[Any, ...]


def operations() -> st.SearchStrategy[list[Op]]:
    """begin a call, assign one of its values, end it, take a checkpoint, roll back, check."""
    begin = st.sampled_from(sorted(ARGS)).flatmap(
        lambda tool: ARGS[tool].map(lambda args: ("begin", tool, args)))
    other = st.sampled_from([("assign",), ("end",), ("checkpoint",), ("checkpoint",),
                             ("rollback",), ("check",), ("final",)])
    return st.lists(st.one_of(begin, other, other), min_size=1, max_size=30)


def replay(log: list[Op]) -> PlanChecker:
    checker = PlanChecker(TOOLS, CONSTRAINTS, observations=OBSERVATIONS)
    for op in log:
        if op[0] == "begin":
            checker.begin_call(op[1], op[2])
        elif op[0] == "assign":
            checker.assign(op[1], op[2], op[3])
        else:
            checker.end_call(op[1])
    return checker


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=operations(), pick=st.randoms(use_true_random=False))
def test_rollback_restores_exactly_the_state_of_its_checkpoint(ops: list[Op], pick: Any) -> None:
    checker = PlanChecker(TOOLS, CONSTRAINTS, observations=OBSERVATIONS)
    log: list[Op] = []  # what is in effect now
    marks: list[tuple[int, int]] = []  # (checkpoint id, length of the log when it was taken)
    pending: dict[int, list[tuple[str, Any]]] = {}  # values of open calls not yet assigned
    step = 0
    for op in ops:
        if op[0] == "begin":
            checker.begin_call(step, op[1])
            log.append(("begin", step, op[1]))
            pending[step] = list(op[2].items())
            step += 1
        elif op[0] == "assign":
            open_steps = [s for s, values in pending.items() if values]
            if not open_steps:
                continue
            target = pick.choice(open_steps)
            name, value = pending[target].pop(0)
            checker.assign(target, name, value)
            log.append(("assign", target, name, value))
        elif op[0] == "end":
            if not pending:
                continue
            target = pick.choice(sorted(pending))
            checker.end_call(target)
            log.append(("end", target))
            del pending[target]
        elif op[0] == "checkpoint":
            marks.append((checker.checkpoint(), len(log)))
        elif op[0] == "rollback":
            if not marks:
                continue
            index = pick.randrange(len(marks))
            cp, length = marks[index]
            checker.rollback(cp)
            del marks[index + 1:]
            log = log[:length]
            pending = _pending_after(log)
            step = 1 + max((o[1] for o in log if o[0] == "begin"), default=-1)
        else:
            final = op[0] == "final"
            fresh = replay(log).check(final=final)
            mine = checker.check(final=final)
            assert (mine.ok, mine.unknown) == (fresh.ok, fresh.unknown)
            assert {i.text for i in mine.core if i.kind == "constraint"} == \
                {i.text for i in fresh.core if i.kind == "constraint"}
    assert checker.calls == tuple((o[1], o[2], None) for o in log if o[0] == "begin")
    assert checker.check(final=True).ok == replay(log).check(final=True).ok


def _pending_after(log: list[Op]) -> dict[int, list[tuple[str, Any]]]:
    # after a rollback the test no longer knows the remaining values; open calls get none
    ended = {o[1] for o in log if o[0] == "end"}
    return {o[1]: [] for o in log if o[0] == "begin" and o[1] not in ended}


def test_rolling_back_twice_to_the_same_checkpoint_works() -> None:
    checker = PlanChecker(TOOLS, ["sum(hotel.price) <= 100"])
    checker.begin_call(0, "hotel")
    cp = checker.checkpoint()
    for price in (500.0, 300.0, 200.0):
        checker.assign(0, "price", price)
        assert checker.check().refuted
        checker.rollback(cp)
    checker.assign(0, "price", 80.0)
    assert checker.check().ok


def test_a_checkpoint_after_the_rollback_target_is_gone() -> None:
    checker = PlanChecker(TOOLS, [])
    first = checker.checkpoint()
    later = checker.checkpoint()
    checker.rollback(first)
    with pytest.raises(DecodeError, match=f"no checkpoint {later}"):
        checker.rollback(later)


def test_reassigning_a_value_replaces_it() -> None:
    checker = PlanChecker(TOOLS, [])
    checker.begin_call(0, "hotel")
    checker.assign(0, "nights", 40)
    assert checker.check().refuted
    checker.assign(0, "nights", 4)
    assert checker.check().ok


MISUSE: list[tuple[str, Any, str]] = [
    ("begin twice", lambda c: (c.begin_call(0, "hotel"), c.begin_call(0, "login")),
     "already begun"),
    ("unknown tool", lambda c: c.begin_call(0, "hotell"), "did you mean 'hotel'"),
    ("assign before begin", lambda c: c.assign(3, "nights", 2), "begin_call"),
    ("unknown parameter", lambda c: (c.begin_call(0, "hotel"), c.assign(0, "nigths", 2)),
     "did you mean 'nights'"),
    ("assign after end", lambda c: (c.begin_call(0, "hotel"), c.end_call(0),
                                    c.assign(0, "nights", 2)), "already complete"),
    ("feasible of nothing", lambda c: c.feasible(9, "nights"), "begin_call"),
]


@pytest.mark.parametrize(("name", "action", "hint"), MISUSE, ids=[m[0] for m in MISUSE])
def test_misuse_raises_a_plan_validation_error_with_a_hint(name: str, action: Any,
                                                           hint: str) -> None:
    checker = PlanChecker(TOOLS, [])
    with pytest.raises(PlanValidationError) as caught:
        action(checker)
    assert hint in str(caught.value)
