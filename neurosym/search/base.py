"""The search's extension points: what a potential is, what a search is, and what the
Planner hands a search it did not write.

A search (:class:`Search`) turns a prompt's tokens into complete plan texts with their
weights (a :class:`~neurosym.search.beam.SearchOutcome`). The Planner builds one per
request from a :class:`SearchSetup` (the model, the grammar's matcher, the potentials,
the budgets) through a :data:`SearchFactory`: by default the beam
(:meth:`SearchSetup.beam_search`); ``Planner(search=...)`` takes any other. Whatever
a search returns, the Planner keeps only plans the grammar admits, that name real tools
with well-typed arguments, and that pass the solver's final check
(:func:`~neurosym.search.choose.choose_plan`): a search decides what is likely, never
what is allowed.

A potential weighs partial plans. A hard one (:class:`Potential`) gives weight one or
zero: ``refuse`` returns None while the partial plan may still be completed, else a
:class:`Refusal`, and the branch leaves at once. A soft one (:class:`SoftPotential`)
gives a log-weight that is added to the model's: a preference, never a veto. Both are
consulted at each complete argument and step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..plan.ast import Step, Value

if TYPE_CHECKING:
    from ..model.llama import Model
    from .beam import BeamSearch, SearchEvent, SearchOutcome
    from .potentials import ReferencePotential

__all__ = ["PartialPlan", "Potential", "Refusal", "Search", "SearchFactory", "SearchSetup",
           "SoftPotential"]


@dataclass(frozen=True)
class PartialPlan:
    """The complete steps written so far and the call being written (its tool, its name,
    the arguments whose values are complete)."""

    steps: tuple[Step, ...] = ()
    tool: str | None = None
    bind: str | None = None
    args: tuple[tuple[str, Value], ...] = ()

    def with_call(self, tool: str, bind: str | None) -> PartialPlan:
        return PartialPlan(self.steps, tool, bind, ())

    def with_arg(self, name: str, value: Value) -> PartialPlan:
        return PartialPlan(self.steps, self.tool, self.bind, (*self.args, (name, value)))

    def with_step(self, step: Step) -> PartialPlan:
        return PartialPlan((*self.steps, step))

    @property
    def bound(self) -> frozenset[str]:
        return frozenset(s.bind for s in self.steps if s.bind)


@dataclass(frozen=True)
class Refusal:
    """Why a partial plan cannot be completed: the potential's name and its reason
    (for the solver, the unsat core in the user's terms)."""

    potential: str
    reason: str
    core: tuple[str, ...] = ()


@runtime_checkable
class Potential(Protocol):
    """A hard potential: None while ``partial`` may still be completed, else a Refusal."""

    name: str

    def refuse(self, partial: PartialPlan) -> Refusal | None: ...


@runtime_checkable
class SoftPotential(Protocol):
    """A soft potential: the log-weight (nats, added to the model's log-probability) of
    ``partial``. It must depend on the partial plan alone; the search adds the change
    in weight each time the partial plan grows, so a complete plan carries its full
    weight. Weights at most zero keep the beam's stopping rule exact (a branch's weight
    then only falls as its text grows)."""

    name: str

    def weigh(self, partial: PartialPlan) -> float: ...


@runtime_checkable
class Search(Protocol):
    """Complete plans continuing ``prompt`` (its tokens), best first, with what they
    cost. Called with the model's lock held."""

    def search(self, prompt: Sequence[int]) -> SearchOutcome: ...


@dataclass(frozen=True)
class SearchSetup:
    """What the Planner gives a search for one request.

    ``matcher`` is the request's grammar as an llguidance matcher (copy it, with
    ``deep_copy()``, for each branch) and ``grammar`` its Lark text; ``potentials`` are the hard ones (the solver, a
    caller's own) and ``soft`` the soft ones; ``references`` judges each reference and
    each argument's data flow; ``always`` are plan texts (``none()``) a search should
    score whether or not it reaches them; ``beam`` holds the Planner's settings for the
    beam (width, threshold, contrast, ...), which :meth:`beam_search` applies.
    """

    model: Model
    matcher: Any
    grammar: str
    potentials: tuple[Potential, ...] = ()
    soft: tuple[SoftPotential, ...] = ()
    references: ReferencePotential | None = None
    always: tuple[str, ...] = ()
    max_tokens: int = 256
    max_seconds: float = 60.0
    on_event: Callable[[SearchEvent], None] | None = None
    beam: Mapping[str, Any] = field(default_factory=dict)

    def beam_search(self, **overrides: Any) -> BeamSearch:
        """The beam over this setup, with the Planner's settings less ``overrides``
        (``width=1`` is greedy decoding)."""
        from .beam import BeamSearch
        settings = {**self.beam, **overrides}
        if self.references is not None:
            settings.setdefault("references", self.references)
        return BeamSearch(self.model, self.matcher, potentials=self.potentials,
                          soft=self.soft, always=self.always, max_tokens=self.max_tokens,
                          max_seconds=self.max_seconds, on_event=self.on_event, **settings)


#: Makes the search for one request; ``Planner(search=...)`` takes one.
SearchFactory = Callable[[SearchSetup], Search]
