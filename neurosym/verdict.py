"""Honest verdicts: whether a plan is what was asked for, and where each value came from.

``result.ok`` says a plan passed every check; it does not say the plan is what the user
asked for. :func:`judge` adds that: every argument value gets a :class:`ValueSource`
(``request``, ``observation``, ``default``, ``model`` or ``solver``) and the plan a verdict:

- ``faithful``: every value comes from the request, an observation or a tool default;
- ``adjusted``: the constraints changed a value (each change is listed with the
  constraint that forced it), and nothing the request states was replaced, or the
  caller allowed that with ``Planner(bend=True)``;
- ``uncertain``: some value was chosen by the model with no support in the request;
- ``unsatisfiable``: no plan keeps the constraints, a value the request states is
  forbidden by one (``you asked for 700; ... allows at most 500``), or the constraints
  could be met only by calls the request did not ask for;
- ``abstained``: the plan makes no call (``none()`` or a question).

A value counts as changed when the model's own plan with the constraints switched off
differs from the plan there: the planner plans once more without the constraints and
without the tools' declared bounds, so forward checking, clamps and narrowed value
grammars are caught as well as the values the search retracted.

Whether a value comes from the request reads no wording: a string comes from the
request when its text occurs in the request (case folded), a number when the request
holds a number equal to it, whatever the language around it.

>>> evidence = RequestEvidence.of("Réserve un hôtel à Paris pour 3 nuits, 700 €.")
>>> evidence.states("paris"), evidence.states(700), evidence.states(3.0), evidence.states(5)
(True, True, True, False)

Why one module: each value's source, the comparison with the unconstrained plan and the
verdict are one judgement: the verdict rules read the sources and the comparison
together.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Literal as TypingLiteral

from .errors import NeurosymError
from .plan.ast import Call, DictValue, ListValue, Literal, Plan, Ref, Step, Value
from .plan.render import render_value

if TYPE_CHECKING:
    from .planner import Planner, PlanResult
    from .tools.tool import Param, Tool

__all__ = ["VerdictKind", "SourceKind", "VERDICTS", "ValueSource", "Judgement",
           "RequestEvidence", "judge", "same_plain", "stated_for", "value_sources",
           "unconstrained_tools"]

VerdictKind = TypingLiteral["faithful", "adjusted", "uncertain", "unsatisfiable", "abstained"]
VERDICTS: tuple[str, ...] = ("faithful", "adjusted", "uncertain", "unsatisfiable", "abstained")
SourceKind = TypingLiteral["request", "observation", "default", "model", "solver", "approval"]

# A number as written: digits with at most one decimal mark (a point or a comma).
_NUMBER = re.compile(r"(?<![\d.,])-?\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class ValueSource:
    """Where one argument value came from.

    ``kind``: ``request`` (the request states it), ``observation`` (a reference to an
    earlier result, or a value an observation shows: ``reference`` names it),
    ``default`` (the tool's own default), ``model`` (the model chose it with no support
    in the request), ``solver`` (the constraints changed it: ``proposed`` is the model's
    own choice, ``constraint`` what forced the change), ``approval`` (a person approved
    it at run time).
    """

    step: int
    tool: str
    param: str
    value: str
    kind: SourceKind
    reference: str | None = None
    proposed: str | None = None
    constraint: str | None = None
    #: For a solver change: whether the model's own choice was a value the request states.
    stated: bool = False

    def __str__(self) -> str:
        where = f"{self.tool}.{self.param} = {self.value}"
        if self.kind == "solver":
            said = "you asked for" if self.stated else "the model wrote"
            return (f"{where}: {said} {self.proposed}; changed because of "
                    f"{self.constraint or 'the constraints'}")
        if self.kind == "observation":
            return f"{where}: from an observation ({self.reference})"
        return f"{where}: {_SOURCE_WORDS[self.kind]}"


_SOURCE_WORDS = {"request": "from the request", "default": "the tool's default",
                 "model": "chosen by the model, not stated in the request",
                 "approval": "approved", "observation": "from an observation",
                 "solver": "changed by the solver"}


@dataclass(frozen=True)
class Judgement:
    """The verdict on one plan: the kind, every value's source, and what was changed.

    ``changes`` are the values the constraints changed (sources of kind ``solver``);
    ``padded`` the calls the constraints added that the request did not ask for;
    ``plan`` the plan judged (also when the verdict refuses it); ``unconstrained`` the
    model's own plan with the constraints switched off, when one was made.
    """

    verdict: VerdictKind
    sources: tuple[ValueSource, ...] = ()
    explanation: str = ""
    padded: tuple[str, ...] = ()
    plan: Plan | None = None
    unconstrained: Plan | None = None
    #: Calls the request asks for that the plan leaves out to meet a constraint, each
    #: with the rules that forbid it.
    dropped: tuple[str, ...] = ()

    @property
    def changes(self) -> tuple[ValueSource, ...]:
        return tuple(s for s in self.sources if s.kind == "solver")

    @property
    def unsupported(self) -> tuple[ValueSource, ...]:
        return tuple(s for s in self.sources if s.kind == "model")

    def summary(self) -> str:
        """One line for people: the verdict and what it rests on."""
        if self.verdict == "adjusted":
            return "adjusted: " + "; ".join([*(str(c) for c in self.changes),
                                             *(f"left out {d}" for d in self.dropped)])
        if self.verdict == "uncertain":
            return "uncertain: " + "; ".join(str(s) for s in self.unsupported)
        if self.verdict in ("unsatisfiable", "abstained"):
            return f"{self.verdict}: {self.explanation}" if self.explanation else self.verdict
        return "faithful: every value comes from the request, an observation or a default"

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "explanation": self.explanation,
                "padded": list(self.padded), "dropped": list(self.dropped),
                "sources": [{"step": s.step, "tool": s.tool, "param": s.param, "value": s.value,
                             "source": s.kind, "reference": s.reference,
                             "proposed": s.proposed, "constraint": s.constraint}
                            for s in self.sources]}


def redact_judgement(judgement: Judgement, secrets: Any, sensitive: Any) -> Judgement:
    """``judgement`` with its texts redacted by ``secrets``
    (:class:`neurosym.redact.Secrets`), and the value of every source for which
    ``sensitive(tool, param)`` holds shown as the redaction mark."""
    from .redact import MARK

    def source(s: ValueSource) -> ValueSource:
        if sensitive(s.tool, s.param):
            return replace(s, value=MARK, proposed=None if s.proposed is None else MARK,
                           constraint=None if s.constraint is None
                           else secrets.redact(s.constraint))
        return replace(s, value=secrets.redact(s.value),
                       proposed=None if s.proposed is None else secrets.redact(s.proposed),
                       constraint=None if s.constraint is None else secrets.redact(s.constraint),
                       reference=None if s.reference is None else secrets.redact(s.reference))

    return replace(judgement, sources=tuple(source(s) for s in judgement.sources),
                   explanation=secrets.redact(judgement.explanation),
                   padded=tuple(secrets.redact(p) for p in judgement.padded),
                   dropped=tuple(secrets.redact(d) for d in judgement.dropped))


# -- evidence: what the request (and the observations) state ---------------------------

@dataclass(frozen=True)
class RequestEvidence:
    """The request's text, case folded, and every number it writes.

    A number with one decimal mark is read both ways (``1,5`` as 1.5, ``1.500`` as 1.5
    and as 1500), since which mark is decimal depends on the language.
    """

    text: str
    numbers: frozenset[Decimal]
    #: Each number as written, with its readings (to count how often a value is stated).
    tokens: tuple[frozenset[Decimal], ...] = ()

    @classmethod
    def of(cls, text: str) -> RequestEvidence:
        tokens = tuple(frozenset(_readings(m.group(0))) for m in _NUMBER.finditer(text or ""))
        numbers = frozenset(n for token in tokens for n in token)
        return cls((text or "").casefold(), numbers, tokens)

    def count(self, value: Any) -> int:
        """How many times the request states ``value`` (0 when it does not)."""
        if not self.states(value):
            return 0
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = Decimal(str(value)).normalize()
            return sum(number in token for token in self.tokens)
        if isinstance(value, str):
            return max(self.text.count(value.strip().casefold()), 1)
        return 1

    def states(self, value: Any) -> bool:
        """Whether the request states ``value`` (a plain Python value)."""
        if isinstance(value, bool) or value is None:
            return False
        if isinstance(value, (int, float)):
            try:
                return Decimal(str(value)).normalize() in self.numbers
            except InvalidOperation:
                return False
        if isinstance(value, str):
            folded = value.strip().casefold()
            if not folded:
                return False
            if folded in self.text:
                return True
            number = _as_number(folded)
            return number is not None and number in self.numbers
        if isinstance(value, list):
            return bool(value) and all(self.states(v) for v in value)
        if isinstance(value, dict):
            return bool(value) and all(self.states(v) for v in value.values())
        return False


def _readings(token: str) -> set[Decimal]:
    sign = -1 if token.startswith("-") else 1
    body = token.lstrip("-")
    groups = re.split(r"[.,]", body)
    out: set[Decimal] = set()
    whole = "".join(groups)
    out.add(Decimal(sign * int(whole)))
    if len(groups) == 2:
        out.add((Decimal(f"{groups[0]}.{groups[1]}") * sign).normalize())
    out.update(Decimal(sign * int(g)) for g in groups if g)
    if token.startswith("-"):
        out.update(abs(n) for n in list(out))   # "-5" may be a dash before a 5
    return {n.normalize() for n in out}


def _as_number(text: str) -> Decimal | None:
    try:
        return Decimal(text).normalize()
    except InvalidOperation:
        return None


def _plain(value: Value) -> Any:
    from .plan.ast import to_python
    try:
        return to_python(value)
    except TypeError:
        return None


def _observed_texts(observations: Mapping[str, Any] | Sequence[tuple[str, Any]] | None
                    ) -> list[tuple[str, str]]:
    items = (observations.items() if isinstance(observations, Mapping)
             else list(observations or ()))
    return [(str(name), str(value).casefold()) for name, value in items]


# -- value sources -----------------------------------------------------------------------

def value_sources(plan: Plan, tools: Sequence[Tool] | Mapping[str, Tool], request: str,
                  observations: Any = None) -> tuple[ValueSource, ...]:
    """Where each argument value of ``plan`` comes from, before any comparison with the
    model's unconstrained plan (so nothing here is a ``solver`` change)."""
    from .plan.flatten import flatten
    index = tools if isinstance(tools, Mapping) else {t.name: t for t in tools}
    evidence = RequestEvidence.of(request)
    observed = _observed_texts(observations)
    out = []
    for number, step in enumerate(flatten(plan).steps):
        tool = index.get(step.call.tool)
        for name, value in step.call.args:
            param = tool.param(name) if tool is not None else None
            out.append(_source(number, step.call.tool, name, value, param, evidence, observed))
    return tuple(out)


def _source(step: int, tool: str, name: str, value: Value, param: Param | None,
            evidence: RequestEvidence, observed: list[tuple[str, str]]) -> ValueSource:
    shown = render_value(value)
    refs = [v for v in _leaves(value) if isinstance(v, (Ref, Call))]
    if refs:
        reference = ", ".join(v.text if isinstance(v, Ref) else f"{v.tool}(...)" for v in refs)
        return ValueSource(step, tool, name, shown, "observation", reference=reference)
    plain = _plain(value)
    if evidence.states(plain):
        return ValueSource(step, tool, name, shown, "request")
    seen = _observed_in(plain, observed)
    if seen is not None:
        return ValueSource(step, tool, name, shown, "observation", reference=seen)
    if param is not None and not param.required and (plain is None or plain == param.default):
        return ValueSource(step, tool, name, shown, "default")
    return ValueSource(step, tool, name, shown, "model")


def _leaves(value: Value) -> list[Value]:
    if isinstance(value, ListValue):
        return [leaf for item in value.items for leaf in _leaves(item)]
    if isinstance(value, DictValue):
        return [leaf for _, item in value.items for leaf in _leaves(item)]
    return [value]


def _observed_in(plain: Any, observed: list[tuple[str, str]]) -> str | None:
    if plain is None or isinstance(plain, bool) or not observed:
        return None
    texts = [str(v).casefold() for v in (plain if isinstance(plain, list) else [plain])]
    for name, text in observed:
        if all(t and re.search(rf"(?<![\w.]){re.escape(t)}(?![\w]|\.\d)", text) for t in texts):
            return name
    return None


# -- the unconstrained plan ----------------------------------------------------------------

def unconstrained_tools(tools: Sequence[Tool]) -> list[Tool]:
    """The tools with their declared bounds (ranges, lengths, item counts) removed: what
    the model may write when the constraints are switched off. Types and enums stay."""
    return [tool.with_(params=tuple(_loose(p) for p in tool.params)) for tool in tools]


def _loose(param: Param) -> Param:
    return param.with_(minimum=None, maximum=None, exclusive_minimum=None,
                       exclusive_maximum=None, min_length=None, max_length=None,
                       min_items=None, max_items=None,
                       items=_loose(param.items) if param.items is not None else None,
                       properties=tuple(_loose(p) for p in param.properties))


def _bounded(param: Param) -> bool:
    return (any(v is not None for v in (param.minimum, param.maximum, param.exclusive_minimum,
                                        param.exclusive_maximum, param.min_length,
                                        param.max_length, param.min_items, param.max_items))
            or (param.items is not None and _bounded(param.items))
            or any(_bounded(p) for p in param.properties))


def needs_comparison(planner: Planner) -> bool:
    """Whether the constraints could have changed the model's plan at all."""
    return planner.solver and (planner.constraint_set is not None
                               or any(_bounded(p) for t in planner.tools for p in t.params))


# -- the verdict ---------------------------------------------------------------------------

def judge(planner: Planner, request: Any, result: PlanResult, *,
          observations: Any = None) -> PlanResult:
    """``result`` with its verdict and value sources (and, when the verdict refuses the
    plan, not ``ok`` any more, with the reason as its explanation)."""
    from .errors import Unsatisfiable
    from .result import request_text
    text = request_text(request)
    plan = result.plan
    if plan is None or not result.ok:
        kind: VerdictKind = ("unsatisfiable" if isinstance(result.error, Unsatisfiable)
                             else "uncertain")
        return replace(result, judgement=Judgement(kind, explanation=result.explanation or "",
                                                   plan=plan))
    comparing = needs_comparison(planner) and getattr(planner, "_judge", True)
    unconstrained: PlanResult | None = None
    if not plan.steps:
        terminal = plan.terminal.kind if plan.terminal is not None else "none"
        if terminal == "answer":
            return replace(result, judgement=Judgement("faithful", plan=plan))
        if terminal == "none" and comparing and _constrained_only(planner):
            # Whether a tool fits is the model's call, not the constraints': none() stands
            # only when the model abstains with them switched off too.
            unconstrained = planner.unconstrained().plan(request, observations=observations)
            hidden = _hidden_call(planner, result, unconstrained, observations)
            if hidden is not None and hidden.plan is None:
                # The model would call, and no call it can write meets the constraints.
                return hidden
            if hidden is not None:
                result, plan = hidden, hidden.plan
        if not plan.steps:
            words = ("no tool fits the request" if terminal == "none"
                     else f"a value is missing, so the plan asks: {plan.terminal.text}")  # type: ignore[union-attr]
            return replace(result, judgement=Judgement("abstained", explanation=words, plan=plan))
    tools = list(planner.tools)
    sources = list(value_sources(plan, tools, text, observations))
    free: Plan | None = None
    padded: list[str] = []
    dropped: list[str] = []
    if comparing:
        if unconstrained is None:
            unconstrained = planner.unconstrained().plan(request, observations=observations)
        free = unconstrained.plan if unconstrained.plan is not None else None
        if plan.steps and (free is None or not free.steps):
            # The model would call nothing with the constraints off, and they made it call:
            # its values are compared with the model's best plan that calls.
            free = next((a.plan for a in unconstrained.alternatives if a.plan.steps), free)
        evidence = RequestEvidence.of(text)
        sources = _compare(plan, free, sources, tools, planner, evidence, observations)
        padded = _padding(plan, free, sources)
        if padded and free is not None and _keeps_the_checks(planner, free, observations):
            # The model's own plan meets every constraint: the extra calls came from the
            # search's path, not from a constraint, so the model's plan is the answer.
            result = replace(result, plan=free, text=unconstrained.text)
            plan = free
            sources = list(value_sources(plan, tools, text, observations))
            padded = []
        if free is not None:
            dropped = _dropped(plan, free, tools, text, planner, observations)
    _merge_adjustments(sources, result.adjustments, RequestEvidence.of(text))
    return _decide(planner, result, plan, tuple(sources), padded, free, observations,
                   dropped)


def _constrained_only(planner: Planner) -> bool:
    """Whether the plan differs from the model's own only by the request's constraints and
    the tools' bounds: there are constraints, and no potential of the caller's (which
    the plan without constraints does not weigh) had a say."""
    hard, soft = getattr(planner, "_potentials", ((), ()))
    return planner.constraint_set is not None and not hard and not soft


def _hidden_call(planner: Planner, result: PlanResult, unconstrained: PlanResult,
                 observations: Any) -> PlanResult | None:
    """When ``result`` abstains only because the constraints left every call unlikely (the
    model calls with them off): the best call that passes them, as the result to judge;
    or, when none passes, an unsatisfiable result that says what the model's own call
    breaks. None when the model abstains without the constraints too."""
    from .errors import Unsatisfiable
    from .solver.check import check_plan
    own = unconstrained.plan
    if own is None or not own.steps:
        return None
    calls = [a for a in result.alternatives if a.plan.steps]
    if calls:
        best, rest = calls[0], [a for a in result.alternatives if a is not calls[0]]
        return replace(result, plan=best.plan, text=best.text, score=best.score,
                       alternatives=tuple(rest))
    verdict = check_plan(own, list(planner.tools), planner.constraint_set or (),
                         observations=observations)
    why = (f"the request asks for {own.text.strip()}, and no plan that calls meets the "
           "constraints" + (f": {verdict.explanation}" if verdict.refuted else ""))
    error = Unsatisfiable(why, core=[c.describe() for c in verdict.core],
                          hint="relax the constraint, or change the request")
    return replace(result, ok=False, plan=None, text="", explanation=why, error=error,
                   judgement=Judgement("unsatisfiable", explanation=why, unconstrained=own))


def _steps(plan: Plan | None) -> list[Step]:
    if plan is None:
        return []
    from .plan.flatten import flatten
    return list(flatten(plan).steps)


def _aligned(plan: Plan, free: Plan | None) -> dict[int, Step]:
    """Each step of ``plan`` paired with the same tool's same occurrence in ``free``."""
    theirs: dict[str, list[Step]] = {}
    for step in _steps(free):
        theirs.setdefault(step.call.tool, []).append(step)
    seen: dict[str, int] = {}
    pairs = {}
    for number, step in enumerate(_steps(plan)):
        k = seen.get(step.call.tool, 0)
        seen[step.call.tool] = k + 1
        options = theirs.get(step.call.tool, [])
        if k < len(options):
            pairs[number] = options[k]
    return pairs


def _compare(plan: Plan, free: Plan | None, sources: list[ValueSource], tools: list[Tool],
             planner: Planner, evidence: RequestEvidence, observations: Any) -> list[ValueSource]:
    """Mark the values where the model's unconstrained plan chose otherwise."""
    pairs = _aligned(plan, free)
    changed: dict[int, tuple[Value, str]] = {}
    for index, source in enumerate(sources):
        other = pairs.get(source.step)
        mine = _steps(plan)[source.step].call.arg(source.param)
        theirs = other.call.arg(source.param) if other is not None else None
        if (theirs is None or mine is None or theirs == mine or isinstance(theirs, (Ref, Call))
                or _same(mine, theirs)):
            continue
        why = _forcing(plan, source.step, source.param, theirs, tools, planner, observations)
        # None: the model's own value also keeps the constraints here, so the difference
        # is the search's choice between plans, not a change the constraints forced.
        if why is not None:
            changed[index] = (theirs, why)
    # A value the solver moved into another slot (two dates swapped) does not take the
    # request's mention of it from the slot the model gave it to.
    kept = [s for i, s in enumerate(sources) if i not in changed]
    out = []
    for index, source in enumerate(sources):
        if index not in changed:
            out.append(source)
            continue
        theirs, why = changed[index]
        out.append(replace(source, kind="solver", proposed=render_value(theirs), constraint=why,
                           stated=stated_for(_plain(theirs), source, kept, evidence)))
    return out


def stated_for(value: Any, slot: ValueSource, sources: Sequence[ValueSource],
                 evidence: RequestEvidence) -> bool:
    """Whether the request states ``value`` for this slot: it does unless every time the
    request writes it is already taken by another value of the plan from the request
    (``300`` in "two nights for 300 euros" is the price, not the nights)."""
    times = evidence.count(value)
    if not times:
        return False
    taken = sum(1 for s in sources if s is not slot and s.kind == "request"
                and same_plain(_literal_text(s.value), value))
    return times > taken


def same_plain(a: Any, b: Any) -> bool:
    """Whether two plain values are the same value as a reader sees it: numbers by
    value, texts without case or surrounding space, booleans only as booleans."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    if isinstance(a, str) and isinstance(b, str):
        return a.strip().casefold() == b.strip().casefold()
    return bool(a == b)


def _same(a: Value, b: Value) -> bool:
    pa, pb = _plain(a), _plain(b)
    if isinstance(pa, (int, float)) and isinstance(pb, (int, float)) and not isinstance(pa, bool):
        return float(pa) == float(pb)
    return pa == pb and pa is not None


def _with_value(plan: Plan, step: int, param: str, value: Value) -> Plan:
    steps = _steps(plan)
    call = steps[step].call
    args = tuple((k, value if k == param else v) for k, v in call.args)
    steps[step] = Step(Call(call.tool, args), bind=steps[step].bind)
    return Plan(tuple(steps), plan.terminal)


def _forcing(plan: Plan, step: int, param: str, proposed: Value, tools: list[Tool],
             planner: Planner, observations: Any) -> str | None:
    """The rules that forbid ``proposed`` at this place of the plan, or None when it is
    allowed there."""
    from .solver import check_plan
    verdict = check_plan(_with_value(plan, step, param, proposed), tools,
                         planner.constraint_set or (), observations=_mapping(observations))
    if verdict.ok or verdict.unknown:
        return None
    rules = [item for item in verdict.core if not item.is_plan_value and item.kind != "end"]
    if not rules:
        return "the constraints"
    return " and ".join(dict.fromkeys(_rule_text(item) for item in rules))


def _rule_text(item: Any) -> str:
    if item.kind == "parameter" and item.origin:
        return f"{item.text} ({item.origin})"
    return item.text


def _mapping(observations: Any) -> dict[str, Any]:
    if not observations:
        return {}
    if isinstance(observations, Mapping):
        return dict(observations)
    return {name: value for name, value in observations}


def _keeps_the_checks(planner: Planner, plan: Plan, observations: Any) -> bool:
    """Whether ``plan`` passes the planner's closed final check over its own tools."""
    from .graph import validate_plan
    from .solver import check_plan
    try:
        validate_plan(plan, list(planner.tools))
    except NeurosymError:
        return False
    verdict = check_plan(plan, list(planner.tools), planner.constraint_set or (),
                         observations=dict(observations) if observations else None)
    return verdict.ok


def _padding(plan: Plan, free: Plan | None, sources: list[ValueSource]) -> list[str]:
    """Calls beyond the model's own count of that tool that say nothing the request
    states apart from what the tool's other calls already say: added to meet a
    constraint, not asked for."""
    counts: dict[str, int] = {}
    for step in _steps(free):
        counts[step.call.tool] = counts.get(step.call.tool, 0) + 1
    steps = _steps(plan)
    seen: dict[str, int] = {}
    padded = []
    for number, step in enumerate(steps):
        tool = step.call.tool
        seen[tool] = seen.get(tool, 0) + 1
        if seen[tool] <= counts.get(tool, 0) or free is None:
            continue
        own = {(s.param, s.value) for s in sources if s.step == number and s.kind == "request"}
        others = {(s.param, s.value) for s in sources
                  if s.step != number and steps[s.step].call.tool == tool and s.kind == "request"}
        if not own - others:
            from .plan.render import render_call
            padded.append(render_call(step.call))
    return padded


def _dropped(plan: Plan, free: Plan, tools: list[Tool], request: str, planner: Planner,
             observations: Any) -> list[str]:
    """Calls of the model's own plan the request asks for (they state something the
    request says that no other call of the tool does) and the plan left out because the
    constraints forbid them: each as ``call: rules``."""
    from .plan.render import render_call
    from .solver import check_plan
    steps = _steps(free)
    # A call the plan makes exactly is not left out, whichever place it has in either.
    remaining = [step.call for step in _steps(plan)]
    made: set[int] = set()
    for number, step in enumerate(steps):
        if step.call in remaining:
            remaining.remove(step.call)
            made.add(number)
    mine: dict[str, int] = {}
    for call in remaining:
        mine[call.tool] = mine.get(call.tool, 0) + 1
    sources = value_sources(free, tools, request, observations)
    seen: dict[str, int] = {}
    out = []
    for number, step in enumerate(steps):
        if number in made:
            continue
        tool = step.call.tool
        seen[tool] = seen.get(tool, 0) + 1
        if seen[tool] <= mine.get(tool, 0):
            continue
        own = {(s.param, s.value) for s in sources if s.step == number and s.kind == "request"}
        others = {(s.param, s.value) for s in sources
                  if s.step != number and steps[s.step].call.tool == tool and s.kind == "request"}
        if not own - others:
            continue
        widened = Plan((*_steps(plan), Step(step.call)), plan.terminal)
        try:
            verdict = check_plan(widened, tools, planner.constraint_set or (),
                                 observations=_mapping(observations))
        except Exception:  # noqa: BLE001 - a call the checker cannot read is not judged
            continue
        if verdict.ok or verdict.unknown:
            continue  # the plan could have kept it: the search's choice, not a constraint's
        rules = [_rule_text(i) for i in verdict.core if not i.is_plan_value and i.kind != "end"]
        out.append(f"{render_call(step.call)}: " + (" and ".join(dict.fromkeys(rules))
                                                     or "the constraints"))
    return out


def _merge_adjustments(sources: list[ValueSource], adjustments: Sequence[Any],
                       evidence: RequestEvidence) -> None:
    """The token-by-token decoder's own record of retracted values, where the comparison
    did not already mark them."""
    for adjustment in adjustments:
        step, param = getattr(adjustment, "step", None), getattr(adjustment, "param", None)
        for i, source in enumerate(sources):
            if source.step == step and source.param == param and source.kind != "solver":
                proposed = str(getattr(adjustment, "proposed", ""))
                sources[i] = replace(source, kind="solver", proposed=proposed,
                                     constraint=str(getattr(adjustment, "constraint", "")),
                                     stated=evidence.states(_literal_text(proposed)))


def _literal_text(text: str) -> Any:
    """A value as the decoder recorded it (plan-language text) as a plain value."""
    from .plan.parse import parse_plan
    try:
        call = parse_plan(f"f(x={text})").steps[0].call
        return _plain(call.args[0][1])
    except Exception:  # noqa: BLE001 - not a literal: compare the text itself
        return text


def _allowed(plan: Plan, step: int, param: str, proposed: Any, planner: Planner,
             observations: Any) -> str:
    """What the constraints allow at this place, in words (``allows at most 500``),
    said against the value asked for."""
    from .solver import PlanChecker, feed_plan
    try:
        # The plan is complete: no later call may lower a sum to make room.
        checker = PlanChecker(list(planner.tools), planner.constraint_set or (),
                              observations=_mapping(observations), later_sums_nonnegative=True)
        feed_plan(checker, plan)
        feasible = checker.feasible(step, param)
    except Exception:  # noqa: BLE001 - the words are a courtesy; the verdict stands
        return "does not allow it"
    if feasible.kind == "empty":
        return "allows no value here"
    lo, hi = feasible.lo, feasible.hi
    if feasible.kind == "finite":
        numbers = [v for v in feasible.values if isinstance(v, (int, float))
                   and not isinstance(v, bool)]
        if not numbers or len(numbers) != len(feasible.values):
            shown = ", ".join(str(v) for v in feasible.values[:8])
            return f"allows only {shown}" + (", ..." if len(feasible.values) > 8 else "")
        lo, hi = min(numbers), max(numbers)
    elif feasible.kind != "range":
        return "does not allow it"
    try:
        if hi is not None and proposed > hi:
            return f"allows at most {_number(hi)}"
        if lo is not None and proposed < lo:
            return f"allows at least {_number(lo)}"
    except TypeError:
        pass
    if lo is not None and hi is not None:
        return f"allows {_number(lo)} to {_number(hi)}"
    return "does not allow it"


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _decide(planner: Planner, result: PlanResult, plan: Plan, sources: tuple[ValueSource, ...],
            padded: list[str], free: Plan | None, observations: Any,
            dropped: Sequence[str] = ()) -> PlanResult:
    bend = bool(getattr(planner, "bend", False))
    changes = [s for s in sources if s.kind == "solver"]
    stated = [c for c in changes if c.stated]
    parts = []
    if stated and not bend:
        for c in stated:
            allowed = _allowed(plan, c.step, c.param, _literal_text(c.proposed or ""), planner,
                               observations)
            parts.append(f"you asked for {c.proposed} ({c.tool}.{c.param}); {c.constraint} "
                         f"{allowed}")
    if dropped and not bend:
        parts.extend(f"you asked for {d.replace(': ', '; ', 1)} does not allow it"
                     for d in dropped)
    if padded:
        # Never met by calls nobody asked for, whether bending is allowed or not.
        parts.append("the constraints could be met only by adding calls the request did not "
                     "ask for: " + "; ".join(padded))
    if parts:
        return _refuse(result, plan, sources, "; ".join(parts), free, padded=padded,
                       dropped=dropped)
    if changes or dropped:
        words = [*(str(c) for c in changes), *(f"left out {d}" for d in dropped)]
        judgement = Judgement("adjusted", sources, "; ".join(words), plan=plan,
                              unconstrained=free, dropped=tuple(dropped))
    elif any(s.kind == "model" for s in sources):
        judgement = Judgement("uncertain", sources,
                              "; ".join(str(s) for s in sources if s.kind == "model"),
                              plan=plan, unconstrained=free)
    else:
        judgement = Judgement("faithful", sources, plan=plan, unconstrained=free)
    return replace(result, judgement=judgement, adjustments=_adjustments(result, sources))


def _adjustments(result: PlanResult, sources: Sequence[ValueSource]) -> tuple[Any, ...]:
    """``result.adjustments`` made complete: the decoder's own record, and every value
    the comparison with the unconstrained plan found changed."""
    from .solver.search import Adjustment
    found = list(result.adjustments)
    known = {(getattr(a, "step", None), getattr(a, "param", None)) for a in found}
    for s in sources:
        if s.kind == "solver" and (s.step, s.param) not in known:
            found.append(Adjustment(s.step, s.tool, s.param, s.proposed or "", s.value,
                                    s.constraint or "the constraints"))
    return tuple(found)


def _refuse(result: PlanResult, plan: Plan, sources: tuple[ValueSource, ...], why: str,
            free: Plan | None, *, padded: Sequence[str] = (),
            dropped: Sequence[str] = ()) -> PlanResult:
    from .errors import Unsatisfiable
    error = Unsatisfiable(why, core=[s.constraint for s in sources
                                     if s.kind == "solver" and s.constraint],
                          hint="relax the constraint, change the request, or plan with "
                               "Planner(bend=True) to accept a plan that changes the "
                               "request's values (it lists each change)"
                          if not padded else "relax the constraint, or change the request")
    judgement = Judgement("unsatisfiable", sources, why, padded=tuple(padded), plan=plan,
                          unconstrained=free, dropped=tuple(dropped))
    return replace(result, ok=False, plan=None, explanation=str(error), error=error,
                   judgement=judgement, adjustments=_adjustments(result, sources))
