"""The seven function-calling sub-tasks, read from the results the other suites wrote.

A tool-calling model is asked to do seven different things: find the function a request
names, fill its parameters with the right values, make several calls at once, chain
calls so that one's result feeds the next, pass a result into another call's argument
(nesting), fall back to the next-best function when the right one is missing, and
answer in words from what the calls returned. No benchmark measures one of them alone;
each is a slice of a suite the project already runs. This module takes those slices
from the committed result files (``bfcl.json``, ``chains.json``,
``bfcl_multi_turn.json``), runs no model, and writes ``subtasks.json`` and ``.md``:

- *name detection*: BFCL ``multiple`` (several tools offered, one asked for), the share
  of answers naming the right function, once (BFCL's checker reports the count and the
  function before any value, so an answer passes this when it fails neither).
- *parameter values*: BFCL ``simple_python`` and ``multiple``, among the answers that
  named the right function, the share whose values all pass BFCL's checker.
- *parallel*: BFCL ``parallel`` and ``parallel_multiple`` together, BFCL's accuracy.
- *chaining*: the chaining suite, plans right as a whole: every producer, every
  reference and every value of the intended plan.
- *nesting*: the chaining suite, each argument the intended plan takes from an earlier
  call's result (``r1[0].id``), right when the plan takes it from the same place.
- *next-best function*: BFCL ``multi_turn_miss_func``, where a function is withheld
  until a later turn, the entries BFCL's multi-turn checker passes.
- *response generation*: the plan's ``answer(...)`` is not scored by any suite the
  project runs (BFCL's multi-turn checker compares states and call results, not words),
  so the row says it is not measured rather than borrowing a number.

Every figure comes from the test halves (BFCL's odd ids, the chaining suite's odd
positions); the multi-turn categories have no halves and are never tuned on. A cell
names its count (right of total) so a small sample shows as one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .report import results_dir as default_results_dir

__all__ = ["SUBTASKS", "SYSTEMS", "subtask_table", "run_subtasks"]

#: The sub-tasks in the order the table shows them.
SUBTASKS: tuple[str, ...] = ("name detection", "parameter values", "parallel", "chaining",
                             "nesting", "next-best function", "response generation")
#: The systems compared: (column, BFCL mode, chaining-suite mode, answers multi-turn).
SYSTEMS: tuple[tuple[str, str, str | None, bool], ...] = (
    ("neurosym (search4)", "search4", "search4", True),
    ("grammar, greedy", "grammar", None, False),
    ("peer (chatml-function-calling)", "peer", "peer", False),
)
#: BFCL's error kinds that come before the values: a wrong number of calls, a wrong
#: function, or no parsable answer.
_BEFORE_VALUES = ("wrong_count", "wrong_function", "malformed", "irrelevance_called")


def _read(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _cell(right: int, total: int, source: str) -> dict[str, Any]:
    return {"right": right, "total": total, "source": source,
            "percent": round(100.0 * right / total, 1) if total else None}


def _missing(why: str) -> dict[str, Any]:
    return {"right": None, "total": None, "percent": None, "source": why}


def _bfcl_rows(bfcl: Mapping[str, Any] | None, mode: str) -> dict[str, Mapping[str, Any]]:
    """The test-half rows of one mode, by category."""
    if bfcl is None:
        return {}
    return {row["category"]: row for row in bfcl.get("rows", [])
            if row.get("mode") == mode and row.get("half") == "test"}


def _named_right(row: Mapping[str, Any]) -> int:
    errors = row.get("errors", {})
    return int(row["n"]) - sum(int(errors.get(kind, 0)) for kind in _BEFORE_VALUES)


def _bfcl_cells(rows: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    cells: dict[str, dict[str, Any]] = {}
    multiple = rows.get("multiple")
    cells["name detection"] = (
        _cell(_named_right(multiple), int(multiple["n"]), "BFCL multiple, test half")
        if multiple is not None else _missing("no BFCL multiple row on the test half"))
    valued = [rows[c] for c in ("simple_python", "multiple") if c in rows]
    if valued:
        named = sum(_named_right(row) for row in valued)
        cells["parameter values"] = _cell(
            sum(int(row["correct"]) for row in valued), named,
            "BFCL " + " + ".join(row["category"] for row in valued)
            + ", test halves, answers with the right function")
    else:
        cells["parameter values"] = _missing("no BFCL simple_python or multiple row on the "
                                             "test half")
    parallel = [rows[c] for c in ("parallel", "parallel_multiple") if c in rows]
    cells["parallel"] = (
        _cell(sum(int(row["correct"]) for row in parallel),
              sum(int(row["n"]) for row in parallel),
              "BFCL " + " + ".join(row["category"] for row in parallel) + ", test halves")
        if parallel else _missing("no BFCL parallel row on the test half"))
    return cells


def _chain_cells(chains: Mapping[str, Any] | None, mode: str | None
                 ) -> dict[str, dict[str, Any]]:
    if mode is None:
        why = "the chaining suite does not run this system"
        return {"chaining": _missing(why), "nesting": _missing(why)}
    rows = [row for row in (chains or {}).get("rows", [])
            if row.get("mode") == mode and row.get("half") == "test"]
    if not rows:
        why = "no chaining-suite rows on the test half"
        return {"chaining": _missing(why), "nesting": _missing(why)}
    source = "chaining suite, test half"
    return {"chaining": _cell(sum(bool(row["full"]) for row in rows), len(rows), source),
            "nesting": _cell(sum(int(row["refs_right"]) for row in rows),
                             sum(int(row["refs_total"]) for row in rows),
                             source + ", references")}


def _next_best(multi_turn: Mapping[str, Any] | None, runs: bool) -> dict[str, Any]:
    if not runs:
        return _missing("the multi-turn harness drives the planner's agent loop only")
    rows = [row for row in (multi_turn or {}).get("rows", [])
            if row.get("category") == "multi_turn_miss_func"]
    if not rows:
        return _missing("no multi_turn_miss_func rows")
    return _cell(sum(bool(row["valid"]) for row in rows), len(rows),
                 "BFCL multi_turn_miss_func, first entries")


def subtask_table(directory: str | Path | None = None) -> dict[str, Any]:
    """The sub-task table from the result files in ``directory`` (default
    ``bench/results``): for each system, a cell per sub-task."""
    folder = Path(directory) if directory is not None else default_results_dir()
    bfcl = _read(folder / "bfcl.json")
    chains = _read(folder / "chains.json")
    multi_turn = _read(folder / "bfcl_multi_turn.json")
    not_scored = _missing("not measured: no suite the project runs scores the words of "
                          "answer(...)")
    systems = []
    for column, mode, chain_mode, runs_loop in SYSTEMS:
        cells = {**_bfcl_cells(_bfcl_rows(bfcl, mode)), **_chain_cells(chains, chain_mode),
                 "next-best function": _next_best(multi_turn, runs_loop),
                 "response generation": not_scored}
        systems.append({"system": column, "mode": mode,
                        "cells": {name: cells[name] for name in SUBTASKS}})
    return {"suite": "subtasks", "subtasks": list(SUBTASKS), "systems": systems}


def _text(cell: Mapping[str, Any]) -> str:
    if cell["percent"] is None:
        return "-"
    return f"{cell['percent']:.1f} ({cell['right']}/{cell['total']})"


def _markdown(document: Mapping[str, Any]) -> str:
    systems: Sequence[Mapping[str, Any]] = document["systems"]
    lines = ["# Function-calling sub-tasks", "",
             "Each sub-task is a slice of a suite the project runs (see "
             "`neurosym.bench.subtasks`); the figures are read from bfcl.json, chains.json "
             "and bfcl_multi_turn.json, test halves only. A cell is the percentage right, "
             "with right/total; `-` is not measured for that system.", "",
             "| sub-task | " + " | ".join(s["system"] for s in systems) + " | measured on |",
             "|---|" + "---:|" * len(systems) + "---|"]
    for name in document["subtasks"]:
        sources = [s["cells"][name]["source"] for s in systems
                   if s["cells"][name]["percent"] is not None]
        source = sources[0] if sources else systems[0]["cells"][name]["source"]
        lines.append(f"| {name} | " + " | ".join(_text(s["cells"][name]) for s in systems)
                     + f" | {source} |")
    return "\n".join(lines) + "\n"


def run_subtasks(directory: str | Path | None = None, *,
                 out_dir: str | Path | None = None) -> dict[str, Any]:
    """Build the table from the results in ``directory`` and write ``subtasks.json`` and
    ``subtasks.md`` to ``out_dir`` (default: the same folder)."""
    document = subtask_table(directory)
    folder = Path(out_dir if out_dir is not None
                  else directory if directory is not None else default_results_dir())
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "subtasks.json").write_text(json.dumps(document, indent=2) + "\n",
                                          encoding="utf-8")
    (folder / "subtasks.md").write_text(_markdown(document), encoding="utf-8")
    return document
