"""Benchmark tables and plots, read from result files as ``neurosym bench`` writes them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from neurosym.bench.report import Environment, write_results
from neurosym.notebook import show_benchmarks
from neurosym.notebook.benchmarks import load_benchmarks

ENV = Environment(model="SmolLM2-135M-Instruct.Q4_1.gguf", model_bytes=100_000_000,
                  cpu="a test CPU", cores=2, date="2026-01-01 00:00 UTC",
                  neurosym_version="0.1.0")
BFCL_ROWS = [
    {"category": "simple_python", "mode": "grammar", "n": 20, "accuracy": 0.55,
     "well_formed_rate": 1.0, "errors": {"wrong value": 9}, "latency_median_s": 0.8},
    {"category": "simple_python", "mode": "search4", "n": 20, "accuracy": 0.6,
     "well_formed_rate": 1.0, "errors": {}, "latency_median_s": 0.9},
    {"category": "parallel", "mode": "search4", "n": 20, "accuracy": 0.3,
     "well_formed_rate": 0.95, "errors": {"missing call": 14}, "latency_median_s": 1.7},
]


@pytest.fixture()
def results(tmp_path: Path) -> Path:
    write_results("bfcl", BFCL_ROWS, key=("category", "mode"), env=ENV, directory=tmp_path)
    write_results("decoder", [{"case": "8 tools", "tokens_per_second": 41.5, "mask_ms": 0.21},
                              {"case": "64 tools", "tokens_per_second": 35.0, "mask_ms": 0.4}],
                  key=("case",), env=ENV, directory=tmp_path)
    (tmp_path / "constraints.json").write_text("{not json", encoding="utf-8")
    return tmp_path


def test_every_file_becomes_a_suite_and_a_broken_one_says_why(results: Path) -> None:
    suites = {s.path.stem: s for s in load_benchmarks(results)}
    assert set(suites) == {"bfcl", "decoder", "constraints"}
    assert len(suites["bfcl"].rows) == 3 and suites["bfcl"].problem is None
    assert suites["constraints"].problem and "constraints.json" in suites["constraints"].problem
    assert "accuracy" in suites["bfcl"].measures and "mode" in suites["bfcl"].key_columns
    assert suites["decoder"].row_label(suites["decoder"].rows[0]) == "8 tools"


def test_the_report_shows_tables_plots_and_problems(results: Path) -> None:
    report = show_benchmarks(results)
    html = report._repr_html_()
    for text in ("simple_python", "parallel", "tokens_per_second", "64 tools",
                 "a test CPU", "cannot read constraints.json"):
        assert text in html
    assert html.count("<table") == 2
    assert html.count("<svg") == 2          # one plot per readable suite, inline
    figure = report.figure("bfcl")
    assert figure is not None
    axis = figure.axes[0]
    heights = sorted(round(p.get_height(), 1) for p in axis.patches)
    assert heights == [30.0, 55.0, 60.0]


def test_suites_can_be_chosen_and_plots_left_out(results: Path) -> None:
    report = show_benchmarks(results, suites=["decoder"], plot=False)
    assert [s.name for s in report.suites] == ["decoder"]
    assert "<svg" not in report._repr_html_()


@pytest.mark.parametrize("content, problem", [
    ("[1, 2]", "rows of"),
    ('{"rows": "nope"}', "no list of rows"),
    ('"text"', "holds a str"),
    ('{"model": "m.gguf"}', "holds no measures"),
])
def test_odd_files_are_reported_not_raised(tmp_path: Path, content: str, problem: str) -> None:
    (tmp_path / "odd.json").write_text(content, encoding="utf-8")
    (suite,) = load_benchmarks(tmp_path)
    assert suite.problem is not None and problem in suite.problem
    assert suite.problem in show_benchmarks(tmp_path)._repr_html_()


def test_an_empty_folder_says_how_to_fill_it(tmp_path: Path) -> None:
    html = show_benchmarks(tmp_path)._repr_html_()
    assert "no benchmark results" in html and "neurosym bench" in html


def test_rows_without_the_stamps_still_show(tmp_path: Path) -> None:
    (tmp_path / "solver.json").write_text(json.dumps({"suite": "solver", "rows": [
        {"name": "sum budget", "median_ms": 1.5}, {"name": "distinct seats", "median_ms": 3.0}]}),
        encoding="utf-8")
    report = show_benchmarks(tmp_path)
    assert "sum budget" in report._repr_html_()
    figure = report.figure("solver")
    assert figure is not None and len(figure.axes) == 1


def test_a_document_of_nested_measures_is_shown_by_path(tmp_path: Path) -> None:
    (tmp_path / "decoder.json").write_text(json.dumps({
        "model": "SmolLM2-135M-Instruct.Q4_1.gguf", "cpu": "a test CPU", "cores": 2,
        "date": "2026-01-01 00:00 UTC", "load_average": {"start": 0.5, "end": 0.7},
        "decoding": {"tokens_per_s": {"free_loop": 125.0, "neurosym": 134.3, "gbnf": 84.9},
                     "mask_ms": {"median": 0.11, "p99": 0.44}},
        "peak_memory_mb": 348.9}), encoding="utf-8")
    report = show_benchmarks(tmp_path)
    (suite,) = report.suites
    assert suite.problem is None and not suite.rows
    assert dict(suite.fields)["decoding.tokens_per_s.neurosym"] == 134.3
    assert suite.environment["cpu"] == "a test CPU" and "cpu" not in dict(suite.fields)
    assert not [k for k, _ in suite.fields if k.startswith("load_average")]
    html = report._repr_html_()
    assert "decoding.mask_ms.p99" in html and "a test CPU" in html and "6 values" in html
    figure = report.figure("decoder")
    assert figure is not None
    assert [ax.get_title() for ax in figure.axes] == ["decoding.tokens_per_s",
                                                      "decoding.mask_ms"]
