"""The search as a tree: every value the model proposed, what the solver said, where it jumped back.

Walking the trace, each checked value (or call, or plan end) becomes a node under the
last value still standing before it. A rejected value is a leaf carrying the reason
(the unsat core); the value written next at the same place is its sibling. A rollback
that takes back values already accepted is a backjump: those values are marked
retracted, and an edge of its own goes from the rejection to the culprit.

The solver's own events (rejections with their cores, narrowings of a value to a
feasible set, its fallback proposals, bans of a tool, backjumps) are matched to the
nodes they speak of, by checkpoint or by step and parameter, wherever they sit in the
trace.

>>> from neurosym.decode.boundary import Boundary
>>> from neurosym.decode.checkpoint import Checkpoint
>>> from neurosym.decode.events import DecisionEvent, RollbackEvent
>>> from neurosym.decode.hooks import CONTINUE, Reject
>>> from neurosym.plan.ast import Literal
>>> start = Checkpoint(3, "value_start", 20, 20, 6, b"", (0, "book_hotel", "nights"))
>>> def value(text, offset):
...     return Boundary("value_end", offset, (0, "book_hotel", "nights"), tool="book_hotel",
...                     param="nights", text=text, value=Literal(int(text)))
>>> tree = search_tree([
...     DecisionEvent(value("20", 22), Reject(start, "20", "nights in 1..14"), 0.1),
...     RollbackEvent(start, "20", "20", "nights in 1..14", 0.1),
...     DecisionEvent(value("14", 22), CONTINUE, 0.2)])
>>> [(n.label, n.status) for n in tree.nodes[1:]]
[('nights = 20', 'rejected'), ('nights = 14', 'accepted')]
>>> tree.nodes[1].reason, tree.nodes[2].parent
('nights in 1..14', 0)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from ..plan.ast import DictValue, ListValue
from ._trace import (DECODER_KINDS, core_lines, decision_reason, decision_rejects, event_kind,
                     path_text, trace_events)

__all__ = ["NodeStatus", "NodeOrigin", "SearchNode", "Backjump", "SearchTree", "search_tree"]

NodeStatus = Literal["root", "accepted", "rejected", "retracted"]
NodeOrigin = Literal["model", "narrowed", "solver"]
_VALUE_KINDS = ("value_end", "ref_end")
# boundaries that become nodes even when accepted (the shape of the plan)
_SHOWN_WHEN_ACCEPTED = ("call_start", "value_end", "plan_end")


@dataclass(frozen=True)
class SearchNode:
    """One proposal and its fate.

    ``kind`` is ``value``, ``call``, ``end`` (the plan's end) or ``other`` (a rejection at
    another boundary). ``origin`` says who chose the value: the ``model`` freely, the
    model within a feasible set the solver ``narrowed`` it to, or the ``solver`` (one of
    its fallback proposals, or a value the search changed from the model's choice);
    ``detail`` says how (the feasible set, the proposals).
    """

    id: int
    kind: str
    label: str
    where: str
    status: NodeStatus
    parent: int | None
    origin: NodeOrigin = "model"
    reason: str = ""
    core: tuple[str, ...] = ()
    detail: str = ""
    offset: int = 0
    t: float = 0.0
    event: int | None = None
    path: tuple[Any, ...] = ()
    text: str | None = None
    start: int | None = None
    checkpoint: int | None = None


@dataclass(frozen=True)
class Backjump:
    """A rollback past the value just rejected, to ``target``, the earliest value taken back."""

    source: int
    target: int
    retracted: tuple[int, ...]
    reason: str = ""


@dataclass(frozen=True)
class SearchTree:
    nodes: tuple[SearchNode, ...]
    backjumps: tuple[Backjump, ...] = ()
    notes: tuple[str, ...] = ()

    def children(self, node: int) -> list[SearchNode]:
        return [n for n in self.nodes if n.parent == node]

    def count(self, status: NodeStatus) -> int:
        return sum(1 for n in self.nodes if n.status == status)

    @property
    def rejected(self) -> tuple[SearchNode, ...]:
        return tuple(n for n in self.nodes if n.status == "rejected")


def _value_label(boundary: Any) -> str:
    text = boundary.text if boundary.text is not None else "…"
    param = boundary.param
    path = boundary.path or ()
    last = path[-1] if path else None
    if isinstance(last, int):
        name = f"{param or ''}[{last}]"
    elif isinstance(last, str) and last != param and param is not None and path[-2:-1] != (param,):
        name = f"{param}.{last}"
    else:
        name = param or (str(last) if last is not None else "value")
    return f"{name} = {text}"


def _label(boundary: Any) -> tuple[str, str]:
    kind = boundary.kind
    if kind in _VALUE_KINDS:
        return "value", _value_label(boundary)
    if kind == "call_start":
        bind = f"{boundary.bind} = " if getattr(boundary, "bind", None) else ""
        return "call", f"{bind}{boundary.tool}(…)"
    if kind == "plan_end":
        return "end", "end of plan"
    if kind == "dead_end":
        return "other", "dead end"
    detail = boundary.tool or boundary.text or ""
    return "other", f"{kind.replace('_', ' ')} {detail}".strip()


def _start_offset(boundary: Any) -> int:
    if boundary.kind in _VALUE_KINDS and boundary.text is not None:
        return boundary.offset - len(boundary.text)
    return boundary.offset


def _at(node: SearchNode, step: Any, param: Any) -> bool:
    """Is ``node`` about parameter ``param`` of step ``step`` (a top-level argument)?"""
    return len(node.path) >= 2 and node.path[0] == step and node.path[-1] == param


def _adjusted_places(adjustments: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Where each adjustment applies: a decode path, or a (step, parameter) pair."""
    found: list[tuple[Any, ...]] = []
    for item in adjustments:
        path = getattr(item, "path", None)
        if isinstance(path, (tuple, list)) and path:
            found.append(tuple(path))
            continue
        step, param = getattr(item, "step", None), getattr(item, "param", None)
        if isinstance(step, int) and param is not None:
            found.append((step, str(param)))
    return found


class _Builder:
    """The tree as it grows while the trace is read."""

    def __init__(self) -> None:
        self.nodes: list[SearchNode] = [SearchNode(0, "root", "request", "", "root", None)]
        self.backjumps: list[Backjump] = []
        self.notes: list[str] = []
        self.branch: list[int] = []                     # accepted nodes still standing
        self.value_starts: dict[tuple[tuple[Any, ...], int], int] = {}
        self.last_rejected: int | None = None
        self.solver_events: list[Any] = []

    def check(self, index: int, event: Any) -> None:
        boundary, decision = event.boundary, event.decision
        if boundary.kind == "value_start" and boundary.checkpoint is not None:
            self.value_starts[(tuple(boundary.path or ()), boundary.offset)] = \
                boundary.checkpoint.id
        rejected = decision_rejects(decision)
        if not rejected and boundary.kind not in _SHOWN_WHEN_ACCEPTED:
            return
        if boundary.kind == "value_end" and not rejected and \
                isinstance(boundary.value, (ListValue, DictValue)):
            return  # its items are already in the tree
        node_kind, label = _label(boundary)
        path = tuple(boundary.path or ())
        offset = _start_offset(boundary)
        node = SearchNode(
            id=len(self.nodes), kind=node_kind, label=label, where=path_text(path),
            status="rejected" if rejected else "accepted",
            parent=self.branch[-1] if self.branch else 0, reason=decision_reason(decision),
            core=tuple(core_lines(decision)), offset=offset,
            t=float(getattr(event, "t", 0.0)), event=index, path=path, text=boundary.text,
            start=self.value_starts.get((path, offset)) if node_kind == "value" else None,
            checkpoint=boundary.checkpoint.id if boundary.checkpoint is not None else None)
        self.nodes.append(node)
        if rejected:
            self.last_rejected = node.id
        else:
            self.branch.append(node.id)

    def rollback(self, event: Any) -> None:
        target = event.target
        ended = [n for n in self.branch if self.nodes[n].kind == "end"]
        taken = [n for n in self.branch if self.nodes[n].offset >= target.offset
                 and n not in ended]
        self.branch = [n for n in self.branch if n not in taken and n not in ended]
        for n in taken + ended:
            self.nodes[n] = replace(self.nodes[n], status="retracted")
        if taken and self.last_rejected is not None:
            self.backjumps.append(Backjump(self.last_rejected, taken[0], tuple(taken),
                                           str(getattr(event, "reason", "") or "")))

    def update(self, node: SearchNode, **changes: Any) -> None:
        self.nodes[node.id] = replace(node, **changes)

    def apply_solver_events(self) -> None:
        """Give the solver's events to the nodes they speak of: by the checkpoint they name
        (a value's start, the boundary itself), else by step, parameter and text."""
        for event in self.solver_events:
            kind = event_kind(event)
            detail = str(getattr(event, "detail", "") or getattr(event, "reason", "") or "")
            lines = tuple(core_lines(event))
            checkpoint = getattr(event, "checkpoint", None)
            if kind in ("narrow", "fallback"):
                origin: NodeOrigin = "narrowed" if kind == "narrow" else "solver"
                for node in self.nodes:
                    if node.kind == "value" and checkpoint is not None and node.start == checkpoint:
                        self.update(node, origin=origin, detail=detail)
            elif kind in ("reject", "ban"):
                node = self._rejected_for(event, checkpoint)
                if node is not None:
                    self.update(node, core=lines or node.core, reason=node.reason or detail)
            elif kind == "backjump":
                for at, jump in enumerate(self.backjumps):
                    if self.nodes[jump.target].start == checkpoint and detail:
                        self.backjumps[at] = replace(jump, reason=detail)
            elif kind != "accept":
                text = detail or "; ".join(lines) or str(getattr(event, "text", "") or "")
                if text:
                    self.notes.append(f"{kind}: {text}")

    def _rejected_for(self, event: Any, checkpoint: Any) -> SearchNode | None:
        """The rejected node a rejection (or a ban) explains, one without a core yet."""
        open_nodes = [n for n in self.nodes if n.status == "rejected" and not n.core]
        if checkpoint is not None:
            for node in open_nodes:
                if checkpoint in (node.start, node.checkpoint):
                    return node
        step, param = getattr(event, "step", None), getattr(event, "param", None)
        text, tool = getattr(event, "text", None), getattr(event, "tool", None)
        for node in open_nodes:
            if param is not None and _at(node, step, param) and text in (None, node.text):
                return node
            if param is None and step is not None and node.path[:1] == (step,) and \
                    (tool is None or tool in node.label):
                return node
        return None

    def apply_adjustments(self, adjustments: Sequence[Any]) -> None:
        for place in _adjusted_places(adjustments):
            standing = [n for n in self.nodes if n.kind == "value" and n.status == "accepted"
                        and (n.path == place or (len(place) == 2 and _at(n, *place)))]
            if standing:
                self.update(standing[-1], origin="solver")


def search_tree(trace: Any, adjustments: Sequence[Any] | None = None) -> SearchTree:
    """The search tree of a trace (a plan result, a decode result, or its events).

    ``adjustments`` (read from a plan result when not given) mark the values the search
    changed from the model's choice as the solver's. A plan result the search over whole
    plans answered (``result.search``), or its outcome, gives the beam's tree
    (:func:`neurosym.notebook.beam.beam_tree`).
    """
    outcome = trace if hasattr(trace, "candidates") else getattr(trace, "search", None)
    if outcome is not None and hasattr(outcome, "candidates"):
        from .beam import beam_tree
        return beam_tree(trace)
    events = trace_events(trace)
    if adjustments is None:
        adjustments = tuple(getattr(trace, "adjustments", ()) or ())
    builder = _Builder()
    for index, event in enumerate(events):
        kind = event_kind(event)
        if kind == "check":
            builder.check(index, event)
        elif kind == "rollback":
            builder.rollback(event)
        elif kind not in DECODER_KINDS:
            builder.solver_events.append(event)
    builder.apply_solver_events()
    builder.apply_adjustments(adjustments)
    return SearchTree(tuple(builder.nodes), tuple(builder.backjumps), tuple(builder.notes))
