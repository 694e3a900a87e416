"""Checks of the Planner's arguments, made when it is built rather than while it decodes.

A planner that cannot work as configured says so at construction: a budget that admits
no plan, a policy that leaves no tool, a constraint naming a tool the policy removed,
or constraints that cannot hold together whatever the plan.

>>> constraint_texts("count(transfer) <= 3")
('count(transfer) <= 3',)
>>> check_budgets(max_tokens=0, n_ctx=4096)
Traceback (most recent call last):
...
neurosym.errors.ConfigurationError: max_tokens must be a whole number >= 1, not 0
hint: give the plan room: max_tokens=256 is the default
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from .errors import ConfigurationError, ConstraintReferenceError, Unsatisfiable

__all__ = ["check_abstain", "check_budgets", "check_extensions", "check_satisfiable",
           "constraint_texts", "naming_removed", "policy_tools"]


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_budgets(*, max_tokens: object, n_ctx: object) -> None:
    """Refuse a token budget or a context size no plan fits in."""
    if not _whole(max_tokens) or max_tokens < 1:  # type: ignore[operator]
        raise ConfigurationError(f"max_tokens must be a whole number >= 1, not {max_tokens!r}",
                                 hint="give the plan room: max_tokens=256 is the default")
    if not _whole(n_ctx) or n_ctx < 1:  # type: ignore[operator]
        raise ConfigurationError(f"n_ctx must be a whole number >= 1, not {n_ctx!r}",
                                 hint="n_ctx=4096 is the default; the model's trained context "
                                      "is the most it can take")


def check_abstain(abstain: object, abstain_bias: object, rules: tuple[str, ...]) -> None:
    """Refuse an abstain rule that is not one of ``rules``, or a bias that is no number."""
    if abstain not in rules:
        raise ConfigurationError(f"abstain must be one of {', '.join(rules)}, not {abstain!r}",
                                 hint="abstain='plan' weighs none() against the best plan "
                                      "that calls, 'head' at the first token")
    if abstain_bias is not None and (isinstance(abstain_bias, bool) or not isinstance(
            abstain_bias, (int, float)) or abstain_bias != abstain_bias):
        raise ConfigurationError(f"abstain_bias must be a number of nats, not {abstain_bias!r}",
                                 hint="leave it out for the rule's fitted bias")


def check_extensions(potentials: object, search: object,
                     hooks: object) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """Refuse extensions the search cannot use; return the hard and the soft potentials.

    A potential is hard when it has ``refuse``, soft when it has ``weigh``, both when it
    has both; each needs a ``name`` for the search's record.
    """
    if isinstance(potentials, (str, bytes)) or not isinstance(potentials, Sequence):
        raise ConfigurationError(f"potentials must be a list, not {type(potentials).__name__}",
                                 hint="potentials=[MyPotential()]: each with name and "
                                      "refuse(partial) or weigh(partial)")
    hard: list[Any] = []
    soft: list[Any] = []
    for potential in potentials:
        refuse = callable(getattr(potential, "refuse", None))
        weigh = callable(getattr(potential, "weigh", None))
        if not (refuse or weigh) or not isinstance(getattr(potential, "name", None), str):
            raise ConfigurationError(
                f"{potential!r} is not a potential: it needs a name (str) and "
                "refuse(partial) -> Refusal | None or weigh(partial) -> float",
                hint="see neurosym.search.base.Potential and SoftPotential")
        if refuse:
            hard.append(potential)
        if weigh:
            soft.append(potential)
    if search is not None and not callable(search):
        raise ConfigurationError(f"search must make a search from a SearchSetup, not {search!r}",
                                 hint="search=lambda setup: setup.beam_search(width=2), or "
                                      "any callable returning an object with search(prompt)")
    if isinstance(hooks, (str, bytes)) or not isinstance(hooks, Sequence):
        raise ConfigurationError(f"hooks must be a list, not {type(hooks).__name__}",
                                 hint="hooks=[MyHooks()], each a neurosym.decode.Hooks")
    for hook in hooks:
        if not (hasattr(hook, "on_boundary") or callable(hook)):
            raise ConfigurationError(
                f"{hook!r} is not decode hooks: it needs on_boundary, value_constraint and "
                "on_rollback, or must be a callable making them for a request",
                hint="subclass neurosym.decode.Hooks and override what you need")
    return tuple(hard), tuple(soft)


def constraint_texts(constraints: Any) -> tuple[Any, ...]:
    """The constraints as a tuple; a single string is one constraint, not its letters."""
    if constraints is None:
        return ()
    if isinstance(constraints, str):
        return (constraints,)
    try:
        return tuple(constraints)
    except TypeError:
        raise ConfigurationError(
            f"constraints must be a list of expressions, not {type(constraints).__name__}",
            hint='write constraints=["count(transfer) <= 3"]') from None


def policy_tools(tools: Any, policy: Any) -> tuple[Any, tuple[str, ...]]:
    """The tools the policy lets a plan use, and the names it removed.

    A policy that removes every tool of a non-empty set leaves nothing to plan with:
    that is an error here, not a plan invented without tools.
    """
    from .tools import ToolSet
    kept = ToolSet(policy.filter_tools(tools))
    removed = tuple(name for name in tools.names if name not in kept)
    if len(tools) and not len(kept):
        raise ConfigurationError(
            "no tools remain: the policy denies every tool ("
            + ", ".join(removed) + ")",
            hint="allow at least one tool, or give the planner other tools")
    return kept, removed


@contextlib.contextmanager
def naming_removed(removed: Sequence[str]) -> Iterator[None]:
    """Say so when a constraint names a tool the policy removed, not just "unknown"."""
    try:
        yield
    except ConstraintReferenceError as err:
        for name in removed:
            if f"'{name}'" in err.message:
                raise ConstraintReferenceError(
                    f"{err.message}: the policy removed the tool {name!r} from this planner",
                    constraint=err.constraint,
                    hint="allow the tool in the policy, or drop the constraint") from None
        raise


def check_satisfiable(constraint_set: Any, tools: Any) -> None:
    """Raise :class:`Unsatisfiable` when the constraints cannot hold together for any plan.

    The check is the solver's on a plan not yet written: every call may still come, every
    value is free within its parameter's limits. Only what no plan could ever meet is
    refused (``count(t) >= 2 and count(t) <= 1``, ``False``); a timeout refuses nothing.
    """
    if constraint_set is None:
        return
    from .solver import PlanChecker
    verdict = PlanChecker(list(tools), constraint_set).check()
    if verdict.refuted:
        core = [item.describe() for item in verdict.core]
        raise Unsatisfiable("the constraints cannot hold together, whatever the plan",
                            core=core,
                            hint="relax or drop one of the constraints named above")
