"""An adapter against its base model: the same entries answered with and without it.

``neurosym bench tune --adapter FILE`` answers, in one run, the first entries of a half
of each BFCL non-live category with the planner at width 4, once on the base model and
once with the adapter; and a handful of everyday requests in four languages whose plans
are unambiguous (a tool set none of the training data uses: the adapter never saw
these tools, these words or these values). The training run's own figures (examples,
steps, time, losses) come from the ``report.json`` beside the adapter, and its loss
curves are drawn to ``tune_loss.png``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import BenchmarkError
from ..tools.tool import Param, Tool

__all__ = ["EVERYDAY_TOOLS", "EVERYDAY", "PLAIN", "run_adapter_bench", "everyday_right"]

EVERYDAY_TOOLS: tuple[Tool, ...] = (
    Tool("set_lights", "Set the lights in a room.", (
        Param("room", "string", enum=("kitchen", "living room", "bedroom", "hall")),
        Param("level", "integer", minimum=0, maximum=100))),
    Tool("translate", "Translate a text.", (
        Param("text", "string"), Param("target", "string", enum=("de", "fr", "es", "it")))),
    Tool("add_reminder", "Add a reminder.", (Param("text", "string"), Param("when", "string"))),
    Tool("book_table", "Book a table at a restaurant.", (
        Param("restaurant", "string"), Param("people", "integer", minimum=1, maximum=12),
        Param("time", "string"))),
)

#: Requests whose plan has one right form: (request, the intended plan's text).
EVERYDAY: tuple[tuple[str, str], ...] = (
    ("Turn the living room lights to 40 percent.",
     'r1 = set_lights(room="living room", level=40)'),
    ("Translate 'good morning' into Italian.",
     'r1 = translate(text="good morning", target="it")'),
    ("Book a table for 4 at Luigi's at 8pm.",
     "r1 = book_table(restaurant=\"Luigi's\", people=4, time=\"8pm\")"),
    ("Mach das Licht im Schlafzimmer auf 20 Prozent.",
     'r1 = set_lights(room="bedroom", level=20)'),
    ("Übersetze 'danke schön' ins Französische.",
     'r1 = translate(text="danke schön", target="fr")'),
    ("Réserve une table pour 2 chez Chez Marcel à 20h.",
     'r1 = book_table(restaurant="Chez Marcel", people=2, time="20h")'),
    ("Mets la lumière de la cuisine à 70 pour cent.",
     'r1 = set_lights(room="kitchen", level=70)'),
    ("Traduce 'buenas noches' al alemán.",
     'r1 = translate(text="buenas noches", target="de")'),
    ("Reserva una mesa para 6 en Casa Lola a las 21:00.",
     'r1 = book_table(restaurant="Casa Lola", people=6, time="21:00")'),
    ("Set the hall lights to 15% and the kitchen lights to 60%.",
     'r1 = set_lights(room="hall", level=15)\nr2 = set_lights(room="kitchen", level=60)'),
    ("What is the capital of Peru?", "none()"),
    ("Wie hoch ist der Mount Everest?", "none()"),
)

_CATEGORIES = ("simple_python", "multiple", "parallel", "parallel_multiple", "irrelevance")


def everyday_right(text: str | None, intended: str) -> bool:
    """Whether a plan's text is the intended plan: the same calls in the same order,
    each with the same arguments in any order."""
    if text is None:
        return False
    from ..plan import parse_plan

    def calls(source: str) -> tuple[object, ...]:
        plan = parse_plan(source)
        return (tuple((s.call.tool, sorted(s.call.args)) for s in plan.steps),
                plan.terminal)
    return calls(text) == calls(intended)


def _everyday(model: Any, **options: Any) -> dict[str, Any]:
    from ..planner import Planner
    right, seconds, answers = 0, 0.0, []
    for request, intended in EVERYDAY:
        planner = Planner(list(EVERYDAY_TOOLS), model=model, **options)
        started = time.perf_counter()
        result = planner.plan(request)
        seconds += time.perf_counter() - started
        text = result.plan.text if result.plan is not None else None
        ok = everyday_right(text, intended)
        right += ok
        answers.append({"request": request, "plan": text, "right": ok})
    return {"n": len(EVERYDAY), "right": right, "accuracy": round(100 * right / len(EVERYDAY), 1),
            "mean_s": round(seconds / len(EVERYDAY), 2), "answers": answers}


#: The search's weights without the contrast: plans weighed by their likelihood alone.
PLAIN: dict[str, float] = {"contrast_weight": 0.0, "guide_weight": 0.0, "end_weight": 0.0}


def run_adapter_bench(adapter: str | Path, *, model: str | Path | None = None,
                      half: str = "dev", limit: int = 16,
                      categories: Sequence[str] = _CATEGORIES, width: int = 4,
                      abstain_biases: Sequence[float] = (),
                      plain_biases: Sequence[float] = (),
                      other_models: Sequence[str | Path] = (),
                      out_dir: str | Path | None = None) -> dict[str, Any]:
    """Answer the same entries with and without ``adapter``; write ``tune.json`` and
    ``tune.md`` under ``out_dir`` (default ``bench/results``). Each of
    ``abstain_biases`` adds a run with the adapter and that abstain bias (the default
    bias was fitted on the base model's odds of ``none()``); each of ``plain_biases`` a
    run with the adapter weighing plans by their plain likelihood (no contrast with the
    empty request, whose weights were fitted on the base model) at that abstain bias; each
    of ``other_models`` (a path or a known model's name, such as ``gemma3-270m``) a run
    on that model without an adapter."""
    from ..model import load_model
    from .bfcl import run_category
    from .modes import planner_answerer, resolve_model
    from .report import environment, results_dir, write_results
    adapter = Path(adapter)
    path = resolve_model(model)
    if not adapter.is_file():
        raise BenchmarkError(f"adapter file not found: {adapter}",
                             hint="train one with neurosym tune, or give its path")
    out = Path(out_dir) if out_dir is not None else results_dir()
    out.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    everyday: dict[str, Any] = {}
    variants: list[tuple[str, Path, Path | None, dict[str, Any]]] = [
        ("base", path, None, {}), ("adapter", path, adapter, {}),
        *((f"adapter, abstain bias {b:g}", path, adapter, {"abstain_bias": b})
          for b in abstain_biases),
        *((f"adapter, no contrast, abstain bias {b:g}", path, adapter,
           {**PLAIN, "abstain_bias": b}) for b in plain_biases),
        *((f"{other.stem}, base", other, None, {})
          for other in (resolve_model(m) for m in other_models))]
    for label, model_path, chosen, extra in variants:
        for category in categories:
            answer = planner_answerer(model_path, solver=True, width=width, adapter=chosen,
                                      **extra)
            result = run_category(category, answer, limit=limit, mode=f"search{width}:{label}",
                                  half=half)  # type: ignore[arg-type]
            summary = result.summary()
            rows.append({"part": "bfcl", "category": category, "half": half, "with": label,
                         "n": summary["n"], "accuracy": round(100 * summary["accuracy"], 1),
                         "well_formed": summary["well_formed_rate"],
                         "leaks": summary["leak_rate"], "mean_s": summary["latency_mean_s"],
                         "errors": summary["errors"]})
        loaded = load_model(model_path, adapter=chosen)
        everyday[label] = _everyday(loaded, width=width, **extra)
        rows.append({"part": "everyday", "category": "everyday (4 languages)", "half": "-",
                     "with": label, "n": everyday[label]["n"],
                     "accuracy": everyday[label]["accuracy"], "mean_s": everyday[label]["mean_s"]})
    training = _training_figures(adapter, out)
    env = environment(path)
    write_results("tune", rows, key=("part", "category", "half", "with"), env=env,
                  directory=out, render=lambda doc: _markdown(doc, training, everyday))
    (out / "tune_everyday.json").write_text(json.dumps(everyday, indent=1, ensure_ascii=False)
                                            + "\n")
    return {"rows": rows, "training": training, "everyday": everyday}


def _training_figures(adapter: Path, out: Path) -> dict[str, Any]:
    report_file = adapter.parent / "report.json"
    if not report_file.is_file():
        return {}
    report = json.loads(report_file.read_text())
    figures = {"adapter": adapter.name, "adapter_bytes": adapter.stat().st_size,
               "examples": report.get("examples"), "pairs": report.get("pairs"),
               "on_policy_pairs": report.get("on_policy_pairs"),
               "settings": report.get("settings"), "mistakes": report.get("mistakes"),
               "phases": [{k: v for k, v in phase.items() if k != "losses"}
                          for phase in report.get("phases", [])]}
    _plot_losses(report.get("phases", []), out / "tune_loss.png")
    # File names only: the folders are the training machine's.
    kept = {**report, "model": Path(report.get("model", "")).name, "adapter": adapter.name}
    (out / "tune_training.json").write_text(json.dumps(kept, indent=1) + "\n")
    return figures


def _plot_losses(phases: Sequence[Mapping[str, Any]], path: Path) -> None:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    if not phases:
        return
    figure, axes = plt.subplots(1, len(phases), figsize=(5 * len(phases), 3.2), squeeze=False)
    for axis, phase in zip(axes[0], phases):
        losses = phase.get("losses", [])
        axis.plot(range(1, len(losses) + 1), losses, linewidth=0.8)
        window = max(1, len(losses) // 20)
        if len(losses) > window > 1:
            smooth = [sum(losses[i - window:i]) / window for i in range(window, len(losses) + 1)]
            axis.plot(range(window, len(losses) + 1), smooth, linewidth=2)
        axis.set_title(f"{phase.get('phase')}: {phase.get('steps')} steps, "
                       f"{phase.get('wall_seconds', 0) / 60:.0f} min")
        axis.set_xlabel("step")
        axis.set_ylabel("loss")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def _cost_text(phases: Sequence[Mapping[str, Any]]) -> str:
    """Seconds per example of each phase on this machine, and what two hours hold."""
    per = {p["phase"]: p["wall_seconds"] / p["examples"] for p in phases if p.get("examples")}
    parts = [f"{name}: {seconds:.2f} s per {'pair' if name == 'dpo' else 'example'}"
             for name, seconds in per.items()]
    text = "Cost here (wall clock, both cores): " + "; ".join(parts) + "."
    if "sft" in per and "dpo" in per:
        # Two hours split as this run split them between the phases.
        shares = {p["phase"]: p["wall_seconds"] for p in phases}
        total = sum(shares.values())
        sft = 7200 * shares["sft"] / total / per["sft"]
        dpo = 7200 * shares["dpo"] / total / per["dpo"]
        text += (f" Two hours in the same proportions hold about {sft:.0f} supervised examples "
                 f"and {dpo:.0f} preference pairs.")
    return text


def _markdown(document: Mapping[str, Any], training: Mapping[str, Any],
              everyday: Mapping[str, Any]) -> str:
    from .report import _environment_line
    rows = document["rows"]
    lines = ["# Adapter results", "", _environment_line(document["environment"]), "",
             "The same entries answered by the planner at width 4 on the base model and with "
             "the adapter, in one run. BFCL rows are the first entries of the named half "
             "(dev: tuned on; test: reported); the everyday requests use four tools the "
             "training data never shows, in English, German, French and Spanish, each with "
             "one right plan.", "",
             "| part | category | half | with | n | accuracy % | well-formed % | leaks % | "
             "mean s | errors | date |", "|---|---|---|---|---:|---:|---:|---:|---:|---|---|"]
    def pct(share: Any) -> str:
        return "" if share is None else f"{100 * share:.1f}"

    for row in rows:
        accuracy = row.get("accuracy")
        lines.append(
            f"| {row['part']} | {row['category']} | {row['half']} | {row['with']} | {row['n']} | "
            f"{'' if accuracy is None else f'{accuracy:.1f}'} | {pct(row.get('well_formed'))} | "
            f"{pct(row.get('leaks'))} | {row.get('mean_s', '')} | "
            f"{', '.join(f'{k} {v}' for k, v in (row.get('errors') or {}).items())} | "
            f"{row.get('date', '')} |")
    if training:
        lines += ["", "## The training run", "",
                  f"Adapter `{training['adapter']}` ({training['adapter_bytes'] / 1e6:.1f} MB): "
                  f"{training['examples']} generated examples, {training['pairs']} written "
                  f"preference pairs and {training['on_policy_pairs']} of the planner's own "
                  f"wrong plans; rank {training['settings']['rank']}. Loss curves: "
                  "`tune_loss.png`; every step's loss: `tune_training.json`.", "",
                  "| phase | steps | examples | wall min | CPU min | finished |",
                  "|---|---:|---:|---:|---:|---|"]
        for phase in training["phases"]:
            lines.append(f"| {phase['phase']} | {phase['steps']} | {phase['examples']} | "
                         f"{phase['wall_seconds'] / 60:.1f} | {phase['cpu_seconds'] / 60:.1f} | "
                         f"{phase['finished']} |")
        lines += ["", _cost_text(training["phases"])]
    if everyday:
        labels = list(everyday)
        lines += ["", "## Everyday requests", "", "| request | intended | "
                  + " | ".join(labels) + " |", "|---|---|" + "---|" * len(labels)]
        for i, (request, intended) in enumerate(EVERYDAY):
            cells = []
            for label in labels:
                answer = everyday.get(label, {}).get("answers", [])
                if i < len(answer):
                    mark = "right" if answer[i]["right"] else "wrong"
                    cells.append(f"{mark}: `{(answer[i]['plan'] or '-').replace(chr(10), '; ')}`")
                else:
                    cells.append("")
            lines.append(f"| {request} | `{intended.replace(chr(10), '; ')}` | "
                         + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"
