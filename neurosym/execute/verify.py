"""The proof a plan needs before it may run: :func:`verify` makes a :class:`VerifiedPlan`.

The executor accepts nothing else, so every plan it runs has passed
:func:`~neurosym.graph.validate.validate_plan` and, when constraints were given, the
solver's check. A VerifiedPlan cannot be built by hand.

>>> from neurosym.plan.ast import Call, Plan, Step
>>> from neurosym.tools.tool import Tool
>>> verified = verify(Plan((Step(Call("ping"), bind="p"),)), [Tool("ping")])
>>> verified.plan.steps[0].bind, verified.constraints
('p', ())
>>> VerifiedPlan(verified.plan, verified.flat, verified.tools)
Traceback (most recent call last):
...
neurosym.errors.UnverifiedPlanError: a VerifiedPlan is made only by verify()
hint: call neurosym.execute.verify(plan, tools, constraints) and execute its result
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..errors import UnverifiedPlanError
from ..graph.tool_index import ToolsLike, index_tools
from ..graph.build import plan_graph
from ..graph.validate import validate_plan
from ..plan.ast import Plan
from ..plan.flatten import flatten
from ..tools.tool import Tool

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["VerifiedPlan", "verify"]

# The seal is a keyed digest of what was verified: a copy with other contents
# (dataclasses.replace) no longer matches it, and nothing outside this process can make one.
_KEY = os.urandom(32)


def _seal_of(plan: Plan, tools: tuple[Tool, ...], constraints: tuple[Any, ...],
             observations: Mapping[str, Any], history: tuple[Any, ...] = (),
             request: str | None = None) -> str:
    text = repr((plan, tools, constraints, sorted(observations.items(), key=repr), history,
                 request))
    return hmac.new(_KEY, text.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class VerifiedPlan:
    """A plan with the proof that it passed the checks, and what it was checked against."""

    plan: Plan
    flat: Plan
    tools: tuple[Tool, ...]
    constraints: tuple[Any, ...] = ()
    observations: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}),
                                            compare=False)
    report: Any = field(default=None, compare=False, repr=False)
    _seal: str | None = field(default=None, compare=False, repr=False)
    #: Calls earlier turns of the run executed (:class:`~neurosym.execute.history.PastCall`):
    #: the constraints hold over them together with this plan.
    history: tuple[Any, ...] = ()
    #: The request the plan answers, when it came from one: a write's values must be
    #: grounded in it, an observation or an approval (:class:`~neurosym.execute.Policy`).
    request: str | None = None

    def __post_init__(self) -> None:
        expected = _seal_of(self.plan, self.tools, self.constraints, self.observations,
                            self.history, self.request)
        if self._seal is None or not hmac.compare_digest(self._seal, expected):
            raise UnverifiedPlanError(
                "a VerifiedPlan is made only by verify()",
                hint="call neurosym.execute.verify(plan, tools, constraints) and execute "
                     "its result")

    @property
    def graph(self) -> nx.DiGraph:
        """The plan's dependency graph, annotated with the tools' effects and return types."""
        return plan_graph(self.plan, self.tools)


def verify(plan: Plan | str, tools: ToolsLike, constraints: Sequence[Any] | None = None,
           observations: Mapping[str, Any] | None = None, *, history: Sequence[Any] = (),
           request: str | None = None) -> VerifiedPlan:
    """Check ``plan`` and return it sealed as verified, or raise why it is not.

    Raises :class:`~neurosym.errors.PlanValidationError` for a broken plan and
    :class:`~neurosym.errors.Unsatisfiable` when it breaks a constraint (checked only
    when ``constraints`` are given; ``observations`` are values already observed, for
    constraints that refer to them). A plan text is parsed first. In an agent run
    ``history`` holds the calls earlier turns executed (the constraints hold over them
    and this plan together) and ``request`` the user's request (writes must be grounded).
    """
    if isinstance(plan, str):
        from ..plan import parse_plan
        plan = parse_plan(plan)
    index = index_tools(tools)
    validate_plan(plan, index)
    report = None
    constraints = tuple(constraints or ())
    if constraints:
        from ._constraints import check_with_history
        report = check_with_history(plan, list(index.values()), constraints, observations,
                                    tuple(history))
    chosen = tuple(index.values())
    observed = MappingProxyType(dict(observations or {}))
    past = tuple(history)
    return VerifiedPlan(plan=plan, flat=flatten(plan), tools=chosen, constraints=constraints,
                        observations=observed, report=report, history=past, request=request,
                        _seal=_seal_of(plan, chosen, constraints, observed, past, request))
