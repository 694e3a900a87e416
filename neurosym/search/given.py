"""A search over plans given in advance: each text weighed by the model exactly.

:class:`GivenPlans` is the search for plans proposed elsewhere (a larger model, a
template, a user's own list): ``Planner(tools, search=GivenPlans([...]))`` scores each
text by the model's log-probability after the request (the same yardstick as the beam,
:mod:`neurosym.search.score`), less the contrast as the beam weighs it, adds the soft potentials' weight, drops the texts the
hard potentials refuse, and the Planner then keeps only what the grammar admits and the
final check passes. The texts the setup always scores (``none()``) compete with them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

from ..errors import ConfigurationError, PlanSyntaxError, PlanValidationError
from .base import PartialPlan, Refusal, SearchSetup
from .beam import Candidate, SearchEvent, SearchOutcome, choice_positions
from .potentials import first_refusal
from .score import score_many, score_parts

__all__ = ["GivenPlans"]


class GivenPlans:
    """Makes, for each request, a search that weighs ``texts`` (plan texts) and nothing else."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.texts = tuple(texts)
        if not self.texts or not all(isinstance(text, str) for text in self.texts):
            raise ConfigurationError("GivenPlans needs plan texts (strings), at least one",
                                     hint='GivenPlans(["r1 = get_weather(city=\\"Paris\\")"])')

    def __call__(self, setup: SearchSetup) -> _GivenSearch:
        return _GivenSearch(setup, tuple(dict.fromkeys((*self.texts, *setup.always))))


class _GivenSearch:
    def __init__(self, setup: SearchSetup, texts: tuple[str, ...]) -> None:
        self.setup = setup
        self.texts = texts

    def search(self, prompt: Sequence[int]) -> SearchOutcome:
        from ..plan.parse import parse_plan
        started = time.perf_counter()
        setup, model = self.setup, self.setup.model
        hard = [*([setup.references] if setup.references is not None else []),
                *setup.potentials]
        events: list[SearchEvent] = []
        refusals: list[Refusal] = []

        def note(event: SearchEvent) -> None:
            events.append(event)
            if setup.on_event is not None:
                setup.on_event(event)

        kept: list[tuple[str, PartialPlan, list[int]]] = []
        for text in self.texts:
            partial = PartialPlan()
            try:
                partial = PartialPlan(tuple(parse_plan(text).steps))
                refusal = first_refusal(hard, partial)
            except (PlanSyntaxError, PlanValidationError) as err:
                # Not a plan over these tools at all (the solver names an unknown tool).
                refusal = Refusal("plan language", str(err))
            if refusal is not None:
                refusals.append(refusal)
                note(SearchEvent("refuse", text, float("-inf"),
                                 f"{refusal.potential}: {refusal.reason}",
                                 time.perf_counter() - started))
            else:
                kept.append((text, partial, model.tokenize(text)))
        token_lists = [tokens for _, _, tokens in kept]
        logprobs, evaluated = score_many(model, prompt, token_lists)
        contrast = setup.beam.get("contrast")
        weight = float(setup.beam.get("contrast_weight") or 0.0)
        end_weight = setup.beam.get("end_weight")
        end_weight = weight if end_weight is None else float(end_weight)
        against = [0.0] * len(kept)
        if contrast and (weight or end_weight) and kept:
            # Weighed as the beam weighs: less what the model writes whatever is asked.
            at = None
            if setup.beam.get("scope", "all") == "choices":
                at = [choice_positions(setup.matcher, model.token_bytes, tokens)
                      for tokens in token_lists]
            bodies, ends, more = score_parts(model, contrast, token_lists, at=at)
            against = [weight * b + end_weight * e for b, e in zip(bodies, ends)]
            evaluated += more
        found: list[Candidate] = []
        for (text, partial, tokens), logprob, other in zip(kept, logprobs, against):
            score = (logprob - other
                     + sum(float(p.weigh(partial)) for p in setup.soft))
            found.append(Candidate(text, score, tuple(tokens), True, logprob))
            note(SearchEvent("finish", text, score, "a given plan, weighed",
                             time.perf_counter() - started))
        found.sort(key=lambda c: -c.score)
        return SearchOutcome(candidates=tuple(found), events=tuple(events), stop="complete",
                             prompt_tokens=len(prompt), reused_tokens=0,
                             evaluated_tokens=evaluated, decode_calls=len(found),
                             refusals=tuple(refusals), seconds=time.perf_counter() - started,
                             prompt_seconds=0.0, longest=max(self.texts, key=len))
