"""Properties: every canonical plan over a tool set is admitted by that tool set's grammar.

Each runs under both namings: numbered (``r1 = ...``, what the planner decodes) and free
(bare calls and any name, what plans written elsewhere use).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from neurosym.grammar import build_grammar
from neurosym.grammar.engines import lark_accepts, llguidance_accepts
from neurosym.grammar.specialise import StepNames
from neurosym.plan import parse_plan, render_text
from neurosym.plan.parse import CONSTANTS
from tests.grammar.grammar_strategies import plans_over, tool_sets
from tests.plan.plan_strategies import identifiers

_SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                       HealthCheck.data_too_large])
NAMINGS = pytest.mark.parametrize("names", ["numbered", "free"])


@NAMINGS
@settings(max_examples=150, **_SETTINGS)
@given(st.data())
def test_rendered_plans_are_admitted_by_lark(names: StepNames, data: st.DataObject) -> None:
    tools = data.draw(tool_sets())
    grammar = build_grammar(tools, max_string_length=40, max_text_length=60, names=names)
    plan = data.draw(plans_over(tools, max_string_length=40, max_text_length=60, names=names))
    text = render_text(plan)
    assert lark_accepts(grammar.lark, text), text
    assert parse_plan(text) == plan


@NAMINGS
@settings(max_examples=40, **_SETTINGS)
@given(st.data())
def test_rendered_plans_are_admitted_by_llguidance(tokenizer: object, names: StepNames,
                                                   data: st.DataObject) -> None:
    tools = data.draw(tool_sets(max_tools=3))
    grammar = build_grammar(tools, max_string_length=40, max_text_length=60, names=names)
    plan = data.draw(plans_over(tools, max_string_length=40, max_text_length=60, names=names))
    text = render_text(plan)
    # the vocabulary lacks a few bytes (e.g. 0xF1, which starts U+40000..U+7FFFF)
    spelled = tokenizer.decode_bytes(tokenizer.tokenize_str(text))  # type: ignore[attr-defined]
    assume(spelled == text.encode())
    assert llguidance_accepts(grammar.lark, text, tokenizer)  # type: ignore[arg-type]


@NAMINGS
@settings(max_examples=60, **_SETTINGS)
@given(st.data())
def test_options_that_forbid_forms(names: StepNames, data: st.DataObject) -> None:
    tools = data.draw(tool_sets(max_tools=3))
    plain = build_grammar(tools, max_string_length=40, allow_refs=False, allow_nested=False,
                          allow_terminals=False, max_text_length=60, names=names)
    plan = data.draw(plans_over(tools, max_string_length=40, allow_refs=False,
                                allow_nested=False, allow_terminals=False, max_text_length=60,
                                names=names))
    assert lark_accepts(plain.lark, render_text(plan))


@NAMINGS
@settings(max_examples=100, **_SETTINGS)
@given(st.data())
def test_max_steps(names: StepNames, data: st.DataObject) -> None:
    tools = data.draw(tool_sets(max_tools=2))
    limit = data.draw(st.integers(1, 3))
    grammar = build_grammar(tools, max_string_length=40, max_steps=limit, max_text_length=60,
                            names=names)
    plan = data.draw(plans_over(tools, max_string_length=40, max_steps=limit + 1,
                                max_text_length=60, names=names))
    assert lark_accepts(grammar.lark, render_text(plan)) is (len(plan.steps) <= limit)


@settings(max_examples=300, deadline=None)
@given(st.one_of(identifiers, st.sampled_from(sorted(CONSTANTS)),
                 st.sampled_from(sorted(CONSTANTS)).flatmap(
                     lambda w: st.sampled_from([w[:-1], w + "x", w + "_1", "_" + w]))))
def test_bind_names_exclude_constants(name: str) -> None:
    from neurosym.grammar.values import NAME_REGEX, REF_REGEX
    for regex in (NAME_REGEX, REF_REGEX):
        assert bool(re.fullmatch(regex, name)) is (name not in CONSTANTS)
