"""Structural rules kept while decoding: references, bound names, repetition."""

from __future__ import annotations

import pytest

from neurosym.decode import Budgets, Decoder, StructureHooks
from neurosym.decode._masks import compose_value_grammar
from neurosym.errors import BudgetExceeded
from neurosym.grammar import build_grammar
from neurosym.grammar.specialise import StepNames
from neurosym.model import build_messages
from neurosym.model.prompt import PromptOptions, render_tools
from neurosym.plan.ast import Ref, Step, walk_values
from neurosym.tools import ToolSet
from neurosym.tools.tool import Param, Tool

pytestmark = pytest.mark.model

FLIGHTS = Param("result", "array", items=Param("flight", "object", properties=(
    Param("id", "string"), Param("price", "number"))))
TOOLS = [Tool("search", params=(Param("q", "string"),), returns=FLIGHTS),
         Tool("book", params=(Param("flight_id", "string"), Param("seats", "integer")),
              returns=Param("result", "object", properties=(Param("total", "number"),))),
         Tool("undeclared", params=(Param("x", "integer"),))]


def _accepts(model, grammar: str, text: str) -> bool:
    import llguidance
    matcher = llguidance.LLMatcher(model.lltokenizer, compose_value_grammar(grammar), log_level=0)
    tokens = model.tokenize(text)
    return matcher.validate_tokens(tokens) == len(tokens)


@pytest.mark.parametrize("text, accepted", [
    ('"abc")', True), ("12, seats=1)", True), ("[1, 2])", True), ("True)", True),
    ("found[0].id)", True), ("found)", False),           # the list itself is not a string
    ("found[0].price)", False),                           # a number is not a string
    ("lambda)", False), ("Nonesuch)", False), ("search(q=\"x\"))", False),  # a list result
])
def test_a_string_value_admits_literals_and_fitting_references_only(model, text, accepted):
    hooks = StructureHooks(TOOLS)
    from neurosym.decode.structure import fitting_refs
    grammar = hooks.value_grammar(refs=fitting_refs("found", FLIGHTS, TOOLS[1].params[0]))
    assert _accepts(model, grammar, text) is accepted


def test_nested_calls_must_return_what_the_parameter_takes(model):
    hooks = StructureHooks(TOOLS)
    number = Param("n", "number")
    tools = [name for name, tool in hooks.tools.items() if hooks._fits(tool, number)]
    assert tools == []                       # search returns a list, book an object
    assert hooks._fits(TOOLS[1], Param("o", "object"))
    assert not hooks._fits(TOOLS[2], None)   # no declared return: no chaining by default
    assert StructureHooks(TOOLS, refs="any")._fits(TOOLS[2], None)


def test_bound_names_are_short(model):
    line = StructureHooks(TOOLS, max_name_length=5).line_grammar()
    import llguidance
    for text, accepted in [("abcde = search(", True), ("abcdef = search(", False),
                           ("search(q=", True), ("searching(", False)]:
        matcher = llguidance.LLMatcher(model.lltokenizer, compose_value_grammar(line, line=True),
                                       log_level=0)
        tokens = model.tokenize(text)
        assert (matcher.validate_tokens(tokens) == len(tokens)) is accepted, text


def _bfcl(entry_id: str):
    from neurosym.bench.perf import bfcl_questions
    for question in bfcl_questions("simple_python", 40):
        if question.id == entry_id:
            return question
    raise LookupError(entry_id)


def _decode(model, entry_id: str, hooks, names: StepNames = "free"):
    """Free names: a bare prompt (no worked examples), which tempts the model into every
    failure. Numbered names: the planner's prompt and grammar, whose examples number steps."""
    question = _bfcl(entry_id)
    tools = ToolSet.from_bfcl(question.functions)
    request = question.messages[-1]["content"]
    if names == "free":
        prompt = model.render_chat([
            {"role": "system", "content": "You write Python tool calls.\n"
                                          + render_tools(tools, PromptOptions())},
            {"role": "user", "content": request}])
        grammar = build_grammar(tools, max_steps=4, names="free")
    else:
        prompt = model.render_chat(build_messages(list(tools), request))
        grammar = build_grammar(tools, max_steps=4, allow_nested=False)
    decoder = Decoder(model, grammar, budgets=Budgets(max_tokens=260))
    return decoder.decode(prompt, hooks=hooks(tools) if hooks else None)


def _unbound_refs(steps) -> list[Ref]:
    bound: set[str] = set()
    out = []
    for step in steps:
        if isinstance(step, Step):
            for _, value in step.call.args:
                out.extend(v for v in walk_values(value) if isinstance(v, Ref) and v.name not in bound)
            if step.bind:
                bound.add(step.bind)
    return out


# Free names: 'function=lambda', a name bound nowhere. Numbered names: the grammar admits
# any rK, and the model writes 'r1 = calculate_derivative(function=r1, ...)'.
@pytest.mark.parametrize(("names", "entry_id"), [("free", "simple_python_13"),
                                                 ("numbered", "simple_python_14")])
def test_references_name_only_earlier_results(model, names, entry_id):
    free = _decode(model, entry_id, None, names)
    assert _unbound_refs(free.steps)
    held = _decode(model, entry_id, StructureHooks, names)
    assert held.steps and not _unbound_refs(held.steps)


@pytest.mark.parametrize(("names", "entry_id"), [("free", "simple_python_1"),
                                                 ("numbered", "simple_python_2")])
def test_a_repeated_step_ends_the_plan(model, names, entry_id):
    free = _decode(model, entry_id, None, names)
    calls = [s.call for s in free.steps]
    assert len(calls) > 1 and calls.count(calls[0]) > 1
    held = _decode(model, entry_id, StructureHooks, names)
    assert [s.call for s in held.steps] == [calls[0]]


def test_a_runaway_name_is_cut_short(model):
    # only free names can run away: numbered ones are forced
    with pytest.raises(BudgetExceeded):
        _decode(model, "simple_python_14", None)   # 'TheanoLawnLawnLawn...' to the end
    held = _decode(model, "simple_python_14", StructureHooks)
    assert all(len(s.bind or "") <= 24 for s in held.steps) and held.steps
