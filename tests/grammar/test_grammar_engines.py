"""The engine adapters: clear GrammarErrors, caching, and llguidance's token-level view."""

from __future__ import annotations

import time

import pytest

from neurosym.errors import DecodeError, GrammarError
from neurosym.grammar import build_grammar
from neurosym.grammar.engines import (check_llguidance_grammar, lark_accepts, lark_parser,
                                      llguidance_accepts, llguidance_grammar,
                                      llguidance_matcher)
from neurosym.tools.tool import Param, Tool


BAD_GRAMMARS = [
    "start: missing_rule",
    'start: "a" "b" )',
    "start: A\nA: \"a\" A",          # a recursive terminal
]


@pytest.mark.parametrize("grammar", [*BAD_GRAMMARS, "start: /a(?=b)/"])  # + a lookaround
def test_llguidance_reports_bad_grammars(tokenizer: object, grammar: str) -> None:
    with pytest.raises(GrammarError, match="llguidance cannot load the grammar") as caught:
        check_llguidance_grammar(grammar, tokenizer)  # type: ignore[arg-type]
    assert caught.value.hint


@pytest.mark.parametrize("grammar", BAD_GRAMMARS)
def test_lark_reports_bad_grammars(grammar: str) -> None:
    with pytest.raises(GrammarError, match="lark cannot load the grammar"):
        lark_parser(grammar)


def test_accepts_rejects_rather_than_raising(tokenizer: object) -> None:
    grammar = 'start: "a" /[0-9]+/'
    assert lark_accepts(grammar, "a12") and not lark_accepts(grammar, "a") \
        and not lark_accepts(grammar, "b1")
    tok = tokenizer
    assert llguidance_accepts(grammar, "a12", tok)  # type: ignore[arg-type]
    assert not llguidance_accepts(grammar, "a", tok)  # type: ignore[arg-type]
    assert not llguidance_accepts(grammar, "b1", tok)  # type: ignore[arg-type]


def test_text_the_vocabulary_cannot_spell(tokenizer: object) -> None:
    with pytest.raises(DecodeError, match="cannot spell"):
        llguidance_accepts('start: /[^a]+/', "\U00040000", tokenizer)  # type: ignore[arg-type]
    assert lark_accepts('start: /[^a]+/', "\U00040000")


def test_matchers_are_fresh_copies(tokenizer: object) -> None:
    grammar = 'start: "ab"'
    first = llguidance_matcher(grammar, tokenizer)  # type: ignore[arg-type]
    assert first.consume_tokens(tokenizer.tokenize_str("ab"))  # type: ignore[attr-defined]
    second = llguidance_matcher(grammar, tokenizer)  # type: ignore[arg-type]
    assert not second.is_accepting() and first.is_accepting()


def test_eos_is_the_models_end_of_turn(tokenizer: object) -> None:
    # SmolLM2-Instruct ends a turn with <|im_end|>; llguidance takes EOS from the vocab.
    assert tokenizer.decode_str([tokenizer.eos_token]) == "<|im_end|>"  # type: ignore[attr-defined]
    matcher = llguidance_matcher('start: "x"', tokenizer)  # type: ignore[arg-type]
    assert matcher.consume_tokens(tokenizer.tokenize_str("x"))  # type: ignore[attr-defined]
    assert matcher.consume_token(tokenizer.eos_token)  # type: ignore[attr-defined]


def test_conversion_is_cached() -> None:
    text = 'start: "cached"'
    assert llguidance_grammar(text) is llguidance_grammar(text)
    assert lark_parser(text) is lark_parser(text)


def _fifty_tools() -> list[Tool]:
    kinds = [Param("city", "string"), Param("count", "integer", minimum=0, maximum=500),
             Param("price", "number", required=False), Param("flag", "boolean", required=False),
             Param("unit", "string", enum=("c", "f"), required=False),
             Param("day", "string", format="date", required=False),
             Param("ids", "array", items=Param("id", "integer"), required=False)]
    return [Tool(f"tool_{i}", params=tuple(kinds[(i + j) % len(kinds)].with_(name=f"p{j}")
                                           for j in range(i % 6 + 1)))
            for i in range(50)]


def test_fifty_tools_build_and_compile_quickly(tokenizer: object) -> None:
    tools = _fifty_tools()
    start = time.perf_counter()
    grammar = build_grammar(tools)
    built = time.perf_counter()
    matcher = llguidance_matcher(grammar.lark, tokenizer)  # type: ignore[arg-type]
    compiled = time.perf_counter()
    assert not matcher.is_error()
    # generous bounds: a shared two-core machine; measured values are in the report
    assert built - start < 1.0
    assert compiled - built < 10.0
    assert llguidance_accepts(grammar.lark, "r1 = tool_0(p0=\"Rome\")", tokenizer)  # type: ignore[arg-type]
