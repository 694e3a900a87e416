"""Splitting BFCL runs into (category, mode, half) units, running them in worker processes,
and merging their results in the parent, with an answer function that needs no model."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from tests.bench.bench_helpers import MEET_VARIABLE, oracle_factory

from neurosym.bench.cli import BfclUnit, longest_first, plan_units, run_bfcl, run_units
from neurosym.errors import BenchmarkError

_CATEGORIES = ["simple_python", "parallel", "irrelevance"]


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny-model.gguf"
    path.write_bytes(b"GGUF" + bytes(60))
    return path


@pytest.mark.parametrize("limit", [None, 5])
def test_plan_units_bounds_every_unit_alike(limit: int | None) -> None:
    units = plan_units(["multiple", "parallel"], ["free", "peer"], limit=limit)
    assert [(u.category, u.mode, u.half) for u in units] == [
        ("multiple", "free", None), ("parallel", "free", None), ("multiple", "peer", None),
        ("parallel", "peer", None)]
    assert [u.limit for u in units] == [limit] * 4


@pytest.mark.parametrize("halves, expected", [
    (["test"], [("parallel", "test"), ("live_simple", None)]),
    (["dev", "test"], [("parallel", "dev"), ("live_simple", None), ("parallel", "test")]),
    ([None], [("parallel", None), ("live_simple", None)]),
])
def test_plan_units_splits_halves_but_runs_live_categories_whole(
        halves: list[str | None], expected: list[tuple[str, str | None]]) -> None:
    units = plan_units(["parallel", "live_simple"], ["search4", "peer"], limit=3,
                       halves=halves)
    assert [(u.category, u.half) for u in units if u.mode == "search4"] == expected
    assert [(u.category, u.half) for u in units if u.mode == "peer"] == expected
    assert all(u.limit == 3 for u in units)


def test_the_longest_units_go_first() -> None:
    # simple_python has 400 entries (200 a half), simple_javascript 50; a grammar entry
    # takes longest, then a peer one, then a free one.
    units = [BfclUnit("simple_javascript", "grammar"), BfclUnit("simple_python", "grammar"),
             BfclUnit("simple_python", "peer", 30), BfclUnit("simple_python", "free"),
             BfclUnit("simple_javascript", "peer", 5), BfclUnit("simple_javascript", "free"),
             BfclUnit("simple_python", "free", None, "test")]
    assert longest_first(units) == [
        BfclUnit("simple_python", "grammar"), BfclUnit("simple_javascript", "grammar"),
        BfclUnit("simple_python", "free"), BfclUnit("simple_python", "free", None, "test"),
        BfclUnit("simple_python", "peer", 30), BfclUnit("simple_javascript", "free"),
        BfclUnit("simple_javascript", "peer", 5)]


def test_a_wider_search_is_expected_to_take_longer() -> None:
    units = [BfclUnit("multiple", mode, None, "dev")
             for mode in ("grammar", "search8", "search1", "search4", "free")]
    ordered = [u.mode for u in longest_first(units)]
    assert ordered[:2] == ["search8", "search4"] and ordered[-1] == "free"


def _rows(directory: Path) -> dict[tuple[str, str], dict[str, Any]]:
    document = json.loads((directory / "bfcl.json").read_text())
    return {(row["category"], row["mode"]): row for row in document["rows"]}


def test_the_halves_of_a_category_are_rows_of_their_own(tmp_path: Path,
                                                       model_file: Path) -> None:
    units = plan_units(["parallel", "live_parallel"], ["free"], limit=3,
                       halves=["dev", "test"])
    results = run_units(units, model=model_file, jobs=1, out=io.StringIO(), progress=False,
                        results_dir=tmp_path, answer_factory=oracle_factory)
    assert [(r.category, r.half) for r in results] == [
        ("parallel", "dev"), ("live_parallel", None), ("parallel", "test")]
    ids = {r.half: [e.id for e in r.entries] for r in results if r.category == "parallel"}
    assert ids == {"dev": ["parallel_0", "parallel_2", "parallel_4"],
                   "test": ["parallel_1", "parallel_3", "parallel_5"]}
    rows = json.loads((tmp_path / "bfcl.json").read_text())["rows"]
    assert sorted((r["category"], str(r["half"])) for r in rows) == [
        ("live_parallel", "None"), ("parallel", "dev"), ("parallel", "test")]


def _comparable(row: dict[str, Any]) -> dict[str, Any]:
    """A row without what the clock and the process say (when, how long the unit took,
    the memory its process held)."""
    return {key: value for key, value in row.items()
            if key not in ("date", "seconds", "cpu_seconds", "peak_memory_mb")}


def test_two_workers_give_the_results_of_one_process(
        tmp_path: Path, model_file: Path, capfd: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    units = plan_units(_CATEGORIES, ["free", "peer"], limit=4)
    out = io.StringIO()
    (tmp_path / "met").mkdir()
    monkeypatch.setenv(MEET_VARIABLE, f"{tmp_path / 'met'}:2")
    pooled = run_units(units, model=model_file, jobs=2, out=out,
                       results_dir=tmp_path / "pooled", answer_factory=oracle_factory)
    monkeypatch.delenv(MEET_VARIABLE)
    alone = run_units(units, model=model_file, jobs=1, out=io.StringIO(), progress=False,
                      results_dir=tmp_path / "alone", answer_factory=oracle_factory)

    # Results come back in the order of the units, whatever order the workers end in.
    assert [(r.category, r.mode, r.n) for r in pooled] == [
        (u.category, u.mode, u.limit) for u in units]
    assert [r.summary() for r in pooled] == [r.summary() for r in alone]
    rows = _rows(tmp_path / "pooled")
    assert set(rows) == {(u.category, u.mode) for u in units}
    assert {k: _comparable(v) for k, v in rows.items()} == {
        k: _comparable(v) for k, v in _rows(tmp_path / "alone").items()}
    assert rows[("parallel", "peer")]["n"] == rows[("parallel", "free")]["n"] == 4
    assert "(limited)" in (tmp_path / "pooled" / "bfcl.md").read_text()

    # Worker processes answered, not this one, and the work was shared between them.
    pooled_pids = {e.text for r in pooled for e in r.entries}
    assert f"pid {os.getpid()}" not in pooled_pids and len(pooled_pids) == 2
    assert {e.text for r in alone for e in r.entries} == {f"pid {os.getpid()}"}

    # One summary line per unit in the parent; the workers' progress lines name their unit.
    lines = out.getvalue().splitlines()
    assert len([line for line in lines if "well-formed" in line]) == len(units)
    assert lines[-1].startswith("results: ") and "pooled" in lines[-1]
    err = capfd.readouterr().err
    for unit in units:
        assert f"bfcl {unit.category} [{unit.mode}] {unit.limit}/{unit.limit}" in err


def test_results_merge_with_rows_already_written(tmp_path: Path, model_file: Path) -> None:
    run_units(plan_units(["multiple"], ["grammar"], limit=2), model=model_file, jobs=1,
              out=io.StringIO(), progress=False, results_dir=tmp_path,
              answer_factory=oracle_factory)
    run_units(plan_units(_CATEGORIES[:2], ["free"], limit=2), model=model_file, jobs=2,
              out=io.StringIO(), progress=False, results_dir=tmp_path,
              answer_factory=oracle_factory)
    assert set(_rows(tmp_path)) == {("multiple", "grammar"), ("simple_python", "free"),
                                    ("parallel", "free")}


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_setup_error_in_a_unit_ends_the_run_and_names_it(jobs: int, tmp_path: Path,
                                                           model_file: Path) -> None:
    units = [BfclUnit("simple_python", "free", 2), BfclUnit("parallel", "broken", 2)]
    with pytest.raises(BenchmarkError) as info:
        run_units(units, model=model_file, jobs=jobs, out=io.StringIO(), progress=False,
                  results_dir=tmp_path, answer_factory=oracle_factory)
    assert "parallel [broken]" in info.value.message
    assert "ModelNotFoundError" in info.value.message and info.value.hint == "pass --model"
    rows = _rows(tmp_path) if (tmp_path / "bfcl.json").exists() else {}
    assert ("parallel", "broken") not in rows


def test_a_worker_that_dies_ends_the_run_with_a_clear_error(tmp_path: Path,
                                                             model_file: Path) -> None:
    units = [BfclUnit("simple_python", "crash", 2), BfclUnit("parallel", "free", 2)]
    with pytest.raises(BenchmarkError) as info:
        run_units(units, model=model_file, jobs=2, out=io.StringIO(), progress=False,
                  results_dir=tmp_path, answer_factory=oracle_factory)
    assert "a worker process ended abruptly" in info.value.message
    assert "--jobs 1" in (info.value.hint or "")


def _no_planner(mode: str, model: object = None, *, n_threads: int | None = None) -> Any:
    if mode == "grammar":
        raise BenchmarkError("neurosym's planner could not be imported", hint="install it")
    return oracle_factory(mode, model, n_threads=n_threads)


def test_run_bfcl_skips_an_unavailable_mode_only_when_asked(tmp_path: Path,
                                                            model_file: Path) -> None:
    out = io.StringIO()
    results = run_bfcl(["simple_python"], ["free", "grammar", "peer"], limit=3,
                       model=str(model_file), results_dir=tmp_path, progress=False, out=out,
                       skip_unavailable=True, jobs=2, halves=["test"],
                       answer_factory=_no_planner)
    assert [(r.mode, r.half, r.n) for r in results] == [("free", "test", 3), ("peer", "test", 3)]
    assert "bfcl grammar: skipped (neurosym's planner could not be imported)" in out.getvalue()
    with pytest.raises(BenchmarkError):
        run_bfcl(["simple_python"], ["grammar"], limit=1, model=str(model_file),
                 results_dir=tmp_path, progress=False, out=io.StringIO(),
                 answer_factory=_no_planner)


def test_no_units_is_no_work(tmp_path: Path, model_file: Path) -> None:
    out = io.StringIO()
    assert run_units([], model=model_file, jobs=2, out=out, results_dir=tmp_path) == []
    assert out.getvalue() == "" and not (tmp_path / "bfcl.json").exists()
