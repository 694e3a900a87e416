"""Masks: bit tests, blocked completions over a token table, value grammars in llguidance."""

from __future__ import annotations

import numpy as np
import pytest

from neurosym.decode._masks import (TokenPrefixIndex, bit_is_set, blocked_completions,
                                    compose_value_grammar, unpack_mask)

TOKENS = [b"", b'"', b'"Par', b"is", b'is"', b'is",', b"Paris", b'"P', b"1", b"12", b"2",
          b"2)", b",", b")", b"3", b"\n"]


def _ids(*texts: bytes) -> set[int]:
    return {TOKENS.index(t) for t in texts}


@pytest.mark.parametrize("written, blocked, closed, banned", [
    # a string value: the token that closes "Paris" is banned, the ones that move along stay
    (b'"Par', ['"Paris"'], True, _ids(b'is"', b'is",')),
    (b'"Paris', ['"Paris"'], True, _ids(b'"', b'"P', b'"Par')),  # all close the string
    (b'"', ['"Paris"'], True, set()),
    (b'"Lyon', ['"Paris"'], True, set()),
    # a number: 12 is banned only once something ends it; 1 may still become 123
    (b"1", ["12"], False, _ids(b"2)")),
    (b"12", ["12"], False, _ids(b",", b")", b"\n")),
    (b"", ["2"], False, _ids(b"2)")),
    (b"", ["1", "2"], False, _ids(b"2)")),
])
def test_blocked_completions(written: bytes, blocked: list[str], closed: bool,
                             banned: set[int]) -> None:
    index = TokenPrefixIndex(TOKENS)
    assert blocked_completions(index, written, blocked, closed=closed) == banned


def test_prefix_index_finds_every_token_with_a_prefix() -> None:
    index = TokenPrefixIndex(TOKENS)
    assert set(index.starting_with(b'"P')) == _ids(b'"Par', b'"P')
    assert set(index.starting_with(b"is")) == _ids(b"is", b'is"', b'is",')
    assert index.starting_with(b"zz") == []
    assert set(index.starting_with_any(b",)")) == _ids(b",", b")")


def test_bits_and_unpacking_agree() -> None:
    mask = np.zeros(3, dtype=np.int32)
    for token in (0, 5, 31, 32, 70):
        mask[token >> 5] |= np.int32(1 << (token & 31)) if token & 31 != 31 else np.int32(-2**31)
    allowed = unpack_mask(mask, 80)
    assert list(np.flatnonzero(allowed)) == [0, 5, 31, 32, 70]
    assert all(bit_is_set(mask, t) == allowed[t] for t in range(80))


@pytest.mark.model
@pytest.mark.parametrize("value_grammar, text, accepted", [
    ('start: "1" | "2" | "12"', "12)", True),
    ('start: "1" | "2" | "12"', "13)", False),
    ('start: "1" | "2" | "12"', "1, b=4)", True),
    ('start: "1" | "2" | "12"', "1", True),          # a prefix: still possible
    ('start: /"[A-Z]{3}"/', '"CDG")', True),
    ('start: /"[A-Z]{3}"/', '"Paris")', False),
    ('start: "[" /[0-9]/ ("," " " /[0-9]/)* "]"', "[1, 2], c=3)", True),
    ('start: "True" | "False"', "Tru", True),
    ('start: "True" | "False"', "Truest)", False),
])
def test_value_grammar_accepts_the_value_then_what_follows(model, value_grammar: str, text: str,
                                                          accepted: bool) -> None:
    import llguidance
    grammar = compose_value_grammar(value_grammar)
    matcher = llguidance.LLMatcher(model.lltokenizer, grammar, log_level=0)
    assert not matcher.is_error(), matcher.get_error()
    tokens = model.tokenize(text)
    assert (matcher.validate_tokens(tokens) == len(tokens)) is accepted


@pytest.mark.model
def test_line_grammar_admits_a_line_then_nothing_or_a_new_line(model) -> None:
    import llguidance
    grammar = compose_value_grammar(r'start: /[a-z]{1,3} = [^\n]*/', line=True)
    for text, accepted in [("ab = f(x=1)", True), ("ab = f()\nnext", True), ("abcd = f()", False)]:
        matcher = llguidance.LLMatcher(model.lltokenizer, grammar, log_level=0)
        tokens = model.tokenize(text)
        assert (matcher.validate_tokens(tokens) == len(tokens)) is accepted, text
