"""The Planner: tools in, a plan out, written by a small model held to the tool grammar.

``Planner(tools).plan("Two nights in Paris")`` returns a :class:`PlanResult`: ``ok``,
the ``plan`` (its ``.text``), ``to_openai()``, ``to_bfcl()``, token counts and timings.

The planner renders the tools as compact signatures into the model's chat prompt,
decodes the reply held to the grammar specialised to the tools (so only real tools,
real parameters and well-typed values can be written), keeps the plan language's
structural rules through decode hooks (:class:`~neurosym.decode.StructureHooks`), and
reads the text back into a :class:`~neurosym.plan.Plan`. A caller extends it with
its own potentials, search and decode hooks (``Planner(potentials=..., search=...,
hooks=...)``, :mod:`neurosym.search.base`).

Why one module: the Planner is the composition root: its construction checks are
:mod:`neurosym._planner_args`, the search, decoder, solver and engines are their own
packages, and what is left here is how they are put together for one request.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from .errors import (BudgetExceeded, DecodeError, NeurosymError, PlanSyntaxError,
                     PlanValidationError, Unsatisfiable)
from .result import PlanResult, observation_mapping, request_text

if TYPE_CHECKING:
    from .decode import DecodeHooks, DecodeResult, Event
    from .grammar import SpecialisedGrammar
    from .model import Model, PromptOptions
    from .plan.ast import Plan
    from .search import SearchOutcome
    from .search.base import SearchFactory
    from .search.beam import Scope, Steer
    from .search.choose import Scored
    from .tools import ToolSet

__all__ = ["Planner", "PlanResult", "PlanRequest", "DEFAULT_WIDTH", "DEFAULT_ABSTAIN_BIAS",
           "DEFAULT_ABSTAIN", "ABSTAIN_RULES", "ABSTAIN_BIASES"]

#: Partial plans the search keeps at once by default.
DEFAULT_WIDTH = 4
#: How abstaining is weighed against calling (``neurosym.search.choose``): ``plan``
#: weighs ``none()`` as one more finished plan against the best plan that calls, ``head``
#: by the odds of ``none()`` against every call at the plan's first token.
ABSTAIN_RULES: tuple[str, ...] = ("plan", "head")
#: The rule by default: ``neurosym bench abstain`` fits both on the same dev answers,
#: and on the test halves the plan rule is right more often (bench/results/abstain.md).
DEFAULT_ABSTAIN = "plan"
#: Each rule's bias (nats) by default, fitted by ``neurosym bench abstain`` on the dev
#: halves, 12 entries of each of five categories (bench/results/abstain.md), on the
#: search as it weighs plans now. ``plan``: 8.9; on the test halves right on 26 of 60
#: entries where the earlier 7.0 was right on 23, and on the live categories (never
#: tuned on) 10 of 36 against 9. ``head``: 0.5, which then abstains about as seldom as
#: always calling (the head odds hardly tell the categories apart).
ABSTAIN_BIASES: dict[str, float] = {"plan": 8.9, "head": 0.5}
#: Nats added to the score of ``none()`` by the default rule.
DEFAULT_ABSTAIN_BIAS = ABSTAIN_BIASES[DEFAULT_ABSTAIN]
#: Scale of the contrast with the empty request (fitted on the dev halves).
DEFAULT_CONTRAST_WEIGHT = 0.5
#: Branches this many nats behind the best are dropped (fitted on the dev halves).
DEFAULT_THRESHOLD: float | None = 8.0
#: Where the contrast guides the beam (``neurosym.search.beam.Steer``).
DEFAULT_STEER: Steer = "decisions"
#: Scale of the contrast where it guides the beam (fitted with the two above).
DEFAULT_GUIDE_WEIGHT: float = 1.0
#: Scale of the contrast on the end of the plan, where ending competes with another
#: call. Re-ranking the plans the search finished on the
#: 48 dev entries of ``neurosym bench search``: 22 right at 0.5, 26 from 0.75 to 1.0
#: (docs/ARCHITECTURE.md); at 1.0 the demo's booking loses to its search alone by
#: 0.02 nats, so the low end of that plateau.
DEFAULT_END_WEIGHT: float = 0.75
#: Which tokens the contrast weighs in a plan's weight (``neurosym.search.beam.Scope``).
DEFAULT_CONTRAST_SCOPE: Scope = "all"
#: Next tokens this many nats below the model's best are not considered.
DEFAULT_PLAUSIBILITY: float | None = 2.3


@dataclass(frozen=True)
class PlanRequest:
    """One planning call as the hooks see it: the chat, the tools, the constraints."""

    messages: tuple[Mapping[str, Any], ...]
    tools: ToolSet
    constraints: tuple[Any, ...]
    observations: tuple[tuple[str, Any], ...] = ()
    answer_only: bool = False
    #: The user's request as they wrote it (the last user message of a chat).
    text: str = ""
    #: The request as given to ``plan`` (a text or chat messages), and the tools shown.
    messages_in: Any = None
    shown: Any = None


class Planner:
    """Plans calls of ``tools`` for a request, with a local model (None: the embedded one).

    ``constraints`` (expressions of the constraint language, or compiled constraints)
    are checked by the Z3 solver when ``solver=True``. ``width`` partial plans are
    searched at once (:mod:`neurosym.search`): every choice the grammar leaves open is
    decided by the model's log-probability of the whole plan, the solver prunes what can
    no longer hold, and the most likely plan that passes the final check is the result
    (``result.alternatives`` the next ones). ``width=1`` is greedy decoding; ``width=0``
    the token-by-token decoder whose search retracts values with the solver (forward
    checking, proposals, backjumping), which is also the fallback when no searched plan
    passes. A plan's weight is its log-probability after the request less
    ``contrast_weight`` times its log-probability after the same prompt with an empty
    request (what the model would write whatever was asked), the end of the plan's
    log-probability there scaled by ``end_weight`` instead;
    ``contrast_scope`` says which tokens the contrast weighs: ``"all"``, or ``"choices"``
    (a line's first token, a tool, each value's first token, a new step, the end);
    ``threshold`` (nats) drops
    branches that far behind the best. ``abstain`` says how abstaining is weighed
    against calling: ``"plan"``, ``none()`` against the best plan that calls, with
    ``abstain_bias`` (nats) added to its weight; ``"head"``, the odds of ``none()``
    against every call at the plan's first token, plus ``abstain_bias``, above 0
    (``abstain_bias=None``: the rule's fitted bias, ``ABSTAIN_BIASES``).
    ``adapter`` is a LoRA adapter for the model (``neurosym tune`` writes them): by default
    the one shipped for the model, if any (``neurosym/model/adapters/``), ``None`` for
    none. The weights left unset (``contrast_weight``, ``guide_weight``, ``end_weight``,
    the default rule's ``abstain_bias``) are the ones fitted for the adapter, read from
    the JSON file beside it, else the constants fitted for the base model
    (``DEFAULT_CONTRAST_WEIGHT``, ...).
    ``open_tools=True`` weighs every tool at a step's first token, not only the ones the
    model finds plausible after the request (off: on the dev halves it found the intended
    plan less often, 17 of 36 right against 18).
    ``nested=True`` lets a value be a call (``f(x=g(y=1))``); by default a call's result
    reaches another call only through a reference to its step.
    ``sampling=True`` samples with ``temperature`` and ``top_p`` (reproducibly with
    ``seed``) instead of greedy decoding. ``policy`` is kept for the executor.
    ``max_tokens``, ``max_rollbacks`` and ``max_seconds`` bound each decode.

    The extension points (:mod:`neurosym.search.base`, docs/ARCHITECTURE.md):
    ``potentials`` are a caller's own, each hard (``refuse``: a veto the search obeys at
    each complete value and step) or soft (``weigh``: a log-weight added to the model's);
    ``search`` makes the search for each request from a
    :class:`~neurosym.search.base.SearchSetup` (None: the beam); ``hooks`` steer the
    token-by-token decoder after the built-in ones (each a
    :class:`~neurosym.decode.Hooks`, or a callable taking the :class:`PlanRequest` and
    returning one, for hooks that keep state per request). Whatever they propose, a plan
    is returned only when the grammar admits it and it passes the final check.
    """

    def __init__(self, tools: Any, constraints: Sequence[Any] = (), model: Model | str | os.PathLike[str] | None = None,
                 *, solver: bool = True, max_tokens: int = 256, seed: int | None = None,
                 sampling: bool = False, temperature: float = 0.7, top_p: float = 0.95,
                 policy: Any = None, max_steps: int | None = 8, max_rollbacks: int = 64,
                 max_seconds: float = 60.0, allow_repeats: bool = False,
                 prompt_options: PromptOptions | None = None, n_ctx: int = 4096,
                 max_string_length: int = 200, retrieve: int | None = 5,
                 width: int = DEFAULT_WIDTH, abstain_bias: float | None = None,
                 abstain: str = DEFAULT_ABSTAIN,
                 contrast_weight: float | None = None,
                 threshold: float | None = DEFAULT_THRESHOLD,
                 plausibility: float | None = DEFAULT_PLAUSIBILITY, canonical: bool = True,
                 nested: bool = False, steer: Steer = DEFAULT_STEER,
                 guide_weight: float | None = None,
                 end_weight: float | None = None,
                 contrast_scope: Scope = DEFAULT_CONTRAST_SCOPE,
                 prompt_cache: Any = None, engine: Any = None, bend: bool = False,
                 potentials: Sequence[Any] = (), search: SearchFactory | None = None,
                 hooks: Sequence[Any] = (), open_tools: bool = False,
                 adapter: str | os.PathLike[str] | None = "default") -> None:
        from ._planner_args import (check_abstain, check_budgets, check_extensions,
                                    check_satisfiable, constraint_texts, naming_removed,
                                    policy_tools)
        from .decode import Budgets, Sampling
        from .tools import ToolSet
        check_budgets(max_tokens=max_tokens, n_ctx=n_ctx)
        check_abstain(abstain, abstain_bias, ABSTAIN_RULES)
        tools = ToolSet.coerce(tools)
        removed: tuple[str, ...] = ()
        if policy is not None:
            # A denied tool leaves the grammar itself: the model cannot even propose it.
            tools, removed = policy_tools(tools, policy)
        self.tools: ToolSet = tools
        self.constraints = constraint_texts(constraints)
        # Constraints are compiled here so a typo fails now, not in the middle of a decode,
        # and constraints no plan can meet are refused now too.
        with naming_removed(removed):
            self.constraint_set = _compile(self.constraints, self.tools)
        check_satisfiable(self.constraint_set, self.tools)
        self.solver = solver
        self.policy = policy
        self.seed = seed
        self.sampling = (Sampling(temperature=temperature, top_p=top_p, seed=seed) if sampling
                         else Sampling(seed=seed))
        self.budgets = Budgets(max_tokens=max_tokens, max_rollbacks=max_rollbacks,
                               max_seconds=max_seconds)
        self.max_steps = max_steps
        self.allow_repeats = allow_repeats
        self.prompt_options = prompt_options
        self.n_ctx = n_ctx
        self.max_string_length = max_string_length
        self._model_spec = model
        self._model: Model | None = model if _is_model(model) else None  # type: ignore[assignment]
        from .model.locate import adapter_weights, resolve_adapter
        #: The LoRA adapter applied to the model (``neurosym tune`` writes them; checked on
        #: load): by default the one shipped for the model, if any; a loaded model's own.
        self.adapter = (self._model.adapter if self._model is not None
                        else resolve_adapter(adapter, model))  # type: ignore[arg-type]
        fitted = adapter_weights(self.adapter)
        self._grammar: SpecialisedGrammar | None = None
        self._decoder: Any = None
        self.retrieve = retrieve
        if not isinstance(width, int) or isinstance(width, bool) or width < 0:
            from .errors import ConfigurationError
            raise ConfigurationError(f"width must be a whole number >= 0, not {width!r}",
                                     hint="width=4 searches four plans at once, 1 is greedy, "
                                          "0 the token-by-token decoder with solver retraction")
        self.width = width
        self.abstain = abstain
        # Weights left unset are the ones fitted for the adapter (beside its file), else
        # the ones fitted for the base model (the constants above).
        if abstain_bias is None:
            abstain_bias = (fitted.get("abstain_bias", ABSTAIN_BIASES[abstain])
                            if abstain == DEFAULT_ABSTAIN else ABSTAIN_BIASES[abstain])
        self.abstain_bias = float(abstain_bias)
        self.contrast_weight = float(fitted.get("contrast_weight", DEFAULT_CONTRAST_WEIGHT)
                                     if contrast_weight is None else contrast_weight)
        self.threshold = threshold
        self.plausibility = plausibility
        self.nested = nested
        self.steer = steer
        self.guide_weight = float(fitted.get("guide_weight", DEFAULT_GUIDE_WEIGHT)
                                  if guide_weight is None else guide_weight)
        self.end_weight = float(fitted.get("end_weight", DEFAULT_END_WEIGHT)
                                if end_weight is None else end_weight)
        if contrast_scope not in ("all", "choices"):
            from .errors import ConfigurationError
            raise ConfigurationError(f"contrast_scope must be 'all' or 'choices', not {contrast_scope!r}",
                                     hint="'choices' weighs the contrast only at the tokens that "
                                          "choose: a line's first, a tool, a value's first, the end")
        self.contrast_scope = contrast_scope
        self.canonical = canonical
        #: Whether a value the request states may be changed to meet a constraint (the
        #: plan is then ``adjusted`` and lists it); by default it is ``unsatisfiable``.
        self.bend = bend
        self._decoders: dict[tuple[str, ...], Any] = {}
        # The shared prompt's KV state on disk, and the engine plans are written through
        # (None: this process's llama.cpp model): neurosym.model.prompt_cache, neurosym.engine.
        from .model.prompt_cache import resolve_prompt_cache
        self.prompt_cache = resolve_prompt_cache(prompt_cache)
        self.engine = engine
        self._potentials = check_extensions(potentials, search, hooks)
        self.search = search
        self.hooks = tuple(hooks)
        self.open_tools = bool(open_tools)

    def __repr__(self) -> str:
        return (f"Planner(tools={list(self.tools.names)!r}, constraints={len(self.constraints)}, "
                f"solver={self.solver})")

    # -- the parts, built on first use ------------------------------------------------
    @property
    def model(self) -> Model:
        """The model (loaded on first use, shared with every planner of the same file)."""
        if self._model is None:
            from .model import load_model
            self._model = load_model(self._model_spec, n_ctx=self.n_ctx,  # type: ignore[arg-type]
                                     adapter=self.adapter)
        return self._model

    @property
    def grammar(self) -> SpecialisedGrammar:
        """The plan grammar specialised to the tools."""
        if self._grammar is None:
            self._grammar = self._build_grammar(self.tools)
        return self._grammar

    def _build_grammar(self, tools: ToolSet) -> SpecialisedGrammar:
        from .grammar import build_grammar
        return build_grammar(tools, max_steps=self.max_steps, allow_nested=self.nested,
                             max_string_length=self.max_string_length)

    @property
    def has_constraints(self) -> bool:
        """Whether plans must pass the solver: constraints given, or limits a tool declares."""
        return self.constraint_set is not None or any(p.has_constraints for t in self.tools
                                                      for p in t.params)

    @property
    def decoder(self) -> Any:
        if self._decoder is None:
            from .decode import Decoder
            self._decoder = Decoder(self.model, self.grammar, sampling=self.sampling,
                                    budgets=self.budgets)
        return self._decoder

    def tools_for(self, request: str | Sequence[Mapping[str, Any]]) -> ToolSet:
        """The tools shown to the model for ``request``: all of them, or when there are
        more than ``retrieve``, the best matches (and every tool a constraint names)."""
        if self.retrieve is None or len(self.tools) <= self.retrieve:
            return self.tools
        from .tools import ToolSet
        from .tools.retrieve import select_tools
        text = request if isinstance(request, str) else " ".join(
            str(m.get("content", "")) for m in request if m.get("role") == "user")
        named = [t.name for t in self.tools
                 if any(t.name in str(c) for c in self.constraints)]
        return ToolSet(select_tools(self.tools, text, k=self.retrieve, keep=named))

    def _decoder_for(self, tools: ToolSet) -> Any:
        if tools is self.tools:
            return self.decoder
        key = tuple(tools.names)
        decoder = self._decoders.get(key)
        if decoder is None:
            from .decode import Decoder
            decoder = Decoder(self.model, self._build_grammar(tools), sampling=self.sampling,
                              budgets=self.budgets)
            self._decoders[key] = decoder
        return decoder

    # -- planning ---------------------------------------------------------------------
    def messages(self, request: str | Sequence[Mapping[str, Any]], *,
                 observations: Sequence[tuple[str, Any]] | Mapping[str, Any] | None = None,
                 previous_plan: str | None = None,
                 tools: ToolSet | None = None) -> list[dict[str, str]]:
        """The chat messages the model is given for ``request``."""
        from .model import build_messages
        shown = tools if tools is not None else self.tools_for(request)
        return build_messages(list(shown), request, observations=observations,
                              previous_plan=previous_plan,
                              constraints=[c for c in self.constraints if isinstance(c, str)],
                              options=self.prompt_options)

    def plan(self, request: str | Sequence[Mapping[str, Any]], *,
             observations: Sequence[tuple[str, Any]] | Mapping[str, Any] | None = None,
             previous_plan: str | None = None,
             on_event: Callable[[Event], None] | None = None,
             answer_only: bool = False) -> PlanResult:
        """Plan calls for ``request`` (a string, or chat messages), with its verdict.

        ``result.verdict`` says whether the plan is what was asked for and
        ``result.sources`` where each value came from (:func:`neurosym.verdict.judge`).
        """
        result = self._plan(request, observations=observations, previous_plan=previous_plan,
                            on_event=on_event, answer_only=answer_only)
        if answer_only:
            return result
        from .verdict import judge
        started = time.perf_counter()
        judged = judge(self, request, result, observations=observations)
        # The verdict may plan a second time (constraints and bounds off): its own time.
        timings = {**judged.timings, "verdict_s": time.perf_counter() - started}
        return self._redacted(replace(judged, timings=timings))

    def _redacted(self, result: PlanResult) -> PlanResult:
        """``result`` with the values of sensitive parameters out of its texts: the
        explanation, the error, the trace, the search's record (its candidates, events
        and texts, which drawings and replays read), the verdict and each value's
        source (:mod:`neurosym.redact`). The plan keeps them: it is what runs."""
        from .redact import Secrets, sensitive_paths
        from .verdict import redact_judgement

        paths = {t.name: set(sensitive_paths(t, self.policy)) for t in self.tools}
        if not any(paths.values()):
            # No parameter is sensitive: no plan holds a secret, nothing to read or redact.
            return replace(result, secrets=Secrets())
        secrets = Secrets()
        judgement = result.judgement
        plans = [result.plan, *(a.plan for a in result.alternatives),
                 *((judgement.plan, judgement.unconstrained) if judgement is not None else ())]
        for plan in plans:
            if plan is not None:
                secrets.add_plan(plan, self.tools, self.policy)
        if result.search is not None:
            # Plans the search finished but did not choose are in its record too.
            from .plan.parse import parse_plan
            for candidate in result.search.candidates:
                try:
                    secrets.add_plan(parse_plan(candidate.text), self.tools, self.policy)
                except (PlanSyntaxError, PlanValidationError):
                    continue
        if not secrets:
            return replace(result, secrets=secrets)

        def sensitive(tool: str, param: str) -> bool:
            return param in paths.get(tool, ()) or any(
                path.startswith(param + ".") for path in paths.get(tool, ()))

        return replace(
            result, secrets=secrets,
            explanation=None if result.explanation is None else secrets.redact(
                result.explanation),
            error=None if result.error is None else secrets.redact_error(result.error),
            trace=secrets.redact_record(tuple(result.trace)),
            search=None if result.search is None else secrets.redact_record(result.search),
            judgement=None if judgement is None else redact_judgement(judgement, secrets,
                                                                      sensitive))

    def _plan(self, request: str | Sequence[Mapping[str, Any]], *,
              observations: Sequence[tuple[str, Any]] | Mapping[str, Any] | None = None,
              previous_plan: str | None = None,
              on_event: Callable[[Event], None] | None = None,
              answer_only: bool = False) -> PlanResult:
        """Plan calls for ``request`` (a string, or chat messages), before the verdict.

        ``answer_only`` holds the model to ``answer(...)`` or ``ask(...)``: the agent loop
        uses it once the calls it needs have run.

        ``observations`` are results of steps already run (``name -> value``), shown to
        the model with ``previous_plan`` so it can go on or answer. Errors the model
        can cause (an exhausted budget, a dead end) come back as a result that is not
        ``ok``; bad input (no model, a prompt longer than the context) raises.
        """
        if self.engine is not None and not getattr(self.engine, "local", False):
            # A server writes the plan a piece at a time (neurosym.engine); the same checks.
            return self.engine.plan(self, request, observations=observations,
                                    previous_plan=previous_plan, on_event=on_event,
                                    answer_only=answer_only)
        started = time.perf_counter()
        tools = self.tools_for(request)
        messages = self.messages(request, observations=observations, previous_plan=previous_plan,
                                 tools=tools)
        seen = tuple(observations.items() if isinstance(observations, Mapping)
                     else observations or ())
        state = PlanRequest(tuple(messages), self.tools, self.constraints, seen, answer_only,
                            text=request_text(request), messages_in=request, shown=tools)
        model = self.model
        prompt = model.render_chat(messages)
        if self.prompt_cache is not None:
            from .model.prompt_cache import warm_prompt
            empty = self.messages(_without_request(request), observations=observations,
                                  previous_plan=previous_plan, tools=tools)
            warm_prompt(self.prompt_cache, model, prompt, model.render_chat(empty))
        decoder = self._decoder_for(tools)
        refused: Unsatisfiable | None = None
        if self.width >= 1 and not answer_only and self.sampling.greedy:
            searched = self._search(state, prompt, decoder, started, on_event)
            if isinstance(searched, PlanResult):
                return searched
            refused = searched.refused
        hooks = self._make_hooks(state)
        search = _search_of(hooks)
        events: list[Any] = []
        record = events.append if on_event is None else _tee(events.append, on_event)
        try:
            decoded = decoder.decode(prompt, hooks=hooks, on_event=record)
        except (BudgetExceeded, DecodeError, Unsatisfiable) as err:
            if isinstance(err, BudgetExceeded) and refused is not None:
                # The decoder ran out where the search had found every plan refused.
                err = refused
            timings = {"total_s": time.perf_counter() - started}
            return PlanResult(ok=False, plan=None, text="", explanation=str(err), error=err,
                              timings=_with_solver(timings, search),
                              trace=_merge(events, search),
                              adjustments=search.adjustments if search else (),
                              solver_checks_ms=tuple(search.check_times) if search else ())
        timings = dict(decoded.timings)
        timings["total_s"] = time.perf_counter() - started
        return self._result(decoded, _with_solver(timings, search), hooks, search,
                            observations=observation_mapping(observations))

    def _search(self, request: PlanRequest, prompt: str, decoder: Any, started: float,
                on_event: Callable[[Any], None] | None) -> PlanResult | _Fallback:
        """Plan by the search over whole plans, or say why the token-by-token decoder
        with the solver's retraction should try instead."""
        from .search import ReferencePotential, SearchSetup, SolverPotential
        from .search.choose import NONE_TEXT, choose_plan
        from .tools.dataflow import DataFlow
        model = self.model
        checked = self.solver and self.has_constraints
        observations = observation_mapping(request.observations)
        potentials = ([SolverPotential(list(self.tools), self.constraint_set or (),
                                       observations=observations)] if checked else [])
        if potentials:
            reasons = potentials[0].refuse_every_plan()
            if reasons is not None:
                # No plan at all can meet the constraints: say so before any decoding.
                error = Unsatisfiable("the constraints cannot be met by any plan over these "
                                      "tools:\n  - " + "\n  - ".join(reasons),
                                      core=list(reasons),
                                      hint="relax one of the constraints named above, or "
                                           "change the request")
                return PlanResult(ok=False, plan=None, text="", explanation=str(error),
                                  error=error, timings={"total_s": time.perf_counter() - started})
        contrast = None
        if self.contrast_weight or self.guide_weight or self.end_weight:
            empty = model.render_chat(self.messages(_without_request(request.messages_in),
                                                    observations=request.observations or None,
                                                    tools=request.shown))
            contrast = model.tokenize_prompt(empty, reserve=self.budgets.max_tokens)
        hard, soft = self._potentials
        setup = SearchSetup(model, decoder.matcher, decoder.grammar_text,
                            potentials=(*potentials, *hard), soft=soft,
                            references=ReferencePotential(list(self.tools),
                                                          request=_grounds(request),
                                                          flow=DataFlow(request.shown or self.tools),
                                                          nested=self.nested),
                            always=(NONE_TEXT,), max_tokens=self.budgets.max_tokens,
                            max_seconds=self.budgets.max_seconds, on_event=on_event,
                            beam={"width": self.width, "canonical": self.canonical,
                                  "threshold": self.threshold,
                                  "plausibility": self.plausibility, "contrast": contrast,
                                  "contrast_weight": self.contrast_weight,
                                  "steer": self.steer, "guide_weight": self.guide_weight,
                                  "end_weight": self.end_weight,
                                  "scope": self.contrast_scope,
                                  "allow_repeats": self.allow_repeats,
                                  "open_tools": self.open_tools})
        search = setup.beam_search() if self.search is None else self.search(setup)
        with model.lock:
            tokens = model.tokenize_prompt(prompt, reserve=self.budgets.max_tokens)
            outcome = search.search(tokens)
        candidates = outcome.candidates
        if self.search is not None:
            # A search the Planner did not write: its plans must be ones the grammar admits.
            from .grammar.engines import lark_accepts
            candidates = tuple(c for c in candidates if lark_accepts(setup.grammar, c.text))
        choice = choose_plan(candidates, list(self.tools),
                             self.constraint_set if checked else None, observations=observations,
                             abstain_bias=self.abstain_bias,
                             abstain_odds=(outcome.abstain_odds(self.contrast_weight)
                                           if self.abstain == "head" else None),
                             alternatives=max(self.width - 1, 0),
                             check=checked, refuse=self.refused_by_potentials)
        timings = {"prompt_s": outcome.prompt_seconds,
                   "decode_s": outcome.seconds - outcome.prompt_seconds,
                   "mask_s": outcome.mask_seconds,
                   "total_s": time.perf_counter() - started}
        if potentials:
            timings["solver_s"] = potentials[0].seconds
            timings["solver_checks"] = float(potentials[0].checks)
        checks = tuple(potentials[0].check_times) if potentials else ()
        if choice.chosen is None:
            if checked:
                # The decoder with the solver's retraction tries next; if it too finds
                # nothing, the solver's refusal of every searched plan is the answer.
                return _Fallback(choice.last_error if isinstance(choice.last_error,
                                                                 Unsatisfiable) else None)
            error: NeurosymError | None = choice.last_error
            if not outcome.candidates:
                reason = f"the search found no complete plan ({outcome.stop})"
            elif not candidates:
                reason = ("no plan the search found is one the plan grammar admits, e.g. "
                          f"{outcome.candidates[0].text[:80]!r}")
                error = PlanValidationError(reason, hint="a search given to Planner(search=...) "
                                                         "must write plans in the plan language")
            else:
                reason = f"no searched plan passes the checks: {choice.refused[0][1]}"
            if outcome.stop == "tokens" and not outcome.candidates:
                reason = (f"the plan reached max_tokens={self.budgets.max_tokens} without "
                          f"ending: ...{outcome.longest[-80:]}")
            if outcome.stop == "loop" and not outcome.candidates:
                reason = (f"every plan the model began repeats itself without ending: "
                          f"...{outcome.longest[-80:]}")
                error = error or DecodeError(reason, hint="rephrase the request, or plan "
                                                          "with a wider search (width=8)")
            error = error or BudgetExceeded(
                reason, hint="raise max_tokens or max_seconds, or ask for fewer steps")
            return PlanResult(ok=False, plan=None, text=outcome.longest, explanation=reason,
                              error=error, prompt_tokens=outcome.prompt_tokens,
                              trace=outcome.events,
                              timings=timings, solver_checks_ms=checks, search=outcome,
                              evaluated_tokens=outcome.evaluated_tokens)
        best = choice.chosen

        def cut(reason: str, hint: str) -> PlanResult:
            return PlanResult(ok=False, plan=None, text=outcome.cut_text, explanation=reason,
                              error=BudgetExceeded(reason, hint=hint),
                              prompt_tokens=outcome.prompt_tokens, timings=timings,
                              trace=outcome.events, solver_checks_ms=checks, search=outcome,
                              evaluated_tokens=outcome.evaluated_tokens)

        if outcome.stop == "time" and outcome.cut_score is not None \
                and outcome.cut_score > best.score:
            # Time ran out while a branch was ahead of the plan chosen: not an answer.
            return cut(f"the search reached max_seconds={self.budgets.max_seconds:g} while a "
                       f"partial plan was ahead of every complete one: "
                       f"...{outcome.cut_text[-80:]}",
                       "raise max_seconds, or plan on a less loaded machine")
        if outcome.cut_score is not None and outcome.cut_score > best.rank_score:
            if checked:
                return _Fallback()  # the decoder with the solver's retraction tries instead
            # A branch the budget cut was ahead of every plan that ended: what it would
            # have become is unknown, so the plan found is not the search's answer.
            return cut(f"the plan reached max_tokens={self.budgets.max_tokens} without ending "
                       f"(the partial plan was more likely than any complete one): "
                       f"...{outcome.cut_text[-80:]}", "raise max_tokens, or ask for fewer steps")
        from .search import SearchEvent
        verdict = SearchEvent("choose", best.text, best.score,
                              f"the most likely plan that passes the checks "
                              f"(log-probability {best.score:.2f} as weighed)",
                              time.perf_counter() - started)
        return PlanResult(ok=True, plan=best.plan, text=best.text,
                          trace=(*outcome.events, verdict),
                          prompt_tokens=outcome.prompt_tokens,
                          output_tokens=len(model.tokenize(best.text)) + 1, timings=timings,
                          solver_checks_ms=checks, score=best.score,
                          alternatives=choice.alternatives, search=outcome,
                          evaluated_tokens=outcome.evaluated_tokens)

    def _result(self, decoded: DecodeResult, timings: dict[str, float], hooks: DecodeHooks,
                search: Any = None, *, observations: Mapping[str, Any] | None = None) -> PlanResult:
        from .plan import parse_plan
        adjustments = search.adjustments if search is not None else getattr(hooks, "adjustments", ())
        common = dict(text=decoded.text, prompt_tokens=decoded.prompt_tokens,
                      output_tokens=decoded.output_tokens, timings=timings,
                      trace=_merge(decoded.events, search), decode=decoded,
                      adjustments=tuple(adjustments),
                      solver_checks_ms=tuple(search.check_times) if search is not None else ())
        try:
            plan = parse_plan(decoded.text)
        except (PlanSyntaxError, PlanValidationError) as err:
            return PlanResult(ok=False, plan=None, explanation=str(err), error=err, **common)  # type: ignore[arg-type]
        refused = self.refused_by_potentials(plan)
        if refused is not None:
            return PlanResult(ok=False, plan=plan, explanation=str(refused), error=refused,
                              **common)  # type: ignore[arg-type]
        if self.has_constraints:
            # The whole plan, closed: no later call can repair it now.
            from .solver import check_plan
            verdict = check_plan(plan, list(self.tools), self.constraint_set or (),
                                 observations=observations)
            if verdict.refuted:
                err = Unsatisfiable("the plan breaks the constraints: " + verdict.explanation,
                                    core=[c.describe() for c in verdict.core],
                                    hint="plan with the solver on (solver=True) to have the "
                                         "model choose again")
                return PlanResult(ok=False, plan=plan, explanation=str(err), error=err,
                                  **common)  # type: ignore[arg-type]
        return PlanResult(ok=True, plan=plan, **common)  # type: ignore[arg-type]

    def refused_by_potentials(self, plan: Plan) -> Unsatisfiable | None:
        """Why the caller's hard potentials refuse the complete ``plan`` (None: they
        accept it): the final check of ``Planner(potentials=...)``, whichever search or
        decoder wrote the plan."""
        if not self._potentials[0]:
            return None
        from .search import PartialPlan
        from .search.potentials import first_refusal
        refusal = first_refusal(self._potentials[0], PartialPlan(tuple(plan.steps)))
        if refusal is None:
            return None
        return Unsatisfiable(f"the plan is refused by {refusal.potential}: {refusal.reason}",
                             core=list(refusal.core) or [refusal.reason],
                             hint="change the request, or the potential that refuses it")

    def _make_hooks(self, request: PlanRequest) -> DecodeHooks:
        """The decode hooks for one request: the plan language's structural rules.

        The constraint search adds its own to check values with the solver as they are
        written and to retract the ones that break the constraints, and a caller's
        ``Planner(hooks=...)`` come last. Hooks with an
        ``adjustments`` attribute report it in the result; hooks that raise
        :class:`~neurosym.errors.Unsatisfiable` give a result that is not ``ok``, with
        the error's text as the explanation.
        """
        from .decode import StructureHooks, chain_hooks
        structure = StructureHooks(self.tools, allow_repeats=self.allow_repeats)
        if request.answer_only:
            return chain_hooks(structure, _AnswerOnly())
        own = [hook if hasattr(hook, "on_boundary") else hook(request) for hook in self.hooks]
        if not self.solver:
            return chain_hooks(structure, *own)
        from .solver.search import ConstraintSearch
        search = ConstraintSearch(self.tools, self.constraint_set or (),
                                  observations=observation_mapping(request.observations))
        return chain_hooks(structure, search, *own)

    def unconstrained(self) -> Planner:
        """A planner like this one with the constraints and the tools' bounds switched off
        (made once per planner, sharing its model): the verdict compares its plan."""
        free = getattr(self, "_free_planner", None)
        if free is None:
            from .verdict import unconstrained_tools
            free = Planner(unconstrained_tools(list(self.tools)), model=self.model,
                           solver=False, max_tokens=self.budgets.max_tokens,
                           max_steps=self.max_steps, max_rollbacks=self.budgets.max_rollbacks,
                           max_seconds=self.budgets.max_seconds,
                           allow_repeats=self.allow_repeats,
                           prompt_options=self.prompt_options, n_ctx=self.n_ctx,
                           max_string_length=self.max_string_length, retrieve=self.retrieve,
                           width=self.width, abstain_bias=self.abstain_bias,
                           abstain=self.abstain,
                           contrast_weight=self.contrast_weight, threshold=self.threshold,
                           plausibility=self.plausibility, canonical=self.canonical,
                           nested=self.nested, steer=self.steer,
                           guide_weight=self.guide_weight, end_weight=self.end_weight,
                           contrast_scope=self.contrast_scope,
                           seed=self.seed,
                           search=self.search, open_tools=self.open_tools)
            free._judge = False  # type: ignore[attr-defined]

            def same_prompt(request: Any, *, observations: Any = None, previous_plan: Any = None,
                            tools: Any = None) -> list[dict[str, str]]:
                # The model reads the same prompt (the tools with their bounds); only what
                # the grammar and the solver hold it to is switched off.
                shown = None if tools is None else self.tools.subset([t.name for t in tools])
                return self.messages(request, observations=observations,
                                     previous_plan=previous_plan, tools=shown)

            free.messages = same_prompt  # type: ignore[method-assign]
            self._free_planner = free  # type: ignore[attr-defined]
        return free

    def plan_many(self, requests: Sequence[Any], *, engines: Sequence[Any] | None = None,
                  concurrency: int | None = None,
                  on_progress: Callable[[Any], None] | None = None) -> list[PlanResult]:
        """Plan a batch (texts, chats, or ``{"request": ..., "observations": ...}``) over
        ``engines`` (None: this planner's), at most ``concurrency`` at once; the results
        in the requests' order, ``on_progress`` told as each is done
        (:func:`neurosym.engine.batch.plan_many`)."""
        from .engine.batch import plan_many
        return plan_many(self, requests, engines=engines, concurrency=concurrency,
                         on_progress=on_progress)

    def run(self, request: str, *, executor: Any = None, max_turns: int = 4,
            **options: Any) -> Any:
        """Plan, execute, observe and re-plan until an answer, a question, or ``max_turns``.

        Delegates to :func:`neurosym.execute.loop.run_loop` with this planner proposing;
        the constraints hold over the whole run. ``executor`` defaults to one over the
        tools' own functions with this planner's policy. Each turn keeps its verdict.
        """
        from .execute.loop import Proposal, run_loop
        if executor is None:
            from .execute import Executor
            executor = Executor(self.tools, policy=self.policy)

        done: set[Any] = set()

        def propose(text: str, seen: Sequence[Any]) -> Proposal | None:
            observations = [(o.bind or o.tool or "rejected", o.text) for o in seen]
            result = self.plan(text, observations=observations or None)
            if result.plan is not None and result.plan.steps and seen and \
                    {s.call for s in result.plan.steps} <= done:
                # Every call was run already: what is left is to answer from what was seen.
                result = self.plan(text, observations=observations, answer_only=True)
                if result.plan is None:
                    return None     # the calls ran; the model wrote no answer from them
            if result.plan is None:
                raise result.error or DecodeError(result.explanation or "no plan")
            done.update(s.call for s in result.plan.steps)
            return Proposal(result.plan, result.judgement)

        return run_loop(request, propose, tools=self.tools, executor=executor,
                        constraints=list(self.constraints) or None, max_turns=max_turns, **options)


@dataclass(frozen=True)
class _Fallback:
    """The search gives way to the token-by-token decoder; ``refused`` is the solver's
    verdict on every plan the search found, when it refused them all."""

    refused: Unsatisfiable | None = None


class _AnswerOnly:
    """Hooks that let a line be only ``answer(...)`` or ``ask(...)``."""

    def on_boundary(self, event: Any, state: Any) -> Any:
        from .decode import CONTINUE
        return CONTINUE

    def value_constraint(self, event: Any, state: Any) -> str | None:
        # A non-empty text: an empty answer tells the user nothing.
        return (r"start: /(?:answer|ask)\(\"[^\"\n][^\n]*/" if event.kind == "step_start"
                else None)

    def on_rollback(self, target: Any, state: Any) -> None:
        return None


def _grounds(request: PlanRequest) -> str:
    """The text a literal may be copied from: the request and what earlier steps returned."""
    observed = [json.dumps(value, default=str, ensure_ascii=False)
                for _, value in request.observations]
    return "\n".join([request.text, *observed])


def _without_request(request: str | Sequence[Mapping[str, Any]]) -> str | list[dict[str, Any]]:
    """The same chat with the last user message emptied: the contrast prompt's request."""
    if isinstance(request, str):
        return ""
    chat = [dict(m) for m in request]
    for message in reversed(chat):
        if message.get("role") == "user":
            message["content"] = ""
            break
    return chat



def _compile(constraints: Sequence[Any], tools: ToolSet) -> Any:
    if not constraints:
        return None
    from .constraints import ConstraintSet, compile_constraints
    if len(constraints) == 1 and isinstance(constraints[0], ConstraintSet):
        return constraints[0]
    return compile_constraints([str(c) for c in constraints], list(tools))


def _search_of(hooks: Any) -> Any:
    """The constraint search among the hooks, if there is one."""
    from .solver.search import ConstraintSearch
    for hook in getattr(hooks, "hooks", (hooks,)):
        if isinstance(hook, ConstraintSearch):
            return hook
    return None


def _tee(*sinks: Callable[[Any], None]) -> Callable[[Any], None]:
    def send(event: Any) -> None:
        for sink in sinks:
            sink(event)
    return send


def _merge(events: Sequence[Any], search: Any) -> tuple[Any, ...]:
    """Decode events and search events in one trace, in time order."""
    if search is None or not search.events:
        return tuple(events)
    return tuple(sorted([*events, *search.events], key=lambda e: getattr(e, "t", 0.0)))


def _with_solver(timings: dict[str, float], search: Any) -> dict[str, float]:
    if search is not None:
        timings["solver_s"] = search.solver_s
        timings["solver_checks"] = float(len(search.check_times))
    return timings



def _is_model(obj: object) -> bool:
    return type(obj).__name__ == "Model" and hasattr(obj, "llama")
