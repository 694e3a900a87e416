"""The engine a planner writes its plans through: one interface, a local and remote kinds.

An :class:`Engine` takes a planner (its tools, constraints, prompt and budgets) and a
request, and returns the planner's own :class:`~neurosym.planner.PlanResult`. The
local engine is the planner's in-process llama.cpp search, token masks and exact
rollback included; remote engines (:mod:`neurosym.engine.remote`) write the plan a
piece at a time on a server. Whatever the engine, the plan returned has passed the
planner's closed final check.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ..model import Model
    from ..planner import PlanResult, Planner

__all__ = ["Engine", "LocalEngine"]


@runtime_checkable
class Engine(Protocol):
    """Writes one plan for ``planner``: the interface every engine keeps.

    ``name`` says where plans are written (a file, an address) for progress and errors.
    Engines are not required to be thread-safe: :meth:`~neurosym.planner.Planner.plan_many`
    gives each engine one request at a time.
    """

    name: str

    def plan(self, planner: Planner, request: str | Sequence[Mapping[str, Any]], *,
             observations: Sequence[tuple[str, Any]] | Mapping[str, Any] | None = None,
             previous_plan: str | None = None, on_event: Callable[[Any], None] | None = None,
             answer_only: bool = False) -> PlanResult: ...


class LocalEngine:
    """This process's llama.cpp: the planner's own search over token masks.

    ``model`` is a GGUF path or a loaded :class:`~neurosym.model.Model`; None uses the
    planner's model. Local engines of one file share one llama.cpp context (models are
    loaded once per file and context size), so they take turns on its lock.
    """

    local = True

    def __init__(self, model: Model | str | os.PathLike[str] | None = None) -> None:
        self._spec = model
        self._model: Model | None = None
        self._planners: dict[int, Planner] = {}

    @property
    def name(self) -> str:
        if self._model is not None:
            return f"local:{self._model.path.name}"
        return f"local:{self._spec}" if self._spec is not None else "local"

    def __repr__(self) -> str:
        return f"LocalEngine({self.name!r})"

    def plan(self, planner: Planner, request: str | Sequence[Mapping[str, Any]], *,
             observations: Sequence[tuple[str, Any]] | Mapping[str, Any] | None = None,
             previous_plan: str | None = None, on_event: Callable[[Any], None] | None = None,
             answer_only: bool = False) -> PlanResult:
        bound = self._bind(planner)
        return bound.plan(request, observations=observations, previous_plan=previous_plan,
                          on_event=on_event, answer_only=answer_only)

    def _bind(self, planner: Planner) -> Planner:
        """The planner itself when it plans on this engine's model, else a copy of it
        that does (its grammars and decoders are built again for that model)."""
        if self._spec is None:
            if getattr(planner, "engine", None) is self:
                return planner
            twin = self._planners.get(id(planner))
            if twin is None:
                twin = copy.copy(planner)
                twin.engine = None
                self._planners[id(planner)] = twin
            return twin
        if self._model is None:
            from ..model import load_model
            self._model = load_model(self._spec, n_ctx=planner.n_ctx)
        twin = self._planners.get(id(planner))
        if twin is None:
            twin = copy.copy(planner)
            twin.engine = None
            twin._model = self._model
            twin._decoder = None
            twin._decoders = {}
            self._planners[id(planner)] = twin
        return twin
