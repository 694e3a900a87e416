"""BFCL's multi-turn categories: the agent loop against BFCL's own executable classes.

Each entry is a conversation of user turns over stateful tools (a file system, messaging,
trading, travel, a vehicle, ...). For every user turn :meth:`neurosym.Planner.run` plans,
executes against live instances of BFCL's classes (loaded with the entry's initial
configuration), observes and plans again; the calls it executed, turn by turn, go to
BFCL's own multi-turn checker, which replays them on fresh instances beside the ground
truth and compares the states and the results. In ``multi_turn_miss_func`` a function is
withheld until the turn the entry names.

BFCL's text decoders are never used: the calls are the executed steps of parsed plans,
written out with ``repr`` of their real argument values.
"""

from __future__ import annotations

import copy
import importlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import BenchmarkError

__all__ = ["MULTI_TURN_CATEGORIES", "load_entries", "run_entry", "run_multi_turn",
           "call_text", "entry_instances", "entry_tools", "function_docs",
           "withheld_functions"]

MULTI_TURN_CATEGORIES = ("multi_turn_base", "multi_turn_miss_func", "multi_turn_miss_param",
                         "multi_turn_long_context")
#: Plans the agent loop may try for one user turn.
DEFAULT_LOOP_TURNS = 3


def _data_dir() -> Path:
    from ._checker import bfcl_data_dir
    return bfcl_data_dir()


def _lines(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise BenchmarkError(f"BFCL data file {path.name} is missing",
                             hint='install bfcl-eval: pip install --no-deps "bfcl-eval"')
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def load_entries(category: str, *, limit: int | None = None) -> list[dict[str, Any]]:
    """The category's entries, each with its ``ground_truth`` (calls per user turn)."""
    if category not in MULTI_TURN_CATEGORIES:
        raise BenchmarkError(f"unknown multi-turn category {category!r}",
                             hint="choose from: " + ", ".join(MULTI_TURN_CATEGORIES))
    data = _data_dir()
    entries = _lines(data / f"BFCL_v4_{category}.json")
    answers = {a["id"]: a["ground_truth"]
               for a in _lines(data / "possible_answer" / f"BFCL_v4_{category}.json")}
    out = []
    for entry in entries[:limit] if limit is not None else entries:
        if entry["id"] in answers:
            out.append({**entry, "ground_truth": answers[entry["id"]]})
    return out


def function_docs(classes: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    from bfcl_eval.constants.executable_backend_config import MULTI_TURN_FUNC_DOC_FILE_MAPPING
    folder = _data_dir() / "multi_turn_func_doc"
    return {name: _lines(folder / MULTI_TURN_FUNC_DOC_FILE_MAPPING[name]) for name in classes}


def entry_instances(entry: Mapping[str, Any], long_context: bool) -> dict[str, Any]:
    """Live instances of the entry's classes, loaded with its initial configuration."""
    from bfcl_eval.constants.executable_backend_config import (CLASS_FILE_PATH_MAPPING,
                                                               STATELESS_CLASSES)
    out = {}
    for name in entry["involved_classes"]:
        instance = getattr(importlib.import_module(CLASS_FILE_PATH_MAPPING[name]), name)()
        if name not in STATELESS_CLASSES:
            config = copy.deepcopy(entry.get("initial_config", {}).get(name, {}))
            instance._load_scenario(config, long_context=long_context)
        out[name] = instance
    return out


def entry_tools(docs: Mapping[str, list[dict[str, Any]]], instances: Mapping[str, Any],
           withheld: set[str]) -> list[Any]:
    """The classes' functions as tools bound to the live instances. Every one changes or
    may change state, so each is a write: calls run one at a time, in plan order."""
    from ..tools import ToolSet
    tools = []
    for name, functions in docs.items():
        shown = [f for f in functions if f["name"] not in withheld]
        for tool in ToolSet.from_bfcl(shown):
            method = getattr(instances[name], tool.name, None)
            if method is None:
                continue
            tools.append(tool.with_(effect="write", func=method))
    return tools


def call_text(tool: str, args: Mapping[str, Any]) -> str:
    """An executed call as BFCL's checker reads it: ``name(arg=<repr>, ...)``.

    >>> call_text("cd", {"folder": "document"})
    "cd(folder='document')"
    """
    return f"{tool}(" + ", ".join(f"{k}={v!r}" for k, v in args.items()) + ")"


def withheld_functions(entry: Mapping[str, Any], turn: int) -> set[str]:
    """Functions of ``multi_turn_miss_func`` not offered yet at ``turn``."""
    missed = entry.get("missed_function") or {}
    return {name for at, names in missed.items() if int(at) > turn for name in names}


def run_entry(entry: Mapping[str, Any], category: str, *, model: Any = None,
              loop_turns: int = DEFAULT_LOOP_TURNS,
              planner_factory: Callable[..., Any] | None = None) -> dict[str, Any]:
    """Answer one entry turn by turn with the agent loop and score it with BFCL's checker."""
    from bfcl_eval.eval_checker.multi_turn_eval.multi_turn_checker import multi_turn_checker

    from ..planner import Planner
    long_context = "long_context" in category
    instances = entry_instances(entry, long_context)
    docs = function_docs(entry["involved_classes"])
    decoded: list[list[list[str]]] = []
    statuses: list[str] = []
    started = time.perf_counter()
    for number, messages in enumerate(entry["question"]):
        text = " ".join(str(m.get("content", "")) for m in messages if m.get("role") == "user")
        tools = entry_tools(docs, instances, withheld_functions(entry, number))
        make = planner_factory or Planner
        planner = make(tools, model=model)
        steps: list[list[str]] = []
        try:
            run = planner.run(text, max_turns=loop_turns)
        except Exception as exc:  # noqa: BLE001 - one failed turn is a row, not a crash
            statuses.append(f"error: {type(exc).__name__}: {exc}"[:200])
            decoded.append(steps)
            continue
        statuses.append(run.status)
        for turn in run.turns:
            if turn.execution is None:
                continue
            calls = [call_text(s.tool, dict(s.args or {})) for s in turn.execution.steps
                     if s.status in ("ok", "error", "timeout")]
            if calls:
                steps.append(calls)
        decoded.append(steps)
    try:
        verdict = multi_turn_checker(decoded, entry["ground_truth"], dict(entry), category,
                                     "neurosym")
    except Exception as exc:  # noqa: BLE001 - the checker's own assertion is a failed entry
        verdict = {"valid": False, "error_type": f"checker: {type(exc).__name__}",
                   "error_message": str(exc)[:300]}
    return {"id": entry["id"], "valid": bool(verdict.get("valid")),
            "error_type": verdict.get("error_type"),
            "error": str(verdict.get("error_message") or "")[:300],
            "turns": len(entry["question"]), "statuses": statuses,
            "calls": decoded, "seconds": round(time.perf_counter() - started, 2)}


def run_multi_turn(categories: Sequence[str], *, limit: int | None = None, model: Any = None,
                   results_dir: str | Path | None = None,
                   out: Any = None) -> dict[str, Any]:
    """Run each multi-turn category (its first ``limit`` entries) and, with
    ``results_dir``, write ``bfcl_multi_turn.json`` and ``.md`` there."""
    rows = []
    for category in categories:
        for entry in load_entries(category, limit=limit):
            row = {"category": category, **run_entry(entry, category, model=model)}
            rows.append(row)
            if out is not None:
                out.write(f"{row['id']:32} {'pass' if row['valid'] else 'fail':5} "
                          f"{row['seconds']:7.1f}s {row['error_type'] or ''}\n")
    summary = []
    for category in categories:
        mine = [r for r in rows if r["category"] == category]
        summary.append({"category": category, "entries": len(mine),
                        "passed": sum(r["valid"] for r in mine),
                        "accuracy": round(100.0 * sum(r["valid"] for r in mine) / len(mine), 1)
                        if mine else None})
    document = {"suite": "bfcl_multi_turn", "summary": summary, "rows": rows}
    if results_dir is not None:
        folder = Path(results_dir)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "bfcl_multi_turn.json").write_text(json.dumps(document, indent=2) + "\n")
        (folder / "bfcl_multi_turn.md").write_text(_markdown(document))
    return document


def _markdown(document: Mapping[str, Any]) -> str:
    lines = ["# BFCL multi-turn", "",
             "`Planner.run` for each user turn against BFCL's executable classes, scored by "
             "BFCL's multi-turn checker (state and results after every turn).", "",
             "| category | entries | passed | accuracy |", "|---|---|---|---|"]
    for s in document["summary"]:
        lines.append(f"| {s['category']} | {s['entries']} | {s['passed']} | {s['accuracy']} |")
    lines += ["", "| entry | pass | loop endings | error | seconds |", "|---|---|---|---|---|"]
    for r in document["rows"]:
        lines.append(f"| {r['id']} | {r['valid']} | {', '.join(r['statuses'])} | "
                     f"{(r['error_type'] or '-')} | {r['seconds']} |")
    return "\n".join(lines) + "\n"
