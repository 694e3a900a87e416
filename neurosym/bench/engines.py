"""Benchmarks of where plans are written: the cold start with the prompt cache, and
plans per minute on a local engine against llama.cpp servers.

``cold_start`` runs ``neurosym plan`` end to end three times in fresh processes, in one
run: with an empty prompt cache (it evaluates the whole prompt and writes the shared
part), again (it restores the shared part), and with ``--no-prompt-cache``; each wall time
is the whole command, Python's start and the model's load included. ``throughput`` plans
the same BFCL requests with one local engine, one ``llama_cpp.server`` and two server
processes of one thread each, and compares the remote plans with the local ones.

Run with ``python -m neurosym.bench.engines cold-start|throughput``; results go to
``bench/results/cold_start.json``/``.md`` and ``engines.json``/``.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["cold_start", "throughput", "main"]

#: The cold start the prompt cache aims at: the second ``neurosym plan`` in seconds.
COLD_START_TARGET_S = 1.5


def _demo_tools_file(folder: Path) -> Path:
    from ..demo import demo_tools
    path = folder / "demo_tools.json"
    path.write_text(json.dumps(demo_tools().to_openai(results=True), indent=1), encoding="utf-8")
    return path


def _run_plan(tools: Path, request: str, cache_dir: Path, *extra: str) -> dict[str, Any]:
    env = {**os.environ, "NEUROSYM_CACHE_DIR": str(cache_dir)}
    env.pop("NEUROSYM_PROMPT_CACHE", None)
    command = [sys.executable, "-m", "neurosym", "plan", request, "--tools", str(tools),
               "--json", *extra]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):
        from ..errors import BenchmarkError
        raise BenchmarkError(f"neurosym plan failed: {done.stderr[-400:]}")
    out = json.loads(done.stdout)
    return {"wall_s": round(wall, 3), "plan": out["plan"], "ok": out["ok"],
            "prompt_tokens": out["prompt_tokens"],
            "prompt_s": out["timings"].get("prompt_s"), "total_s": out["timings"].get("total_s"),
            "verdict_s": out["timings"].get("verdict_s")}


def cold_start(out_dir: str | os.PathLike[str] | None = None, *,
               request: str | None = None) -> dict[str, Any]:
    """First and second ``neurosym plan`` with the same tools, and one without the cache."""
    from ..demo import DEMO_REQUEST
    from ..model import find_model
    from .report import environment, results_dir
    request = request or DEMO_REQUEST
    folder = Path(tempfile.mkdtemp(prefix="neurosym-cold-"))
    try:
        tools = _demo_tools_file(folder)
        cache = folder / "cache"
        load_start = os.getloadavg()[0]
        first = _run_plan(tools, request, cache)
        second = _run_plan(tools, request, cache)
        without = _run_plan(tools, request, folder / "unused", "--no-prompt-cache")
        entries = sorted(cache.glob("*.kv"))
        entry_bytes = sum(p.stat().st_size for p in entries)
        baseline_started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import neurosym.cli, llama_cpp"], check=True,
                       timeout=300)
        imports = time.perf_counter() - baseline_started
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    env = environment(find_model())
    results = {
        "model": env.model, "cpu": env.cpu, "cores": env.cores, "date": env.date,
        "neurosym_version": env.neurosym_version,
        "load_average": {"start": load_start, "end": os.getloadavg()[0]},
        "request": request, "tools": "the demo's search_flights and book_flight",
        "first": first, "second": second, "no_cache": without,
        "same_plan": first["plan"] == second["plan"],
        "cache_entries": len(entries), "cache_bytes": entry_bytes,
        "python_and_imports_s": round(imports, 3),
        "target_second_s": COLD_START_TARGET_S,
        "target_met": second["wall_s"] <= COLD_START_TARGET_S,
    }
    target = Path(out_dir) if out_dir is not None else results_dir()
    target.mkdir(parents=True, exist_ok=True)
    (target / "cold_start.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (target / "cold_start.md").write_text(_cold_start_markdown(results), encoding="utf-8")
    return results


def _cold_start_markdown(r: dict[str, Any]) -> str:
    rows = [("first (empty cache: evaluates, writes)", r["first"]),
            ("second (restores the shared prompt)", r["second"]),
            ("without the cache (--no-prompt-cache)", r["no_cache"])]
    lines = [
        "# Cold start: `neurosym plan` end to end, with the prompt cache on disk",
        "",
        f"{r['date']}, {r['cpu']} ({r['cores']} cores, load average {r['load_average']['start']:.2f} "
        f"at the start, {r['load_average']['end']:.2f} at the end), model {r['model']}.",
        f"Request: {r['request']!r} with {r['tools']}; each run a fresh process, "
        f"Python's start and the model's load included.",
        "",
        "| run | wall s | plan s | verdict s | prompt tokens | prompt s (in the search) | plan |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, row in rows:
        lines.append(f"| {name} | {row['wall_s']:.2f} | {(row.get('total_s') or 0.0):.2f} | "
                     f"{(row.get('verdict_s') or 0.0):.2f} | {row['prompt_tokens']} | "
                     f"{(row['prompt_s'] or 0.0):.2f} | `{'; '.join(row['plan'].splitlines())}` |")
    lines += [
        "",
        "The first run evaluates the shared prompt before the search starts, so its "
        "prompt s counts only the request's tokens; its wall time counts all of it. "
        "Plan s is the planner's search in the process; verdict s the verdict, which plans "
        "a second time with the tools' bounds off to see whether they changed the plan; "
        "the rest of the wall time is Python's start, the imports, the model's load and "
        "the tokenizer's tables.",
        "",
        f"Same plan first and second: {r['same_plan']}. The cache holds {r['cache_entries']} "
        f"entry of {r['cache_bytes'] / 2**20:.1f} MiB. Starting Python and importing "
        f"neurosym and llama.cpp alone takes {r['python_and_imports_s']:.2f} s.",
        f"Target: the second run within {r['target_second_s']} s: "
        f"{'met' if r['target_met'] else 'not met'}.",
        "",
    ]
    return "\n".join(lines)


def throughput(out_dir: str | os.PathLike[str] | None = None, *, requests: int = 40,
               category: str = "simple_python") -> dict[str, Any]:
    """Plans per minute over ``requests`` BFCL entries of ``category``, side by side in
    one run: one local engine, one llama.cpp server, two server processes (one thread
    each); and how many of the plans BFCL's checker accepts, remote against local."""
    import queue
    from concurrent.futures import ThreadPoolExecutor

    from ..engine import LlamaServerEngine, LocalEngine, start_llama_server
    from ..engine.batch import plan_one
    from ..model import find_model
    from ..planner import Planner
    from ..tools import ToolSet
    from ._convert import checker_calls, plan_calls
    from .bfcl import load_category, score_entry
    from .report import environment, results_dir
    entries = load_category(category, requests)
    model = find_model()
    load_start = os.getloadavg()[0]
    rows: dict[str, dict[str, Any]] = {}
    plans: dict[str, list[str | None]] = {}

    def run(name: str, engines: Sequence[Any]) -> None:
        free: queue.Queue[Any] = queue.Queue()
        for engine in engines:
            free.put(engine)

        def one(entry: Any) -> tuple[str | None, bool]:
            tools = ToolSet.from_bfcl(entry.shown_functions())
            planner = Planner(tools, prompt_cache=False)
            planner._judge = False      # the verdict's comparison plan is not measured
            engine = free.get()
            try:
                result = plan_one(planner, engine, list(entry.messages))
            finally:
                free.put(engine)
            if result.plan is None:
                return None, False
            calls = checker_calls(plan_calls(result.plan, tools), entry.functions, entry.language)
            return result.plan.text, score_entry(entry, calls, well_formed=True).correct

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=len(engines)) as workers:
            outcomes = list(workers.map(one, entries))
        seconds = time.perf_counter() - started
        rows[name] = {"engines": len(engines), "seconds": round(seconds, 1),
                      "plans_per_minute": round(60 * len(entries) / seconds, 2),
                      "planned": sum(text is not None for text, _ in outcomes),
                      "correct": sum(ok for _, ok in outcomes)}
        plans[name] = [text for text, _ in outcomes]

    run("local engine", [LocalEngine()])
    with start_llama_server(model, threads=1) as one:
        run("one server", [LlamaServerEngine(one.url, timeout=120)])
        with start_llama_server(model, threads=1) as two:
            run("two servers", [LlamaServerEngine(one.url, timeout=120),
                                LlamaServerEngine(two.url, timeout=120)])
    for name in ("one server", "two servers"):
        rows[name]["same_plan_as_local"] = sum(
            a is not None and a == b for a, b in zip(plans[name], plans["local engine"]))
    env = environment(model)
    results = {"model": env.model, "cpu": env.cpu, "cores": env.cores, "date": env.date,
               "load_average": {"start": load_start, "end": os.getloadavg()[0]},
               "category": category, "requests": len(entries), "rows": rows}
    target = Path(out_dir) if out_dir is not None else results_dir()
    target.mkdir(parents=True, exist_ok=True)
    (target / "engines.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (target / "engines.md").write_text(_throughput_markdown(results), encoding="utf-8")
    return results


def _throughput_markdown(r: dict[str, Any]) -> str:
    lines = [
        "# Engines: plans per minute, local against llama.cpp servers",
        "",
        f"{r['date']}, {r['cpu']} ({r['cores']} cores, load average {r['load_average']['start']:.2f} "
        f"at the start, {r['load_average']['end']:.2f} at the end), model {r['model']}; "
        f"{r['requests']} BFCL {r['category']} entries, the same in every row, one run.",
        "The local engine is the planner's search (width 4); a server writes each plan a "
        "piece at a time, greedily, each piece checked as it returns. Each server process "
        "has one thread.",
        "",
        "| engines | seconds | plans/min | planned | BFCL correct | same plan as local |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, row in r["rows"].items():
        lines.append(f"| {name} | {row['seconds']:.1f} | {row['plans_per_minute']:.2f} | "
                     f"{row['planned']} | {row['correct']} | {row.get('same_plan_as_local', '-')} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m neurosym.bench.engines",
                                     description="Benchmarks of the engines and the prompt cache.")
    parser.add_argument("which", choices=("cold-start", "throughput"))
    parser.add_argument("--out", default=None, help="folder for the results (default bench/results)")
    parser.add_argument("--requests", type=int, default=40, help="BFCL entries (throughput)")
    args = parser.parse_args(argv)
    if args.which == "cold-start":
        print(json.dumps(cold_start(args.out), indent=2))
    else:
        print(json.dumps(throughput(args.out, requests=args.requests), indent=2))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
