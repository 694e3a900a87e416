"""The constraint suite, with the solver on and off, and the solver's cost on BFCL.

Runs the committed scenarios (``tests/scenarios/suite.py``) through the planner twice,
judging each plan with the scenario's own plain-Python check, and measures per-check
solver time and the share of plan time spent in the solver on BFCL simple questions.
Writes ``bench/results/constraints.json`` and ``constraints.md``.
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from ..errors import BenchmarkError

__all__ = ["run_all", "run_suite", "solver_cost", "load_scenarios"]

_SUITE = Path(__file__).resolve().parents[2] / "tests" / "scenarios" / "suite.py"


def load_scenarios(path: Path = _SUITE) -> tuple[Any, ...]:
    """The scenarios of the repository's suite (a source checkout is needed)."""
    if not path.is_file():
        raise BenchmarkError(f"the scenario suite is not at {path}",
                             hint="run the constraint benchmark from a source checkout")
    spec = importlib.util.spec_from_file_location("neurosym_bench_scenarios", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return tuple(module.SCENARIOS)


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run_suite(model: Any = None) -> list[dict[str, Any]]:
    """One row per scenario and mode (``solver`` / ``grammar``): outcome and timings."""
    from ..planner import Planner
    rows = []
    for scenario in load_scenarios():
        for solver in (True, False):
            planner = Planner(tools=list(scenario.tools), constraints=scenario.constraints,
                              model=model, solver=solver)
            started = time.perf_counter()
            result = planner.plan(scenario.request, observations=scenario.observations or None)
            elapsed = time.perf_counter() - started
            # The model's plan is judged whether or not the planner accepted it: with the
            # solver off, a plan the final check refuses is what the model alone wrote.
            violations = scenario.check(result.plan) if result.plan is not None else []
            rows.append({
                "scenario": scenario.name,
                "mode": "solver" if solver else "grammar",
                "satisfiable": scenario.satisfiable,
                "ok": result.ok,
                "written": result.plan is not None,
                "violations": violations,
                "explained": (not result.ok) and bool(result.explanation),
                "plan": result.plan.text if result.plan is not None else None,
                "adjustments": [str(a) for a in result.adjustments],
                "seconds": round(elapsed, 3),
                "solver_s": round(float(result.timings.get("solver_s", 0.0)), 4),
            })
    return rows


def solver_cost(model: Any = None, *, questions: int = 40) -> dict[str, Any]:
    """Per-check solver time and the solver's share of plan time on BFCL simple questions."""
    from ..planner import Planner
    from ..tools import ToolSet
    from .bfcl import load_category
    checks: list[float] = []
    solver_s = total_s = 0.0
    for entry in load_category("simple_python", limit=questions):
        planner = Planner(tools=ToolSet.from_bfcl(entry.shown_functions()), model=model,
                          solver=True)
        result = planner.plan([dict(message) for message in entry.messages])
        checks.extend(result.solver_checks_ms)
        solver_s += float(result.timings.get("solver_s", 0.0))
        total_s += float(result.timings.get("total_s", 0.0))
    return {
        "questions": questions,
        "checks": len(checks),
        "check_ms_median": round(statistics.median(checks), 3) if checks else None,
        "check_ms_p99": round(_percentile(checks, 0.99), 3) if checks else None,
        "solver_share": round(solver_s / total_s, 4) if total_s else None,
    }


def _summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for mode in ("solver", "grammar"):
        mine = [r for r in rows if r["mode"] == mode]
        sat = [r for r in mine if r["satisfiable"]]
        unsat = [r for r in mine if not r["satisfiable"]]
        out.append({
            "mode": mode,
            "satisfiable_planned": sum(r["ok"] for r in sat),
            "satisfiable_total": len(sat),
            "model_plans": sum(r["written"] for r in mine),
            "model_plans_violating": sum(bool(r["violations"]) for r in mine),
            "ok_plans_violating": sum(bool(r["violations"]) for r in mine if r["ok"]),
            "unsatisfiable_explained": sum(r["explained"] for r in unsat),
            "unsatisfiable_total": len(unsat),
        })
    return out


def _markdown(document: dict[str, Any]) -> str:
    env = document["environment"]
    lines = ["# Constraint suite", "",
             f"Model {env['model']} on {env['cpu']} ({env['cores']} cores), {env['date']}.", "",
             "`solver`: grammar, solver and search; `grammar`: the same model and grammar with "
             "the solver off. A plan is judged by the scenario's own plain-Python check; the "
             "planner's final check marks a violating plan not ok in both modes.", "",
             "| mode | satisfiable planned (ok) | plans written | written plans violating a "
             "constraint | ok plans violating | unsatisfiable explained |",
             "|---|---|---|---|---|---|"]
    for s in document["summary"]:
        lines.append(f"| {s['mode']} | {s['satisfiable_planned']}/{s['satisfiable_total']} | "
                     f"{s['model_plans']} | {s['model_plans_violating']} | "
                     f"{s['ok_plans_violating']} | "
                     f"{s['unsatisfiable_explained']}/{s['unsatisfiable_total']} |")
    cost = document.get("solver_cost") or {}
    if cost:
        lines += ["", "## Solver cost on BFCL simple_python", "",
                  f"{cost['questions']} questions, {cost['checks']} checks: median "
                  f"{cost['check_ms_median']} ms, p99 {cost['check_ms_p99']} ms per check; "
                  f"solver share of plan time {cost['solver_share']}.",
                  "", "Targets: median 1 ms or less, p99 20 ms or less, share 10% or less."]
    lines += ["", "## Scenarios", "", "| scenario | mode | ok | plan | violations | seconds |",
              "|---|---|---|---|---|---|"]
    for r in document["rows"]:
        plan = (r["plan"] or "").replace("\n", "; ").replace("|", "\\|")
        lines.append(f"| {r['scenario']} | {r['mode']} | {r['ok']} | `{plan}` | "
                     f"{'; '.join(r['violations']) or '-'} | {r['seconds']} |")
    return "\n".join(lines) + "\n"


def run_all(out_dir: str | Path = "bench/results", *, model: Any = None,
            questions: int = 40) -> dict[str, Any]:
    """Run the suite both ways and the solver cost, and write the results files."""
    import json

    from .report import environment
    from ..model import find_model
    rows = run_suite(model)
    document = {"suite": "constraints", "environment": environment(find_model(model)).__dict__,
                "summary": _summary(rows), "solver_cost": solver_cost(model, questions=questions),
                "rows": rows}
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "constraints.json").write_text(json.dumps(document, indent=2) + "\n")
    (directory / "constraints.md").write_text(_markdown(document))
    return document
