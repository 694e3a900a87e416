"""The constrained decoder: llama.cpp proposes, an llguidance grammar masks, hooks retract.

``Decoder(model, 'start: "ok(" /[0-9]/ ")"').decode(prompt).text`` is ``ok(`` then a
digit then ``)``, whatever the model would rather have written. One :class:`Decoder`
per grammar; it can decode many prompts, and the model's KV cache
keeps the prefix they share (the system prompt with the tools), so a second request
evaluates only what differs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..plan.ast import Step, Terminal
from ._masks import ValueMatchers
from ._run import DecodeRun, _Stop
from .budget import Budgets
from .events import Event
from .hooks import DecodeHooks, Hooks
from .sampling import GREEDY, Sampling

if TYPE_CHECKING:
    from ..model.llama import Model

__all__ = ["Decoder", "DecodeResult", "StopReason"]

StopReason = Literal["eos", "grammar", "length"]


@dataclass(frozen=True)
class DecodeResult:
    """What one decode produced, and what it cost.

    ``timings`` holds ``prompt_s`` (evaluating the prompt), ``decode_s`` (the token loop),
    ``mask_s`` (computing grammar masks, mostly hidden behind evaluation),
    ``mask_wait_s`` (time the loop waited for a mask), ``hook_s`` (the hooks) and
    ``total_s``. ``reused_tokens`` prompt tokens came from the KV cache;
    ``evaluated_tokens`` were evaluated after the prompt (rollbacks make them more than
    the plan's tokens; the last token is evaluated to learn that the plan ends there).
    """

    text: str
    tokens: tuple[int, ...]
    stop: StopReason
    prompt_tokens: int
    reused_tokens: int
    sampled_tokens: int
    forced_tokens: int
    rollbacks: int
    steps: tuple[Step | Terminal, ...]
    timings: dict[str, float]
    evaluated_tokens: int = 0
    mask_times: tuple[float, ...] = field(repr=False, default=())
    events: tuple[Event, ...] = field(repr=False, default=())

    @property
    def output_tokens(self) -> int:
        return len(self.tokens)

    @property
    def tokens_per_second(self) -> float:
        """Tokens evaluated per second by the token loop (prompt evaluation excluded)."""
        seconds = self.timings.get("decode_s", 0.0)
        return self.evaluated_tokens / seconds if seconds > 0 else 0.0


class Decoder:
    """Decodes text from ``model`` held to a Lark ``grammar`` (or free text when None).

    ``grammar`` is Lark text in the subset llguidance reads, or any object with a
    ``.lark`` attribute (a :class:`~neurosym.grammar.SpecialisedGrammar`). ``overlap``
    computes masks in a worker thread during evaluation; ``fast_forward`` takes the
    tokens the grammar forces from the matcher and evaluates them in one batch;
    ``track`` follows the plan's structure (boundaries, checkpoints, hooks) and is only
    useful for plan grammars.
    """

    def __init__(self, model: Model, grammar: str | Any | None, *, sampling: Sampling = GREEDY,
                 budgets: Budgets | None = None, overlap: bool = True, fast_forward: bool = True,
                 track: bool = True) -> None:
        self.model = model
        self.fast_forward = fast_forward
        self.sampling = sampling
        self.budgets = budgets or Budgets()
        self.overlap = overlap
        self.track = track
        self.grammar_text: str | None = getattr(grammar, "lark", grammar)
        self._matcher: Any = None
        self._values: ValueMatchers | None = None
        if self.grammar_text is not None:
            self._matcher = _compile(model, self.grammar_text)
            self._values = model.memo("value_matchers", lambda: ValueMatchers(model.lltokenizer))

    @property
    def matcher(self) -> Any:
        """The grammar's llguidance matcher (None for free text); copy it to use it."""
        return self._matcher

    def decode(self, prompt: str | Sequence[int], *, hooks: DecodeHooks | None = None,
               on_event: Callable[[Event], None] | None = None, sampling: Sampling | None = None,
               budgets: Budgets | None = None, record: bool = True,
               ignore_eos: bool = False) -> DecodeResult:
        """Decode one reply to ``prompt`` (a rendered prompt text, or its tokens).

        ``record=False`` keeps no events (``on_event`` still gets them); ``ignore_eos``
        (free decoding only) never stops before ``max_tokens``, for measurements.
        """
        budgets = budgets or self.budgets
        model = self.model
        with model.lock:
            if isinstance(prompt, str):
                tokens = model.tokenize_prompt(prompt, reserve=budgets.max_tokens)
            else:
                tokens = list(prompt)
                model.check_fits(len(tokens), reserve=budgets.max_tokens)
            run = DecodeRun(model=model, matcher=self._matcher, value_matchers=self._values,
                            prompt=tokens, hooks=hooks if hooks is not None else Hooks(),
                            sampling=sampling or self.sampling, budgets=budgets,
                            on_event=on_event, overlap=self.overlap, track=self.track,
                            record=record, ignore_eos=ignore_eos and self._matcher is None,
                            fast_forward=self.fast_forward)
            started = time.perf_counter()
            try:
                run.run()
            except _Stop:
                pass
            total = time.perf_counter() - started
        timings = {
            "prompt_s": run.prompt_time,
            "decode_s": max(total - run.prompt_time, 0.0),
            "mask_s": sum(run.mask_times),
            "mask_wait_s": run.mask_wait,
            "hook_s": run.hook_time,
            "total_s": total,
        }
        return DecodeResult(text=run.text, tokens=tuple(run.gen), stop=run.stop or "eos",  # type: ignore[arg-type]
                            prompt_tokens=len(tokens), reused_tokens=run.reused,
                            sampled_tokens=run.sampled, forced_tokens=run.forced,
                            rollbacks=run.n_rollbacks, steps=run.steps, timings=timings,
                            evaluated_tokens=run.evaluated,
                            mask_times=tuple(run.mask_times), events=tuple(run.events))


def _compile(model: Model, grammar_text: str) -> Any:
    """An llguidance matcher for the grammar, or a GrammarError saying why not."""
    from ..grammar.engines import llguidance_grammar, start_matcher
    return start_matcher(llguidance_grammar(grammar_text), model.lltokenizer)
