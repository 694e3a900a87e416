"""What a check answers: a :class:`Verdict` with its unsat core, and :class:`Feasible` value sets.

A core names both sides of a conflict: the plan's values (assignments, calls,
observations) and the rules they break (constraints, parameter limits, the end of the
plan). :func:`explain` puts it in the user's own terms.

>>> core = (CoreItem("assignment", "book_hotel.nights = 20", step=2, tool="book_hotel",
...                  param="nights", value=20),
...         CoreItem("parameter", "nights in 1..14", step=2, tool="book_hotel", param="nights",
...                  origin="parameter range of book_hotel"))
>>> explain(core)
'book_hotel.nights = 20 (step 2) conflicts with nights in 1..14 (parameter range of book_hotel)'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["CoreKind", "CoreItem", "Verdict", "Feasible", "FeasibleKind", "explain"]

CoreKind = Literal["assignment", "call", "observation", "constraint", "parameter", "end"]
FeasibleKind = Literal["finite", "range", "unknown", "empty"]
_PLAN_SIDE = ("assignment", "call", "observation")


@dataclass(frozen=True)
class CoreItem:
    """One member of an unsat core.

    ``kind`` is ``assignment`` (a value the plan gives: ``step``, ``tool``, ``param``,
    ``value``), ``call`` (that a step calls ``tool``), ``observation`` (an observed result),
    ``constraint`` (a user constraint, ``text`` is its source; ``steps`` the calls it was
    applied to), ``parameter`` (a limit declared by the tool, ``origin`` says which) or
    ``end`` (the plan is complete, so no later call can help).
    """

    kind: CoreKind
    text: str
    step: int | None = None
    tool: str | None = None
    param: str | None = None
    value: Any = None
    origin: str = ""
    steps: tuple[int, ...] = ()

    @property
    def is_plan_value(self) -> bool:
        """True for the plan's side of the conflict (what a search can change)."""
        return self.kind in _PLAN_SIDE

    def describe(self) -> str:
        if self.kind in ("assignment", "call") and self.step is not None:
            return f"{self.text} (step {self.step})"
        if self.kind == "constraint":
            return f"the constraint {self.text}"
        if self.origin:
            return f"{self.text} ({self.origin})"
        return self.text


@dataclass(frozen=True)
class Verdict:
    """The answer of one check.

    ``ok`` is True when the solver proved the (partial) plan can still meet every
    constraint; ``unknown`` is True when it ran out of time (then ``ok`` is False but
    nothing was refuted); ``core`` names the conflict when it was refuted.
    """

    ok: bool
    core: tuple[CoreItem, ...] = ()
    unknown: bool = False
    elapsed_ms: float = 0.0
    reason: str = ""

    @property
    def refuted(self) -> bool:
        """The solver proved no completion of this plan meets the constraints."""
        return not self.ok and not self.unknown

    @property
    def culprits(self) -> tuple[int, ...]:
        """Steps whose values are in the core, most recent first (where to backjump)."""
        steps = {item.step for item in self.core if item.is_plan_value and item.step is not None}
        return tuple(sorted(steps, reverse=True))

    @property
    def assignments(self) -> tuple[CoreItem, ...]:
        return tuple(item for item in self.core if item.kind == "assignment")

    @property
    def explanation(self) -> str:
        if self.ok:
            return "the plan meets every constraint"
        if self.unknown:
            return f"the solver could not decide in time ({self.reason or 'timeout'})"
        return explain(self.core)

    def __bool__(self) -> bool:
        return self.ok


@dataclass(frozen=True)
class Feasible:
    """The values a parameter can still take, given what the plan already says.

    ``finite``: exactly ``values`` (plan-level values: dates as ISO text). ``range``:
    numbers or dates between ``lo`` and ``hi`` (None: unbounded), inclusive or not.
    ``unknown``: no useful description (free strings, or a timeout). ``empty``: no value
    works; ``core`` says why.
    """

    kind: FeasibleKind
    values: tuple[Any, ...] = ()
    lo: Any = None
    hi: Any = None
    lo_inclusive: bool = True
    hi_inclusive: bool = True
    core: tuple[CoreItem, ...] = ()

    @property
    def is_finite(self) -> bool:
        return self.kind in ("finite", "empty")

    def admits(self, value: Any) -> bool | None:
        """Whether ``value`` is inside (None when the description cannot tell)."""
        if self.kind == "empty":
            return False
        if self.kind == "finite":
            return value in self.values
        if self.kind == "range":
            try:
                if self.lo is not None and (value < self.lo or (
                        value == self.lo and not self.lo_inclusive)):
                    return False
                if self.hi is not None and (value > self.hi or (
                        value == self.hi and not self.hi_inclusive)):
                    return False
            except TypeError:
                return None
            return True
        return None


def explain(core: Sequence[CoreItem]) -> str:
    """A core as one sentence: the plan's values, then the rules they conflict with."""
    if not core:
        return "the constraints cannot all hold"
    values = [item.describe() for item in core if item.is_plan_value]
    rules = [item.describe() for item in core if not item.is_plan_value]
    if not values:
        return "the constraints cannot all hold together: " + "; ".join(rules)
    verb = "conflicts" if len(values) == 1 else "conflict"
    subject = _join(values)
    if not rules:
        return f"{subject} {verb} with each other"
    return f"{subject} {verb} with {_join(rules)}"


def _join(parts: Sequence[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]
