"""The sub-task table: each cell is the slice of a suite's results the module says it is."""

from __future__ import annotations

import json
from pathlib import Path

from neurosym.cli import main
from neurosym.bench.report import results_dir
from neurosym.bench.subtasks import SUBTASKS, run_subtasks, subtask_table


def _bfcl_row(category: str, mode: str, half: str | None, n: int, correct: int,
              **errors: int) -> dict:
    return {"category": category, "mode": mode, "half": half, "n": n, "correct": correct,
            "errors": errors}


def _write(folder: Path) -> None:
    rows = [
        _bfcl_row("multiple", "search4", "test", 10, 4, wrong_function=2, wrong_count=1,
                  wrong_value=3),
        _bfcl_row("simple_python", "search4", "test", 10, 6, wrong_count=2, wrong_value=2),
        _bfcl_row("parallel", "search4", "test", 10, 3, wrong_count=7),
        _bfcl_row("parallel_multiple", "search4", "test", 10, 1, malformed=1, wrong_count=8),
        # The dev half is for tuning: never read into the report.
        _bfcl_row("multiple", "search4", "dev", 10, 10),
        _bfcl_row("multiple", "peer", "test", 10, 2, malformed=5, wrong_value=3),
    ]
    (folder / "bfcl.json").write_text(json.dumps({"suite": "bfcl", "rows": rows}))
    chains = [
        {"mode": "search4", "half": "test", "full": True, "refs_right": 2, "refs_total": 2},
        {"mode": "search4", "half": "test", "full": False, "refs_right": 0, "refs_total": 3},
        {"mode": "search4", "half": "dev", "full": True, "refs_right": 5, "refs_total": 5},
    ]
    (folder / "chains.json").write_text(json.dumps({"suite": "chains", "rows": chains}))
    turns = [{"category": "multi_turn_miss_func", "valid": True},
             {"category": "multi_turn_miss_func", "valid": False},
             {"category": "multi_turn_base", "valid": True}]
    (folder / "bfcl_multi_turn.json").write_text(json.dumps({"rows": turns}))


def _cells(document: dict, mode: str) -> dict:
    return next(s["cells"] for s in document["systems"] if s["mode"] == mode)


def test_each_cell_is_its_slice_of_the_test_halves(tmp_path: Path) -> None:
    _write(tmp_path)
    mine = _cells(subtask_table(tmp_path), "search4")
    counts = {name: (cell["right"], cell["total"]) for name, cell in mine.items()}
    assert counts == {
        # multiple: 10 answers, 3 fail before their values (2 functions, 1 count).
        "name detection": (7, 10),
        # 4 + 6 right of the 7 + 8 answers that named the right function.
        "parameter values": (10, 15),
        "parallel": (4, 20),
        "chaining": (1, 2),
        "nesting": (2, 5),
        "next-best function": (1, 2),
        "response generation": (None, None),
    }
    assert mine["parallel"]["percent"] == 20.0
    peer = _cells(subtask_table(tmp_path), "peer")
    assert (peer["name detection"]["right"], peer["parameter values"]["total"]) == (5, 5)
    # What a system was not run on says so instead of showing a number.
    assert peer["parallel"]["percent"] is None
    assert "multi-turn" in peer["next-best function"]["source"]
    greedy = _cells(subtask_table(tmp_path), "grammar")
    assert "does not run" in greedy["chaining"]["source"]


def test_missing_result_files_give_an_empty_table_not_an_error(tmp_path: Path) -> None:
    document = run_subtasks(tmp_path)
    assert all(cell["percent"] is None for system in document["systems"]
               for cell in system["cells"].values())
    assert (tmp_path / "subtasks.md").read_text().count("| - |") >= len(SUBTASKS)


def test_the_command_writes_the_table(tmp_path: Path, capsys) -> None:
    _write(tmp_path)
    assert main(["bench", "subtasks", "--results-dir", str(tmp_path)]) == 0
    text = (tmp_path / "subtasks.md").read_text()
    assert "| name detection | 70.0 (7/10) |" in text
    assert json.loads((tmp_path / "subtasks.json").read_text())["subtasks"] == list(SUBTASKS)


def test_the_committed_table_is_built_from_the_committed_results() -> None:
    # A result file re-run without the table re-built shows here.
    committed = json.loads((results_dir() / "subtasks.json").read_text())
    assert committed == subtask_table(results_dir())
