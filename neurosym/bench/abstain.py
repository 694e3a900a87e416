"""When to abstain: two rules weighed on the same BFCL answers, each fitted on dev halves.

The planner chooses ``none()`` (no tool fits the request) in one of two ways
(:func:`neurosym.search.choose.choose_plan`):

- *plan*: ``none()`` is one more finished plan; it wins when its weight plus a bias is
  above the weight of the best plan that calls and passes the checks. Its weight is
  one short plan's, a calling plan's is one plan's share of all the ways to call.
- *head*: the plan's first token already tells abstaining from calling, so the odds of
  ``none()`` against every call at that token
  (:meth:`~neurosym.search.beam.SearchOutcome.abstain_odds`), plus a bias, decide.

One search per entry gives both: it is run with ``none()`` ranked last, so its plan is
the best one that calls and passes the checks, and the weight of ``none()``, the weight
of that plan and the head odds are all read off it. Each rule's bias is then fitted on
the dev halves (the accuracy over all their entries; the balanced mean, where
abstaining on everything scores 50%, is reported beside it) and the test halves are reported at that bias, with the
live categories (users' own requests, never tuned on) beside them. An entry is right
when abstaining is right on an irrelevance entry, or when calling is and BFCL's
checker accepts the call.

Writes ``bench/results/abstain.json`` (every entry's readings and the fitted rows) and
``abstain.md``.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

__all__ = ["RELEVANT", "IRRELEVANT", "LIVE", "RULES", "Observation", "observe",
           "decide", "accuracy", "fit", "run_abstain", "run_all"]

#: Categories with a dev and a test half: calls are due in these ...
RELEVANT: tuple[str, ...] = ("simple_python", "multiple", "parallel", "parallel_multiple")
#: ... and due in none of this one.
IRRELEVANT: tuple[str, ...] = ("irrelevance",)
#: Users' own requests, run whole (the first entries of each) and never tuned on.
LIVE: tuple[str, ...] = ("live_simple", "live_multiple", "live_irrelevance")
#: The two rules compared.
RULES: tuple[str, ...] = ("plan", "head")
#: The plan rule's bias before this suite fitted it (fitted on fewer dev entries, by
#: eye): reported beside the fitted one.
EARLIER_PLAN_BIAS = 7.0
#: Ranks ``none()`` after every plan that calls, so the search's plan is the best call.
_LAST = -1.0e6


@dataclass(frozen=True)
class Observation:
    """One entry's readings off one search.

    ``head_odds`` is the log-odds of ``none()`` against any call at the first token;
    ``none_score`` and ``call_score`` the weights of ``none()`` and of the best plan that
    calls and passes the checks (None: there is none); ``call_right`` and
    ``abstain_right`` BFCL's verdicts on that plan and on no call at all; ``called``
    whether such a plan was found.
    """

    id: str
    category: str
    half: str
    head_odds: float | None
    none_score: float | None
    call_score: float | None
    call_right: bool
    abstain_right: bool
    called: bool = False
    text: str = ""
    seconds: float = 0.0


def _none_score(outcome: Any) -> float | None:
    from ..search.choose import NONE_TEXT
    return next((c.score for c in outcome.candidates if c.text == NONE_TEXT), None)


def observe(entry: Any, model: Any, half: str, **options: Any) -> Observation:
    """Plan ``entry`` once with ``none()`` ranked last and read both rules' inputs."""
    from ..errors import ToolDefinitionError
    from ..planner import Planner
    from ..search.choose import NONE_TEXT
    from ..tools import ToolSet
    from ._convert import checker_calls, plan_calls
    from .bfcl import _ENTRY_ERRORS, score_entry
    abstain_right = score_entry(entry, [], well_formed=True).correct
    start = time.perf_counter()
    try:
        tools = ToolSet.from_bfcl(entry.shown_functions())
        planner = Planner(tools=tools, model=model, abstain_bias=_LAST, **options)
        result = planner.plan([dict(message) for message in entry.messages])
    except (*_ENTRY_ERRORS, ToolDefinitionError) as err:
        # Not answered: a doc neurosym cannot express, or an error the entry causes.
        return Observation(entry.id, entry.category, half, None, None, None, False,
                           abstain_right, False, f"{type(err).__name__}: {err.message}",
                           time.perf_counter() - start)
    seconds = time.perf_counter() - start
    outcome = result.search
    odds = outcome.abstain_odds(planner.contrast_weight) if outcome is not None else None
    none_score = _none_score(outcome) if outcome is not None else None
    plan = result.plan
    if plan is None or plan.text.strip() == NONE_TEXT:
        # No plan that calls passes the checks: every rule abstains.
        return Observation(entry.id, entry.category, half, odds, none_score, None, False,
                           abstain_right, False, plan.text if plan else "", seconds)
    calls = checker_calls(plan_calls(plan, tools), entry.functions, entry.language)
    right = score_entry(entry, calls, well_formed=True).correct
    call_score = next((c.score for c in (outcome.candidates if outcome else ())
                       if c.text.strip() == plan.text.strip()), None)
    return Observation(entry.id, entry.category, half, odds, none_score, call_score, right,
                       abstain_right, True, plan.text, seconds)


def _margin(observation: Observation, rule: str) -> float | None:
    """How far ``rule`` leans to abstaining before its bias (None: it has no reading)."""
    if rule == "head":
        return observation.head_odds
    if observation.none_score is None or observation.call_score is None:
        return None
    return observation.none_score - observation.call_score


def decide(observation: Observation, rule: str, bias: float) -> bool:
    """Whether ``rule`` with ``bias`` abstains on this entry: always when no plan that
    calls passed the checks, never when the rule has no reading."""
    if not observation.called:
        return True
    margin = _margin(observation, rule)
    return margin is not None and margin + bias > 0


def right(observation: Observation, rule: str, bias: float) -> bool:
    """Whether the answer ``rule`` gives at ``bias`` is right."""
    return observation.abstain_right if decide(observation, rule, bias) else observation.call_right


def accuracy(observations: Sequence[Observation], rule: str, bias: float) -> dict[str, float]:
    """The share right by category, over every entry (``all``: each entry counts once,
    as the halves hold them), and ``balanced``: the calling categories' mean and the
    irrelevance categories' mean weighing alike (there, abstaining on everything
    scores 50%)."""
    by: dict[str, list[bool]] = {}
    for observation in observations:
        by.setdefault(observation.category, []).append(right(observation, rule, bias))
    shares = {category: sum(flags) / len(flags) for category, flags in by.items()}
    calling = [share for category, share in shares.items() if "irrelevance" not in category]
    abstaining = [share for category, share in shares.items() if "irrelevance" in category]
    parts = [sum(p) / len(p) for p in (calling, abstaining) if p]
    flags = [flag for group in by.values() for flag in group]
    shares["all"] = sum(flags) / len(flags) if flags else 0.0
    shares["balanced"] = sum(parts) / len(parts) if parts else 0.0
    return shares


def fit(observations: Sequence[Observation], rule: str) -> float:
    """The bias that maximises the accuracy over every entry of ``observations``: the midpoint of
    the best interval between the entries' margins (the one nearest 0 on a tie)."""
    margins = sorted({m for o in observations if (m := _margin(o, rule)) is not None})
    if not margins:
        return 0.0
    cuts = [-margins[-1] - 1.0, *(-(a + b) / 2 for a, b in zip(margins, margins[1:])),
            -margins[0] + 1.0]
    return max(cuts, key=lambda bias: (round(accuracy(observations, rule, bias)["all"], 9),
                                       -abs(bias)))


def run_abstain(*, limit: int = 20, model: Any = None, out_dir: str | Path = "bench/results",
                stream: TextIO | None = None, live_limit: int | None = None) -> dict[str, Any]:
    """Observe ``limit`` entries of each half of each category (and ``live_limit``, by
    default ``limit``, of each live category), fit both rules on dev, write the results."""
    from ..model import load_model
    from .bfcl import load_category
    from .modes import PLANNER_MODES, resolve_model
    from .report import EntryLog, environment, write_results
    stream = stream or sys.stderr
    path = resolve_model(model)
    loaded = load_model(path)
    units = [(c, h, limit) for h in ("dev", "test") for c in (*RELEVANT, *IRRELEVANT)]
    units += [(c, "live", live_limit or limit) for c in LIVE]
    options = dict(PLANNER_MODES["search4"])
    observations: list[Observation] = []
    with EntryLog(out_dir, "abstain_entries.jsonl", Observation, lambda o: (o.id, o.half)) as log:
        for category, half, n in units:
            entries = load_category(category, n, half=None if half == "live" else half)
            for entry in entries:
                observation = log.get(entry.id, half)
                if observation is None:
                    observation = log.add(observe(entry, loaded, half, **options))
                    print(f"abstain {category}:{half} {entry.id} odds={observation.head_odds} "
                          f"call_right={observation.call_right} {observation.seconds:.1f}s",
                          file=stream, flush=True)
                observations.append(observation)
    document = summarise(observations)
    env = environment(path)
    write_results("abstain", document["rows"], key=("rule", "bias_from", "half", "category"), env=env,
                  directory=Path(out_dir), render=_markdown)
    return document


def summarise(observations: Sequence[Observation]) -> dict[str, Any]:
    """Both rules fitted on the dev half, scored on every half at their fitted bias
    (and the plan rule at its earlier default bias)."""
    dev = [o for o in observations if o.half == "dev"]
    rows: list[dict[str, Any]] = []
    settings = [(rule, fit(dev, rule), "fitted on dev") for rule in RULES]
    settings.append(("plan", EARLIER_PLAN_BIAS, "earlier default"))
    settings.append(("never", -math.inf, "always call"))
    for rule, bias, how in settings:
        for half in ("dev", "test", "live"):
            chosen = [o for o in observations if o.half == half]
            if not chosen:
                continue
            shares = accuracy(chosen, "plan" if rule == "never" else rule, bias)
            abstained = sum(decide(o, "plan" if rule == "never" else rule, bias) for o in chosen)
            for category, share in shares.items():
                n = len(chosen) if category in ("all", "balanced") else sum(o.category == category
                                                               for o in chosen)
                rows.append({"rule": rule, "bias": None if math.isinf(bias) else round(bias, 3),
                             "bias_from": how, "half": half, "category": category, "n": n,
                             "accuracy": round(share, 4),
                             "abstained": abstained if category == "all" else None})
    return {"rows": rows}


def _markdown(document: Mapping[str, Any]) -> str:
    rows = [r for r in document["rows"]]
    lines = ["# When to abstain", "",
             "One search of width 4 per BFCL entry, with `none()` ranked last, gives both "
             "rules their inputs (see `neurosym.bench.abstain`). *plan*: abstain when the "
             "weight of `none()` plus the bias is above the best passing call's; *head*: "
             "when the first token's log-odds of `none()` against any call, plus the bias, "
             "are above 0; *never*: always call. Biases are fitted on the dev halves "
             "(accuracy over all their entries; *balanced* is the mean of the calling "
             "categories' mean and irrelevance, where abstaining always scores 50); test halves and the "
             "live categories (never tuned on) are reported at that bias.", "",
             "| rule | bias | from | half | category | n | accuracy % | abstained |",
             "|---|---:|---|---|---|---:|---:|---:|"]
    for r in rows:
        bias = "" if r["bias"] is None else f"{r['bias']:.2f}"
        abstained = "" if r.get("abstained") is None else str(r["abstained"])
        lines.append(f"| {r['rule']} | {bias} | {r['bias_from']} | {r['half']} | "
                     f"{r['category']} | {r['n']} | {100 * r['accuracy']:.1f} | {abstained} |")
    env = document.get("environment", {})
    if env:
        lines += ["", f"Model: {env.get('model')} · CPU: {env.get('cpu')} · "
                      f"{env.get('date')}"]
    return "\n".join(lines) + "\n"


def run_all(out_dir: str | Path = "bench/results", *, model: Any = None,
            questions: int | None = None) -> dict[str, Any]:
    """The suite as ``neurosym bench all`` runs it."""
    return run_abstain(limit=questions or 20, model=model, out_dir=out_dir)

