"""``neurosym bench``: argument parsing, errors, and a short real run."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from neurosym.bench.cli import NON_LIVE_CATEGORIES, add_arguments, main


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="neurosym bench")
    add_arguments(parser)
    return parser


def test_bfcl_arguments() -> None:
    args = _parser().parse_args(["bfcl", "--category", "simple_python,multiple", "--category",
                                 "parallel", "--limit", "3", "--mode", "peer",
                                 "--model", "m.gguf", "--results-dir", "out", "--no-progress"])
    assert args.bench_suite == "bfcl"
    assert args.category == ["simple_python,multiple", "parallel"]
    assert (args.limit, args.mode, args.model, args.results_dir, args.no_progress) == (
        3, "peer", "m.gguf", Path("out"), True)


def test_defaults() -> None:
    args = _parser().parse_args(["bfcl", "--category", "simple_python"])
    assert (args.mode, args.limit, args.model, args.results_dir) == ("full", None, None, None)
    assert _parser().parse_args(["all"]).bench_suite == "all"


@pytest.mark.parametrize("argv", [
    [], ["bfcl"], ["bfcl", "--category", "simple_python", "--limit", "0"],
    ["bfcl", "--category", "simple_python", "--limit", "many"],
    ["bfcl", "--category", "simple_python", "--mode", "best"], ["nothing"],
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
                                 "--mode", "peer", "--results-dir", str(tmp_path),
                                 "--no-progress"])
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "simple_python" in out and "irrelevance" in out and "bfcl.json" in out
    rows = json.loads((tmp_path / "bfcl.json").read_text())["rows"]
    assert {(r["category"], r["mode"], r["n"]) for r in rows} == {
        ("simple_python", "peer", 1), ("irrelevance", "peer", 1)}
    assert "| simple_python | peer | 1 (limited) |" in (tmp_path / "bfcl.md").read_text()
