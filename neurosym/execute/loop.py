"""The agent loop: propose a plan, verify it, run it, observe, and propose again.

The loop stops when a plan ends in ``answer("...")`` or ``ask("...")``, when a plan is
``none()`` (no tool fits), or when ``max_turns`` plans have been tried. A plan that
fails verification is not run; why it failed becomes an observation, so the next
proposal can correct it. ``propose`` is any callable from the request and the
observations so far to a Plan: the planner's model, or a script in a test.

>>> from neurosym.plan.parse import parse_plan
>>> from neurosym.tools.tool import Param, Tool
>>> clock = Tool("clock", returns=Param("result", "string"), func=lambda: "12:00")
>>> def propose(request, observations):
...     if not observations:
...         return parse_plan("t = clock()")
...     return parse_plan(f'answer("It is {observations[-1].text}.")')
>>> result = run_loop("What time is it?", propose, tools=[clock], executor=Executor([clock]))
>>> result.status, result.text, len(result.turns)
('answer', 'It is 12:00.', 2)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import BudgetExceeded, PlanValidationError, Unsatisfiable
from ..graph.plain import to_jsonable
from ..graph.tool_index import ToolsLike, index_tools
from ..plan.ast import Plan
from ..redact import Secrets
from .executor import Executor
from .history import PastCall, past_calls
from .result import ExecutionResult
from .shape import ObservationStore, shape_observation
from .verify import verify

__all__ = ["LoopObservation", "LoopResult", "LoopStatus", "Proposal", "Proposer", "Turn",
           "run_loop"]

#: ``unanswered``: the calls ran, but the proposer had no answer to give from them;
#: ``unsatisfiable``: the proposer found no plan that keeps the constraints and the request.
LoopStatus = Literal["answer", "ask", "none", "dry-run", "budget", "unanswered",
                     "unsatisfiable"]


@dataclass(frozen=True)
class LoopObservation:
    """One thing the loop saw, shaped for a prompt: a step's result or error, or why a
    plan was rejected (``step`` and ``tool`` are None then)."""

    turn: int
    step: int | None
    tool: str | None
    bind: str | None
    ok: bool
    text: str
    handle: str | None = None


@dataclass(frozen=True)
class Turn:
    """One proposal and what came of it."""

    index: int
    plan: Plan
    verified: bool
    error: str | None = None
    execution: ExecutionResult | None = None
    observations: tuple[LoopObservation, ...] = ()
    #: The proposer's verdict on the plan (:class:`neurosym.verdict.Judgement`), if any.
    judgement: Any = field(default=None, compare=False)

    @property
    def verdict(self) -> str | None:
        return None if self.judgement is None else str(self.judgement.verdict)


@dataclass(frozen=True)
class LoopResult:
    """How the loop ended (``status``), the answer or question (``text``), every turn,
    and the store holding the full observations."""

    status: LoopStatus
    text: str | None
    turns: tuple[Turn, ...]
    store: ObservationStore = field(compare=False, repr=False, default_factory=ObservationStore)
    #: The sensitive values every turn met (:mod:`neurosym.redact`); never shown.
    secrets: Secrets = field(compare=False, repr=False, default_factory=Secrets)

    @property
    def ok(self) -> bool:
        """The loop reached a terminal form (an answer, a question, or no tool fits)."""
        return self.status in ("answer", "ask", "none", "dry-run")

    @property
    def observations(self) -> tuple[LoopObservation, ...]:
        return tuple(o for turn in self.turns for o in turn.observations)

    @property
    def history(self) -> tuple[PastCall, ...]:
        """Every call the run executed successfully, in order."""
        return tuple(past for turn in self.turns if turn.execution is not None
                     for past in past_calls(turn.index, turn.execution.steps))

    @property
    def values(self) -> dict[str, Any]:
        """The latest successful result under each bound name."""
        found: dict[str, Any] = {}
        for turn in self.turns:
            if turn.execution is not None:
                found.update(turn.execution.values)
        return found

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary: status, text, and each turn's plan and observations
        (sensitive values redacted: the plans have run, this is their record)."""
        redact = self.secrets.redact
        return {
            "status": self.status, "text": None if self.text is None else redact(self.text),
            "turns": [{
                "plan": redact(turn.plan.text), "verified": turn.verified,
                "error": None if turn.error is None else redact(turn.error),
                "verdict": turn.verdict,
                "judgement": (turn.judgement.to_dict() if turn.judgement is not None
                              and hasattr(turn.judgement, "to_dict") else None),
                "steps": [] if turn.execution is None else [
                    {"index": s.index, "tool": s.tool, "bind": s.bind, "status": s.status,
                     "observation": self.secrets.redact_value(to_jsonable(s.observation))}
                    for s in turn.execution.steps],
            } for turn in self.turns],
        }


@dataclass(frozen=True)
class Proposal:
    """A plan with the proposer's verdict on it (what a planner-backed proposer returns)."""

    plan: Plan
    judgement: Any = None


#: Proposes the next plan from the request and what was observed; None when, after
#: calls that ran, it cannot write an answer. It may raise
#: :class:`~neurosym.errors.Unsatisfiable`: the run then ends ``unsatisfiable``.
Proposer = Callable[[str, Sequence[LoopObservation]], "Plan | Proposal | None"]


def run_loop(request: str, propose: Proposer, *, tools: ToolsLike, executor: Executor,
             constraints: Sequence[Any] | None = None, max_turns: int = 4,
             budget_chars: int = 800, store: ObservationStore | None = None,
             history: Sequence[PastCall] = ()) -> LoopResult:
    """Plan, verify, execute and observe until a terminal form or ``max_turns`` plans.

    ``tools`` are what plans are verified against (the executor runs them); results
    observed in earlier turns are given to the constraint check of later plans, and the
    constraints hold over every call executed so far together with the next plan (the
    executor refuses a call that would break them given what already ran). The request
    goes with each plan, so a write runs only with grounded values (see
    :class:`~neurosym.execute.Policy`). ``history`` holds calls executed before this run
    (a conversation going on): they count toward the constraints too. Each observation
    is cut to ``budget_chars`` with the full value kept in ``store``.
    """
    index = index_tools(tools)
    store = store if store is not None else ObservationStore()
    seen: list[LoopObservation] = []
    observed: dict[str, Any] = {}
    turns: list[Turn] = []
    history = list(history)
    secrets = Secrets()
    for number in range(max_turns):
        try:
            proposal = propose(request, tuple(seen))
        except Unsatisfiable as err:
            return LoopResult("unsatisfiable", secrets.redact(str(err)), tuple(turns), store,
                              secrets)
        if proposal is None:
            return LoopResult("unanswered", None, tuple(turns), store, secrets)
        plan, judgement = ((proposal.plan, proposal.judgement) if isinstance(proposal, Proposal)
                           else (proposal, None))
        if not plan.steps:
            kind = plan.terminal.kind if plan.terminal else "none"
            turns.append(Turn(number, plan, verified=True, judgement=judgement))
            text = plan.terminal.text if plan.terminal else None
            return LoopResult(kind, text, tuple(turns), store, secrets)
        try:
            verified = verify(plan, index, constraints, observations=observed or None,
                              history=tuple(history), request=request)
        except (PlanValidationError, Unsatisfiable, BudgetExceeded) as err:
            # The reason may quote the plan's values: its sensitive ones are redacted.
            secrets.add_plan(plan, index, executor.policy)
            reason = secrets.redact(str(err))
            note = LoopObservation(number, None, None, None, False,
                                   f"the plan was rejected: {type(err).__name__}: {reason}")
            seen.append(note)
            turns.append(Turn(number, plan, verified=False, error=reason, observations=(note,),
                              judgement=judgement))
            continue
        result = executor.execute(verified)
        secrets.update(result.secrets)
        notes = tuple(_observe(number, result, budget_chars, store))
        seen.extend(notes)
        observed.update(result.results_by_tool)
        observed.update(result.values)
        history.extend(past_calls(number, result.steps))
        turns.append(Turn(number, plan, verified=True, execution=result, observations=notes,
                          judgement=judgement))
        if result.dry_run:
            return LoopResult("dry-run", result.report(), tuple(turns), store, secrets)
        if plan.terminal is not None:
            return LoopResult(plan.terminal.kind, plan.terminal.text, tuple(turns), store,
                              secrets)
    return LoopResult("budget", None, tuple(turns), store, secrets)


def _observe(turn: int, result: ExecutionResult, budget_chars: int,
             store: ObservationStore) -> list[LoopObservation]:
    notes = []
    for step in result.steps:
        shaped = shape_observation(step.observation, budget_chars, store=store)
        notes.append(LoopObservation(turn, step.index, step.tool, step.bind, step.ok,
                                     shaped.text, shaped.handle))
    return notes


def observations_by_name(observations: Sequence[LoopObservation]) -> Mapping[str, str]:
    """The latest observation text under each bound name (for prompts that list them)."""
    return {o.bind: o.text for o in observations if o.bind}
