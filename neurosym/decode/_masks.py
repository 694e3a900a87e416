"""Token masks: bit tests, value grammars ANDed with the plan's, and blocked completions."""

from __future__ import annotations

import bisect
import json
import threading
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np


__all__ = ["bit_is_set", "unpack_mask", "compose_value_grammar", "TokenPrefixIndex",
           "blocked_completions", "VALUE_FOLLOW", "LINE_FOLLOW", "ValueMatchers"]

#: What may follow a value in a plan: the value grammar accepts the value, then one of
#: these characters and anything after it (the plan grammar constrains that part).
VALUE_FOLLOW = r"/[,)\]}\n][\s\S]*/"
#: What may follow a step's line: nothing, or a new line and anything after it.
LINE_FOLLOW = r"/\n[\s\S]*/"
VALUE_TERMINATORS = b",)]}\n"


def bit_is_set(mask: np.ndarray, token: int) -> bool:
    """Whether ``token`` is allowed by an llguidance bitmask (32 tokens per int32)."""
    return bool((int(mask[token >> 5]) >> (token & 31)) & 1)


def unpack_mask(mask: np.ndarray, n_vocab: int) -> np.ndarray:
    """The bitmask as one bool per token."""
    return np.unpackbits(mask.view(np.uint8), bitorder="little")[:n_vocab].astype(bool)


def compose_value_grammar(value_lark: str, *, line: bool = False) -> str:
    """An llguidance grammar: ``value_lark``'s value, then whatever follows a value
    (with ``line``: a step's line, then nothing or a new line and the rest).

    The value grammar is nested as a sub-grammar, so its own ``start`` and rule names
    stay as written.
    """
    if line:
        top = "start: @value FOLLOW_?\nFOLLOW_: " + LINE_FOLLOW + "\n"
    else:
        top = "start: @value FOLLOW_\nFOLLOW_: " + VALUE_FOLLOW + "\n"
    return json.dumps({"grammars": [{"lark_grammar": top},
                                    {"name": "value", "lark_grammar": value_lark}]})


class ValueMatchers:
    """Compiled value-grammar matchers per tokenizer, built once and copied per use."""

    def __init__(self, tokenizer: Any, capacity: int = 128) -> None:
        self._tokenizer = tokenizer
        self._capacity = capacity
        self._pristine: dict[str, Any] = {}
        self._lock = threading.Lock()

    def fresh(self, value_lark: str, *, line: bool = False) -> Any:
        """A matcher at the start of a value (or, with ``line``, a step) of ``value_lark``."""
        from ..grammar.engines import start_matcher
        key = ("line:" if line else "value:") + value_lark
        with self._lock:
            pristine = self._pristine.get(key)
            if pristine is None:
                pristine = start_matcher(
                    compose_value_grammar(value_lark, line=line), self._tokenizer,
                    subject="the value grammar",
                    load_hint="return a Lark grammar with a start rule for the value alone, "
                              "e.g. start: \"1\" | \"2\"",
                    start_hint="simplify the value grammar")
                if len(self._pristine) >= self._capacity:
                    self._pristine.pop(next(iter(self._pristine)))
                self._pristine[key] = pristine
            return pristine.deep_copy()


class TokenPrefixIndex:
    """Tokens by their bytes, sorted, to find every token that starts with given bytes."""

    def __init__(self, token_bytes: Sequence[bytes]) -> None:
        pairs = sorted((b, i) for i, b in enumerate(token_bytes) if b)
        self._keys = [b for b, _ in pairs]
        self._ids = [i for _, i in pairs]
        self._bytes = token_bytes
        self._first: dict[int, list[int]] = {}

    def starting_with(self, prefix: bytes) -> list[int]:
        if not prefix:
            return list(self._ids)
        low = bisect.bisect_left(self._keys, prefix)
        high = low
        keys = self._keys
        while high < len(keys) and keys[high].startswith(prefix):
            high += 1
        return self._ids[low:high]

    def starting_with_any(self, firsts: bytes) -> list[int]:
        """Tokens whose first byte is one of ``firsts``."""
        out: list[int] = []
        for byte in firsts:
            ids = self._first.get(byte)
            if ids is None:
                ids = self.starting_with(bytes([byte]))
                self._first[byte] = ids
            out.extend(ids)
        return out

    def token_of(self, data: bytes) -> int | None:
        """The token whose bytes are exactly ``data`` (the lowest id if several), or None.

        >>> TokenPrefixIndex([b'",', b'"', b'a']).token_of(b'"'), TokenPrefixIndex([b'a']).token_of(b'b')
        (1, None)
        """
        at = bisect.bisect_left(self._keys, data)
        if at < len(self._keys) and self._keys[at] == data:
            return self._ids[at]
        return None

    def bytes_of(self, token: int) -> bytes:
        return self._bytes[token]


def blocked_completions(index: TokenPrefixIndex, written: bytes, blocked: Iterable[str], *,
                        closed: bool, terminators: bytes = VALUE_TERMINATORS) -> set[int]:
    """Tokens that would complete one of the ``blocked`` texts, given ``written`` so far.

    A unit (a value, a line) ends when a terminator follows it, or, for a ``closed`` unit
    (a string, list, dict or call, which ends with its own delimiter), when its last
    character is written. A token is blocked when it finishes a blocked text that way;
    tokens that only move along a blocked text stay allowed, so the model can still
    write a longer or different value through them.
    """
    out: set[int] = set()
    for text in blocked:
        target = text.encode("utf-8")
        if not target.startswith(written):
            continue
        rest = target[len(written):]
        if not rest:
            if not closed:
                out.update(index.starting_with_any(terminators))
            continue
        cut = len(rest)
        for token in index.starting_with(rest):
            data = index.bytes_of(token)
            if len(data) == cut:
                if closed:
                    out.add(token)
            elif closed or data[cut] in terminators:
                out.add(token)
    return out
