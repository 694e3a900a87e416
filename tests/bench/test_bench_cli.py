"""``neurosym bench``: argument parsing, errors, and a short real run."""

from __future__ import annotations

import argparse
import io
import json
import os
from pathlib import Path

import pytest

from neurosym.bench import cli
from neurosym.bench.cli import (NON_LIVE_CATEGORIES, suite_options, add_arguments,
                                default_jobs, main)
from neurosym.bench.modes import DEFAULT_MODES, MODES
from neurosym.errors import BenchmarkError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="neurosym bench")
    add_arguments(parser)
    return parser


def test_bfcl_arguments() -> None:
    args = _parser().parse_args(["bfcl", "--category", "simple_python,multiple", "--category",
                                 "parallel", "--limit", "3", "--mode", "peer", "--half", "test",
                                 "--model", "m.gguf", "--results-dir", "out", "--no-progress"])
    assert args.bench_suite == "bfcl"
    assert args.category == ["simple_python,multiple", "parallel"]
    assert (args.limit, args.mode, args.half, args.model, args.results_dir,
            args.no_progress) == (3, "peer", "test", "m.gguf", Path("out"), True)


def test_defaults() -> None:
    # bench bfcl is for tuning: the dev half; bench all reports: the test half.
    args = _parser().parse_args(["bfcl", "--category", "simple_python"])
    assert (args.mode, args.half, args.limit, args.model, args.results_dir) == (
        "search4", "dev", None, None, None)
    assert args.jobs == default_jobs() == min(os.cpu_count() or 1, 2)
    every = _parser().parse_args(["all"])
    assert every.bench_suite == "all"
    assert (every.jobs, every.half, every.mode, every.limit) == (
        default_jobs(), "test", None, None)


def test_all_arguments() -> None:
    args = _parser().parse_args(["all", "--jobs", "1", "--half", "both", "--limit", "2",
                                 "--mode", "free", "--mode", "search8"])
    assert (args.jobs, args.half, args.limit, args.mode) == (1, "both", 2, ["free", "search8"])


@pytest.mark.parametrize("choice, expected", [
    ("all", list(DEFAULT_MODES)), ("search8", ["search8"]), ("free", ["free"]),
])
def test_mode_all_is_every_mode_but_free(choice: str, expected: list[str]) -> None:
    assert cli._modes(choice) == expected


def test_the_modes_are_the_ablation_ladder_and_the_peer() -> None:
    assert MODES == ("free", "grammar", "solver", "search1", "search4", "search8",
                     "decisions4", "values4", "choices4", "ranked4", "server", "peer")
    # Where the contrast steers and weighs is a dev-half experiment, and the server mode
    # needs a server: asked for, never in a whole run.
    assert set(DEFAULT_MODES) == set(MODES) - {"free", "decisions4", "values4", "choices4",
                                               "ranked4", "server"}


def _takes_everything(out_dir: str = "x", *, questions: int = 20, model: object = None) -> None:
    """A suite entry point that takes every option."""


def _takes_questions(questions: int = 20) -> None:
    """A suite entry point that takes only the number of questions."""


def _takes_nothing() -> None:
    """A suite entry point that takes no option."""


@pytest.mark.parametrize("function, results_dir, limit, model, expected", [
    (_takes_everything, Path("r"), 5, "m.gguf",
     {"out_dir": Path("r"), "questions": 5, "model": "m.gguf"}),
    (_takes_everything, None, None, None, {}),
    (_takes_everything, None, 3, None, {"questions": 3}),
    (_takes_questions, Path("r"), 3, "m.gguf", {"questions": 3}),
    (_takes_nothing, Path("r"), 3, "m.gguf", {}),
])
def test_suites_get_the_options_they_take(function: object, results_dir: Path | None,
                                          limit: int | None, model: str | None,
                                          expected: dict[str, object]) -> None:
    assert suite_options(function, results_dir=results_dir, limit=limit,  # type: ignore[arg-type]
                          model=model) == expected


@pytest.mark.parametrize("argv", [
    [], ["bfcl"], ["bfcl", "--category", "simple_python", "--limit", "0"],
    ["bfcl", "--category", "simple_python", "--limit", "many"],
    ["bfcl", "--category", "simple_python", "--mode", "best"], ["nothing"],
    ["all", "--jobs", "0"], ["all", "--peer-limit", "5"], ["all", "--jobs", "two"],
    ["bfcl", "--category", "simple_python", "--peer-limit", "3"],
    ["bfcl", "--category", "simple_python", "--mode", "full"],
    ["bfcl", "--category", "simple_python", "--half", "train"],
    ["all", "--half", "all"], ["all", "--mode", "all"],
])
def test_bad_arguments_are_usage_errors(argv: list[str],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        _parser().parse_args(argv)
    assert info.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_unknown_category_fails_with_the_choices(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    args = _parser().parse_args(["bfcl", "--category", "simple_python,simple_rust",
                                 "--results-dir", str(tmp_path)])
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "simple_rust" in err and "hint: choose from: simple_python" in err
    assert not any(tmp_path.iterdir())


def test_bench_all_runs_the_non_live_categories() -> None:
    assert not any(name.startswith("live") for name in NON_LIVE_CATEGORIES)
    assert {"simple_python", "multiple", "parallel", "parallel_multiple",
            "irrelevance"} <= set(NON_LIVE_CATEGORIES)


@pytest.mark.model
def test_a_short_peer_run_writes_both_files(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    args = _parser().parse_args(["bfcl", "--category", "simple_python,irrelevance", "--limit", "1",
                                 "--mode", "peer", "--half", "test",
                                 "--results-dir", str(tmp_path), "--no-progress"])
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "simple_python:test" in out and "irrelevance:test" in out and "bfcl.json" in out
    rows = json.loads((tmp_path / "bfcl.json").read_text())["rows"]
    assert {(r["category"], r["mode"], r["half"], r["n"]) for r in rows} == {
        ("simple_python", "peer", "test", 1), ("irrelevance", "peer", "test", 1)}
    # each unit's wall and CPU time is kept with its row; the peer's tokens are its output
    assert all(r["seconds"] > 0 and r["cpu_seconds"] > 0 for r in rows)
    # and the peak memory of the process that answered it (the model alone is ~100 MB)
    assert all(100 < r["peak_memory_mb"] < 4096 for r in rows)
    assert all(r["evaluated_tokens_mean"] == r["output_tokens_mean"] > 0 for r in rows)
    assert "| simple_python | test | peer | 1 (limited) |" in (tmp_path / "bfcl.md").read_text()


_SUITE_CALLS: list[dict[str, object]] = []


def _suite_that_works(out_dir: Path, *, questions: int = 20) -> dict[str, int]:
    _SUITE_CALLS.append({"out_dir": out_dir, "questions": questions})
    return {"questions": questions}


def _suite_that_fails() -> None:
    raise BenchmarkError("the suite's data is missing", hint="reinstall it")


def _suite_that_reports_failure() -> int:
    return 3


def test_each_extra_suite_runs_even_after_one_fails(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    here = __name__
    monkeypatch.setattr(cli, "EXTRA_SUITES", (
        ("broken", here, "_suite_that_fails"),
        ("absent", "tests.bench.no_such_suite", "run_all"),
        ("nameless", here, "no_such_function"),
        ("unhappy", here, "_suite_that_reports_failure"),
        ("working", here, "_suite_that_works"),
    ))
    _SUITE_CALLS.clear()
    out = io.StringIO()
    assert cli._extra_suites(out, results_dir=tmp_path, limit=4, model="m.gguf") == 2
    text = out.getvalue()
    assert "broken: failed after 0s: BenchmarkError: the suite's data is missing" in text
    assert "hint: reinstall it" in text
    assert "absent: skipped (tests.bench.no_such_suite is not available)" in text
    assert "nameless: skipped" in text and "working: done in" in text
    assert _SUITE_CALLS == [{"out_dir": tmp_path, "questions": 4}]


def test_the_time_of_a_whole_run_is_kept_against_its_target(tmp_path: Path) -> None:
    from neurosym.bench.report import write_run_time
    write_run_time(3054.4, model=None, jobs=2, limit=None, half="test", directory=tmp_path)
    write_run_time(3700.0, model=None, jobs=2, limit=5, half="test", directory=tmp_path)
    write_run_time(3100.0, model=None, jobs=2, limit=None, half="dev", directory=tmp_path)
    rows = json.loads((tmp_path / "runs.json").read_text())["rows"]
    assert {(r["half"], r["limit"], r["seconds"], r["within_target"]) for r in rows} == {
        ("test", None, 3054, True), ("test", 5, 3700, False), ("dev", None, 3100, True)}
    assert "| bench all | test |  | 2 | 3054 | 3600 | True |" in (tmp_path / "runs.md").read_text()


@pytest.mark.parametrize("argv, modes, halves", [
    (["all"], list(DEFAULT_MODES), ("test",)),
    (["all", "--half", "both"], list(DEFAULT_MODES), ("dev", "test")),
    (["all", "--half", "dev", "--mode", "free", "--mode", "peer"], ["free", "peer"], ("dev",)),
])
def test_bench_all_runs_the_peer_on_the_same_entries_as_the_planner(
        argv: list[str], modes: list[str], halves: tuple[str, ...],
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    model = tmp_path / "tiny-model.gguf"
    model.write_bytes(b"GGUF" + bytes(60))
    calls: list[dict[str, object]] = []

    def record(categories: list[str], chosen: list[str], **options: object) -> list[object]:
        calls.append({"categories": categories, "modes": chosen, **options})
        return []

    monkeypatch.setattr(cli, "run_bfcl", record)
    monkeypatch.setattr(cli, "EXTRA_SUITES", ())
    args = _parser().parse_args([*argv, "--jobs", "1", "--limit", "3", "--model", str(model),
                                 "--results-dir", str(tmp_path), "--no-progress"])
    assert main(args) == 0
    [call] = calls
    assert call["categories"] == NON_LIVE_CATEGORIES and call["modes"] == modes
    # one limit for every mode: no separate, smaller sample for the peer
    assert call["halves"] == halves and call["limit"] == 3 and "peer_limit" not in call
    runs = json.loads((tmp_path / "runs.json").read_text())["rows"]
    assert [row["half"] for row in runs] == [args.half]
