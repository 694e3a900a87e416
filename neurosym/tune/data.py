"""Training data: requests over synthetic catalogues, their intended plans, and
preference pairs (the intended plan against a wrong one on the same request).

A request is written from an :class:`~neurosym.tune.catalogue.Intent` in one of four
languages; the tools shown are its tool among others drawn from the whole catalogue, in
a random order, as a user's catalogue would be. The kinds mix the sub-tasks: one call
(values copied, optional values left to their defaults), two calls of one tool, two
tools in one request, a chain (a lookup whose result feeds the next call), and a
request no shown tool fits (``none()``).

Rejected plans are the mistakes the planner makes, written on purpose: another value
than the request's, a value from the prompt's worked examples, an extra call, a missing
call, a call where none fits and none() where one does, a literal where a chain needs a
reference, and an optional value the request never gave. The planner's own wrong plans
on these requests join them in the recipe (:mod:`neurosym.tune.recipe`).

Everything is drawn from one seeded generator, so the same seed gives the same data.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..tools.tool import Tool
from .catalogue import CHAINS, DOMAINS, INTENTS, LANGUAGES, TOOLS, Chain, Intent, Slot
from .generic import FIELDS, GENERIC_KINDS, GENERIC_TOOLS, make_generic

__all__ = ["Example", "Pair", "KINDS", "generate_examples", "preference_pairs", "plan_text",
           "render_value", "ALL_TOOLS"]

#: Example kinds, with their share of a generated set: the hand-written catalogue's kinds
#: take half, the procedural catalogue's (``g_``, :mod:`neurosym.tune.generic`) the other.
KINDS: dict[str, float] = {"single": 0.2, "pair": 0.06, "two_tools": 0.07, "chain": 0.09,
                           "none": 0.08,
                           **{k: round(0.5 * v, 3) for k, v in GENERIC_KINDS.items()}}

#: Every tool the data may show: the hand-written catalogue's and the procedural one's.
ALL_TOOLS: dict[str, Tool] = {**TOOLS, **GENERIC_TOOLS}

#: The most tools shown with one request (the planner shows five at most).
_MAX_SHOWN = 5

#: Values the planner prompt's worked examples hold: a rejected plan may copy them.
_EXAMPLE_VALUES = ("Tokyo", "Lima", "Ursula K. Le Guin", "Lyon", "sushi")


@dataclass(frozen=True)
class Example:
    """A request, the tools shown for it, and the plan that answers it."""

    kind: str
    language: str
    request: str
    tools: tuple[str, ...]
    plan: str
    #: The calls of the plan, as (tool, arguments); references are ``{"$ref": "r1[0].id"}``.
    calls: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    #: For ``none()``: the tools that would answer the request, kept out of ``tools``.
    withheld: tuple[str, ...] = ()

    def tool_objects(self) -> list[Tool]:
        return [ALL_TOOLS[name] for name in self.tools]

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "language": self.language, "request": self.request,
                "tools": list(self.tools), "plan": self.plan,
                "calls": [[tool, dict(args)] for tool, args in self.calls],
                "withheld": list(self.withheld)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Example:
        return cls(data["kind"], data["language"], data["request"], tuple(data["tools"]),
                   data["plan"], tuple((t, dict(a)) for t, a in data.get("calls", ())),
                   tuple(data.get("withheld", ())))


@dataclass(frozen=True)
class Pair:
    """A preference: ``chosen`` is the intended plan, ``rejected`` a wrong one, for the
    same example; ``mistake`` names what is wrong with it."""

    example: Example
    rejected: str
    mistake: str


def render_value(value: Any) -> str:
    """A value as the plan language writes it.

    >>> render_value("Zürich"), render_value(2), render_value(20.5), render_value(True)
    ('"Zürich"', '2', '20.5', 'True')
    >>> render_value({"$ref": "r1[0].id"})
    'r1[0].id'
    """
    if isinstance(value, Mapping) and "$ref" in value:
        return str(value["$ref"])
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def plan_text(calls: tuple[tuple[str, Mapping[str, Any]], ...]) -> str:
    """The plan text of ``calls``: one line a call, bound to ``r1``, ``r2``, ..."""
    if not calls:
        return "none()"
    lines = []
    for index, (tool, args) in enumerate(calls, 1):
        order = [p.name for p in ALL_TOOLS[tool].params]
        text = ", ".join(f"{name}={render_value(args[name])}" for name in order if name in args)
        lines.append(f"r{index} = {tool}({text})")
    return "\n".join(lines)


def generate_examples(n: int, *, seed: int = 0, languages: tuple[str, ...] = LANGUAGES,
                      extra_tools: tuple[int, int] = (1, 4)) -> list[Example]:
    """``n`` examples drawn by ``seed``, the kinds in the shares of :data:`KINDS`.

    ``extra_tools`` bounds how many other tools are shown beside the ones a plan uses.
    """
    rng = random.Random(seed)
    kinds = list(KINDS)
    weights = [KINDS[k] for k in kinds]
    makers = {"single": _single, "pair": _pair, "two_tools": _two_tools, "chain": _chain,
              "none": _none}
    out: list[Example] = []
    seen: set[tuple[str, str]] = set()
    attempts = 0
    while len(out) < n and attempts < n * 20:
        attempts += 1
        kind = rng.choices(kinds, weights)[0]
        language = rng.choice(languages)
        if kind in GENERIC_KINDS:
            made, shown = make_generic(rng, kind, language, _MAX_SHOWN)
        else:
            made = makers[kind](rng, language)
            if made is None:
                continue
            shown = ()
        request, calls, must_show, avoid = made
        key = (request, ",".join(sorted(must_show)))
        if key in seen:
            continue
        seen.add(key)
        shown = shown or _shown_tools(rng, must_show, avoid, extra_tools)
        out.append(Example(kind, language, request, shown, plan_text(calls), calls,
                           avoid if not calls else ()))
    return out


def _fill(rng: random.Random, template: str, slots: Mapping[str, Slot], language: str,
          avoid: Mapping[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    """The request text of ``template`` and the value of each slot it names."""
    values: dict[str, Any] = {}
    said: dict[str, str] = {}
    spell = rng.random() < 0.35
    for name, slot in slots.items():
        for key in (name, f"{name}_2"):
            if "{" + key + "}" not in template:
                continue
            taken = {values.get(name), (avoid or {}).get(name)}
            choices = [v for v in slot.values if v not in taken] or list(slot.values)
            value = rng.choice(choices)
            values[key] = value
            said[key] = slot.said(value, language, spell)
    # Origin and destination, source and target: two different values.
    for a, b in (("origin", "destination"), ("source", "target")):
        if a in values and b in values and values[a] == values[b]:
            others = [v for v in slots[b].values if v != values[a]]
            values[b] = rng.choice(others)
            said[b] = slots[b].said(values[b], language, spell)
    return template.format(**said), values


def _write(rng: random.Random, phrasings: Mapping[str, tuple[str, ...]],
           slots: Mapping[str, Slot], language: str) -> tuple[str, dict[str, Any]] | None:
    """A request in ``language`` from one of its phrasings, with its slots' values; None
    when there is no phrasing in that language."""
    options = phrasings.get(language)
    if not options:
        return None
    return _fill(rng, rng.choice(options), slots, language)


def _single(rng: random.Random, language: str) -> Any:
    intent = rng.choice(INTENTS)
    written = _write(rng, intent.phrasings, intent.slots, language)
    if written is None:
        return None
    request, values = written
    return request, ((intent.tool, values),), (intent.tool,), ()


def _pair(rng: random.Random, language: str) -> Any:
    intent = rng.choice([i for i in INTENTS if i.pairs])
    written = _write(rng, intent.pairs, intent.slots, language)
    if written is None:
        return None
    request, values = written
    first = {k: v for k, v in values.items() if not k.endswith("_2")}
    second = {k[:-2]: v for k, v in values.items() if k.endswith("_2")}
    return request, ((intent.tool, first), (intent.tool, second)), (intent.tool,), ()


def _two_tools(rng: random.Random, language: str) -> Any:
    first, second = rng.sample(INTENTS, 2)
    parts = []
    calls = []
    for intent in (first, second):
        written = _write(rng, intent.phrasings, intent.slots, language)
        if written is None:
            return None
        request, values = written
        parts.append(request)
        calls.append((intent.tool, values))
    return " ".join(parts), tuple(calls), (first.tool, second.tool), ()


def _chain(rng: random.Random, language: str) -> Any:
    chain: Chain = rng.choice(CHAINS)
    written = _write(rng, chain.phrasings, chain.slots, language)
    if written is None:
        return None
    request, values = written
    producer_params = {p.name for p in TOOLS[chain.producer].params}
    first = {k: v for k, v in values.items() if k in producer_params}
    second: dict[str, Any] = {chain.link: {"$ref": "r1" + chain.path}}
    second.update({k: v for k, v in values.items() if k not in producer_params})
    return request, ((chain.producer, first), (chain.consumer, second)), \
        (chain.producer, chain.consumer), ()


def _none(rng: random.Random, language: str) -> Any:
    intent: Intent = rng.choice(INTENTS)
    written = _write(rng, intent.phrasings, intent.slots, language)
    if written is None:
        return None
    request = written[0]
    domain = next(d for d, tools in DOMAINS.items() if any(t.name == intent.tool for t in tools))
    return request, (), (), tuple(t.name for t in DOMAINS[domain])


def _shown_tools(rng: random.Random, must: tuple[str, ...], avoid: tuple[str, ...],
                 extra: tuple[int, int]) -> tuple[str, ...]:
    pool = [name for name in TOOLS if name not in must and name not in avoid]
    low, high = extra
    high = min(high, _MAX_SHOWN - len(set(must)))
    count = rng.randint(min(max(low, 1), high), high)
    shown = list(dict.fromkeys(must)) + rng.sample(pool, min(count, len(pool)))
    rng.shuffle(shown)
    return tuple(shown)


def preference_pairs(examples: list[Example], *, seed: int = 0, per_example: int = 2) -> list[Pair]:
    """Up to ``per_example`` rejected plans for each example, each a different mistake."""
    rng = random.Random(seed)
    pairs: list[Pair] = []
    for example in examples:
        mistakes = list(_mistakes(rng, example))
        rng.shuffle(mistakes)
        taken: set[str] = set()
        for mistake, text in mistakes:
            if mistake in taken or text == example.plan:
                continue
            taken.add(mistake)
            pairs.append(Pair(example, text, mistake))
            if len(taken) >= per_example:
                break
    return pairs


def _mistakes(rng: random.Random, example: Example) -> Iterator[tuple[str, str]]:
    calls = example.calls
    shown = [ALL_TOOLS[name] for name in example.tools]
    if not calls:
        tool = rng.choice(shown)
        yield "call_when_none", plan_text(((tool.name, _made_up_args(rng, tool)),))
        return
    yield "none_when_call", "none()"
    literal_calls = [(i, tool, args) for i, (tool, args) in enumerate(calls)]
    # Another value than the request's.
    index, tool, args = rng.choice(literal_calls)
    literal = [k for k, v in args.items() if not isinstance(v, Mapping)]
    if literal:
        name = rng.choice(literal)
        other = _other_value(rng, tool, name, args[name])
        if other is not None:
            yield "wrong_value", plan_text(_replace(calls, index, name, other))
        strings = [k for k in literal if isinstance(args[k], str)
                   and ALL_TOOLS[tool].param(k) is not None
                   and ALL_TOOLS[tool].param(k).enum is None]
        if strings:
            name = rng.choice(strings)
            yield "example_value", plan_text(_replace(calls, index, name, rng.choice(_EXAMPLE_VALUES)))
    # An extra call: the last call again with another value, or a shown tool unused.
    last_tool, last_args = calls[-1]
    literal = [k for k, v in last_args.items() if not isinstance(v, Mapping)]
    if literal:
        name = rng.choice(literal)
        other = _other_value(rng, last_tool, name, last_args[name])
        if other is not None:
            yield "extra_call", plan_text((*calls, (last_tool, {**last_args, name: other})))
    unused = [t for t in shown if t.name not in {c[0] for c in calls}]
    if unused:
        tool = rng.choice(unused)
        yield "extra_tool", plan_text((*calls, (tool.name, _made_up_args(rng, tool))))
    # Another shown tool that takes the same values: the name misread.
    index, (tool, args) = rng.choice(list(enumerate(calls)))
    twins = [t for t in shown if t.name != tool and set(args) <= {p.name for p in t.params}
             and {p.name for p in t.params if p.required} <= set(args)]
    if twins:
        yield "wrong_tool", plan_text((*calls[:index], (rng.choice(twins).name, args),
                                       *calls[index + 1:]))
    if len(calls) > 1 and example.kind != "chain":
        yield "missing_call", plan_text(calls[:1])
    if example.kind == "chain":
        consumer, consumer_args = calls[1]
        link = next(k for k, v in consumer_args.items() if isinstance(v, Mapping))
        producer_value = next(iter(calls[0][1].values()), "1")
        yield "literal_for_reference", plan_text(
            ((consumer, {**consumer_args, link: str(producer_value)}),))
    # An optional value the request never gave.
    for index, (tool, args) in enumerate(calls):
        for param in ALL_TOOLS[tool].params:
            if not param.required and param.name not in args:
                value = _made_up_value(rng, param)
                if value is not None:
                    yield "unasked_default", plan_text(_replace(calls, index, param.name, value))
                    return


def _replace(calls: tuple[tuple[str, Mapping[str, Any]], ...], index: int, name: str,
             value: Any) -> tuple[tuple[str, Mapping[str, Any]], ...]:
    tool, args = calls[index]
    return (*calls[:index], (tool, {**args, name: value}), *calls[index + 1:])


def _slot_values(tool: str, name: str) -> tuple[Any, ...]:
    if tool in GENERIC_TOOLS:
        return FIELDS[name].values
    for intent in INTENTS:
        if intent.tool == tool and name in intent.slots:
            return intent.slots[name].values
    for chain in CHAINS:
        if tool in (chain.producer, chain.consumer) and name in chain.slots:
            return chain.slots[name].values
    return ()


def _other_value(rng: random.Random, tool: str, name: str, value: Any) -> Any:
    param = ALL_TOOLS[tool].param(name)
    pool = [v for v in (param.enum if param is not None and param.enum else
                        _slot_values(tool, name)) if v != value]
    if pool:
        return rng.choice(pool)
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    return None


def _made_up_value(rng: random.Random, param: Any) -> Any:
    if param.enum:
        options = [v for v in param.enum if v != param.default]
        return rng.choice(options) if options else None
    if param.type == "integer":
        low = int(param.minimum if param.minimum is not None else 1)
        high = int(param.maximum if param.maximum is not None else low + 9)
        options = [v for v in range(low, high + 1) if v != param.default]
        return rng.choice(options) if options else None
    if param.type == "number":
        return 10.0
    if param.type == "boolean":
        return not bool(param.default)
    if param.type == "string":
        return rng.choice(("default", "Paris", "test", "Tokyo"))
    return None


def _made_up_args(rng: random.Random, tool: Tool) -> dict[str, Any]:
    args: dict[str, Any] = {}
    for param in tool.params:
        if not param.required:
            continue
        pool = _slot_values(tool.name, param.name)
        args[param.name] = rng.choice(pool) if pool else _made_up_value(rng, param)
    return args
