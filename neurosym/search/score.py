"""The model's log-probability of a reply text after a prompt, tokenised canonically.

This is the yardstick of the search: the score the beam gives a plan is the sum of the
same per-token log-probabilities, and a test holds the two to each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model.llama import Model

__all__ = ["score_many", "score_parts", "score_text", "score_tokens"]


def score_tokens(model: Model, prompt: Sequence[int], tokens: Sequence[int], *,
                 end: bool = True) -> float:
    """log p(tokens, then the end of the turn when ``end`` | prompt) under ``model``."""
    return score_many(model, prompt, [tokens], end=end)[0][0]


def score_parts(model: Model, prompt: Sequence[int], texts: Sequence[Sequence[int]], *,
                at: Sequence[Sequence[int]] | None = None
                ) -> tuple[list[float], list[float], int]:
    """For each token list in ``texts`` after one ``prompt`` (evaluated once): the
    log-probability of its tokens (only those at the positions ``at`` gives for it, when
    given), and of the end of the turn after them (the end token the model finds
    likeliest there); and how many tokens the model evaluated in all."""
    from ..model.sequences import Continuation, SharedPrompt
    longest = max((len(tokens) for tokens in texts), default=0)
    with model.lock, SharedPrompt(model, prompt, capacity=max(512, longest + 1)) as shared:
        bodies, ends = [], []
        for number, tokens in enumerate(texts):
            total = 0.0
            row = shared.first
            if tokens:
                seq = shared.start()
                block = shared.evaluate([Continuation(seq, len(prompt), tuple(tokens))])[0]
                shared.release(seq)
                positions = range(len(tokens)) if at is None else at[number]
                total = sum(float(row[tokens[0]]) if i == 0 else float(block[i - 1][tokens[i]])
                            for i in positions)
                row = block[-1]
            bodies.append(total)
            ends.append(max(float(row[e]) for e in model.eos))
        return bodies, ends, shared.evaluated + shared.tokens_evaluated


def score_many(model: Model, prompt: Sequence[int], texts: Sequence[Sequence[int]], *,
               end: bool = True) -> tuple[list[float], int]:
    """:func:`score_tokens` of each token list in ``texts`` after one ``prompt``, which is
    evaluated once; and how many tokens the model evaluated in all."""
    bodies, ends, evaluated = score_parts(model, prompt, texts)
    if not end:
        return bodies, evaluated
    return [b + e for b, e in zip(bodies, ends)], evaluated


def score_text(model: Model, prompt: str | Sequence[int], text: str, *, end: bool = True) -> float:
    """log p(``text`` | ``prompt``), the text split by the model's own tokenizer.

    ``prompt`` is a rendered chat prompt (or its tokens); ``end`` adds the end-of-turn
    token after the text, which is how a plan ends.
    """
    tokens = (model.tokenize_prompt(prompt) if isinstance(prompt, str) else list(prompt))
    return score_tokens(model, tokens, model.tokenize(text), end=end)
