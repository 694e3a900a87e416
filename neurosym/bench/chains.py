"""The chaining suite: requests whose plans feed one call's result into the next call.

Forty requests over five domains (travel, files, messaging, finance, calendars), in
English with some in German, French and Spanish. Each domain has its tools, plain
Python functions with declared results (dataclasses as return annotations) and
parameter docs written like an API reference; each request has its intended plan in
the plan language, 2 to 4 calls joined by references (``r2 = book_flight(flight_id=
r1[0].id, ...)``). Some links are declared with ``ProducedBy``, the others only by a
parameter description naming the producer, so both ways the data flow is read are
measured (``ChainEntry.links`` says which each reference is).

Entries at even positions are the dev half (to tune the harness on), those at odd
positions the test half (to report). Plans are scored over the parsed plan, never its
text (:func:`score`):

- *full sequence*: the plan's calls are the intended calls (any order that the
  references allow), every argument equal and every reference to the same producer
  call and field;
- *reference accuracy*: of the intended references, the share the plan writes in the
  right consumer parameter, to the right producer call, with the right field path;
- *producers present*: the share of plans that make every intended producer call;
- F1 of function names and F1 of arguments (micro-averaged over the half).

The peer is llama-cpp-python's ``chatml-function-calling`` handler with the same GGUF
model, which writes no references: it answers turn by turn, each first tool call run
with the suite's own tool functions and its result shown to it before the next turn
(at most ``PEER_TURNS`` turns). A peer argument equal to a value an earlier call
actually returned counts as a reference to that field.

Writes ``bench/results/chains.json`` and ``chains.md``; each run replaces the rows of
the modes and halves it ran and keeps the others. The suite's parts: the domains' tools
(:mod:`~neurosym.bench.chain_tools`), the requests (:mod:`~neurosym.bench.chain_entries`),
the scorer (:mod:`~neurosym.bench.chain_score`), the peer
(:mod:`~neurosym.bench.chain_peer`); this module runs them and writes the results.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

from ..errors import BenchmarkError
from .chain_entries import ENTRIES, ChainEntry, entries, validate_entries
from .chain_peer import PEER_TURNS, peer_chain
from .chain_score import Answered, CallNode, EntryScore, nodes_of_plan, score, summarise
from .chain_tools import DOMAINS, domain_tools

__all__ = ["ChainEntry", "ENTRIES", "DOMAINS", "CHAIN_MODES", "PEER_TURNS", "entries",
           "domain_tools", "CallNode", "nodes_of_plan", "EntryScore", "score",
           "summarise", "planner_chain", "peer_chain", "run_chains", "run_all",
           "validate_entries"]

#: The modes the suite answers in: neurosym's planner with its search of width 4
#: (``neurosym.bench.modes.PLANNER_MODES["search4"]``) and the peer.
CHAIN_MODES: tuple[str, ...] = ("search4", "peer")

def planner_chain(entry: ChainEntry, model: Any) -> Answered:
    """neurosym's planner in the ``search4`` mode on one entry (its domain's tools)."""
    from ..planner import Planner
    from .modes import PLANNER_MODES
    start = time.perf_counter()
    planner = Planner(tools=entry.tools, model=model, **PLANNER_MODES["search4"])
    result = planner.plan(entry.request)
    seconds = time.perf_counter() - start
    extra = {"verdict": str(result.verdict),
             "stop": str(result.search.stop) if result.search is not None else ""}
    if result.plan is None:
        why = result.explanation or "the planner returned no plan"
        partial = f" (partial: {result.text.strip()!r})" if result.text.strip() else ""
        return Answered([], "", seconds, f"no plan: {why}{partial}"[:400], extra=extra)
    return Answered(nodes_of_plan(result.plan, entry.tools), result.plan.text, seconds,
                    extra=extra)


def _row(entry: ChainEntry, mode: str, answered: Answered) -> dict[str, Any]:
    result = score(nodes_of_plan(entry.intended, entry.tools), answered.nodes)
    return {"id": entry.id, "domain": entry.domain, "language": entry.language,
            "half": entry.half, "mode": mode, "request": entry.request,
            "intended": entry.plan, "answer": answered.text, "note": answered.note,
            "seconds": round(answered.seconds, 2), "calls": len(answered.nodes),
            "links": [kind for _, _, kind in entry.links()],
            **asdict(result), **answered.extra}


def _summary_of(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    scores = [EntryScore(r["full"], r["refs_right"], r["refs_total"], r["producers_present"],
                         tuple(r["ref_hits"]), tuple(r["names"]), tuple(r["arguments"]))
              for r in rows]
    summary = summarise(scores)
    summary["mean_seconds"] = (round(sum(r["seconds"] for r in rows) / len(rows), 2)
                               if rows else 0.0)
    summary["mean_calls"] = (round(sum(r["calls"] for r in rows) / len(rows), 2)
                             if rows else 0.0)
    stops = Counter(r["stop"] for r in rows if r.get("stop"))
    if stops:
        summary["search_stops"] = dict(stops)
    return summary


def run_chains(*, half: str = "test", limit: int | None = None,
               modes: Sequence[str] = CHAIN_MODES, model: str | Path | None = None,
               out_dir: str | Path = "bench/results", out: TextIO | None = None
               ) -> dict[str, Any]:
    """Answer a half's entries (both halves as separate rows) in each mode, score them
    and write the results files; returns the document written."""
    from .modes import _llama, resolve_model
    from .report import environment
    out = out if out is not None else sys.stdout
    unknown = [m for m in modes if m not in CHAIN_MODES]
    if unknown:
        raise BenchmarkError(f"the chaining suite has no mode {unknown[0]!r}",
                             hint="choose from: " + ", ".join(CHAIN_MODES))
    halves = ("dev", "test") if half == "both" else (half,)
    path = resolve_model(model)
    rows: list[dict[str, Any]] = []
    loaded: dict[str, Any] = {}
    env = environment(path).__dict__
    document: dict[str, Any] = {}
    for which in halves:
        chosen = entries(which, limit)
        for mode in modes:
            for entry in chosen:
                if mode == "peer":
                    answered = peer_chain(entry, _llama(path, "peer", None))
                else:
                    if "planner" not in loaded:
                        from ..model import load_model
                        loaded["planner"] = load_model(path)
                    answered = planner_chain(entry, loaded["planner"])
                row = _row(entry, mode, answered)
                rows.append(row)
                out.write(f"chains {which:4} {mode:7} {entry.id:24} "
                          f"{'full' if row['full'] else '    '} refs "
                          f"{row['refs_right']}/{row['refs_total']}  "
                          f"{row['seconds']:.1f}s\n")
                out.flush()
                # Written after every entry, so an interrupted run keeps what it measured.
                document = _write(rows, path, Path(out_dir), limit, env)
    return document


def _write(rows: list[dict[str, Any]], model: Path, directory: Path, limit: int | None,
           env: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``rows`` into ``chains.json`` (replacing the same mode and half) and
    write ``chains.md`` from the merged document."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "chains.json"
    kept: list[dict[str, Any]] = []
    runs: dict[str, Any] = {}
    if target.is_file():
        try:
            previous = json.loads(target.read_text())
            ran = {(r["mode"], r["half"]) for r in rows}
            kept = [r for r in previous.get("rows", []) if (r["mode"], r["half"]) not in ran]
            runs = dict(previous.get("runs", {}))
        except (json.JSONDecodeError, KeyError, TypeError):
            kept, runs = [], {}
    for key in {(r["mode"], r["half"]) for r in rows}:
        runs[f"{key[0]}/{key[1]}"] = {"limit": limit, "entries": sum(
            1 for r in rows if (r["mode"], r["half"]) == key)}
    merged = kept + rows
    summary = {}
    for mode, which in sorted({(r["mode"], r["half"]) for r in merged}):
        summary[f"{mode}/{which}"] = _summary_of(
            [r for r in merged if (r["mode"], r["half"]) == (mode, which)])
    document = {"suite": "chains", "environment": dict(env), "model": model.name,
                "runs": runs, "summary": summary, "rows": merged}
    target.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    (directory / "chains.md").write_text(_markdown(document))
    return document


def _percent(x: float) -> str:
    return f"{100 * x:.0f}%"


def _markdown(document: Mapping[str, Any]) -> str:
    lines = ["# Chaining suite", "",
             "neurosym's own requests whose plans feed one call's result into the next "
             f"({len(ENTRIES)} requests over {', '.join(DOMAINS)}; some in German, French "
             "and Spanish), dev half at even positions, test half at odd. `search4` is "
             "neurosym's planner (search of width 4); `peer` is llama-cpp-python's "
             "chatml-function-calling with the same model, answering turn by turn with "
             "each call run and its result shown (a peer argument equal to a returned "
             "field counts as the reference). Scored over parsed plans "
             "(`neurosym.bench.chains.score`).", "",
             f"Model: {document.get('model', '?')}.", "",
             "| mode | half | n | full sequence | reference accuracy | producers present "
             "| name F1 | argument F1 | calls/plan | s/request |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for key, s in document["summary"].items():
        mode, which = key.split("/")
        limit = document.get("runs", {}).get(key, {}).get("limit")
        shown = f"{s['n']}" + (f" (--limit {limit})" if limit else "")
        lines.append(f"| {mode} | {which} | {shown} | {_percent(s['full_sequence'])} | "
                     f"{_percent(s['reference_accuracy'])} of {s['references']} | "
                     f"{_percent(s['producers_present'])} | {s['name_f1']:.2f} | "
                     f"{s['argument_f1']:.2f} | {s['mean_calls']:.1f} | "
                     f"{s['mean_seconds']:.1f} |")
    stops = {key: s["search_stops"] for key, s in document["summary"].items()
             if s.get("search_stops")}
    if stops:
        lines += ["", "Why each search ended (its stop reason; `time` is the planner's "
                      "default `max_seconds` of wall-clock time, so a loaded machine "
                      "ends more searches early): " + "; ".join(
                          f"{key}: " + ", ".join(f"{n} {why}" for why, n in sorted(s.items()))
                          for key, s in stops.items()) + "."]
    lines += ["", "## Reference accuracy by how the link is known", "",
              "| mode | half | declared (ProducedBy) | described (parameter doc) |",
              "|---|---|---|---|"]
    rows = document["rows"]
    for key in document["summary"]:
        mode, which = key.split("/")
        own = [r for r in rows if (r["mode"], r["half"]) == (mode, which)]
        cells = []
        for kind in ("declared", "described"):
            marks = [hit for r in own for hit, link in zip(r["ref_hits"], r["links"])
                     if link == kind]
            cells.append(f"{sum(marks)}/{len(marks)}"
                         + (f" ({_percent(sum(marks) / len(marks))})" if marks else ""))
        lines.append(f"| {mode} | {which} | {cells[0]} | {cells[1]} |")
    lines += ["", "## Entries", "", "| id | mode | half | full | refs | answer |",
              "|---|---|---|---|---|---|"]
    for r in rows:
        # The peer's lines are "call -> result": the table shows the calls.
        shown = "; ".join(line.split(" -> ")[0] for line in r["answer"].splitlines())
        answer = (shown or r["note"] or "—").replace("|", "\\|")
        lines.append(f"| {r['id']} | {r['mode']} | {r['half']} | "
                     f"{'yes' if r['full'] else 'no'} | {r['refs_right']}/{r['refs_total']} | "
                     f"`{answer[:220]}` |")
    return "\n".join(lines) + "\n"


def run_all(out_dir: str | Path = "bench/results", *, model: Any = None,
            questions: int | None = None) -> dict[str, Any]:
    """``neurosym bench all``'s run: the test half in both modes (``questions`` entries
    at most)."""
    return run_chains(half="test", limit=questions, model=model, out_dir=out_dir)
