"""Scoring a chained plan against the intended one, over the parsed plans: the calls
matched up to the order the references allow, each argument read as a literal or as a
reference to a producer call's field (:mod:`neurosym.bench.chains` names the measures)."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..decode.boundary import python_value
from ..plan.ast import Call, Plan, Ref, walk_values

__all__ = ["Answered", "CallNode", "EntryScore", "Reading", "drop_defaults", "nodes_of_plan",
           "plain_value", "score", "summarise", "tool_defaults"]

#: One way to read an argument: ("lit", plain value) or ("ref", producer call, path).
Reading = tuple[Any, ...]


@dataclass(frozen=True)
class CallNode:
    """A call as the scorer sees it: its tool and, per argument, the readings it
    admits (a planner's value has one; a peer's value may also be a returned field)."""

    tool: str
    args: Mapping[str, tuple[Reading, ...]]


def plain_value(value: Any) -> Any:
    """A value made comparable: text case-folded and trimmed, numbers as floats."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        return value.strip().casefold()
    if isinstance(value, (list, tuple)):
        return tuple(plain_value(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), plain_value(v)) for k, v in value.items()))
    return repr(value)


def tool_defaults(tools: Any) -> dict[str, dict[str, Any]]:
    if tools is None:
        return {}
    return {t.name: {p.name: plain_value(p.default) for p in t.params if not p.required}
            for t in tools}


def drop_defaults(tool: str, args: dict[str, tuple[Reading, ...]],
                   defaults: Mapping[str, Mapping[str, Any]]) -> dict[str, tuple[Reading, ...]]:
    """Arguments without those that only restate the tool's default (writing
    ``role="viewer"`` where it is the default changes nothing the call does)."""
    own = defaults.get(tool, {})
    return {name: readings for name, readings in args.items()
            if not (name in own and readings[0] == ("lit", own[name]))}


def nodes_of_plan(plan: Plan, tools: Any = None) -> list[CallNode]:
    """A parsed plan's calls as scorer nodes; a reference names the producing step by
    its position. Arguments equal to the tool's default are left out."""
    defaults = tool_defaults(tools)
    bound: dict[str, int] = {}
    nodes = []
    for position, step in enumerate(plan.steps):
        args: dict[str, tuple[Reading, ...]] = {}
        for name, value in step.call.args:
            args[name] = (_reading(value, bound),)
        nodes.append(CallNode(step.call.tool, drop_defaults(step.call.tool, args, defaults)))
        if step.bind:
            bound[step.bind] = position
    return nodes


def _reading(value: Any, bound: Mapping[str, int]) -> Reading:
    if isinstance(value, Ref):
        return ("ref", bound.get(value.name, -1), value.path)
    if isinstance(value, Call):
        return ("call", value.tool)
    if any(isinstance(node, (Ref, Call)) for node in walk_values(value)):
        return ("other", repr(value))
    return ("lit", plain_value(python_value(value)))


@dataclass(frozen=True)
class EntryScore:
    """How one plan compares with its entry's intended plan."""

    full: bool
    refs_right: int
    refs_total: int
    producers_present: bool
    #: Each intended reference (in the intended plan's order): written right or not.
    ref_hits: tuple[bool, ...] = ()
    names: tuple[int, int, int] = (0, 0, 0)  # true and false positives, false negatives
    arguments: tuple[int, int, int] = (0, 0, 0)


def _equal(want: Reading, got: tuple[Reading, ...], mapping: Mapping[int, int]) -> bool:
    for reading in got:
        if want[0] == "ref":
            if (reading[0] == "ref" and mapping.get(want[1]) == reading[1]
                    and tuple(reading[2]) == tuple(want[2])):
                return True
        elif reading == want:
            return True
    return False


def _pair_score(want: CallNode, got: CallNode, mapping: Mapping[int, int]) -> int:
    return 1 + sum(1 for name, readings in want.args.items()
                   if name in got.args and _equal(readings[0], got.args[name], mapping))


def _mappings(intended: Sequence[CallNode], answered: Sequence[CallNode]
              ) -> Iterator[dict[int, int]]:
    """Every one-to-one map from intended calls to answered calls of the same tool
    (an intended call may stay unmapped)."""
    options = [[None, *(j for j, node in enumerate(answered) if node.tool == want.tool)]
               for want in intended]
    for choice in itertools.product(*options):
        taken = [j for j in choice if j is not None]
        if len(taken) == len(set(taken)):
            yield {i: j for i, j in enumerate(choice) if j is not None}


def _best_mapping(intended: Sequence[CallNode], answered: Sequence[CallNode]
                  ) -> dict[int, int]:
    best: dict[int, int] = {}
    best_score = -1
    for mapping in _mappings(intended, answered):
        total = sum(_pair_score(intended[i], answered[j], mapping) for i, j in mapping.items())
        if total > best_score:
            best, best_score = mapping, total
    return best


def _argument_items(nodes: Sequence[CallNode], intended: Sequence[CallNode] | None = None
                    ) -> Counter[tuple[Any, ...]]:
    """The arguments as (tool, parameter, value) items, a reference's value being its
    producer's tool and the field path. For answered nodes, a value with several
    readings counts as the one the intended calls hold, if any holds it."""
    wanted: set[tuple[Any, ...]] = set(_argument_items(intended)) if intended else set()
    items: Counter[tuple[Any, ...]] = Counter()
    for node in nodes:
        for name, readings in node.args.items():
            keyed = [_item(node.tool, name, r, nodes) for r in readings]
            items[next((k for k in keyed if k in wanted), keyed[0])] += 1
    return items


def _item(tool: str, name: str, reading: Reading, nodes: Sequence[CallNode]
          ) -> tuple[Any, ...]:
    if reading[0] == "ref":
        producer = nodes[reading[1]].tool if 0 <= reading[1] < len(nodes) else "?"
        return (tool, name, "ref", producer, tuple(reading[2]))
    return (tool, name, *reading)


def _counts(want: Counter[Any], got: Counter[Any]) -> tuple[int, int, int]:
    hit = sum((want & got).values())
    return hit, sum(got.values()) - hit, sum(want.values()) - hit


def score(intended: Sequence[CallNode], answered: Sequence[CallNode]) -> EntryScore:
    """Score answered calls against the intended ones (see the module's measures).

    The intended and answered calls are paired one to one by tool so as to agree on
    the most arguments; references are judged under that pairing.
    """
    mapping = _best_mapping(intended, answered)
    refs = [(i, name, readings[0]) for i, node in enumerate(intended)
            for name, readings in node.args.items() if readings[0][0] == "ref"]
    hits = tuple(i in mapping and name in answered[mapping[i]].args
                 and _equal(want, answered[mapping[i]].args[name], mapping)
                 for i, name, want in refs)
    producers = {reading[1] for _, _, reading in refs}
    full = (len(mapping) == len(intended) == len(answered)
            and all(set(intended[i].args) == set(answered[j].args)
                    and all(_equal(r[0], answered[j].args[name], mapping)
                            for name, r in intended[i].args.items())
                    for i, j in mapping.items()))
    names = _counts(Counter(n.tool for n in intended), Counter(n.tool for n in answered))
    arguments = _counts(_argument_items(intended), _argument_items(answered, intended))
    return EntryScore(full, sum(hits), len(refs), producers <= set(mapping), hits, names,
                      arguments)


def _f1(counts: Iterable[tuple[int, int, int]]) -> float:
    tp = fp = fn = 0
    for a, b, c in counts:
        tp, fp, fn = tp + a, fp + b, fn + c
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def summarise(scores: Sequence[EntryScore]) -> dict[str, Any]:
    """The half's measures from its entries' scores."""
    n = len(scores)
    refs_total = sum(s.refs_total for s in scores)
    return {
        "n": n,
        "full_sequence": sum(s.full for s in scores) / n if n else 0.0,
        "reference_accuracy": (sum(s.refs_right for s in scores) / refs_total
                               if refs_total else 0.0),
        "producers_present": sum(s.producers_present for s in scores) / n if n else 0.0,
        "name_f1": _f1(s.names for s in scores),
        "argument_f1": _f1(s.arguments for s in scores),
        "references": refs_total,
    }


# -- answering ---------------------------------------------------------------------------


@dataclass
class Answered:
    """What a mode made of one entry: its calls, its text, the time and any note."""

    nodes: list[CallNode]
    text: str
    seconds: float
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
