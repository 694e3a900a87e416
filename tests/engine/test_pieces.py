"""The grammars of one piece: a type's values less the refused ones, read by the engines
that take them (llama.cpp's GBNF parser, llguidance's Lark, the lark library)."""

from __future__ import annotations

import lark
import pytest

from neurosym.engine.pieces import INTEGER, NUMBER, STRING, Lit, Ref, Rules, value_rule


def _grammar(automaton, excluded) -> Rules:
    rules = Rules()
    name = value_rule(rules, "v", automaton, excluded)
    rules.rules = {"root": [[Ref(name)]], **rules.rules}
    return rules


def _accepts(rules: Rules, text: str) -> bool:
    parser = lark.Lark(rules.to_lark(), start="start", parser="earley", lexer="dynamic")
    try:
        parser.parse(text)
    except lark.exceptions.LarkError:
        return False
    return True


TABLE = [
    # automaton, excluded, text, admitted
    (STRING, ['"Paris"'], '"Paris"', False),
    (STRING, ['"Paris"'], '"Pari"', True),
    (STRING, ['"Paris"'], '"Parise"', True),
    (STRING, ['"Paris"'], '"Lyon"', True),
    (STRING, ['"Paris"', '"Par"'], '"Par"', False),
    (STRING, ['"Paris"', '"Par"'], '"Pa"', True),
    (STRING, ['"a\\"b"'], '"a\\"b"', False),
    (STRING, ['"a\\"b"'], '"a\\"c"', True),
    (STRING, [], '"no quote', False),
    (INTEGER, ["5"], "5", False),
    (INTEGER, ["5"], "50", True),
    (INTEGER, ["5"], "-5", True),
    (INTEGER, ["5", "-5"], "-5", False),
    (INTEGER, ["5"], "4", True),
    (INTEGER, ["12", "1"], "1", False),
    (INTEGER, ["12", "1"], "12", False),
    (INTEGER, ["12", "1"], "123", True),
    (NUMBER, ["2.5"], "2.5", False),
    (NUMBER, ["2.5"], "2.50", True),
    (NUMBER, ["2.5"], "2", True),
    (NUMBER, ["2"], "2", False),
    (NUMBER, ["2"], "2.0", True),
]


@pytest.mark.parametrize(("automaton", "excluded", "text", "admitted"), TABLE)
def test_a_value_less_the_excluded_ones(automaton, excluded, text, admitted) -> None:
    assert _accepts(_grammar(automaton, excluded), text) is admitted


@pytest.mark.parametrize(("automaton", "excluded"), [(STRING, ['"Paris"', '"Par"']),
                                                      (INTEGER, ["12", "1"]),
                                                      (NUMBER, ["2.5", "-1"])])
def test_the_grammars_parse_in_both_engines(automaton, excluded) -> None:
    import llama_cpp
    import llguidance
    rules = _grammar(automaton, excluded)
    assert llama_cpp.LlamaGrammar.from_string(rules.to_gbnf(), verbose=False) is not None
    grammar = llguidance.LLMatcher.grammar_from_lark(rules.to_lark())
    is_error, messages = llguidance.LLMatcher.validate_grammar_with_warnings(grammar, None)
    assert not is_error, messages


def test_a_choice_with_an_empty_alternative_renders_for_both() -> None:
    rules = Rules()
    rules.add("root", [[Lit("\nr2 = "), Ref("tool"), Lit("(")], []])
    rules.add("tool", [[Lit("get_time")], [Lit("math.sqrt")]])
    assert rules.to_gbnf().splitlines()[0] == 'root ::= "\\x0Ar2 = " tool "(" | ""'
    assert _accepts(rules, "") and _accepts(rules, "\nr2 = math.sqrt(")
    assert not _accepts(rules, "\nr2 = other(")


def test_every_value_excluded_is_said() -> None:
    from neurosym.engine.pieces import Automaton, Chars
    yes_no = Automaton("yn", (((Chars(frozenset("yn")), 1),), ()), frozenset({1}))
    with pytest.raises(ValueError):
        value_rule(Rules(), "v", yes_no, ["y", "n"])
