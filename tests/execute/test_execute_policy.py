"""Policy: allow and deny lists, approval, and the tool set a planner may write."""

from __future__ import annotations

import pytest

from neurosym.errors import PolicyError
from neurosym.execute import Policy, ToolCall
from neurosym.execute.demo_world import make_world
from neurosym.tools import Tool

_, TOOLS = make_world()
CALL = ToolCall(0, "book_flight", {"flight_id": "UA990", "passengers": 1})


@pytest.mark.parametrize(("policy", "kept"), [
    (Policy(), list(TOOLS.names)),
    (Policy(deny=["transfer", "book_flight"]),
     [n for n in TOOLS.names if n not in ("transfer", "book_flight")]),
    (Policy(deny="transfer"), [n for n in TOOLS.names if n != "transfer"]),
    (Policy(allow=["get_balance", "transfer"]), ["get_balance", "transfer"]),
    (Policy(allow=["get_balance", "transfer"], deny=["transfer"]), ["get_balance"]),
    (Policy(allow=[]), []),
])
def test_filter_tools_removes_what_may_not_run(policy: Policy, kept: list[str]) -> None:
    assert [t.name for t in policy.filter_tools(TOOLS)] == kept


@pytest.mark.parametrize(("policy", "words"), [
    (Policy(deny=["book_flight"]), "deny list"),
    (Policy(allow=["get_balance"]), "not on the policy's allow list"),
    (Policy(require_approval=["book_flight"]), "no approver"),
    (Policy(require_approval=["book_flight"], approver=lambda call: False), "refused"),
    (Policy(require_approval=["book_flight"], approver=lambda call: "yes"), "refused"),
    (Policy(require_approval=["book_flight"], approver=lambda call: 1 / 0), "ZeroDivisionError"),
])
def test_refusals_are_policy_errors(policy: Policy, words: str) -> None:
    with pytest.raises(PolicyError) as info:
        policy.approve(CALL, TOOLS["book_flight"])
    assert words in str(info.value) and info.value.hint
    assert isinstance(info.value, PermissionError)


def test_approval_passes_when_the_approver_says_yes() -> None:
    seen = []
    policy = Policy(require_approval=["book_flight"], approver=lambda c: seen.append(c) or True)
    policy.approve(CALL, TOOLS["book_flight"])
    assert seen == [CALL]
    Policy().approve(CALL, TOOLS["book_flight"])  # nothing to approve


def test_a_tool_flagged_requires_approval_needs_it_under_any_policy() -> None:
    flagged = Tool("wire", requires_approval=True)
    assert Policy().needs_approval(flagged)
    with pytest.raises(PolicyError):
        Policy().approve(ToolCall(0, "wire", {}), flagged)
    Policy(approver=lambda call: True).approve(ToolCall(0, "wire", {}), flagged)


def test_policies_are_frozen_and_compare_by_their_lists() -> None:
    assert Policy(deny=["a", "b"]) == Policy(deny=("b", "a"))
    with pytest.raises(AttributeError):
        Policy().deny = frozenset({"x"})  # type: ignore[misc]
