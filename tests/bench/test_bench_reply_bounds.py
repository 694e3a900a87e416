"""The bounds on a mode's reply: where a free-text reply ends, and the peer's token budget."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given, settings, strategies as st

from neurosym.bench.bfcl import load_category
from neurosym.bench.modes import (FREE_MAX_TOKENS, PEER_MAX_TOKENS, BudgetedCompletions,
                                  _llama, answer_function, free_reply_complete,
                                  free_reply_unreadable, read_free_text, resolve_model)


@pytest.mark.parametrize("text, complete", [
    # One call line, ended by its newline (or by more text after it).
    ("[f(a=1)]\n", True),
    ("[f(a=1), g(b=[2, 3], c={'k': (4, 5)})]\n", True),
    ("[f(a=1)]\nThis calls f.", True),
    ("```python\n[f(a=1)]\n", True),
    ("Here's the call: [f(a=1)]\n", True),
    ("  [f(a=1)] \n", True),
    # The line may still go on, or the list is still open.
    ("[f(a=1)]", False),
    ("[f(a=1)] and then", False),
    ("[f(a=[1, 2]\n", False),
    ("[f(a=1),\n g(b=2)", False),
    ("[f(a=1),\n g(b=2)]\n", True),
    # Brackets and quotes inside strings do not count.
    ("[f(s=']')\n", False),
    ("[f(s=\"a]\")\n", False),
    ("[f(s='it\\'s ]')\n", False),
    ("[f(s='it\\'s ]')]\n", True),
    ("[f(s='a\"]b')]\n", True),
    # Closers with nothing open, and calls without the outer list, close nothing.
    ("f(a=1)]\n", False),
    ("f(a=1))]\n", False),
    ("f(a=1)\n", False),
    # A blank line after some text ends the reply, in prose or in code.
    ("The area is base times height.\n\n", True),
    ("```python\nimport math\n\n", True),
    ("Text\n   \nmore", True),
    ("[f(a=1),\n\n", True),
    # Leading blank lines are not a blank line after text.
    ("\n\n", False),
    ("\n\n[f(a=1)", False),
    ("", False),
    # A start that cannot be read as calls ends the reply at once.
    ("}", True),
    ("Sure,", True),
    ("The function", True),
    ("I'm", True),
    ("1. Call", True),
    ("```python\nimport", True),
    ("Sure", False),
    ("math.", False),
    ("math . sqrt (", False),
    ("x =", False),
    ("# a comment", False),
    ("``` [f(", False),
])
def test_where_a_free_reply_ends(text: str, complete: bool) -> None:
    assert free_reply_complete(text) is complete


_plan_chars = st.text(alphabet="ab_.(=)[]#`\n ,'\"1", max_size=14)


@settings(max_examples=400)
@given(_plan_chars, _plan_chars)
def test_an_unreadable_start_is_never_read(start: str, rest: str) -> None:
    assume(free_reply_unreadable(start))
    entry = load_category("simple_python", limit=1)[0]
    calls, note = read_free_text(start + rest, entry)
    assert calls is None and note


_names = st.from_regex(r"[a-z][a-z0-9_]{0,6}(\.[a-z][a-z0-9_]{0,6})?", fullmatch=True)
_scalars = (st.integers(-10**6, 10**6) | st.floats(allow_nan=False, allow_infinity=False)
            | st.text(max_size=12) | st.booleans() | st.none())
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(max_size=4), inner, max_size=2), max_leaves=6)
_calls = st.lists(st.tuples(_names, st.dictionaries(_names, _values, max_size=3)),
                  min_size=1, max_size=3)


def _call_line(calls: list[tuple[str, dict[str, Any]]]) -> str:
    # Python's repr quotes and escapes strings as a model would, on one line.
    return "[" + ", ".join(name + "(" + ", ".join(f"{key}={value!r}" for key, value in
                                                  arguments.items()) + ")"
                           for name, arguments in calls) + "]"


@given(_calls, st.text(alphabet=st.characters(exclude_characters="\n"), max_size=20))
def test_a_call_line_ends_exactly_with_its_line(calls: list[tuple[str, dict[str, Any]]],
                                                rest: str) -> None:
    line = _call_line(calls)
    assert "\n" not in line
    # Cut anywhere before its outer bracket closes, a line never ends the reply ...
    assert not any(free_reply_complete(line[:cut] + "\n") for cut in range(len(line)))
    # ... and the newline after it always does, whatever follows on the next line.
    assert not free_reply_complete(line + rest)
    assert free_reply_complete(line + rest + "\n" + rest)


@pytest.mark.model
def test_free_replies_stop_where_the_rule_says() -> None:
    answer = answer_function("free")
    llm = _llama(resolve_model(), "free", None)
    for entry in load_category("simple_python", limit=2) + load_category("parallel", limit=2):
        result = answer(entry)
        assert 0 < result.output_tokens <= FREE_MAX_TOKENS
        text = result.text
        if free_reply_complete(text):
            # Generation ended with the token that completed the reply.
            tokens = llm.tokenize(text.encode(), add_bos=False, special=False)
            before = llm.detokenize(tokens[:-1]).decode("utf-8", errors="ignore")
            assert not free_reply_complete(before)
        else:
            assert result.output_tokens == FREE_MAX_TOKENS or not text.endswith("\n")


@pytest.mark.model
def test_budgeted_completions_share_one_budget(llama: Any) -> None:
    budgeted = BudgetedCompletions(llama, 6)
    first = budgeted.create_completion("Count: one, two, three,", max_tokens=None,
                                       temperature=0.0)
    assert first["usage"]["completion_tokens"] <= 6
    assert budgeted.left == 6 - first["usage"]["completion_tokens"]
    capped = budgeted.create_completion("Count: one, two, three,", max_tokens=2,
                                        temperature=0.0)
    assert capped["usage"]["completion_tokens"] <= 2
    budgeted.left = 0
    spent = budgeted.create_completion("Count: one, two, three,", max_tokens=None,
                                       temperature=0.0)
    assert spent["usage"]["completion_tokens"] == 1
    assert budgeted.n_ctx() == llama.n_ctx()  # everything else is the model's own


@pytest.mark.model
def test_peer_answers_stay_within_the_budget() -> None:
    answer = answer_function("peer")
    for entry in load_category("parallel_multiple", limit=1) + load_category("simple_java",
                                                                             limit=2):
        result = answer(entry)
        assert result.output_tokens <= PEER_MAX_TOKENS
        assert result.well_formed == (result.calls is not None)
