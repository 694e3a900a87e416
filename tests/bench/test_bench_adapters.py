"""The adapter suite's own parts: its everyday requests are plans over their tools, held
apart from the training data, and judged by the parsed plan."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

import neurosym as ns
from neurosym.bench.adapters import EVERYDAY, EVERYDAY_TOOLS, everyday_right
from neurosym.bench.cli import add_arguments
from neurosym.plan import parse_plan
from neurosym.tune import TOOLS, generate_examples
from neurosym.tune.overlap import shingles


def test_every_intended_everyday_plan_verifies() -> None:
    for _, intended in EVERYDAY:
        plan = parse_plan(intended)
        if intended != "none()":
            ns.verify(plan, list(EVERYDAY_TOOLS))


def test_the_everyday_requests_share_nothing_with_the_training_data() -> None:
    assert not {t.name for t in EVERYDAY_TOOLS} & set(TOOLS)
    seen = set()
    for example in generate_examples(2000, seed=0):
        seen |= shingles(example.request, 4)
    for request, _ in EVERYDAY:
        assert not shingles(request, 4) & seen, request


@pytest.mark.parametrize("text, intended, right", [
    ('r1 = translate(target="it", text="hi")', 'r1 = translate(text="hi", target="it")', True),
    ('r1 = translate(text="hi", target="de")', 'r1 = translate(text="hi", target="it")', False),
    ("none()", "none()", True),
    (None, "none()", False),
])
def test_a_plan_is_right_when_it_parses_to_the_intended_plan(text, intended, right) -> None:
    assert everyday_right(text, intended) is right


def test_the_tune_suite_takes_an_adapter_half_and_limit() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["tune", "--adapter", "a.gguf", "--half", "test", "--limit", "8"])
    assert (args.bench_suite, args.adapter, args.half, args.limit) == (
        "tune", Path("a.gguf"), "test", 8)
    with pytest.raises(SystemExit):
        parser.parse_args(["tune"])


def test_the_cost_line_says_seconds_per_example_and_what_two_hours_hold() -> None:
    from neurosym.bench.adapters import _cost_text
    text = _cost_text([{"phase": "sft", "wall_seconds": 1800.0, "examples": 900},
                       {"phase": "dpo", "wall_seconds": 1800.0, "examples": 450}])
    assert "sft: 2.00 s per example" in text and "dpo: 4.00 s per pair" in text
    assert "about 1800 supervised examples and 900 preference pairs" in text
