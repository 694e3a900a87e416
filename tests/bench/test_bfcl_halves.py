"""The dev and test halves of BFCL's categories."""

from __future__ import annotations

import pytest

from neurosym.bench.bfcl import (HALVES, AST_CATEGORIES, categories, entry_half, has_halves,
                                 load_category, unit_name)
from neurosym.errors import BenchmarkError


@pytest.mark.parametrize("entry_id, half", [
    ("simple_python_0", "dev"), ("simple_python_1", "test"), ("simple_python_398", "dev"),
    ("parallel_multiple_17", "test"), ("irrelevance_240", "dev"),
    # live ids: the entry's number, then its group's
    ("live_simple_12-3-1", "dev"), ("live_multiple_5-2-0", "test"),
    ("live_irrelevance_883-883-0", "test"),
])
def test_entry_half(entry_id: str, half: str) -> None:
    assert entry_half(entry_id) == half


@pytest.mark.parametrize("entry_id", ["simple_python", "simple_python_x", "", "multi-turn",
                                      "live_simple_a-1-0"])
def test_an_id_without_a_number_is_a_clear_error(entry_id: str) -> None:
    with pytest.raises(BenchmarkError) as info:
        entry_half(entry_id)
    assert repr(entry_id) in info.value.message and info.value.hint


@pytest.mark.parametrize("name", categories())
def test_the_halves_split_each_category_into_two_disjoint_parts(name: str) -> None:
    whole = [entry.id for entry in load_category(name)]
    dev = [entry.id for entry in load_category(name, half="dev")]
    test = [entry.id for entry in load_category(name, half="test")]
    assert not set(dev) & set(test)
    assert sorted(dev + test) == sorted(whole)
    assert abs(len(dev) - len(test)) <= 1
    # each half keeps BFCL's order
    assert dev == [i for i in whole if i in set(dev)]
    assert test == [i for i in whole if i in set(test)]


def test_a_limit_takes_the_first_entries_of_the_half() -> None:
    assert [e.id for e in load_category("multiple", 3, half="test")] == [
        "multiple_1", "multiple_3", "multiple_5"]


def test_an_unknown_half_is_a_clear_error() -> None:
    assert HALVES == ("dev", "test")
    with pytest.raises(BenchmarkError) as info:
        load_category("multiple", 2, half="train")  # type: ignore[arg-type]
    assert "train" in info.value.message


@pytest.mark.parametrize("name", AST_CATEGORIES)
def test_only_the_live_categories_are_run_whole(name: str) -> None:
    assert has_halves(name) == (not name.startswith("live_"))


@pytest.mark.parametrize("name, half, expected", [
    ("parallel", "dev", "parallel:dev"), ("parallel", None, "parallel"),
    ("live_simple", None, "live_simple"),
])
def test_unit_name(name: str, half: str | None, expected: str) -> None:
    assert unit_name(name, half) == expected
