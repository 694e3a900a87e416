"""Performance of the decoder, measured side by side in one run with one model and one prompt set.

What is measured (``run_all`` writes ``bench/results/decoder.json`` and ``decoder.md``):

- tokens per second of the token loop without a mask, of llama-cpp-python's own
  ``create_completion``, of this decoder held to the plan grammar, and of
  llama-cpp-python's GBNF grammar sampling (a grammar from the JSON schema of the same
  tools' calls); and the ratios to unconstrained decoding;
- grammar-mask time per token (median, p99);
- plan latency on BFCL simple_python questions once warm (median, p90);
- the process's peak resident memory;
- prompt tokens of the compact tool signatures against the OpenAI JSON schemas of the
  same tools, on BFCL's simple_python and multiple tool sets.

Every decode speed is tokens evaluated per second by the token loop alone (prompt
evaluation excluded), over the same prompts and the same number of tokens, alternating
the decoders question by question so that a busy machine slows them alike.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BenchmarkError, NeurosymError

if TYPE_CHECKING:
    from ..model import Model
    from ..tools import ToolSet

__all__ = ["run_all", "bfcl_functions", "bfcl_questions", "prompt_token_comparison",
           "decoder_speed", "plan_latency", "TARGETS"]

#: What the decoder aims at: speed ratio to unconstrained, mask time, peak memory.
TARGETS = {"ratio": 0.95, "mask_median_ms": 0.5, "peak_memory_mb": 500.0}


@dataclass(frozen=True)
class _Question:
    id: str
    messages: list[dict[str, Any]]
    functions: list[dict[str, Any]]


def _data_dir() -> Path:
    import importlib.util
    spec = importlib.util.find_spec("bfcl_eval")
    if spec is None or not spec.submodule_search_locations:
        raise BenchmarkError("BFCL's data is not installed (the bfcl-eval package)",
                             hint='pip install --no-deps "bfcl-eval==2026.3.23"')
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def bfcl_questions(category: str, limit: int | None = None) -> list[_Question]:
    """BFCL questions of ``category`` (its first ``limit``), with their function docs."""
    path = _data_dir() / f"BFCL_v4_{category}.json"
    if not path.is_file():
        raise BenchmarkError(f"no BFCL data for {category!r} at {path}",
                             hint="check the category name (e.g. simple_python, multiple)")
    out: list[_Question] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if limit is not None and len(out) >= limit:
                break
            entry = json.loads(line)
            out.append(_Question(entry["id"], list(entry["question"][0]), list(entry["function"])))
    return out


def bfcl_functions(category: str, limit: int | None = None) -> list[dict[str, Any]]:
    """The distinct function docs of a category's first ``limit`` questions."""
    seen: dict[str, dict[str, Any]] = {}
    for question in bfcl_questions(category, limit):
        for function in question.functions:
            seen.setdefault(function["name"], function)
    return list(seen.values())


def prompt_token_comparison(model: Model, categories: Sequence[str] = ("simple_python", "multiple"),
                            limit: int | None = None) -> dict[str, dict[str, float]]:
    """Prompt tokens of each question's tools: compact signatures against OpenAI JSON."""
    from ..model.prompt import PromptOptions, render_tools
    from ..tools import ToolSet
    out: dict[str, dict[str, float]] = {}
    for category in categories:
        compact = schema = 0
        questions = bfcl_questions(category, limit)
        for question in questions:
            tools = ToolSet.from_bfcl(question.functions)
            compact += len(model.tokenize(render_tools(tools, PromptOptions())))
            schema += len(model.tokenize(json.dumps(tools.to_openai())))
        out[category] = {"questions": len(questions), "signature_tokens": compact,
                         "json_schema_tokens": schema,
                         "ratio": round(compact / schema, 3) if schema else 0.0,
                         "signature_tokens_per_question": round(compact / max(len(questions), 1), 1),
                         "json_schema_tokens_per_question": round(schema / max(len(questions), 1), 1)}
    return out


def _call_schema(tools: ToolSet) -> dict[str, Any]:
    """A JSON schema of one call of any of ``tools``: ``{"name": ..., "arguments": {...}}``."""
    calls = [{"type": "object",
              "properties": {"name": {"const": spec["function"]["name"]},
                             "arguments": spec["function"].get("parameters", {"type": "object"})},
              "required": ["name", "arguments"]}
             for spec in tools.to_openai()]
    return calls[0] if len(calls) == 1 else {"anyOf": calls}


def _streamed_rate(llama: Any, prompt: str, max_tokens: int, grammar: Any = None) -> tuple[int, float]:
    """Tokens evaluated and seconds of llama-cpp-python's own loop, from its first token to its last.

    Without a grammar the end-of-sequence token is barred, so it writes ``max_tokens``.
    """
    first = last = 0.0
    count = 0
    bias = None if grammar is not None else {int(llama.token_eos()): -1e9}
    for _ in llama.create_completion(prompt, max_tokens=max_tokens, temperature=0.0,
                                     stream=True, grammar=grammar, logit_bias=bias):
        now = time.perf_counter()
        if count == 0:
            first = now
        last = now
        count += 1
    return max(count - 1, 0), last - first


def decoder_speed(model: Model, questions: Iterable[_Question], *, max_tokens: int = 96) -> dict[str, Any]:
    """Tokens per second of each decoder over the same prompts (see the module's doc)."""
    import llama_cpp

    from ..decode import Budgets, Decoder
    from ..grammar import build_grammar
    from ..model import build_messages
    from ..tools import ToolSet

    from ..decode import StructureHooks
    names = ("free_loop", "create_completion", "neurosym", "neurosym_step_by_step",
             "neurosym_planner", "gbnf")
    totals = {name: [0, 0.0] for name in names}
    mask_times: list[float] = []
    plan_tokens = forced = 0
    free = Decoder(model, None)
    for question in questions:
        tools = ToolSet.from_bfcl(question.functions)
        prompt = model.render_chat(build_messages(list(tools), question.messages))
        grammar = build_grammar(tools, max_steps=4)
        constrained = Decoder(model, grammar, budgets=Budgets(max_tokens=max_tokens))
        stepwise = Decoder(model, grammar, budgets=Budgets(max_tokens=max_tokens),
                           fast_forward=False)
        try:
            result = constrained.decode(prompt, record=False)
        except NeurosymError:
            continue
        n = len(result.tokens)
        if n < 4:
            continue
        totals["neurosym"][0] += result.evaluated_tokens
        totals["neurosym"][1] += result.timings["decode_s"]
        mask_times.extend(result.mask_times)
        plan_tokens += n
        forced += result.forced_tokens
        # n + 1 tokens: the free loop evaluates as many as the plan took (the plan's last
        # token is evaluated too, to learn that the plan ends there)
        unconstrained = free.decode(prompt, budgets=Budgets(max_tokens=n + 1), record=False,
                                    ignore_eos=True)
        totals["free_loop"][0] += unconstrained.evaluated_tokens
        totals["free_loop"][1] += unconstrained.timings["decode_s"]
        for name, decoder, hooks in (("neurosym_step_by_step", stepwise, None),
                                     ("neurosym_planner", constrained, StructureHooks(tools))):
            try:
                other = decoder.decode(prompt, hooks=hooks, record=False)
            except NeurosymError:
                continue
            totals[name][0] += other.evaluated_tokens
            totals[name][1] += other.timings["decode_s"]
        with model.lock:
            try:
                count, seconds = _streamed_rate(model.llama, prompt, n + 1)
                totals["create_completion"][0] += count
                totals["create_completion"][1] += seconds
                try:
                    grammar = llama_cpp.LlamaGrammar.from_json_schema(
                        json.dumps(_call_schema(tools)), verbose=False)
                except Exception:  # noqa: BLE001 - a schema its converter cannot take
                    grammar = None
                if grammar is not None:
                    count, seconds = _streamed_rate(model.llama, prompt, n, grammar=grammar)
                    totals["gbnf"][0] += count
                    totals["gbnf"][1] += seconds
            finally:
                model.reset()  # llama-cpp-python's own loop moved the cache behind our back
    rates = {name: (tokens / seconds if seconds > 0 else 0.0) for name, (tokens, seconds) in totals.items()}
    mask_ms = sorted(1000 * t for t in mask_times)
    return {
        "tokens_per_s": {k: round(v, 1) for k, v in rates.items()},
        "tokens": {k: v[0] for k, v in totals.items()},
        "ratio_neurosym_to_free_loop": _ratio(rates["neurosym"], rates["free_loop"]),
        "ratio_step_by_step_to_free_loop": _ratio(rates["neurosym_step_by_step"], rates["free_loop"]),
        "ratio_planner_to_free_loop": _ratio(rates["neurosym_planner"], rates["free_loop"]),
        "ratio_neurosym_to_create_completion": _ratio(rates["neurosym"], rates["create_completion"]),
        "ratio_gbnf_to_create_completion": _ratio(rates["gbnf"], rates["create_completion"]),
        "forced_token_share": round(forced / plan_tokens, 3) if plan_tokens else 0.0,
        "mask_ms": {"median": round(statistics.median(mask_ms), 4) if mask_ms else None,
                    "p99": round(mask_ms[min(len(mask_ms) - 1, int(0.99 * len(mask_ms)))], 4)
                    if mask_ms else None,
                    "samples": len(mask_ms)},
    }


def _ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b > 0 else 0.0


def plan_latency(model: Model, questions: Sequence[_Question]) -> dict[str, Any]:
    """Seconds from request to plan with the Planner, once warm (the first is not counted)."""
    from ..planner import Planner
    latencies: list[float] = []
    ok = 0
    for index, question in enumerate(questions):
        started = time.perf_counter()
        result = Planner(question.functions, model=model).plan(question.messages)
        elapsed = time.perf_counter() - started
        if index == 0:
            continue  # warm-up: caches, the first grammar, the shared prompt prefix
        latencies.append(elapsed)
        ok += result.ok
    latencies.sort()
    return {"questions": len(latencies), "well_formed": ok,
            "median_s": round(statistics.median(latencies), 3) if latencies else None,
            "p90_s": round(latencies[min(len(latencies) - 1, int(0.9 * len(latencies)))], 3)
            if latencies else None}


def run_all(out_dir: str | os.PathLike[str] = "bench/results", *, questions: int = 20,
            model: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Measure everything above in one run; write decoder.json and decoder.md to ``out_dir``."""
    from ..model import load_model
    from ..model.system import peak_rss_bytes
    from .report import environment
    started = time.perf_counter()
    loaded = load_model(model)
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    speed_questions = bfcl_questions("multiple", questions)
    speed = decoder_speed(loaded, speed_questions)
    latency = plan_latency(loaded, bfcl_questions("simple_python", questions + 1))
    prompts = prompt_token_comparison(loaded)
    env = environment(loaded.path)
    results = {
        "model": env.model, "model_bytes": env.model_bytes, "cpu": env.cpu, "cores": env.cores,
        "threads": loaded.n_threads, "date": env.date, "neurosym_version": env.neurosym_version,
        "load_average": {"start": load_before,
                         "end": os.getloadavg()[0] if hasattr(os, "getloadavg") else None},
        "decoding": speed,
        "plan_latency_simple_python": latency,
        "peak_memory_mb": round(peak_rss_bytes() / 2**20, 1),
        "prompt_tokens": prompts,
        "targets": TARGETS,
        "seconds": round(time.perf_counter() - started, 1),
    }
    results["targets_met"] = {
        "ratio": speed["ratio_neurosym_to_free_loop"] >= TARGETS["ratio"],
        "mask_median_ms": (speed["mask_ms"]["median"] or 0.0) <= TARGETS["mask_median_ms"],
        "peak_memory_mb": results["peak_memory_mb"] <= TARGETS["peak_memory_mb"],
    }
    folder = Path(out_dir)
    if not folder.is_absolute():
        from .report import results_dir
        folder = results_dir().parent.parent / folder
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "decoder.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (folder / "decoder.md").write_text(_markdown(results), encoding="utf-8")
    return results


def _round(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.2f}"


def _markdown(r: dict[str, Any]) -> str:
    speed = r["decoding"]
    rates = speed["tokens_per_s"]
    latency = r["plan_latency_simple_python"]
    lines = [
        "# Decoder performance",
        "",
        f"Model {r['model']} ({(r['model_bytes'] or 0) / 1e6:.1f} MB), {r['threads']} llama.cpp "
        f"thread(s); CPU {r['cpu']}, {r['cores']} cores; {r['date']}; neurosym "
        f"{r['neurosym_version']}. Load average {_round(r['load_average']['start'])} at the "
        f"start, {_round(r['load_average']['end'])} at the end (the machine may be shared).",
        "",
        "Speed is tokens evaluated per second by the token loop alone (prompt excluded), over "
        f"the same BFCL `multiple` prompts and the same token counts ({speed['tokens']['neurosym']} "
        "plan tokens), the decoders alternating prompt by prompt. The plan grammar forces some "
        "tokens (names, `=`, quotes), which neurosym evaluates in one batch; the second "
        "neurosym row takes them one by one, as the unmasked loop does, and so shows the "
        "cost of the masks alone. The planner's hooks add a value grammar per value.",
        "",
        "| decoder | tokens/s | ratio |",
        "|---|---:|---:|",
        f"| token loop, no mask | {rates['free_loop']} | 1.000 |",
        f"| neurosym, plan grammar (llguidance) | {rates['neurosym']} | "
        f"{speed['ratio_neurosym_to_free_loop']:.3f} |",
        f"| neurosym, plan grammar, forced tokens one by one | {rates['neurosym_step_by_step']} | "
        f"{speed['ratio_step_by_step_to_free_loop']:.3f} |",
        f"| neurosym, plan grammar + the planner's structure hooks | {rates['neurosym_planner']} | "
        f"{speed['ratio_planner_to_free_loop']:.3f} |",
        f"| llama-cpp-python create_completion, no grammar | {rates['create_completion']} | "
        f"{_ratio(rates['create_completion'], rates['free_loop']):.3f} |",
        f"| llama-cpp-python GBNF grammar (JSON schema of the calls) | {rates['gbnf']} | "
        f"{_ratio(rates['gbnf'], rates['free_loop']):.3f} |",
        "",
        f"neurosym / create_completion: {speed['ratio_neurosym_to_create_completion']:.3f}; "
        f"GBNF / create_completion: {speed['ratio_gbnf_to_create_completion']:.3f}. "
        f"Share of plan tokens forced by the grammar (evaluated in batches): "
        f"{speed['forced_token_share']:.3f}.",
        "",
        "| measure | value | target |",
        "|---|---:|---:|",
        f"| speed ratio to the unmasked loop | {speed['ratio_neurosym_to_free_loop']:.3f} | "
        f">= {r['targets']['ratio']} |",
        f"| mask time per token, median (ms) | {speed['mask_ms']['median']} | "
        f"<= {r['targets']['mask_median_ms']} |",
        f"| mask time per token, p99 (ms) | {speed['mask_ms']['p99']} | |",
        f"| plan latency, simple_python, median (s) | {latency['median_s']} | |",
        f"| plan latency, simple_python, p90 (s) | {latency['p90_s']} | |",
        f"| plans well formed | {latency['well_formed']}/{latency['questions']} | |",
        f"| peak memory (MB, VmHWM) | {r['peak_memory_mb']} | <= {r['targets']['peak_memory_mb']} |",
        "",
        "Prompt tokens of the tools, compact signatures against OpenAI JSON schemas:",
        "",
        "| BFCL category | questions | signatures | JSON schemas | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    for category, row in r["prompt_tokens"].items():
        lines.append(f"| {category} | {row['questions']} | {row['signature_tokens']} | "
                     f"{row['json_schema_tokens']} | {row['ratio']:.3f} |")
    return "\n".join(lines) + "\n"

