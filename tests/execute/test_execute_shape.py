"""Observations cut to a budget, full values kept by handle."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurosym.errors import ExecutionError
from neurosym.execute import ObservationStore, shape_observation


@dataclass
class Row:
    id: int
    name: str


def test_small_values_pass_unchanged() -> None:
    shaped = shape_observation({"id": 1, "ok": True})
    assert shaped.text == '{"id": 1, "ok": true}'
    assert not shaped.truncated and shaped.handle is None


def test_strings_are_shown_as_they_are() -> None:
    assert shape_observation("12:00").text == "12:00"


def test_long_lists_keep_their_first_items_and_count_the_rest() -> None:
    rows = [Row(i, f"row number {i}") for i in range(200)]
    store = ObservationStore()
    shaped = shape_observation(rows, budget_chars=300, store=store)
    assert shaped.truncated and len(shaped.text) <= 300
    assert shaped.text.startswith('[{"id": 0, "name": "row number 0"}')
    assert "more items" in shaped.text and f"[full: {shaped.handle}]" in shaped.text
    assert store.get(shaped.handle) is rows


def test_long_strings_are_cut() -> None:
    shaped = shape_observation({"text": "x" * 5000}, budget_chars=100)
    assert shaped.truncated and len(shaped.text) <= 100 and "..." in shaped.text


def test_every_value_gets_a_handle_when_a_store_is_given() -> None:
    store = ObservationStore()
    a, b = shape_observation(1, store=store), shape_observation(2, store=store)
    assert (a.handle, b.handle) == ("obs-1", "obs-2") and len(store) == 2
    assert "obs-1" in store and store.get("obs-2") == 2


def test_unknown_handles_and_tiny_budgets_are_clear_errors() -> None:
    with pytest.raises(ExecutionError, match="no observation has the handle 'obs-9'"):
        ObservationStore().get("obs-9")
    with pytest.raises(ExecutionError, match="budget_chars"):
        shape_observation([1], budget_chars=3)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=300),
    lambda inner: st.lists(inner, max_size=40) | st.dictionaries(st.text(max_size=10), inner,
                                                                max_size=20),
    max_leaves=200)


@settings(max_examples=80, deadline=None)
@given(_json, st.integers(16, 600))
def test_shaped_text_never_exceeds_its_budget(value: object, budget: int) -> None:
    store = ObservationStore()
    shaped = shape_observation(value, budget_chars=budget, store=store)
    assert len(shaped.text) <= budget
    assert store.get(shaped.handle) is value
