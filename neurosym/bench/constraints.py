"""The constraint suite: what each plan does against what the request asked for.

Runs the committed scenarios (``tests/scenarios/suite.py``, in English, German, French
and Spanish) through the planner three ways: ``solver`` (the default: a request's stated
value the constraints forbid makes the plan unsatisfiable), ``bend`` (``bend=True``: the
plan may change such a value and must list it) and ``grammar`` (the solver off). Each plan
is judged twice: by the scenario's own plain-Python check of the constraints, and against
the scenario's intended calls: a *faithful* plan makes exactly the calls asked for, a
*padded* plan adds calls of those tools, a *bent* plan changes or leaves out a value or
call the request asked for, and a bend is *silent* when the planner's verdict still says
``faithful`` although the plan differs from the model's own plan with the constraints
off. The verdicts are counted per mode. Also measures per-check solver time and the
share of plan time spent in the solver on BFCL simple questions. Writes
``bench/results/constraints.json`` and ``constraints.md``.
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from ..errors import BenchmarkError
from ..verdict import same_plain

__all__ = ["run_all", "run_suite", "solver_cost", "load_scenarios", "compare_intended",
           "summarize", "MODES"]

_SUITE = Path(__file__).resolve().parents[2] / "tests" / "scenarios" / "suite.py"

#: The planner settings each scenario is planned with.
MODES: dict[str, dict[str, Any]] = {"solver": {"solver": True},
                                    "bend": {"solver": True, "bend": True},
                                    "grammar": {"solver": False}}
_VERDICTS = ("faithful", "adjusted", "uncertain", "unsatisfiable", "abstained")


def load_scenarios(path: Path = _SUITE) -> tuple[Any, ...]:
    """The scenarios of the repository's suite, every language (a source checkout is
    needed)."""
    if not path.is_file():
        raise BenchmarkError(f"the scenario suite is not at {path}",
                             hint="run the constraint benchmark from a source checkout")
    spec = importlib.util.spec_from_file_location("neurosym_bench_scenarios", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return tuple(module.SCENARIOS) + tuple(getattr(module, "ACROSS_LANGUAGES", ()))


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _calls(plan: Any) -> list[tuple[str, dict[str, Any]]]:
    from ..plan import to_python
    out = []
    for step in plan.steps:
        args = {}
        for name, value in step.call.args:
            try:
                args[name] = to_python(value)
            except TypeError:
                args[name] = None   # a reference: known only when it runs
        out.append((step.call.tool, args))
    return out


def compare_intended(plan: Any, intended: tuple[str, ...]) -> dict[str, Any]:
    """How a plan's calls compare with the intended ones: ``faithful`` (the same calls,
    in any order), ``padded`` (more calls of an intended tool than intended), ``bent``
    (an intended call is not in the plan: a value changed or a call left out)."""
    from ..plan import parse_plan
    wanted = [call for text in intended for call in _calls(parse_plan(text))]
    made = _calls(plan)
    left = list(made)
    missing = []
    for tool, args in wanted:
        match = next((c for c in left if c[0] == tool and set(c[1]) >= set(args) and all(
            same_plain(c[1][k], v) for k, v in args.items())), None)
        if match is None:
            missing.append((tool, args))
        else:
            left.remove(match)
    asked = Counter(tool for tool, _ in wanted)
    written = Counter(tool for tool, _ in made)
    padded = any(written[tool] > count for tool, count in asked.items())
    return {"faithful": not missing and not padded and len(made) == len(wanted),
            "padded": padded, "bent": bool(missing),
            "missing": [f"{t}({', '.join(f'{k}={v!r}' for k, v in a.items())})"
                        for t, a in missing]}


def _bent_by_constraints(plan: Any, judgement: Any, solver: bool,
                         intended: tuple[str, ...]) -> bool:
    """Whether the constraints cost the plan a call the request asked for: the model's
    own plan with the constraints off makes more of the intended calls than the plan
    does (with the solver off the plan is that plan; with it on and nothing to compare
    with, True). Where the model's own plan misses as many, the bend is its misreading."""
    if not solver:
        return False
    free = getattr(judgement, "unconstrained", None)
    if free is None:
        return True
    return (len(compare_intended(free, intended)["missing"])
            < len(compare_intended(plan, intended)["missing"]))


def _expected(scenario: Any, mode: str) -> str | None:
    """The verdict an honest planner gives the scenario in a mode (None: not judged)."""
    if mode == "grammar":
        return None
    if not scenario.satisfiable:
        return "unsatisfiable"
    if scenario.conflicts:
        return "adjusted" if mode == "bend" else "unsatisfiable"
    return "faithful"


def run_suite(model: Any = None) -> list[dict[str, Any]]:
    """One row per scenario and mode: verdict, comparison with the intended calls,
    violations and timings."""
    from ..planner import Planner
    rows = []
    for scenario in load_scenarios():
        for mode, options in MODES.items():
            planner = Planner(tools=list(scenario.tools), constraints=scenario.constraints,
                              model=model, **options)
            started = time.perf_counter()
            result = planner.plan(scenario.request, observations=scenario.observations or None)
            elapsed = time.perf_counter() - started
            plan = result.plan
            # The model's plan is judged whether or not the planner accepted it: with the
            # solver off, a plan the final check refuses is what the model alone wrote.
            violations = scenario.check(plan) if plan is not None else []
            against = (compare_intended(plan, scenario.intended)
                       if plan is not None and result.ok and scenario.intended else None)
            judgement = result.judgement
            # Bent where the model's own plan with the constraints off made more of the
            # calls asked for, yet called faithful: a bend the constraints made silently.
            # Otherwise the model misread the request by itself.
            misjudged = bool(against and against["bent"] and result.verdict == "faithful")
            by_constraints = misjudged and _bent_by_constraints(plan, judgement,
                                                                options["solver"],
                                                                scenario.intended)
            rows.append({
                "scenario": scenario.name,
                "language": getattr(scenario, "language", "en"),
                "mode": mode,
                "satisfiable": scenario.satisfiable,
                "conflicts": bool(getattr(scenario, "conflicts", False)),
                "ok": result.ok,
                "verdict": result.verdict,
                "expected": _expected(scenario, mode),
                "written": plan is not None,
                "violations": violations,
                "faithful_plan": bool(against and against["faithful"]),
                "padded": bool(against and against["padded"]),
                "bent": bool(against and against["bent"]),
                "silent_bend": by_constraints,
                "misread": misjudged and not by_constraints,
                "missing": against["missing"] if against else [],
                "explained": (not result.ok) and bool(result.explanation),
                "explanation": result.explanation if not result.ok else (
                    judgement.explanation if judgement is not None else ""),
                "plan": plan.text if plan is not None else None,
                "unconstrained": (judgement.unconstrained.text if judgement is not None
                                  and judgement.unconstrained is not None else None),
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


def summarize(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The counts of the summary table, one row per mode, from ``run_suite``'s rows."""
    out = []
    for mode in MODES:
        mine = [r for r in rows if r["mode"] == mode]
        sat = [r for r in mine if r["satisfiable"]]
        unsat = [r for r in mine if not r["satisfiable"]]
        verdicts = Counter(r["verdict"] for r in mine)
        judged = [r for r in mine if r["expected"] is not None]
        # Where the request itself keeps the constraints, a faithful plan is possible; a
        # request that breaks them cannot be carried out as asked (its honest outcome is
        # an explained unsatisfiable, or with bend=True an adjusted plan that lists it).
        fits = [r for r in sat if not r.get("conflicts")]
        conflicts = [r for r in sat if r.get("conflicts") and r["expected"] is not None]
        out.append({
            "mode": mode,
            "scenarios": len(mine),
            "satisfiable_planned": sum(r["ok"] for r in sat),
            "satisfiable_total": len(sat),
            "faithful_plans": sum(r["faithful_plan"] for r in mine),
            "faithful_where_fits": sum(r["faithful_plan"] for r in fits),
            "fits_total": len(fits),
            "conflicts_as_expected": sum(r["verdict"] == r["expected"] for r in conflicts),
            "conflicts_judged": len(conflicts),
            "padded_plans": sum(r["padded"] for r in mine),
            "bent_plans": sum(r["bent"] for r in mine),
            "silent_bends": sum(r["silent_bend"] for r in mine),
            "misread": sum(r.get("misread", False) for r in mine),
            "verdicts": {v: verdicts.get(v, 0) for v in _VERDICTS},
            "verdict_as_expected": sum(r["verdict"] == r["expected"] for r in judged),
            "verdict_judged": len(judged),
            "model_plans": sum(r["written"] for r in mine),
            "model_plans_violating": sum(bool(r["violations"]) for r in mine),
            "ok_plans_violating": sum(bool(r["violations"]) for r in mine if r["ok"]),
            "unsatisfiable_explained": sum(r["explained"] for r in unsat),
            "unsatisfiable_total": len(unsat),
        })
    return out


def _cell(text: Any) -> str:
    return str(text or "").replace("\n", "; ").replace("|", "\\|")


def _markdown(document: dict[str, Any]) -> str:
    env = document["environment"]
    lines = ["# Constraint suite", "",
             f"Model {env['model']} on {env['cpu']} ({env['cores']} cores), {env['date']}.", "",
             "Modes: `solver` (the default: grammar, solver and search; a value the request "
             "states that a constraint forbids makes the plan unsatisfiable), `bend` (the same "
             "with `bend=True`: such a value may change and the verdict lists it), `grammar` "
             "(the solver off). Each scenario states the calls its request asks for: an ok "
             "plan is *faithful* when it makes exactly those calls, *padded* when it adds "
             "calls of those tools, *bent* when a value or call asked for is changed or left "
             "out. A bend is *silent* when the verdict still says faithful although the "
             "model's own plan with the constraints off makes more of the calls asked for; "
             "*misread* counts bent plans called faithful where the model's own plan misses "
             "as many (its own mistake, e.g. two names of the request swapped). "
             "Scenarios in "
             "English, German, French and Spanish; the verdict reads no words. "
             "*Faithful where the request fits* counts the satisfiable scenarios whose "
             "request keeps the constraints as asked: only there can a plan be faithful. A "
             "request that breaks them is honest when it ends unsatisfiable and explained "
             "(`solver`) or adjusted with the change listed (`bend`): *conflicts as "
             "expected*.", "",
             "| mode | faithful where the request fits | conflicts as expected | faithful "
             "plans | padded plans | bent plans | silent bends | misread | "
             "verdict as expected | satisfiable planned (ok) | ok plans violating | "
             "unsatisfiable explained |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in document["summary"]:
        expected = (f"{s['verdict_as_expected']}/{s['verdict_judged']}" if s["verdict_judged"]
                    else "-")
        fits = (f"{s['faithful_where_fits']}/{s['fits_total']}" if "fits_total" in s else "-")
        honest = (f"{s['conflicts_as_expected']}/{s['conflicts_judged']}"
                  if s.get("conflicts_judged") else "-")
        lines.append(f"| {s['mode']} | {fits} | {honest} | {s['faithful_plans']} | "
                     f"{s['padded_plans']} | "
                     f"{s['bent_plans']} | {s['silent_bends']} | {s['misread']} | {expected} | "
                     f"{s['satisfiable_planned']}/{s['satisfiable_total']} | "
                     f"{s['ok_plans_violating']} | "
                     f"{s['unsatisfiable_explained']}/{s['unsatisfiable_total']} |")
    lines += ["", "## Verdicts", "", "| mode | " + " | ".join(_VERDICTS) + " |",
              "|---|" + "---|" * len(_VERDICTS)]
    for s in document["summary"]:
        lines.append(f"| {s['mode']} | " + " | ".join(str(s["verdicts"][v]) for v in _VERDICTS)
                     + " |")
    cost = document.get("solver_cost") or {}
    if cost:
        lines += ["", "## Solver cost on BFCL simple_python", "",
                  f"{cost['questions']} questions, {cost['checks']} checks: median "
                  f"{cost['check_ms_median']} ms, p99 {cost['check_ms_p99']} ms per check; "
                  f"solver share of plan time {cost['solver_share']}.",
                  "", "Targets: median 1 ms or less, p99 20 ms or less, share 10% or less."]
    lines += ["", "## Scenarios", "",
              "| scenario | lang | mode | verdict | expected | plan | against the request | "
              "violations | why | seconds |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for r in document["rows"]:
        against = ("faithful" if r["faithful_plan"] else ", ".join(
            k for k in ("padded", "bent") if r[k]) or ("-" if not r["ok"] else "other"))
        if r["silent_bend"]:
            against += " (silent)"
        elif r.get("misread"):
            against += " (misread)"
        lines.append(f"| {r['scenario']} | {r['language']} | {r['mode']} | {r['verdict']} | "
                     f"{r['expected'] or '-'} | `{_cell(r['plan'])}` | {against} | "
                     f"{_cell('; '.join(r['violations'])) or '-'} | "
                     f"{_cell(r['explanation'])[:240] or '-'} | {r['seconds']} |")
    return "\n".join(lines) + "\n"


def run_all(out_dir: str | Path = "bench/results", *, model: Any = None,
            questions: int = 40) -> dict[str, Any]:
    """Run the suite in every mode and the solver cost, and write the results files."""
    import json

    from .report import environment
    from ..model import find_model
    rows = run_suite(model)
    document = {"suite": "constraints", "environment": environment(find_model(model)).__dict__,
                "summary": summarize(rows), "solver_cost": solver_cost(model, questions=questions),
                "rows": rows}
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "constraints.json").write_text(json.dumps(document, indent=2) + "\n")
    (directory / "constraints.md").write_text(_markdown(document))
    return document
