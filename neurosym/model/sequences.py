"""Several continuations of one prompt, each a llama.cpp sequence sharing the prompt's KV cells.

The search keeps several partial plans at once. Each is a sequence of the model's one
context: the prompt is evaluated once (sequence 0, the one :class:`~neurosym.model.Model`
keeps), a new sequence starts as a copy of another's cells (llama.cpp shares the cells,
nothing is recomputed), and one ``llama_decode`` call evaluates the next tokens of every
sequence together, with log-probabilities at every position. ``close`` removes every
sequence but the prompt's, so the model's own prefix cache stays exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import DecodeError

if TYPE_CHECKING:
    from .llama import Model

__all__ = ["SharedPrompt", "Continuation", "log_softmax"]


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """Log-probabilities over the whole vocabulary from one row of logits.

    >>> row = log_softmax(np.array([0.0, 0.0], dtype=np.float32))
    >>> [round(float(x), 4) for x in row]
    [-0.6931, -0.6931]
    """
    row = logits.astype(np.float64)
    top = row.max()
    return row - (top + np.log(np.exp(row - top).sum()))


@dataclass(frozen=True)
class Continuation:
    """Tokens to evaluate at the end of sequence ``seq``, the first at ``position``."""

    seq: int
    position: int
    tokens: tuple[int, ...]


class SharedPrompt:
    """The prompt in the KV cache, and sequences that continue it.

    Use as a context manager, holding ``model.lock``: every sequence is removed on exit.
    """

    def __init__(self, model: Model, prompt: Sequence[int], *, capacity: int = 512) -> None:
        import llama_cpp
        from .llama import N_SEQUENCES
        self.model = model
        self._api = llama_cpp
        self.evaluated = model.sync(list(prompt))
        self.n_prompt = len(prompt)
        #: Log-probabilities of the first token after the prompt.
        self.first = log_softmax(model.logits())
        self._ctx = model.llama._ctx.ctx
        self._memory = llama_cpp.llama_get_memory(self._ctx)
        self._free = list(range(N_SEQUENCES - 1, 0, -1))
        self._live: set[int] = set()
        self._capacity = capacity
        self._batch = llama_cpp.llama_batch_init(capacity, 0, 1)
        self.tokens_evaluated = 0
        self.decode_calls = 0

    def __enter__(self) -> SharedPrompt:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self, parent: int | None = None) -> int:
        """A new sequence holding the prompt and, when given, the cells of ``parent``."""
        if not self._free:
            raise DecodeError("the search wants more sequences than the context holds",
                              hint="lower the search width")
        seq = self._free.pop()
        api = self._api
        api.llama_memory_seq_rm(self._memory, seq, -1, -1)
        api.llama_memory_seq_cp(self._memory, 0 if parent is None else parent, seq, -1, -1)
        self._live.add(seq)
        return seq

    def other_prompt(self, tokens: Sequence[int]) -> tuple[int, np.ndarray]:
        """A sequence holding another prompt: the cells it shares with this one at the
        start are copied, the rest evaluated. Returns the sequence and the
        log-probabilities of the token after it."""
        prompt = self.model.kv_tokens
        common = 0
        limit = min(len(prompt), len(tokens) - 1)
        while common < limit and prompt[common] == tokens[common]:
            common += 1
        seq = self.start()
        self._api.llama_memory_seq_rm(self._memory, seq, common, -1)
        rows = self.evaluate([Continuation(seq, common, tuple(tokens[common:]))])[0]
        return seq, rows[-1]

    def release(self, seq: int) -> None:
        """Forget sequence ``seq`` and its cells (those it shares stay with the others)."""
        if seq in self._live:
            self._api.llama_memory_seq_rm(self._memory, seq, -1, -1)
            self._live.discard(seq)
            self._free.append(seq)

    def evaluate(self, items: Sequence[Continuation]) -> list[np.ndarray]:
        """Evaluate every item's tokens; for each item, the log-probabilities after each
        of its tokens (one row per token), in the items' order."""
        out: list[np.ndarray | None] = [None] * len(items)
        chunk: list[int] = []
        size = 0
        for index, item in enumerate(items):
            if len(item.tokens) > self._capacity:
                raise DecodeError(f"{len(item.tokens)} tokens at once exceed the batch of "
                                  f"{self._capacity}", hint="this is a bug in the search")
            if size + len(item.tokens) > self._capacity:
                self._decode(items, chunk, out)
                chunk, size = [], 0
            chunk.append(index)
            size += len(item.tokens)
        if chunk:
            self._decode(items, chunk, out)
        return [rows if rows is not None else np.empty((0, self.model.n_vocab)) for rows in out]

    def _decode(self, items: Sequence[Continuation], chunk: Sequence[int],
                out: list[np.ndarray | None]) -> None:
        batch = self._batch
        n = 0
        for index in chunk:
            item = items[index]
            if item.position + len(item.tokens) > self.model.n_ctx:
                self.model.check_fits(item.position + len(item.tokens))
            for offset, token in enumerate(item.tokens):
                batch.token[n] = int(token)
                batch.pos[n] = item.position + offset
                batch.n_seq_id[n] = 1
                batch.seq_id[n][0] = item.seq
                batch.logits[n] = 1
                n += 1
        if n == 0:
            return
        batch.n_tokens = n
        status = self._api.llama_decode(self._ctx, batch)
        self.decode_calls += 1
        if status != 0:
            raise DecodeError(f"llama.cpp could not evaluate {n} tokens (status {status})",
                              hint="the KV cache may be full: lower the search width or "
                                   "max_tokens, or load the model with a larger n_ctx")
        self.tokens_evaluated += n
        vocab = self.model.n_vocab
        row = 0
        for index in chunk:
            count = len(items[index].tokens)
            block = np.empty((count, vocab))
            for i in range(count):
                pointer = self._api.llama_get_logits_ith(self._ctx, row)
                block[i] = log_softmax(np.ctypeslib.as_array(pointer, shape=(vocab,)))
                row += 1
            out[index] = block

    def close(self) -> None:
        if self.decode_calls:
            self.model.forget_logits()
        for seq in list(self._live):
            self.release(seq)
        if self._batch is not None:
            self._api.llama_batch_free(self._batch)
            self._batch = None  # type: ignore[assignment]

