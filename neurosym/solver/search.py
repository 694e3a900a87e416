"""The search: propose, check, retract, the solver's side of decoding.

:class:`ConstraintSearch` implements the decoder's hooks with a :class:`PlanChecker`:

1. forward checking: at a value's start, a small finite feasible set (an enum cut by a
   constraint, a narrow integer range) becomes a value grammar ANDed with the plan's;
2. check: each finished value, call and the plan's end is checked, unassigned values free;
3. retract: a refuted value is rolled back and blocked, and the model chooses again;
4. fallback: after ``retries`` refusals at one place, the solver proposes candidates and
   the model's own likelihood picks among them (they become the value grammar);
5. backjump: when a value has no admissible choice left, the unsat core names the
   earlier assignments in conflict and the decode jumps back to the newest of them;
6. verdict: when nothing is left to try, :class:`~neurosym.errors.Unsatisfiable` with
   the cores in the user's terms.

Each proposal, rejection, narrowing, fallback and backjump is a :class:`SearchEvent`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal as TypingLiteral

from ..decode.boundary import Boundary
from ..decode.checkpoint import Checkpoint
from ..decode.structure import fresh_name_line_grammar
from ..decode.hooks import CONTINUE, Decision, DecodeState, Hooks, Reject, ValueGrammars
from ..errors import BudgetExceeded, Unsatisfiable
from ..grammar import value_grammar
from ..plan.ast import TERMINAL_KINDS, Call, Terminal
from ..tools.tool import Tool
from .checker import PlanChecker
from .verdict import CoreItem, Feasible, Verdict, explain

__all__ = ["ConstraintSearch", "SearchBudgets", "SearchEvent", "Adjustment", "SearchEventKind"]

SearchEventKind = TypingLiteral["accept", "reject", "narrow", "fallback", "backjump",
                                "ban", "unsat"]


@dataclass(frozen=True)
class SearchBudgets:
    """Bounds on the search: refusals per value before the fallback, in all, backjumps."""

    retries: int = 2
    max_rejections: int = 40
    max_backjumps: int = 8
    candidates: int = 5
    finite_limit: int = 64


@dataclass(frozen=True)
class SearchEvent:
    """One move of the search, for the trace and the notebook's search tree."""

    kind: SearchEventKind
    t: float
    step: int | None = None
    tool: str | None = None
    param: str | None = None
    text: str | None = None
    core: tuple[str, ...] = ()
    detail: str = ""
    checkpoint: int | None = None

    def describe(self) -> str:
        where = ".".join(x for x in (self.tool, self.param) if x)
        value = f" = {self.text}" if self.text is not None else ""
        why = f": {self.detail}" if self.detail else ""
        return f"{self.kind} {where}{value}{why}".strip()


@dataclass(frozen=True)
class Adjustment:
    """A value the search changed: what the model first wrote, what the plan holds, and why."""

    step: int
    tool: str
    param: str
    proposed: str
    final: str | None
    constraint: str

    def __str__(self) -> str:
        return (f"{self.tool}.{self.param} (step {self.step}): the model wrote {self.proposed}, "
                f"the plan holds {self.final} because {self.constraint}")


def _arg_of(event: Boundary) -> tuple[int, str, str] | None:
    """(step, tool, param) when the boundary is a top-level argument's value."""
    path = event.path
    if (len(path) == 3 and isinstance(path[0], int) and isinstance(path[1], str)
            and isinstance(path[2], str)):
        return path[0], path[1], path[2]
    return None


class ConstraintSearch(Hooks):
    """Decode hooks that keep a partial plan satisfiable (see the module)."""

    def __init__(self, tools: Iterable[Tool], constraints: Any = (), *,
                 observations: Mapping[str, Any] | None = None, timeout_ms: int = 200,
                 budgets: SearchBudgets | None = None) -> None:
        self.tools = {t.name: t for t in tools}
        self.checker = PlanChecker(list(self.tools.values()), constraints,
                                   observations=observations, timeout_ms=timeout_ms,
                                   later_sums_nonnegative=True)
        self.budgets = budgets or SearchBudgets()
        self.events: list[SearchEvent] = []
        self.check_times: list[float] = []
        self.solver_s = 0.0                          # time spent in these hooks
        self._started = time.perf_counter()
        # When the decode began, on this clock: the decoder's own clock without keeping
        # the decode (and all it holds) alive through the hooks.
        self._origin: float | None = None
        self._levels: dict[int, int] = {}           # decode checkpoint id -> checker level
        self._value_start: dict[tuple[int, str], Checkpoint] = {}
        self._step_start: dict[int, Checkpoint] = {}
        self._first: dict[tuple[int, str], str] = {}
        self._current: dict[tuple[int, str], str] = {}
        self._refusals: dict[tuple[int, str, int], int] = {}
        self._why: dict[tuple[int, str], str] = {}
        self._banned: dict[tuple[int, int], set[str]] = {}
        self._bans_why: dict[tuple[int, int], list[str]] = {}
        self._pending: dict[int, str] = {}           # value-start checkpoint id -> grammar
        self._rejections = 0
        self._end_refusals: dict[tuple[str, ...], int] = {}
        self._backjumps = 0
        self._started_calls: dict[int, int] = {}     # step -> call_start checkpoint id
        self._ended_calls: dict[int, int] = {}       # step -> call_end checkpoint id

    # -- results -----------------------------------------------------------------------
    @property
    def adjustments(self) -> tuple[Adjustment, ...]:
        """Values that differ from the model's first choice at the same place."""
        out = []
        for key, first in self._first.items():
            final = self._current.get(key)
            if final is not None and final != first and key in self._why:
                step, param = key
                out.append(Adjustment(step, self._tool_at(step), param, first, final,
                                      self._why.get(key, "the constraints")))
        return tuple(out)

    def _tool_at(self, step: int) -> str:
        for index, tool, _ in self.checker.calls:
            if index == step:
                return tool
        return "?"

    def _now(self) -> float:
        """Seconds since decoding started: the decoder's own clock, so traces interleave."""
        return time.perf_counter() - (self._origin if self._origin is not None
                                      else self._started)

    def _note(self, kind: SearchEventKind, **fields: Any) -> None:
        self.events.append(SearchEvent(kind, self._now(), **fields))

    def _check(self, *, final: bool = False) -> Verdict:
        verdict = self.checker.check(final=final)
        self.check_times.append(verdict.elapsed_ms)
        return verdict

    # -- the decoder's hooks -------------------------------------------------------------
    def on_rollback(self, target: Checkpoint, state: DecodeState) -> None:
        later = [cid for cid in self._levels if cid >= target.id]
        if later:
            self.checker.rollback(self._levels[min(later)])
        for cid in later:
            del self._levels[cid]
        gone = {key for key, c in self._value_start.items() if c.id >= target.id}
        for key in gone:
            self._current.pop(key, None)
        self._value_start = {k: c for k, c in self._value_start.items() if k not in gone}
        self._step_start = {k: c for k, c in self._step_start.items() if c.id < target.id}
        self._banned = {k: v for k, v in self._banned.items() if k[1] <= target.offset}
        self._pending = {k: v for k, v in self._pending.items() if k < target.id}
        self._started_calls = {s: c for s, c in self._started_calls.items() if c < target.id}
        self._ended_calls = {s: c for s, c in self._ended_calls.items() if c < target.id}

    def on_boundary(self, event: Boundary, state: DecodeState) -> Decision:
        started = time.perf_counter()
        self._origin = started - state.elapsed
        try:
            return self._on_boundary(event, state)
        finally:
            self.solver_s += time.perf_counter() - started

    def _on_boundary(self, event: Boundary, state: DecodeState) -> Decision:
        checkpoint = event.checkpoint
        if checkpoint is not None:
            self._levels[checkpoint.id] = self.checker.checkpoint()
        kind = event.kind
        if kind == "step_start" and checkpoint is not None and event.step_index is not None:
            self._step_start[event.step_index] = checkpoint
        elif (kind == "call_start" and len(event.path) == 2 and event.tool not in TERMINAL_KINDS
              and checkpoint is not None):
            return self._call_start(event, checkpoint, state)
        elif kind == "value_start" and checkpoint is not None:
            arg = _arg_of(event)
            if arg is not None and self._is_open(arg[0]):
                self._value_start[(arg[0], arg[2])] = checkpoint
                return self._forward(arg, checkpoint, state)
        elif kind == "value_end":
            arg = _arg_of(event)
            if arg is not None and self._is_open(arg[0]):
                return self._value_end(arg, event, state)
        elif (kind == "call_end" and len(event.path) == 2 and event.step_index is not None
              and self._is_open(event.step_index) and checkpoint is not None):
            self.checker.end_call(event.step_index)
            self._ended_calls[event.step_index] = checkpoint.id
            verdict = self._check()
            if verdict.refuted:
                return self._resolve(verdict, state, step=event.step_index)
        elif kind == "plan_end":
            return self._plan_end(event, state)
        elif kind == "dead_end":
            return self._dead_end(event, state)
        return CONTINUE

    def value_constraint(self, event: Boundary, state: DecodeState) -> ValueGrammars:
        checkpoint = event.checkpoint
        if checkpoint is None:
            return None
        if event.kind == "step_start" and event.step_index is not None:
            grammars = []
            banned = self._banned.get((event.step_index, checkpoint.offset))
            line = self._line_grammar(banned) if banned else None
            if line is not None:
                grammars.append(line)
            if self._end_refusals:
                # The plan must go on: a rebound name would end it, so only fresh names.
                bound = {s.bind for s in state.steps if getattr(s, "bind", None)}
                if bound:
                    grammars.append(fresh_name_line_grammar(self.tools, bound))
            return grammars or None
        return self._pending.pop(checkpoint.id, None)

    # -- the moves -------------------------------------------------------------------------
    def _is_open(self, step: int) -> bool:
        return step in self._started_calls and step not in self._ended_calls

    def _call_start(self, event: Boundary, checkpoint: Checkpoint,
                    state: DecodeState) -> Decision:
        step = event.step_index
        assert step is not None and event.tool is not None
        self.checker.begin_call(step, event.tool, event.bind)
        self._started_calls[step] = checkpoint.id
        verdict = self._check()
        if not verdict.refuted:
            return CONTINUE
        # No value of this call can help: this tool may not come here.
        return self._ban(step, event.tool, verdict, state)

    def _ban(self, step: int, tool: str, verdict: Verdict, state: DecodeState, *,
             also: Iterable[str] = ()) -> Decision:
        """Forbid ``tool`` (and the names in ``also``) at the start of ``step``."""
        start = self._step_start.get(step)
        reason = explain(verdict.core)
        if start is None:
            raise Unsatisfiable(f"{tool} cannot be called at step {step}: {reason}",
                                core=[c.describe() for c in verdict.core])
        key = (step, start.offset)
        banned = self._banned.setdefault(key, set())
        banned.add(tool)
        banned.update(also)
        self._bans_why.setdefault(key, []).append(reason)
        self._note("ban", step=step, tool=tool, core=_texts(verdict.core), detail=reason,
                   checkpoint=start.id)
        if banned >= set(self.tools) | set(TERMINAL_KINDS):
            self._unsat(key)
        self._count_rejection()
        return Reject(start, None, f"{tool} may not be called here: {reason}")

    def _unsat(self, key: tuple[int, int]) -> None:
        reasons = list(dict.fromkeys(self._bans_why.get(key, [])))
        self._note("unsat", step=key[0], detail="; ".join(reasons))
        raise Unsatisfiable("the constraints cannot be met by any plan over these tools",
                            core=reasons,
                            hint="relax one of the constraints named above, or change the request")

    def _forward(self, arg: tuple[int, str, str], checkpoint: Checkpoint,
                 state: DecodeState) -> Decision:
        step, tool, param = arg
        spec = self.tools[tool].param(param)
        if spec is None:
            return CONTINUE
        refusals = self._refusals.get((step, param, checkpoint.offset), 0)
        blocked = state.blocked(checkpoint)
        if refusals > self.budgets.retries:
            candidates = [v for v in self.checker.propose(step, param, n=self.budgets.candidates)
                          if _literal_text(v) not in blocked]
            if candidates:
                self._pending[checkpoint.id] = value_grammar(spec, allowed=candidates)
                self._note("fallback", step=step, tool=tool, param=param,
                           detail="solver proposes " + ", ".join(map(_literal_text, candidates)),
                           checkpoint=checkpoint.id)
                return CONTINUE
        feasible = self.checker.feasible(step, param, limit=self.budgets.finite_limit)
        if feasible.kind == "empty":
            return self._backjump(feasible.core, state, step=step, param=param)
        grammar = self._narrowing(spec, feasible, blocked)
        if grammar is not None:
            self._pending[checkpoint.id] = grammar
            self._note("narrow", step=step, tool=tool, param=param,
                       detail=_describe_feasible(feasible), checkpoint=checkpoint.id)
        return CONTINUE

    def _narrowing(self, spec: Any, feasible: Feasible, blocked: frozenset[str]) -> str | None:
        if feasible.kind == "finite":
            values = [v for v in feasible.values if _literal_text(v) not in blocked]
            if not values:
                return None
            if spec.type == "number":
                values = [float(v) for v in values]
            return value_grammar(spec, allowed=values)
        if (feasible.kind == "range" and spec.type == "integer" and feasible.lo is not None
                and feasible.hi is not None):
            low = int(feasible.lo) + (0 if feasible.lo_inclusive else 1)
            high = int(feasible.hi) - (0 if feasible.hi_inclusive else 1)
            if low <= high:
                return value_grammar(spec, allowed=range(low, high + 1))
        return None

    def _value_end(self, arg: tuple[int, str, str], event: Boundary,
                   state: DecodeState) -> Decision:
        step, tool, param = arg
        value = event.python
        if isinstance(value, Call):
            return CONTINUE  # a nested call: checked with the whole plan at its end
        text = event.text or ""
        key = (step, param)
        self._first.setdefault(key, text)
        self._current[key] = text
        self.checker.assign(step, param, value)
        verdict = self._check()
        if not verdict.refuted:
            self._note("accept", step=step, tool=tool, param=param, text=text)
            return CONTINUE
        reason = explain(verdict.core)
        self._why[key] = _constraint_side(verdict.core) or reason
        start = self._value_start.get(key)
        own = any(c.kind == "assignment" and c.step == step and c.param == param
                  for c in verdict.core)
        others = any(c.kind == "assignment" and (c.step, c.param) != key for c in verdict.core)
        if start is None or (others and not own):
            return self._resolve(verdict, state, step=step)
        where = (step, param, start.offset)
        self._refusals[where] = self._refusals.get(where, 0) + 1
        self._note("reject", step=step, tool=tool, param=param, text=text,
                   core=_texts(verdict.core), detail=reason, checkpoint=start.id)
        self._count_rejection()
        return Reject(start, text, reason)

    def _plan_end(self, event: Boundary, state: DecodeState) -> Decision:
        verdict = self._check(final=True)
        if not verdict.refuted:
            return CONTINUE
        steps = state.steps
        last = len(steps) - 1
        if any(c.kind == "assignment" for c in verdict.core):
            return self._resolve(verdict, state, step=last)
        # The plan is missing calls: its last step may not end it here.
        if last >= 0 and isinstance(steps[last], Terminal):
            return self._ban(last, steps[last].kind, verdict, state, also=TERMINAL_KINDS)
        checkpoint = event.checkpoint
        texts = _texts(verdict.core)
        self._end_refusals[texts] = self._end_refusals.get(texts, 0) + 1
        if checkpoint is None or self._end_refusals[texts] > self.budgets.retries:
            # The model keeps stopping short for the same reason: what it lacks is banned.
            reasons = [r for why in self._bans_why.values() for r in why]
            reasons.append(explain(verdict.core))
            self._note("unsat", detail="; ".join(dict.fromkeys(reasons)))
            raise Unsatisfiable("the constraints cannot be met by any plan over these tools",
                                core=list(dict.fromkeys(reasons)),
                                hint="relax one of the constraints named above, or change "
                                     "the request")
        self._note("reject", detail="the plan may not end here: " + explain(verdict.core),
                   core=_texts(verdict.core), checkpoint=checkpoint.id)
        self._count_rejection()
        return Reject(checkpoint, None, explain(verdict.core))

    def _dead_end(self, event: Boundary, state: DecodeState) -> Decision:
        """The decoder found no token to go on with; only an empty feasible set is ours."""
        arg = _arg_of(event)
        if arg is None or not self._is_open(arg[0]):
            return CONTINUE
        step, _, param = arg
        feasible = self.checker.feasible(step, param, limit=self.budgets.finite_limit)
        if feasible.kind != "empty":
            return CONTINUE
        return self._backjump(feasible.core, state, step=step, param=param)

    def _resolve(self, verdict: Verdict, state: DecodeState, *, step: int | None) -> Decision:
        """A refutation not pinned on the value just written: jump to the newest culprit."""
        return self._backjump(verdict.core, state, step=step, param=None)

    def _backjump(self, core: tuple[CoreItem, ...], state: DecodeState, *, step: int | None,
                  param: str | None) -> Decision:
        culprits = [c for c in core if c.kind == "assignment" and c.step is not None
                    and c.param is not None and (c.step, c.param) != (step, param)]
        culprits.sort(key=lambda c: self._value_start[(c.step, c.param)].id
                      if (c.step, c.param) in self._value_start else -1, reverse=True)
        reason = explain(core) if core else "no value is left"
        for culprit in culprits:
            key = (culprit.step, culprit.param)
            start = self._value_start.get(key)  # type: ignore[arg-type]
            if start is None:
                continue
            self._backjumps += 1
            if self._backjumps > self.budgets.max_backjumps:
                raise BudgetExceeded(f"more than {self.budgets.max_backjumps} backjumps; last "
                                     f"conflict: {reason}", budget="max_backjumps",
                                     limit=self.budgets.max_backjumps,
                                     hint="loosen the constraints or raise the budget")
            text = self._current.get(key)  # type: ignore[arg-type]
            self._why[key] = _constraint_side(core) or reason  # type: ignore[index]
            self._note("backjump", step=culprit.step, tool=culprit.tool, param=culprit.param,
                       text=text, core=_texts(core), detail=reason, checkpoint=start.id)
            return Reject(start, text, f"backjump: {reason}")
        if step is not None and any(c.kind == "call" and c.step == step for c in core):
            tool = self._tool_at(step)
            if tool != "?":
                return self._ban(step, tool, Verdict(False, core), state)
        if not core:
            return CONTINUE  # nothing names a culprit: the decoder goes on by itself
        raise Unsatisfiable("the constraints cannot be met: " + reason,
                            core=[c.describe() for c in core],
                            hint="relax one of the constraints named above, or change the request")

    def _count_rejection(self) -> None:
        self._rejections += 1
        if self._rejections > self.budgets.max_rejections:
            raise BudgetExceeded(f"more than {self.budgets.max_rejections} rejections",
                                 budget="max_rejections", limit=self.budgets.max_rejections,
                                 hint="loosen the constraints or raise the budget")

    def _line_grammar(self, banned: set[str]) -> str | None:
        """A step's line that starts with none of the banned tools (a terminal is never bound)."""
        tools = [n for n in self.tools if n not in banned]
        terminals = [n for n in TERMINAL_KINDS if n not in banned]
        forms = []
        if tools:
            forms.append(f"/(?:[A-Za-z_][A-Za-z0-9_]* = )?(?:{_alternatives(tools)})\\([^\\n]*/")
        if terminals:
            forms.append(f"/(?:{_alternatives(terminals)})\\([^\\n]*/")
        return "start: " + " | ".join(forms) if forms else None


def _alternatives(names: Iterable[str]) -> str:
    return "|".join(_regex_escape(n) for n in sorted(names, key=len, reverse=True))


def _regex_escape(text: str) -> str:
    return "".join("\\" + ch if not (ch.isalnum() or ch == "_") else ch for ch in text)


def _literal_text(value: Any) -> str:
    from ..plan.render import render_plain
    return render_plain(value)


def _texts(core: Iterable[CoreItem]) -> tuple[str, ...]:
    return tuple(c.describe() for c in core)


def _constraint_side(core: Iterable[CoreItem]) -> str:
    rules = [c.describe() for c in core if not c.is_plan_value]
    return "; ".join(rules)


def _describe_feasible(feasible: Feasible) -> str:
    if feasible.kind == "finite":
        shown = ", ".join(_literal_text(v) for v in feasible.values[:8])
        more = ", ..." if len(feasible.values) > 8 else ""
        return f"feasible: {{{shown}{more}}}"
    if feasible.kind == "range":
        left = "[" if feasible.lo_inclusive else "("
        right = "]" if feasible.hi_inclusive else ")"
        return f"feasible: {left}{feasible.lo}, {feasible.hi}{right}"
    return f"feasible: {feasible.kind}"

