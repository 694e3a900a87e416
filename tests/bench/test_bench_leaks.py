"""Leaks: values of the planner prompt's worked examples in answers to other requests."""

from __future__ import annotations

import pytest

from neurosym.bench.bfcl import Answer, BfclEntry, load_category, run_category
from neurosym.bench.leaks import example_values, leaked_values, leaks
from neurosym.model.prompt import EXAMPLES, Example


def test_the_example_values_are_the_literals_of_the_example_replies() -> None:
    values = example_values()
    assert values == example_values(EXAMPLES)
    assert set(values) == {"Tokyo", "Lima", "Ursula K. Le Guin", 1969, 3}
    # each is in the reply it came from, and no binding name (r1) or tool name is a value
    replies = "\n".join(example.reply for example in EXAMPLES)
    assert all(str(value) in replies for value in values)
    assert not {"r1", "r2", "get_time", "city"} & {str(v) for v in values}


@pytest.mark.parametrize("reply, expected", [
    ('r1 = f(a="x", b=2.5)', ("x", 2.5)),
    ('r1 = f(flag=True, empty="", nothing=None)', ()),
    ('r1 = f(items=["p", 7], options={"k": "q"})', ("p", 7, "q")),
    ('r1 = f(a="x")\nr2 = g(a="x", b=r1.id)', ("x",)),
    ("none()", ()),
])
def test_example_values_walks_every_argument(reply: str, expected: tuple[object, ...]) -> None:
    assert example_values([Example(("def f(...)",), "request", reply)]) == expected


@pytest.mark.parametrize("plan, question, expected", [
    ('r1 = get_weather(city="Tokyo")', "Weather in Paris?", True),
    ('r1 = get_weather(city="Tokyo")', "Weather in Tokyo?", False),
    ('r1 = get_weather(city="tokyo")', "Weather in TOKYO?", False),       # case is ignored
    ('r1 = get_weather(city="Tokyo")', "", True),
    ('[{"city": "Lima"}]', "What's the climate like?", True),             # JSON text too
    ('r1 = get_climate(region="south")', "Weather in Lima?", False),      # not in the plan
    ('r1 = f(topic="climate")', "Tell me about climate", False),          # Lima in climate
    ('r1 = f(author="Ursula K.  Le Guin")', "Books by Tolstoy", True),     # spaces
    ('r1 = f(author="Le Guin")', "Books by Tolstoy", False),              # part of a value
    ("r1 = f(year=1969)", "Events of 1968", True),
    ("r1 = f(year=1969)", "Events of 1969.", False),
    ("r1 = f(year=19690)", "Events", False),                              # a longer number
    ("r1 = f(n=30, x=2.3, y=3.5)", "Numbers", False),                     # 3 inside numbers
    ("r1 = f(n=3)", "Give me 3 results", False),
    ("r1 = f(n=3)", "Give me three results", True),                       # words are not seen
    ("r1 = f(n=13, m=-4)", "Thirteen", False),
    ("", "Anything", False),
])
def test_leaks(plan: str, question: str, expected: bool) -> None:
    assert leaks(plan, question) is expected


def test_leaked_values_names_only_what_the_question_lacks() -> None:
    plan = 'r1 = f(city="Tokyo")\nr2 = f(city="Lima", year=1969)'
    assert leaked_values(plan, "Tokyo and Lima in 1968") == (1969,)
    assert leaked_values(plan, "Paris") == ("Tokyo", "Lima", 1969)
    assert leaked_values(plan, "Paris", values=["Paris", "Lima"]) == ("Lima",)


def test_a_run_marks_the_entries_that_leak() -> None:
    entries = load_category("simple_python", limit=4)
    assert not any("Tokyo" in entry.question_text for entry in entries)

    def tokyo_on_odd_entries(entry: BfclEntry) -> Answer:
        odd = int(entry.id.rsplit("_", 1)[1]) % 2 == 1
        return Answer([], 'r1 = f(city="Tokyo")' if odd else "none()", True)

    result = run_category("simple_python", tokyo_on_odd_entries, limit=4, progress=False)
    assert [e.leaked for e in result.entries] == [False, True, False, True]
    assert result.leak_rate == 0.5 and result.summary()["leak_rate"] == 0.5
