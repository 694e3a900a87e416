"""The recipe's training data: well-formed plans over real tools, every kind and language,
preference pairs that differ from their intended plans, and nothing taken from BFCL."""

from __future__ import annotations

import pytest

import neurosym as ns
from neurosym.plan import parse_plan
from neurosym.tune import (CHAINS, LANGUAGES, TOOLS, generate_examples,
                           preference_pairs)
from neurosym.tune.data import ALL_TOOLS, KINDS, plan_text
from neurosym.tune.overlap import benchmark_overlap, read_bfcl_texts, shingles


@pytest.fixture(scope="module")
def examples() -> list:
    return generate_examples(400, seed=7)


def test_every_intended_plan_verifies_against_the_tools_shown(examples: list) -> None:
    for example in examples:
        plan = parse_plan(example.plan)
        assert plan.text == example.plan
        ns.verify(plan, example.tool_objects())
        used = {step.call.tool for step in plan.steps} if example.calls else set()
        assert used <= set(example.tools)
        assert len(example.tools) <= 5    # the planner shows five tools at most


def test_every_kind_and_language_is_drawn(examples: list) -> None:
    assert {e.kind for e in examples} == set(KINDS)
    assert {e.language for e in examples} == set(LANGUAGES)


def test_the_same_seed_gives_the_same_data() -> None:
    assert generate_examples(30, seed=3) == generate_examples(30, seed=3)
    assert generate_examples(30, seed=3) != generate_examples(30, seed=4)


def test_none_examples_show_no_tool_that_answers_the_request(examples: list) -> None:
    nones = [e for e in examples if e.kind in ("none", "g_none")]
    assert {e.kind for e in nones} == {"none", "g_none"}
    for example in nones:
        assert example.plan == "none()" and example.tools and example.withheld
        assert not set(example.withheld) & set(example.tools)
    assert all(not e.withheld for e in examples if e.kind not in ("none", "g_none"))


def test_chains_reference_the_producers_result(examples: list) -> None:
    chains = [e for e in examples if e.kind == "chain"]
    assert chains
    for example in chains:
        plan = parse_plan(example.plan)
        assert len(plan.steps) == 2
        assert "r1" in example.plan.splitlines()[1]
        assert {plan.steps[0].call.tool, plan.steps[1].call.tool} in [
            {c.producer, c.consumer} for c in CHAINS]


def test_values_said_in_other_languages_are_the_tools_own_values(examples: list) -> None:
    german = [e for e in examples if e.language == "de" and e.calls
              and e.calls[0][0] == "dim_lamp"]
    for example in german:
        assert example.calls[0][1]["area"] in TOOLS["dim_lamp"].param("area").enum
    numbers = [e for e in generate_examples(300, seed=1) if e.language == "de"
               and " zwei " in f" {e.request} "]
    assert numbers and all(2 in args.values() for e in numbers for _, args in e.calls[:1]
                           if e.kind in ("single",))


def test_preference_pairs_reject_a_different_plan_over_the_same_tools(examples: list) -> None:
    pairs = preference_pairs(examples, seed=7, per_example=2)
    assert len(pairs) >= len(examples)
    mistakes = {p.mistake for p in pairs}
    assert {"wrong_value", "none_when_call", "call_when_none", "extra_call",
            "literal_for_reference"} <= mistakes
    for pair in pairs:
        assert pair.rejected != pair.example.plan
        rejected = parse_plan(pair.rejected)
        if pair.rejected != "none()":
            assert {s.call.tool for s in rejected.steps} <= set(pair.example.tools)


def test_plan_text_writes_calls_in_the_tools_parameter_order() -> None:
    text = plan_text((("rent_car", {"days": 3, "city": "Graz"}),))
    assert text == 'r1 = rent_car(city="Graz", days=3)'
    assert plan_text(()) == "none()"


def test_shingles_are_runs_of_words_in_any_script() -> None:
    assert shingles("Stell das Licht in der Küche", 6) == {
        ("stell", "das", "licht", "in", "der", "küche")}


def test_training_data_holds_nothing_of_bfcl() -> None:
    """Every BFCL question, function name and answer value against a large generated set
    (all seeds' data come from the same templates and values)."""
    bench = read_bfcl_texts()
    assert len(bench.questions) > 4000 and len(bench.functions) > 1000
    data = generate_examples(3000, seed=0)
    assert benchmark_overlap(data, ALL_TOOLS, bench=bench) == []


def test_the_overlap_check_finds_a_copied_question() -> None:
    bench = read_bfcl_texts()
    question = max(bench.questions[:200], key=len)
    copied = generate_examples(1, seed=0)[0]
    from dataclasses import replace
    found = benchmark_overlap([replace(copied, request=question)], ["calculate_triangle_area"],
                              bench=bench)
    assert any("shares" in f for f in found)
    assert any("calculate_triangle_area" in f for f in found) == (
        "calculate_triangle_area" in bench.functions)


def test_training_without_torch_names_the_tune_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    from pathlib import Path

    from neurosym.errors import ModelError
    from neurosym.tune import TuneSettings
    from neurosym.tune.train import load_trainable
    monkeypatch.setitem(sys.modules, "torch", None)     # import torch now fails
    with pytest.raises(ModelError) as caught:
        load_trainable(Path("model.gguf"), TuneSettings())
    assert 'pip install "neurosym[tune]"' in caught.value.hint


@pytest.mark.parametrize("options", [{"rank": 0}, {"batch": 0}, {"targets": ("lm_head",)},
                                     {"targets": ()}])
def test_settings_out_of_range_are_refused(options: dict) -> None:
    from neurosym.errors import ConfigurationError
    from neurosym.tune import TuneSettings
    with pytest.raises(ConfigurationError):
        TuneSettings(**options)


def test_generic_requests_state_every_value_their_plans_hold(examples: list) -> None:
    generic = [e for e in examples if e.kind.startswith("g_") and e.calls]
    assert {e.kind for e in generic} == {"g_single", "g_parallel", "g_two_tools"}
    for example in generic:
        for _, args in example.calls:
            for value in args.values():
                said = value if isinstance(value, str) else f"{value:g}"
                assert said in example.request, (said, example.request)


def test_generic_tools_are_shown_beside_their_one_word_twins(examples: list) -> None:
    """The hard part of picking a tool: another shown tool takes the same values and
    differs in its verb only."""
    singles = [e for e in examples if e.kind == "g_single"]
    with_twin = [e for e in singles
                 if any(t != e.calls[0][0] and t.split(".")[0] == e.calls[0][0].split(".")[0]
                        and t.endswith(e.calls[0][0].split("_", 1)[1]) for t in e.tools)]
    assert len(with_twin) >= len(singles) // 4


def test_generic_parallel_calls_differ_in_one_value(examples: list) -> None:
    parallel = [e for e in examples if e.kind == "g_parallel"]
    assert parallel
    for example in parallel:
        assert 2 <= len(example.calls) <= 3
        assert len({tool for tool, _ in example.calls}) == 1
        first = example.calls[0][1]
        for _, args in example.calls[1:]:
            assert args.keys() == first.keys()
            assert sum(args[k] != first[k] for k in args) == 1


def test_wrong_tool_pairs_swap_a_tool_for_one_taking_the_same_values(examples: list) -> None:
    pairs = [p for p in preference_pairs(examples, seed=7, per_example=3)
             if p.mistake == "wrong_tool"]
    assert pairs
    for pair in pairs:
        chosen, rejected = parse_plan(pair.example.plan), parse_plan(pair.rejected)
        assert [s.call.args for s in chosen.steps] == [s.call.args for s in rejected.steps]
        assert [s.call.tool for s in chosen.steps] != [s.call.tool for s in rejected.steps]
