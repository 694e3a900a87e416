"""The result files: JSON and markdown per suite, merged run after run."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tests.bench.bench_helpers import first_possible_answer

import neurosym
from neurosym.bench.bfcl import Answer, BfclEntry, run_category
from neurosym.bench.modes import FREE_MAX_TOKENS, PEER_LIMIT, PEER_MAX_TOKENS
from neurosym.bench.report import (YARDSTICK, environment, merge_rows, results_dir,
                                   write_bfcl_results, write_results)
from neurosym.errors import BenchmarkError


def _oracle(entry: BfclEntry) -> Answer:
    return Answer(first_possible_answer(entry), "", True, 120, 12, 0.5)


def _half_right(entry: BfclEntry) -> Answer:
    right = int(entry.id.rsplit("_", 1)[1]) % 2 == 0
    return Answer(first_possible_answer(entry) if right else [], "", True, 80, 8, 0.25)


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny-model.gguf"
    path.write_bytes(b"GGUF" + bytes(1230))
    return path


def test_environment_names_model_cpu_and_versions(model_file: Path) -> None:
    env = environment(model_file)
    assert env.model == "tiny-model.gguf" and env.model_bytes == 1234
    assert env.cpu and env.cores == (os.cpu_count() or 1)
    assert env.neurosym_version == neurosym.__version__
    assert env.bfcl_version and env.date.endswith("UTC")
    assert "tiny-model.gguf" in env.model_label


def test_bfcl_files_hold_rows_environment_and_yardstick(tmp_path: Path, model_file: Path) -> None:
    runs = [run_category("simple_python", _half_right, limit=4, mode="free", progress=False),
            run_category("irrelevance", _oracle_irrelevant, limit=2, mode="free", progress=False)]
    json_path, md_path = write_bfcl_results(runs, model=model_file, directory=tmp_path / "out")
    assert (json_path.name, md_path.name) == ("bfcl.json", "bfcl.md")
    document = json.loads(json_path.read_text())
    assert document["suite"] == "bfcl"
    assert document["environment"]["model"] == "tiny-model.gguf"
    assert document["environment"]["model_bytes"] == 1234
    rows = {(r["category"], r["mode"]): r for r in document["rows"]}
    simple = rows[("simple_python", "free")]
    assert simple["accuracy"] == 0.5 and simple["n"] == 4 and simple["errors"] == {"wrong_count": 2}
    assert simple["model"] == "tiny-model.gguf" and simple["cpu"] and simple["date"]
    assert simple["latency_median_s"] == pytest.approx(0.25)

    markdown = md_path.read_text()
    assert "tiny-model.gguf (0.0 MB)" in markdown
    assert f"({os.cpu_count()} cores)" in markdown
    gap = 50.0 - YARDSTICK["simple_python"]
    assert f"| simple_python | free | 4 (limited) | 50.0 | 81.5 | {gap:+.1f} |" in markdown
    assert "| irrelevance | free | 2 (limited) | 100.0 |  |  |" in markdown
    assert "Qwen2.5-0.5B-Instruct" in markdown


def _oracle_irrelevant(entry: BfclEntry) -> Answer:
    return Answer(None, "none()", True, 50, 3, 0.1)


def test_new_rows_replace_their_own_and_keep_the_others(tmp_path: Path, model_file: Path) -> None:
    first = [run_category("simple_python", _half_right, limit=4, mode="free", progress=False),
             run_category("multiple", _oracle, limit=2, mode="free", progress=False)]
    write_bfcl_results(first, model=model_file, directory=tmp_path)
    again = [run_category("simple_python", _oracle, limit=2, mode="free", progress=False),
             run_category("simple_python", _oracle, limit=2, mode="grammar", progress=False)]
    json_path, md_path = write_bfcl_results(again, model=model_file, directory=tmp_path)
    rows = {(r["category"], r["mode"]): r for r in json.loads(json_path.read_text())["rows"]}
    assert set(rows) == {("simple_python", "free"), ("multiple", "free"),
                         ("simple_python", "grammar")}
    assert rows[("simple_python", "free")]["accuracy"] == 1.0
    assert rows[("multiple", "free")]["n"] == 2
    lines = [line for line in md_path.read_text().splitlines() if line.startswith("| ")]
    order = [line.split(" | ")[0:2] for line in lines[1:]]
    assert order == [["| simple_python", "free"], ["| simple_python", "grammar"],
                     ["| multiple", "free"]]


def test_rows_of_another_model_are_kept_apart(tmp_path: Path, model_file: Path) -> None:
    other = tmp_path / "other.gguf"
    other.write_bytes(b"GGUF")
    run = run_category("simple_python", _oracle, limit=1, mode="free", progress=False)
    write_bfcl_results([run], model=model_file, directory=tmp_path)
    json_path, _ = write_bfcl_results([run], model=other, directory=tmp_path)
    models = sorted(r["model"] for r in json.loads(json_path.read_text())["rows"])
    assert models == ["other.gguf", "tiny-model.gguf"]


def test_generic_suite_gets_a_plain_table(tmp_path: Path) -> None:
    env = environment(None)
    _, md_path = write_results("perf", [{"measure": "tokens/s", "value": 41.5}],
                               key=("measure",), env=env, directory=tmp_path)
    text = md_path.read_text()
    assert text.startswith("# perf results") and "| tokens/s | 41.5 |" in text


def test_a_damaged_results_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "bfcl.json").write_text("{not json")
    run = run_category("simple_python", _oracle, limit=1, progress=False)
    with pytest.raises(BenchmarkError) as info:
        write_bfcl_results([run], model=None, directory=tmp_path)
    assert "move the file" in (info.value.hint or "")
    assert (tmp_path / "bfcl.json").read_text() == "{not json"


def test_merge_rows_adds_and_replaces_by_key() -> None:
    old = [{"c": "a", "m": "x", "v": 1}, {"c": "b", "m": "x", "v": 2}]
    new = [{"c": "b", "m": "x", "v": 3}, {"c": "b", "m": "y", "v": 4}]
    assert merge_rows(old, new, ["c", "m"]) == [
        {"c": "a", "m": "x", "v": 1}, {"c": "b", "m": "x", "v": 3}, {"c": "b", "m": "y", "v": 4}]


def test_results_dir_is_bench_results_at_the_top_of_the_repository() -> None:
    top = Path(neurosym.__file__).resolve().parents[1]
    assert results_dir() == top / "bench" / "results"


def test_limited_rows_are_explained_under_the_table(tmp_path: Path, model_file: Path) -> None:
    whole = run_category("simple_python", _oracle, limit=None, mode="grammar", progress=False)
    peer = [run_category(name, _oracle, limit=3, mode="peer", progress=False)
            for name in ("simple_python", "multiple")]
    free = run_category("multiple", _oracle, limit=2, mode="free", progress=False)
    _, md_path = write_bfcl_results([whole, *peer, free], model=model_file, directory=tmp_path)
    markdown = md_path.read_text()
    assert "| simple_python | grammar | 400 |" in markdown
    assert "| simple_python | peer | 3 (limited) |" in markdown
    note = markdown.rstrip().splitlines()[-1]
    assert note.startswith("Rows marked (limited) answered only the first entries")
    assert "`free` on the first 2; `peer` on the first 3." in note
    assert f"`--peer-limit`, default {PEER_LIMIT}" in note


def test_unlimited_rows_need_no_note(tmp_path: Path, model_file: Path) -> None:
    run = run_category("parallel", _oracle, limit=None, mode="full", progress=False)
    _, md_path = write_bfcl_results([run], model=model_file, directory=tmp_path)
    markdown = md_path.read_text()
    assert "(limited)" not in markdown and markdown.rstrip().splitlines()[-1].startswith("|")
    # The reply bounds of the modes are stated once, above the table.
    assert f"after {FREE_MAX_TOKENS} tokens" in markdown
    assert f"`peer` replies get {PEER_MAX_TOKENS} generated tokens" in markdown


def test_modes_limited_alike_are_named_together(tmp_path: Path, model_file: Path) -> None:
    runs = [run_category("multiple", _oracle, limit=2, mode=mode, progress=False)
            for mode in ("peer", "full", "free", "grammar")]
    _, md_path = write_bfcl_results(runs, model=model_file, directory=tmp_path)
    note = md_path.read_text().rstrip().splitlines()[-1]
    assert "order: `free`, `grammar`, `full` and `peer` on the first 2." in note
