"""Search errors: does the search find the plans its own weight prefers?

A wrong plan has one of two causes. Either the search's weight prefers something wrong
over the intended plan (a *model* error: only a better model, a better prompt or a
better weight fixes it), or the weight prefers the intended plan but the search never
reached it (a *search* error: a wider or better guided search fixes it). This suite
tells them apart on BFCL's calling categories, entry by entry:

1. the planner answers the entry in a mode (``search4`` by default);
2. the entry's intended plan is written from BFCL's ground truth (each argument's first
   allowed value, in the tool's parameter order; optional arguments whose first allowed
   value is "leave it out" are left out) and weighed exactly by
   :class:`~neurosym.search.GivenPlans` under the same weight, with the same
   potentials;
3. the entry is *right* when BFCL's checker accepts the planner's plan; otherwise it is
   *found* (the search finished the intended plan but chose another), a *search error*
   (the intended plan outweighs every calling plan the search finished), a *model error*
   (a calling plan it finished outweighs the intended one), *refused* (a hard potential
   or the solver refuses the intended plan: a check that is wrong) or *unwritable* (the
   ground truth is not a plan over the shown tools, or BFCL's checker rejects the plan
   written from it).

Reading nothing of the request, the counts say where the next point comes from. Only
the dev halves may be looked at to tune; the test halves are reported. Writes
``bench/results/search.json`` and ``search.md``; each entry's readings go to
``search_entries.jsonl``, so an interrupted run goes on where it stopped.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from .modes import PLANNER_MODES

__all__ = ["CATEGORIES", "KINDS", "SEARCH_MODES", "Reading", "intended_plan", "read_entry",
           "summarise", "run_search_errors", "run_all"]

#: BFCL's calling categories in Python (their ground truth holds Python values).
CATEGORIES: tuple[str, ...] = ("simple_python", "multiple", "parallel", "parallel_multiple")
#: What became of an entry, right first.
KINDS: tuple[str, ...] = ("right", "found", "search_error", "model_error", "refused",
                          "unwritable")
#: The modes this suite can run: the BFCL bench's searched modes, and the search with
#: every tool proposed at a step's first token.
SEARCH_MODES: Mapping[str, Mapping[str, Any]] = {
    **{mode: PLANNER_MODES[mode] for mode in ("search1", "search4", "search8")},
    "open4": {**PLANNER_MODES["search4"], "open_tools": True},
    "choices4": PLANNER_MODES["choices4"],
    "ranked4": PLANNER_MODES["ranked4"],
}
#: Options that change how the search goes, not how a plan is weighed: left out when
#: the intended plan is weighed.
_SEARCH_ONLY = ("width", "steer", "plausibility", "threshold", "open_tools", "guide_weight")


@dataclass(frozen=True)
class Reading:
    """One entry in one mode: its kind (one of ``KINDS``), the planner's plan text and
    weight, the intended plan's text and weight (None: not weighed), and the best
    weight of a calling plan the search finished (None: it finished none)."""

    id: str
    category: str
    half: str
    mode: str
    kind: str
    text: str
    intended: str
    intended_score: float | None
    best_score: float | None
    note: str = ""
    seconds: float = 0.0


def _value(value: Any) -> Any:
    """A ground-truth value as a plan value. BFCL's dicts hold each key's allowed values
    in a list, as the arguments do: the first is taken, and a key whose first allowed
    value is "leave it out" is left out."""
    from ..plan.ast import DictValue, ListValue, Literal
    if isinstance(value, (list, tuple)):
        return ListValue(tuple(_value(item) for item in value))
    if isinstance(value, dict):
        items = []
        for key, allowed in value.items():
            if isinstance(allowed, list):
                if not allowed or allowed[0] == "":
                    continue
                allowed = allowed[0]
            items.append((str(key), _value(allowed)))
        return DictValue(tuple(items))
    return Literal(value)


def intended_plan(entry: Any, tools: Any) -> str | None:
    """The plan text of ``entry``'s ground truth over ``tools`` (the shown ones), each
    argument its first allowed value; None when a call names no shown tool."""
    from ..plan.ast import Call, Plan, Step
    from ._convert import plain_name
    by_name = {tool.name: tool for tool in tools}
    steps = []
    for index, call in enumerate(entry.ground_truth or ()):
        for name, arguments in call.items():
            tool = by_name.get(name) or by_name.get(plain_name(name))
            if tool is None:
                return None
            chosen = []
            for param in tool.params:
                allowed = arguments.get(param.name)
                if not allowed or allowed[0] == "":
                    continue
                chosen.append((param.name, _value(allowed[0])))
            steps.append(Step(Call(tool.name, tuple(chosen)), bind=f"r{index + 1}"))
    return Plan(tuple(steps)).text if steps else None


def read_entry(entry: Any, model: Any, half: str, mode: str,
               options: Mapping[str, Any]) -> Reading:
    """Answer ``entry`` in ``mode`` (Planner ``options``), weigh its intended plan, classify."""
    from ..errors import NeurosymError
    from ..planner import Planner
    from ..plan.parse import parse_plan
    from ..search import GivenPlans
    from ..search.choose import NONE_TEXT
    from ..tools import ToolSet
    from ._convert import checker_calls, plan_calls
    from .bfcl import score_entry

    def verdict(plan: Any, tools: Any) -> bool:
        if plan is None or plan.text.strip() == NONE_TEXT:
            return bool(score_entry(entry, [], well_formed=True).correct)
        calls = checker_calls(plan_calls(plan, tools), entry.functions, entry.language)
        return bool(score_entry(entry, calls, well_formed=True).correct)

    start = time.perf_counter()
    messages = [dict(message) for message in entry.messages]

    def reading(kind: str, text: str = "", intended: str = "", intended_score: float | None = None,
                best: float | None = None, note: str = "") -> Reading:
        return Reading(entry.id, entry.category, half, mode, kind, text, intended,
                       intended_score, best, note, round(time.perf_counter() - start, 3))

    try:
        tools = ToolSet.from_bfcl(entry.shown_functions())
    except NeurosymError as err:
        return reading("unwritable", note=f"{type(err).__name__}: {err.message}")
    intended = intended_plan(entry, tools)
    try:
        written_right = intended is not None and verdict(parse_plan(intended), tools)
    except NeurosymError:
        written_right = False
    try:
        result = Planner(tools=tools, model=model, **options).plan(messages)
        text = result.plan.text if result.plan is not None else ""
        right = verdict(result.plan, tools)
        candidates = result.search.candidates if result.search is not None else ()
    except NeurosymError as err:
        text, right, candidates = f"{type(err).__name__}: {err.message}", False, ()
    calling = [c.score for c in candidates if c.text.strip() != NONE_TEXT]
    best = max(calling) if calling else None
    if right:
        return reading("right", text, intended or "", None, best)
    if intended is None or not written_right:
        return reading("unwritable", text, intended or "", None, best,
                       "the ground truth is no plan the checker accepts over the shown tools")
    if any(c.text.strip() == intended.strip() for c in candidates):
        weight = next(c.score for c in candidates if c.text.strip() == intended.strip())
        return reading("found", text, intended, weight, best)
    weigh = {key: value for key, value in options.items() if key not in _SEARCH_ONLY}
    try:
        given = Planner(tools=tools, model=model, search=GivenPlans([intended]),
                        **weigh).plan(messages)
    except NeurosymError as err:
        return reading("refused", text, intended, None, best, f"{type(err).__name__}: {err.message}")
    outcome = given.search
    weights = [c.score for c in (outcome.candidates if outcome else ())
               if c.text.strip() == intended.strip()]
    if not weights:
        refusals = "; ".join(f"{r.potential}: {r.reason}" for r in (outcome.refusals if outcome else ()))
        return reading("refused", text, intended, None, best, refusals)
    weight = weights[0]
    kind = "search_error" if best is None or weight > best else "model_error"
    return reading(kind, text, intended, weight, best)


def summarise(readings: Sequence[Reading]) -> list[dict[str, Any]]:
    """One row per mode, half and category (and ``all`` over the categories): how many
    entries of each kind, and the right share."""
    groups: dict[tuple[str, str, str], list[Reading]] = {}
    for r in readings:
        groups.setdefault((r.mode, r.half, r.category), []).append(r)
        groups.setdefault((r.mode, r.half, "all"), []).append(r)
    rows = []
    for (mode, half, category), group in sorted(groups.items()):
        counts = {kind: sum(r.kind == kind for r in group) for kind in KINDS}
        rows.append({"mode": mode, "half": half, "category": category, "n": len(group),
                     "accuracy": round(counts["right"] / len(group), 4), **counts,
                     "mean_seconds": round(sum(r.seconds for r in group) / len(group), 2)})
    return rows


def run_search_errors(*, limit: int = 12, modes: Sequence[str] = ("search4",),
                      halves: Sequence[str] = ("dev", "test"),
                      categories: Sequence[str] = CATEGORIES, model: Any = None,
                      out_dir: str | Path = "bench/results", stream: TextIO | None = None,
                      fresh: bool = False) -> list[dict[str, Any]]:
    """Read the first ``limit`` entries of each half of each category in each mode;
    write the rows. Entries already in the log are not answered again (``fresh``:
    start the log over)."""
    from ..errors import BenchmarkError
    from ..model import load_model
    from .bfcl import load_category
    from .modes import resolve_model
    from .report import EntryLog, environment, write_results
    unknown = [mode for mode in modes if mode not in SEARCH_MODES]
    if unknown:
        raise BenchmarkError(f"unknown search mode(s): {', '.join(unknown)}",
                             hint="choose from: " + ", ".join(SEARCH_MODES))
    stream = stream or sys.stderr
    path = resolve_model(model)
    loaded = load_model(path)
    readings: list[Reading] = []
    log = EntryLog(out_dir, "search_entries.jsonl", Reading,
                   lambda r: (r.id, r.half, r.mode), fresh=fresh)
    with log:
        for mode in modes:
            options = dict(SEARCH_MODES[mode])
            for half in halves:
                for category in categories:
                    for entry in load_category(category, limit, half=half):
                        reading = log.get(entry.id, half, mode)
                        if reading is None:
                            reading = log.add(read_entry(entry, loaded, half, mode, options))
                            print(f"search {mode} {half} {entry.id}: {reading.kind} "
                                  f"({reading.seconds:.1f}s)", file=stream, flush=True)
                        readings.append(reading)
    rows = summarise(readings)
    write_results("search", rows, key=("mode", "half", "category"), env=environment(path),
                  directory=Path(out_dir), render=_markdown)
    return rows


def _markdown(document: Mapping[str, Any]) -> str:
    lines = ["# Search errors", "",
             "Each entry is answered by the planner, then its intended plan (BFCL's ground "
             "truth, each argument its first allowed value) is weighed exactly under the "
             "same weight (see `neurosym.bench.search_errors`). *found*: the search finished "
             "the intended plan but chose another; *search error*: the intended plan outweighs "
             "every calling plan the search finished, so a better search would have found a "
             "heavier plan; *model error*: a wrong plan the search finished outweighs it; "
             "*refused*: the checks refuse the intended plan; *unwritable*: no plan over "
             "the shown tools says the ground truth. Dev halves are tuned on, test halves "
             "reported. A run replaces only the rows of the modes and halves it ran: "
             "each row's date says which code measured it.", "",
             "| mode | half | category | n | accuracy % | right | found | search error | model error | "
             "refused | unwritable | mean s | date |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in document["rows"]:
        lines.append(f"| {r['mode']} | {r['half']} | {r['category']} | {r['n']} | "
                     f"{100 * r['accuracy']:.1f} | {r['right']} | {r['found']} | "
                     f"{r['search_error']} | {r['model_error']} | {r['refused']} | {r['unwritable']} | "
                     f"{r['mean_seconds']:.2f} | {r.get('date', '')} |")
    env = document.get("environment", {})
    if env:
        lines += ["", f"Model: {env.get('model')} · CPU: {env.get('cpu')}"]
    return "\n".join(lines) + "\n"


def run_all(out_dir: str | Path = "bench/results", *, model: Any = None,
            questions: int | None = None) -> list[dict[str, Any]]:
    """The suite as ``neurosym bench all`` runs it."""
    return run_search_errors(limit=questions or 12, model=model, out_dir=out_dir)
