"""What a planning call gives back: :class:`PlanResult`, and the two readings of a request
every engine and the verdict share (its text, and its observations as a mapping).

The engines (:mod:`neurosym.engine`) and the verdict (:mod:`neurosym.verdict`) build
and read results without importing the :class:`~neurosym.planner.Planner`, which
imports them.

>>> request_text([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "?"}])
'hi'
>>> observation_mapping([("r1", 3)])
{'r1': 3}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import NeurosymError, Unsatisfiable

if TYPE_CHECKING:
    from .decode import DecodeResult, Event
    from .plan.ast import Plan
    from .search import SearchOutcome
    from .search.choose import Scored

__all__ = ["PlanResult", "observation_mapping", "request_text"]


@dataclass(frozen=True)
class PlanResult:
    """A plan, or why there is none.

    ``ok`` is True when the model wrote a well-formed plan over the tools (and, with
    the solver, one that keeps the constraints). ``timings`` holds ``prompt_s``,
    ``decode_s``, ``mask_s`` and ``total_s`` (and the decoder's finer ones). ``trace``
    is every decode event; ``adjustments`` the values the search changed from the
    model's first choice; ``explanation`` says why not, when not ``ok``.
    """

    ok: bool
    plan: Plan | None
    text: str
    prompt_tokens: int = 0
    output_tokens: int = 0
    timings: Mapping[str, float] = field(default_factory=dict)
    trace: tuple[Event, ...] = field(default=(), repr=False)
    explanation: str | None = None
    adjustments: tuple[Any, ...] = ()
    error: NeurosymError | None = field(default=None, repr=False, compare=False)
    solver_checks_ms: tuple[float, ...] = field(default=(), repr=False)
    decode: DecodeResult | None = field(default=None, repr=False, compare=False)
    #: The model's log-probability of the plan's text (with its end), when searched.
    score: float | None = None
    #: The next most likely plans that also pass the final check, best first.
    alternatives: tuple[Scored, ...] = ()
    #: The search's own record: every finished, refused and cut branch.
    search: SearchOutcome | None = field(default=None, repr=False, compare=False)
    #: Tokens the model evaluated after the prompt (every branch of the search).
    evaluated_tokens: int = 0
    #: The verdict and each value's source (:class:`neurosym.verdict.Judgement`).
    judgement: Any = field(default=None, compare=False)
    #: The values of sensitive parameters in the plans (:class:`neurosym.redact.Secrets`),
    #: redacted from the explanation, the verdict and drawings; never shown.
    secrets: Any = field(default=None, compare=False, repr=False)

    @property
    def verdict(self) -> str:
        """faithful / adjusted / uncertain / unsatisfiable / abstained (:mod:`neurosym.verdict`);
        a result never judged is ``uncertain`` unless it failed or abstained."""
        if self.judgement is not None:
            return str(self.judgement.verdict)
        if not self.ok:
            return "unsatisfiable" if isinstance(self.error, Unsatisfiable) else "uncertain"
        return "abstained" if self.plan is not None and not self.plan.steps else "uncertain"

    @property
    def sources(self) -> tuple[Any, ...]:
        """Where each argument value came from (:class:`neurosym.verdict.ValueSource`)."""
        return tuple(self.judgement.sources) if self.judgement is not None else ()

    def to_openai(self) -> list[dict[str, Any]]:
        """The plan's calls as OpenAI ``tool_calls`` (empty when there is no plan)."""
        return self.plan.to_openai() if self.plan is not None else []

    def to_bfcl(self) -> list[dict[str, dict[str, Any]]]:
        """The plan's calls as BFCL's ``[{tool: {param: value}}]``."""
        return self.plan.to_bfcl() if self.plan is not None else []

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (what ``neurosym plan --json`` prints)."""
        return {
            "ok": self.ok,
            "plan": self.plan.text if self.plan is not None else None,
            "text": self.text,
            "openai": self.to_openai(),
            "bfcl": self.to_bfcl(),
            "prompt_tokens": self.prompt_tokens,
            "output_tokens": self.output_tokens,
            "timings": {k: round(v, 6) for k, v in self.timings.items()},
            "explanation": self.explanation,
            "adjustments": [repr(a) for a in self.adjustments],
            "score": self.score,
            "alternatives": [{"plan": a.text, "score": a.score} for a in self.alternatives],
            "verdict": self.verdict,
            "judgement": self.judgement.to_dict() if self.judgement is not None else None,
        }


def request_text(request: str | Sequence[Mapping[str, Any]]) -> str:
    """The request the calls answer: the text, or a chat's last user message."""
    if isinstance(request, str):
        return request
    for message in reversed(request):
        if message.get("role") == "user" and isinstance(message.get("content"), str):
            return str(message["content"])
    return ""


def observation_mapping(observations: Any) -> dict[str, Any]:
    """Observations as ``{name: value}``, from a mapping or ``(name, value)`` pairs."""
    if not observations:
        return {}
    if isinstance(observations, Mapping):
        return dict(observations)
    return {name: value for name, value in observations}
