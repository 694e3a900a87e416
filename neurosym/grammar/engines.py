"""The two grammar engines behind one question each: does this grammar accept this text?

``lark`` (Earley, dynamic lexer) reads the grammar as the reference; llguidance holds
the model to it token by token. Both read the same grammar text, and tests run the
same tables through both. Compiled grammars are cached by their text.

>>> lark_accepts('start: "f(" /[0-9]+/ ")"', "f(12)"), lark_accepts('start: "f()"', "g()")
(True, False)
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from ..errors import DecodeError, GrammarError

if TYPE_CHECKING:
    import lark
    import llguidance

__all__ = ["lark_parser", "lark_accepts", "llguidance_grammar", "llguidance_matcher",
           "llguidance_accepts", "check_llguidance_grammar"]


@functools.lru_cache(maxsize=64)
def lark_parser(grammar_text: str) -> lark.Lark:
    """The grammar compiled by lark (Earley, the same lexing as llguidance's)."""
    import lark
    try:
        return lark.Lark(grammar_text, parser="earley", lexer="dynamic", start="start")
    except lark.exceptions.LarkError as err:
        raise GrammarError(f"lark cannot load the grammar: {err}",
                           hint="keep to the Lark subset llguidance shares") from None


def lark_accepts(grammar_text: str, text: str) -> bool:
    """Whether lark parses ``text`` in full with the grammar."""
    from lark.exceptions import UnexpectedInput
    try:
        lark_parser(grammar_text).parse(text)
    except UnexpectedInput:
        return False
    return True


# Lark skips %ignore'd text before the first token too; llguidance only when told so.
_LLGUIDANCE_OPTIONS = '%llguidance {"allow_initial_skip": true}\n'


@functools.lru_cache(maxsize=64)
def llguidance_grammar(grammar_text: str) -> str:
    """The lark grammar text in the form llguidance's matchers take, reading it as lark does.

    >>> llguidance_grammar('start: "a"\\n%ignore " "').splitlines()[0]
    '%llguidance {"allow_initial_skip": true}'
    """
    import llguidance
    if "%ignore" in grammar_text:
        grammar_text = _LLGUIDANCE_OPTIONS + grammar_text
    return llguidance.LLMatcher.grammar_from_lark(grammar_text)


@functools.lru_cache(maxsize=64)
def _validated(grammar_text: str, tokenizer: llguidance.LLTokenizer | None) -> str:
    grammar = llguidance_grammar(grammar_text)
    _check_loads(grammar, tokenizer, "the grammar", _LOAD_HINT)
    return grammar


_LOAD_HINT = ("keep to the Lark subset llguidance shares (no priorities, templates, "
              "lookarounds or %declare)")


def _check_loads(grammar: str, tokenizer: llguidance.LLTokenizer | None, subject: str,
                 hint: str) -> None:
    import llguidance
    is_error, messages = llguidance.LLMatcher.validate_grammar_with_warnings(grammar, tokenizer)
    if is_error:
        raise GrammarError(f"llguidance cannot load {subject}: {messages[0]}", hint=hint)


def check_llguidance_grammar(grammar_text: str,
                             tokenizer: llguidance.LLTokenizer | None = None) -> None:
    """Raise :class:`GrammarError` with llguidance's message when it cannot load the grammar."""
    _validated(grammar_text, tokenizer)


def start_matcher(grammar: str, tokenizer: llguidance.LLTokenizer, *,
                  subject: str = "the grammar", load_hint: str = _LOAD_HINT,
                  start_hint: str = "simplify the grammar or raise llguidance's limits"
                  ) -> llguidance.LLMatcher:
    """A new llguidance matcher at the start of ``grammar`` (llguidance's own form: from
    :func:`llguidance_grammar`, or its JSON of several grammars), or a
    :class:`GrammarError` saying why ``subject`` cannot be loaded or started. Every
    matcher neurosym makes is made here."""
    import llguidance
    _check_loads(grammar, tokenizer, subject, load_hint)
    matcher = llguidance.LLMatcher(tokenizer, grammar, log_level=0)
    if matcher.is_error():
        raise GrammarError(f"llguidance cannot start {subject}: {matcher.get_error()}",
                           hint=start_hint)
    return matcher


@functools.lru_cache(maxsize=16)
def _pristine_matcher(grammar_text: str, tokenizer: llguidance.LLTokenizer) -> llguidance.LLMatcher:
    return start_matcher(llguidance_grammar(grammar_text), tokenizer)


def llguidance_matcher(grammar_text: str,
                       tokenizer: llguidance.LLTokenizer) -> llguidance.LLMatcher:
    """A fresh matcher for the grammar (compiled once per grammar and tokenizer, then copied)."""
    return _pristine_matcher(grammar_text, tokenizer).deep_copy()


def llguidance_accepts(grammar_text: str, text: str, tokenizer: llguidance.LLTokenizer) -> bool:
    """Whether llguidance allows every token of ``text`` (as the tokenizer splits it) and
    is in an accepting state at the end, where the model may stop. A text the vocabulary
    cannot spell raises :class:`DecodeError` rather than passing for a rejection."""
    tokens = tokenizer.tokenize_str(text)
    if tokenizer.decode_bytes(tokens) != text.encode("utf-8"):
        raise DecodeError("the model's vocabulary cannot spell this text exactly, so no "
                          "decode can produce it",
                          hint="avoid the characters the vocabulary lacks (e.g. some "
                               "unassigned Unicode planes)")
    matcher = llguidance_matcher(grammar_text, tokenizer)
    return matcher.consume_tokens(tokens) and matcher.is_accepting()
