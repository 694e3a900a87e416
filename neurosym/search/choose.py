"""The verdict of a search: the most likely complete plan that passes the closed final check.

Abstaining is weighed against calling in one place, in one of two ways. With
``abstain_odds`` (the log-odds of ``none()`` against every call at the plan's first
token, :meth:`~neurosym.search.beam.SearchOutcome.abstain_odds`), the plan abstains when
those odds plus ``abstain_bias`` are above 0: ``none()`` then comes first, and otherwise
after every plan that calls. Without them, ``abstain_bias`` is added to the score of
``none()`` and the candidates are ranked by score. The biases (nats) are fitted on the
benchmarks' dev halves. Candidates are then read back into Plans, validated (references,
types) and checked by the solver with the plan closed; the first that passes is the
plan, the next ones are its alternatives, so a request whose every call the checks
refuse still gets ``none()``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import NeurosymError, PlanSyntaxError, PlanValidationError, Unsatisfiable
from ..plan.ast import Plan
from ..tools.tool import Tool
from .beam import Candidate

__all__ = ["Scored", "Choice", "choose_plan", "NONE_TEXT"]

#: The plan that calls nothing.
NONE_TEXT = "none()"


@dataclass(frozen=True)
class Scored:
    """A complete plan with the model's log-probability of its text (``score``) and the
    score it was ranked by (``rank_score``: with the abstain bias for ``none()``)."""

    plan: Plan
    text: str
    score: float
    rank_score: float


@dataclass(frozen=True)
class Choice:
    """The chosen plan (None when no candidate passed), the next ones, and why the
    others were refused (text, reason)."""

    chosen: Scored | None
    alternatives: tuple[Scored, ...]
    refused: tuple[tuple[str, str], ...]
    last_error: NeurosymError | None = None


def choose_plan(candidates: Sequence[Candidate], tools: Sequence[Tool], constraints: Any = None,
                *, observations: Mapping[str, Any] | None = None, abstain_bias: float = 0.0,
                abstain_odds: float | None = None, alternatives: int = 3,
                check: bool = True,
                refuse: Callable[[Plan], NeurosymError | None] | None = None) -> Choice:
    """The best candidate that reads as a valid plan and passes the final check
    (``refuse``: a last check of the whole plan, the error when it fails)."""
    from ..graph.validate import validate_plan
    from ..plan.parse import parse_plan
    from ..solver.check import check_plan

    def rank(candidate: Candidate) -> float:
        return candidate.score + (abstain_bias if candidate.text == NONE_TEXT else 0.0)

    if abstain_odds is None:
        ranked = sorted(candidates, key=lambda c: -rank(c))
    else:
        abstain = abstain_odds + abstain_bias > 0
        # Stable: the calls keep their order by score, none() goes first or last.
        ranked = sorted(sorted(candidates, key=lambda c: -c.score),
                        key=lambda c: (c.text == NONE_TEXT) != abstain)
    passed: list[Scored] = []
    refused: list[tuple[str, str]] = []
    last_error: NeurosymError | None = None
    for candidate in ranked:
        if len(passed) > alternatives:
            break
        try:
            plan = parse_plan(candidate.text)
            validate_plan(plan, list(tools))
        except (PlanSyntaxError, PlanValidationError) as err:
            refused.append((candidate.text, str(err)))
            last_error = err
            continue
        error = refuse(plan) if refuse is not None else None
        if error is not None:
            refused.append((candidate.text, str(error)))
            last_error = error
            continue
        if check:
            verdict = check_plan(plan, list(tools), constraints or (), observations=observations)
            if verdict.refuted:
                refused.append((candidate.text, verdict.explanation))
                last_error = Unsatisfiable(
                    "every plan the search found breaks the constraints; the most likely: "
                    + verdict.explanation, core=[c.describe() for c in verdict.core],
                    hint="relax one of the constraints named above, or change the request")
                continue
        passed.append(Scored(plan, candidate.text, candidate.score, rank(candidate)))
    chosen = passed[0] if passed else None
    return Choice(chosen, tuple(passed[1:]), tuple(refused), last_error)
