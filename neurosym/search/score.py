"""The model's log-probability of a reply text after a prompt, tokenised canonically.

This is the yardstick of the search: the score the beam gives a plan is the sum of the
same per-token log-probabilities, and a test holds the two to each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model.llama import Model

__all__ = ["score_text", "score_tokens"]


def score_tokens(model: Model, prompt: Sequence[int], tokens: Sequence[int], *,
                 end: bool = True) -> float:
    """log p(tokens, then the end of the turn when ``end`` | prompt) under ``model``."""
    from ..model.sequences import Continuation, SharedPrompt
    with model.lock, SharedPrompt(model, prompt, capacity=max(512, len(tokens) + 1)) as shared:
        total = 0.0
        row = shared.first
        if tokens:
            seq = shared.start()
            block = shared.evaluate([Continuation(seq, len(prompt), tuple(tokens))])[0]
            total = float(row[tokens[0]]) + sum(float(block[i - 1][tokens[i]])
                                                for i in range(1, len(tokens)))
            row = block[-1]
        if end:
            total += max(float(row[e]) for e in model.eos)
        return total


def score_text(model: Model, prompt: str | Sequence[int], text: str, *, end: bool = True) -> float:
    """log p(``text`` | ``prompt``), the text split by the model's own tokenizer.

    ``prompt`` is a rendered chat prompt (or its tokens); ``end`` adds the end-of-turn
    token after the text, which is how a plan ends.
    """
    tokens = (model.tokenize_prompt(prompt) if isinstance(prompt, str) else list(prompt))
    return score_tokens(model, tokens, model.tokenize(text), end=end)
