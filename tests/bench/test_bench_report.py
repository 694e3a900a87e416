"""The result files: JSON and markdown per suite, merged run after run."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.bench.bench_helpers import first_possible_answer

import neurosym
from neurosym.bench.bfcl import Answer, BfclEntry, run_category
from neurosym.bench.modes import FREE_MAX_TOKENS, PEER_MAX_TOKENS
from neurosym.bench.report import (BFCL_KEY, YARDSTICK, environment, merge_rows, results_dir,
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
    assert (f"| simple_python | whole | free | 4 (limited) | 50.0 | 81.5 | {gap:+.1f} |"
            in markdown)
    assert "| irrelevance | whole | free | 2 (limited) | 100.0 |  |  |" in markdown
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
    order = [line.split(" | ")[0:3] for line in lines[1:]]
    assert order == [["| simple_python", "whole", "free"],
                     ["| simple_python", "whole", "grammar"], ["| multiple", "whole", "free"]]


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
    assert "| simple_python | whole | grammar | 400 |" in markdown
    assert "| simple_python | whole | peer | 3 (limited) |" in markdown
    note = markdown.rstrip().splitlines()[-1]
    assert note.startswith("Rows marked (limited) answered only the first entries")
    assert "`free` on the first 2; `peer` on the first 3." in note
    assert "peer-limit" not in markdown


def test_unlimited_rows_need_no_note(tmp_path: Path, model_file: Path) -> None:
    run = run_category("parallel", _oracle, limit=None, mode="search4", progress=False)
    _, md_path = write_bfcl_results([run], model=model_file, directory=tmp_path)
    markdown = md_path.read_text()
    assert "(limited)" not in markdown and markdown.rstrip().splitlines()[-1].startswith("|")
    # The reply bounds of the modes are stated once, above the table.
    assert f"after {FREE_MAX_TOKENS} tokens" in markdown
    assert f"`peer` replies get {PEER_MAX_TOKENS} generated tokens" in markdown


def test_modes_limited_alike_are_named_together(tmp_path: Path, model_file: Path) -> None:
    runs = [run_category("multiple", _oracle, limit=2, mode=mode, progress=False)
            for mode in ("peer", "search4", "free", "solver", "grammar")]
    _, md_path = write_bfcl_results(runs, model=model_file, directory=tmp_path)
    note = md_path.read_text().rstrip().splitlines()[-1]
    assert "order: `free`, `grammar`, `solver`, `search4` and `peer` on the first 2." in note


def test_the_mode_text_names_the_ablations_and_no_wording_rules(tmp_path: Path,
                                                                model_file: Path) -> None:
    run = run_category("multiple", _oracle, limit=1, mode="search4", progress=False)
    _, md_path = write_bfcl_results([run], model=model_file, directory=tmp_path)
    markdown = md_path.read_text()
    for mode in ("free", "grammar", "solver", "search1", "search4", "search8", "peer"):
        assert f"`{mode}`" in markdown
    assert "`full`" not in markdown and "coverage" not in markdown


def test_rows_of_the_two_halves_are_kept_apart(tmp_path: Path, model_file: Path) -> None:
    assert BFCL_KEY == ("category", "mode", "half")
    runs = [run_category("parallel", _oracle, limit=2, mode="search4", half=half,
                         progress=False) for half in ("test", "dev")]
    write_bfcl_results(runs, model=model_file, directory=tmp_path)
    again = run_category("parallel", _abstain, limit=3, mode="search4", half="dev",
                         progress=False)
    json_path, md_path = write_bfcl_results([again], model=model_file, directory=tmp_path)
    rows = {r["half"]: r for r in json.loads(json_path.read_text())["rows"]}
    assert set(rows) == {"dev", "test"}
    assert (rows["dev"]["n"], rows["dev"]["accuracy"]) == (3, 0.0)
    assert (rows["test"]["n"], rows["test"]["accuracy"]) == (2, 1.0)
    lines = [line for line in md_path.read_text().splitlines()
             if line.startswith("| parallel |")]
    # dev before test, each with its own figures
    assert [line.split(" | ")[1:5] for line in lines] == [
        ["dev", "search4", "3 (limited)", "0.0"], ["test", "search4", "2 (limited)", "100.0"]]


def _abstain(entry: BfclEntry) -> Answer:
    return Answer([], "none()", True, 40, 2, 0.2, evaluated_tokens=9)


def _costs_by_id(entry: BfclEntry) -> Answer:
    """Right on every entry; the first two leak an example's value (Tokyo, 1969), and
    each has its own latency and tokens evaluated."""
    number = int(entry.id.rsplit("_", 1)[1])
    text = {0: 'r1 = f(city="Tokyo")', 1: "[f(year=1969)]"}.get(number, "r1 = f(x=2)")
    return Answer(first_possible_answer(entry), text, True, 100, 10, 0.1 * (number + 1),
                  evaluated_tokens=10 * (number + 1))


@pytest.mark.parametrize("limit, leak_rate, latency_mean, evaluated_mean", [
    (1, 1.0, 0.1, 10.0),
    (2, 1.0, 0.15, 15.0),
    (4, 0.5, 0.25, 25.0),
    (5, 0.4, 0.3, 30.0),
])
def test_rows_give_leaks_mean_latency_and_evaluated_tokens(
        limit: int, leak_rate: float, latency_mean: float, evaluated_mean: float,
        tmp_path: Path, model_file: Path) -> None:
    run = run_category("simple_python", _costs_by_id, limit=limit, mode="search4",
                       progress=False)
    json_path, md_path = write_bfcl_results([run], model=model_file, directory=tmp_path)
    [row] = json.loads(json_path.read_text())["rows"]
    assert row["accuracy"] == 1.0 and row["well_formed_rate"] == 1.0
    assert row["leak_rate"] == pytest.approx(leak_rate)
    assert row["latency_mean_s"] == pytest.approx(latency_mean)
    assert row["evaluated_tokens_mean"] == pytest.approx(evaluated_mean)
    header = next(line for line in md_path.read_text().splitlines()
                  if line.startswith("| category"))
    columns = [cell.strip() for cell in header.strip("|").split("|")]
    line = next(line for line in md_path.read_text().splitlines()
                if line.startswith("| simple_python"))
    cells = dict(zip(columns, (cell.strip() for cell in line.strip("|").split("|"))))
    assert cells["leaks %"] == f"{100 * leak_rate:.1f}"
    assert cells["mean s"] == f"{latency_mean:.2f}"
    assert cells["evaluated tok"] == f"{evaluated_mean:.0f}"
    assert cells["well-formed %"] == "100.0" and cells["half"] == "whole"


def test_rows_written_before_the_new_figures_keep_empty_cells(tmp_path: Path) -> None:
    from neurosym.bench.report import bfcl_markdown
    old = {"category": "parallel", "mode": "grammar", "n": 200, "accuracy": 0.4,
           "well_formed_rate": 1.0, "prompt_tokens_mean": 300.0}
    document = {"environment": {"model": "m.gguf", "cpu": "cpu", "cores": 2}, "rows": [old]}
    line = next(line for line in bfcl_markdown(document).splitlines()
                if line.startswith("| parallel"))
    assert line.startswith("| parallel | whole | grammar | 200 | 40.0 | 60.0 | -20.0 | 100.0 "
                           "|  |  |  | 300 |")


@dataclass(frozen=True)
class _Reading:
    id: str
    half: str
    value: int


def test_entry_log_resumes_where_it_stopped(tmp_path):
    from neurosym.bench.report import EntryLog
    with EntryLog(tmp_path, "log.jsonl", _Reading, lambda r: (r.id, r.half)) as log:
        assert log.get("a", "dev") is None
        log.add(_Reading("a", "dev", 1))
        log.add(_Reading("a", "test", 2))
    again = EntryLog(tmp_path, "log.jsonl", _Reading, lambda r: (r.id, r.half))
    assert again.get("a", "dev") == _Reading("a", "dev", 1)
    assert again.get("a", "test") == _Reading("a", "test", 2)
    assert again.get("b", "dev") is None
    fresh = EntryLog(tmp_path, "log.jsonl", _Reading, lambda r: (r.id, r.half), fresh=True)
    assert fresh.seen == {}
    assert not (tmp_path / "log.jsonl").exists()


def test_entry_log_names_a_line_it_cannot_read(tmp_path):
    from neurosym.bench.report import EntryLog
    from neurosym.errors import BenchmarkError
    (tmp_path / "log.jsonl").write_text('{"id": "a", "half": "dev"}\n')
    with pytest.raises(BenchmarkError, match="not a _Reading"):
        EntryLog(tmp_path, "log.jsonl", _Reading, lambda r: (r.id, r.half))
    with pytest.raises(BenchmarkError, match="not open"):
        EntryLog(tmp_path, "other.jsonl", _Reading, lambda r: (r.id,)).add(_Reading("a", "dev", 1))
