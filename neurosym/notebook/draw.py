"""Drawings of a plan (its dependency graph) and of the search that produced it (a tree).

Both are self-contained SVG: they display by themselves in JupyterLab and stay in a
notebook exported to HTML; ``.figure()`` gives the same drawing as a matplotlib Figure.

>>> from neurosym.plan import parse_plan
>>> drawing = draw_plan(parse_plan('''
... flights = search_flights(origin="SFO", destination="CDG", date="2026-12-01")
... hotels = search_hotels(city="Paris")
... booking = book_flight(flight_id=flights[0].id, passengers=2)'''))
>>> drawing.batches
[[0, 1], [2]]
>>> drawing.svg.startswith("<svg") and "flights[0].id" in drawing.svg
True

Why one module: the plan's drawing and the search's tree share the SVG primitives
(boxes, curves, legend) and the matplotlib back end.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import NeurosymError
from ..plan.ast import Call, Plan, Ref, Value
from ..redact import Secrets
from ._layout import Box, Direction, layered_layout
from ._scene import Command, Curve, Label, Rect, Scene, Text
from ._svg import is_cut, render_svg, text_width, truncate, wrap
from .search import SearchNode, SearchTree, search_tree

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.figure import Figure

__all__ = ["Drawing", "PlanDrawing", "SearchDrawing", "draw_plan", "draw_search"]

# Sizes a person reads at 100% zoom; a drawing wider than its output is scaled down.
_TITLE = 13.5
_BODY = 12.0
_SMALL = 11.0
_TAG = 10.0
_LINE = 16.0
_SEARCH_TITLE = 12.5
_SEARCH_LINE = 11.0
_SEARCH_STEP = 14.0
_PAD = 9.0
_ARG_CHARS = 44
_MAX_ARGS = 7

_STATUS_FILL = {"ok": "#e8f5e9", "error": "#ffebee", "denied": "#fff3e0", "timeout": "#fff3e0",
                "blocked": "#f5f5f5", "skipped": "#f5f5f5", "dry-run": "#e3f2fd"}
_STATUS_STROKE = {"ok": "#2e7d32", "error": "#c62828", "denied": "#ef6c00",
                  "timeout": "#ef6c00", "blocked": "#9e9e9e", "skipped": "#9e9e9e",
                  "dry-run": "#1565c0"}


@dataclass(frozen=True)
class Drawing:
    """A drawing: ``svg`` (a string), ``scene`` (its shapes); shows itself in a notebook."""

    scene: Scene = field(repr=False)
    svg: str = field(repr=False)

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_html_(self) -> str:
        # JupyterLab shows SVG outputs as an <img> at their natural size, cut off where
        # the output ends; inline, the drawing scales down to the output's width.
        return f'<div class="neurosym-drawing" style="max-width:100%">{self.svg}</div>'

    def figure(self, ax: Any = None) -> Figure:
        """The same drawing as a matplotlib Figure (on ``ax`` when given)."""
        from ._mpl import scene_figure
        return scene_figure(self.scene, ax)

    def save(self, path: str | Path) -> Path:
        """Write ``.svg`` as is; any other suffix (``.png``, ``.pdf``) through matplotlib."""
        target = Path(path)
        if target.suffix.lower() == ".svg":
            target.write_text(self.svg, encoding="utf-8")
        else:
            self.figure().savefig(target)
        return target

    @property
    def size(self) -> tuple[float, float]:
        return self.scene.width, self.scene.height


@dataclass(frozen=True)
class PlanDrawing(Drawing):
    """A plan's dependency graph; ``batches`` are the steps that may run together."""

    graph: Any = field(default=None, repr=False)
    batches: list[list[int]] = field(default_factory=list)


@dataclass(frozen=True)
class SearchDrawing(Drawing):
    """A search tree: every proposal, accepted or rejected, and the backjumps."""

    tree: SearchTree | None = field(default=None, repr=False)
    hidden: int = 0


# -- plans -------------------------------------------------------------------------------

def _as_plan(plan: Any) -> Plan:
    from ..plan.parse import parse_plan

    if isinstance(plan, Plan):
        return plan
    if isinstance(plan, str):
        return parse_plan(plan)
    inner = getattr(plan, "plan", None)
    if isinstance(inner, Plan):
        return inner
    if inner is None and hasattr(plan, "ok"):
        raise NeurosymError("this result holds no plan to draw",
                            hint="draw the plan of a result whose ok is True, "
                                 "or read result.explanation to see why there is none")
    raise NeurosymError(f"cannot draw a plan from a {type(plan).__name__}",
                        hint="pass a Plan, plan text, or a plan result")


def _value_text(value: Value) -> str:
    from ..plan.render import render_value
    try:
        return render_value(value)
    except NeurosymError:
        return repr(value)


def _step_statuses(execution: Any) -> dict[int, str]:
    if execution is None:
        return {}
    steps = getattr(execution, "steps", None)
    if steps is None:
        raise NeurosymError(f"cannot read step results from a {type(execution).__name__}",
                            hint="pass the ExecutionResult of running this plan")
    return {int(s.index): str(s.status) for s in steps}


#: An argument line of a call box: the text shown, whether it is a reference, and the
#: full text when the shown one is cut short (the hover text), else "".
_ArgLine = tuple[str, bool, str]


def _secrets_of(source: Any, tools: Any, execution: Any, plan: Plan) -> Secrets:
    """The sensitive values a drawing must not show: the literal values the plan gives
    sensitive parameters, and what the plan's result or run already knew to be secret."""
    from ..graph.tool_index import index_tools

    secrets = Secrets()
    for known in (getattr(source, "secrets", None), getattr(execution, "secrets", None)):
        if isinstance(known, Secrets):
            secrets.update(known)
    if tools is not None:
        secrets.add_plan(plan, index_tools(tools))
    return secrets


def _node_lines(data: dict[str, Any], secrets: Secrets | None = None) -> tuple[str, list[_ArgLine]]:
    bind = data.get("bind")
    lifted = data.get("lifted")
    head = f"{bind} = {data['tool']}" if bind and not lifted else str(data["tool"])
    args: list[_ArgLine] = []
    items = list(data.get("args", {}).items())
    for name, value in items[:_MAX_ARGS]:
        shown = _value_text(value)
        if isinstance(value, Call):
            shown = f"{value.tool}(…)"
        if secrets is not None:
            shown = secrets.redact(shown)
        line = f"{name} = {shown}"
        args.append((truncate(line, _ARG_CHARS), isinstance(value, Ref),
                     line if is_cut(line, _ARG_CHARS) else ""))
    if len(items) > _MAX_ARGS:
        rest = ", ".join(f"{k} = {_value_text(v)}" for k, v in items[_MAX_ARGS:])
        if secrets is not None:
            rest = secrets.redact(rest)
        args.append((f"… {len(items) - _MAX_ARGS} more", False, rest))
    return head, args


def _curve(points: Sequence[tuple[float, float]], direction: Direction) -> tuple[Command, ...]:
    commands: list[Command] = [("M", points[0])]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if direction == "TB":
            mid = (y0 + y1) / 2
            commands.append(("C", (x0, mid, x1, mid, x1, y1)))
        else:
            mid = (x0 + x1) / 2
            commands.append(("C", (mid, y0, mid, y1, x1, y1)))
    return tuple(commands)


def _edge_text(graph: nx.DiGraph, u: Hashable, v: Hashable) -> str:
    """What an edge says: the reference read and the argument it feeds."""
    data = graph.edges[u, v]
    refs = data.get("refs", ())
    text = "; ".join(f"{ref} → {arg}" for arg, ref in refs) or str(data.get("arg", ""))
    return truncate(text, 40)


def _midpoint(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    if len(points) % 2 == 1:
        return points[len(points) // 2]
    (x0, y0), (x1, y1) = points[len(points) // 2 - 1], points[len(points) // 2]
    return (x0 + x1) / 2, (y0 + y1) / 2


def draw_plan(plan: Any, tools: Any = None, *, direction: Direction = "TB",
              execution: Any = None, title: str | None = None) -> PlanDrawing:
    """The dependency graph of ``plan`` (a Plan, plan text, or a plan result).

    Calls are boxes (the tool, its result's name, its arguments); references are arrows
    labelled with the field they read and the argument they feed. Steps of one batch
    (a topological generation: they read nothing from each other) sit side by side in a
    band; ``direction`` ``LR`` turns the bands into columns. ``tools`` marks writes;
    ``execution`` (an ExecutionResult of this plan) colours each call by how it went.
    The values of sensitive parameters show as ``[redacted]`` (known from ``tools``, and
    from a plan result or an execution).
    """
    import networkx as nx

    from ..graph import parallel_batches, plan_graph
    from ..plan.render import render_plain

    source = plan
    plan = _as_plan(plan)
    graph = plan_graph(plan, tools)
    secrets = _secrets_of(source, tools, execution, plan)
    statuses = _step_statuses(execution)
    batches = parallel_batches(graph) if graph.number_of_nodes() else []

    order = {n: k for k, n in enumerate(
        sorted(n for n, d in graph.nodes(data=True) if d.get("effect") == "write"))}
    sizes: dict[Hashable, tuple[float, float]] = {}
    content: dict[Hashable, tuple[str, list[_ArgLine]]] = {}
    for node, data in graph.nodes(data=True):
        head, args = _node_lines(data, secrets)
        content[node] = (head, args)
        tag = " · ".join(_tags(node, data, statuses.get(node), order))
        width = max([text_width(head, _TITLE) + text_width(tag, _TAG) + 14]
                    + [text_width(a, _BODY) for a, _, _ in args])
        sizes[node] = (width + 2 * _PAD, 2 * _PAD + _TITLE + 4 + _LINE * len(args))

    layers = [list(batch) for batch in batches]
    drawn: nx.DiGraph = graph.copy()
    terminal = plan.terminal
    if terminal is not None or not layers:
        kind = terminal.kind if terminal is not None else "none"
        said = (secrets.redact(render_plain(terminal.text))
                if terminal is not None and terminal.text else "")
        text = f"{kind}({truncate(said, 40)})"
        note = {"ask": "a question for the user", "answer": "the reply",
                "none": "no tool fits the request"}.get(kind, "")
        drawn.add_node("terminal")
        content["terminal"] = (text, [(note, False, f"{kind}({said})" if is_cut(said, 40)
                                       else "")] if note else [])
        sizes["terminal"] = (max(text_width(text, _TITLE), text_width(note, _BODY)) + 2 * _PAD,
                             2 * _PAD + _TITLE + 4 + (_LINE if note else 0))
        layers.append(["terminal"])

    notes = [_batch_note(sum(1 for n in layer if n not in order and n != "terminal"),
                         sum(1 for n in layer if n in order)) for layer in layers]
    # the band labels sit in the left gutter: it is as wide as the longest of them
    gutter = (max([84.0] + [text_width(note, 9) + 24.0 for note in notes])
              if direction == "TB" else 0.0)
    header = 0.0 if direction == "TB" else 26.0
    labels = {edge: _edge_text(graph, *edge) for edge in graph.edges}
    gap = 64.0
    if direction == "LR" and labels:  # labels sit between the columns
        gap = max(gap, max(text_width(t, 10.5) for t in labels.values()) + 40.0)
    layout = layered_layout(drawn, sizes, direction=direction, layers=layers,
                            layer_gap=gap, node_gap=30.0)
    heading = 24.0 if title else 0.0
    dx, dy = gutter, header + heading
    scene = Scene(layout.width + gutter, layout.height + header + heading,
                  title=title or "plan dependency graph")
    if title:
        scene.add(Text(12, 17, title, size=13, weight="bold"))

    # bands: one per batch, numbered; the reads of a batch run in parallel, its writes
    # one at a time in plan order (as the executor runs them)
    for i, (start, end) in enumerate(layout.bands):
        real = [n for n in layers[i] if n != "terminal"]
        if not real:
            continue
        label = f"batch {i + 1}"
        sub = notes[i]
        if direction == "TB":
            scene.add(Rect(4, dy + start - 10, scene.width - 8, end - start + 20,
                           fill="#f4f7fb" if i % 2 == 0 else "#fafbfd", stroke="none",
                           radius=8, stroke_width=0, role="batch"))
            scene.add(Text(12, dy + (start + end) / 2 - (2 if sub else -4), label, size=_SMALL,
                           color="#546e7a", weight="bold"))
            if sub:
                scene.add(Text(12, dy + (start + end) / 2 + 11, sub, size=9, color="#78909c"))
        else:
            scene.add(Rect(dx + start - 10, 4, end - start + 20, scene.height - 8,
                           fill="#f4f7fb" if i % 2 == 0 else "#fafbfd", stroke="none",
                           radius=8, stroke_width=0, role="batch"))
            scene.add(Text(dx + (start + end) / 2, 18, label + (f" ({sub})" if sub else ""),
                           size=_SMALL, color="#546e7a", anchor="middle", weight="bold"))

    for (u, v), points in layout.routes.items():
        moved = [(x + dx, y + dy) for x, y in points]
        text = labels[(u, v)]
        group = scene.begin()
        scene.add(Curve(_curve(moved, direction), stroke="#607d8b", width=1.5, role="edge",
                        tooltip=f"step {v} reads {text}"))
        mx, my = _midpoint(moved)
        scene.add(Label(mx, my, text, role="edge-label"))
        scene.close(group, "reference", f"step {u} → step {v}: {text}")

    for node, box in layout.boxes.items():
        placed = Box(box.x + dx, box.y + dy, box.w, box.h)
        if node == "terminal":
            _terminal_box(scene, placed, content[node])
            continue
        data = graph.nodes[node]
        _call_box(scene, placed, node, data, content[node], statuses.get(node), order)

    svg = render_svg(scene)
    return PlanDrawing(scene=scene, svg=svg, graph=graph, batches=batches)


def _batch_note(reads: int, writes: int) -> str:
    """What runs how in a batch: reads together, writes one after another.

    >>> _batch_note(2, 0), _batch_note(0, 2), _batch_note(3, 1), _batch_note(1, 0)
    ('2 in parallel', '2 writes in order', '3 in parallel, 1 write', '')
    """
    parts = []
    if reads > 1:
        parts.append(f"{reads} in parallel")
    if writes > 1:
        parts.append(f"{writes} writes in order")
    elif writes == 1 and parts:
        parts.append("1 write")
    return ", ".join(parts)


def _tags(node: Hashable, data: dict[str, Any], status: str | None,
          order: dict[Hashable, int] | None = None) -> list[str]:
    tags = [f"step {node}"]
    if data.get("effect") == "write":
        position = (order or {}).get(node)
        tags.append("write" if position is None or len(order or {}) < 2
                    else f"write {position + 1} of {len(order or {})}")
    if data.get("lifted"):
        tags.append("nested")
    if status:
        tags.append(status)
    return tags


def _call_box(scene: Scene, box: Box, node: Hashable, data: dict[str, Any],
              content: tuple[str, list[_ArgLine]], status: str | None,
              order: dict[Hashable, int] | None = None) -> None:
    head, args = content
    write = data.get("effect") == "write"
    stroke = _STATUS_STROKE.get(status or "", "#ef6c00" if write else "#1565c0")
    fill = _STATUS_FILL.get(status or "", "#ffffff")
    tooltip = f"step {node}: {data['tool']}"
    if data.get("unbound"):
        tooltip += " — unbound: " + ", ".join(r for _, r in data["unbound"])
        stroke = "#c62828"
    group = scene.begin()
    scene.add(Rect(box.x, box.y, box.w, box.h, fill=fill, stroke=stroke, stroke_width=1.6,
                   dash="4 3" if data.get("lifted") else None, role="call", tooltip=tooltip))
    scene.add(Text(box.x + _PAD, box.y + _PAD + _TITLE - 2, head, size=_TITLE,
                   color="#0d1b2a", weight="bold", role="call-title"))
    scene.add(Text(box.x + box.w - _PAD, box.y + _PAD + _TITLE - 3,
                   " · ".join(_tags(node, data, status, order)), size=_TAG, color=stroke,
                   anchor="end"))
    y = box.y + _PAD + _TITLE + 4 + _LINE - 3
    for text, is_ref, full in args:
        scene.add(Text(box.x + _PAD, y, text, size=_BODY, color="#1565c0" if is_ref else "#37474f",
                       role="arg", tooltip=full))
        y += _LINE
    scene.close(group, "node", tooltip)


def _terminal_box(scene: Scene, box: Box, content: tuple[str, list[_ArgLine]]) -> None:
    head, lines = content
    group = scene.begin()
    scene.add(Rect(box.x, box.y, box.w, box.h, fill="#f3e5f5", stroke="#6a1b9a", radius=14,
                   role="terminal"))
    scene.add(Text(box.x + _PAD, box.y + _PAD + _TITLE - 2, head, size=_TITLE, color="#4a148c",
                   weight="bold", tooltip=lines[0][2] if lines else ""))
    if lines:
        scene.add(Text(box.x + _PAD, box.y + _PAD + _TITLE + _LINE, lines[0][0], size=_BODY,
                       color="#6a1b9a", italic=True))
    scene.close(group, "node terminal", head)


# -- the search --------------------------------------------------------------------------

_NODE_STYLE = {
    "root": ("#263238", "#263238", None),
    "accepted": ("#e8f5e9", "#2e7d32", None),
    "rejected": ("#ffebee", "#c62828", None),
    "retracted": ("#f5f5f5", "#8d6e63", "5 3"),
}
_ORIGIN_STROKE = {"solver": "#6a1b9a", "narrowed": "#00838f"}
_ORIGIN_TAG = {"solver": "chosen by the solver", "narrowed": "narrowed by the solver"}
_CORE_CHARS = 38


def _search_lines(node: SearchNode) -> tuple[str, list[tuple[str, str]]]:
    """The node's title and its further lines, each with a colour."""
    title = truncate(node.label, 40)
    lines: list[tuple[str, str]] = []
    if node.status == "root":
        return title, lines
    tag = node.status
    if node.origin in _ORIGIN_TAG:
        tag += " · " + _ORIGIN_TAG[node.origin]
    lines.append((f"{tag} · {node.where}" if node.where else tag, "#607d8b"))
    if node.detail:
        for row in wrap(node.detail, _CORE_CHARS, max_lines=2):
            lines.append((row, _ORIGIN_STROKE.get(node.origin, "#455a64")))
    if node.status == "rejected":
        why = list(node.core) or ([node.reason] if node.reason else [])
        for item in why[:3]:
            for row in wrap(item, _CORE_CHARS, max_lines=3):
                lines.append((row, "#b71c1c"))
    return title, lines


def draw_search(trace: Any, *, title: str | None = None, max_nodes: int = 160,
                adjustments: Sequence[Any] | None = None) -> SearchDrawing:
    """The search tree of a trace (a plan result, a decode result, or its events).

    Each proposed value is a box under the last value still standing before it:
    green accepted, red rejected with the unsat core that refuted it, grey dashed when a
    backjump took it back. A value written within a feasible set the solver narrowed it
    to has a teal frame; one the solver chose (its fallback proposal, or a value changed
    from the model's choice: the adjustments) a purple one. Backjumps are orange dashed
    arrows from the rejection to the value it took back.
    """
    tree = trace if isinstance(trace, SearchTree) else search_tree(trace, adjustments)
    import networkx as nx

    keep = [n for n in tree.nodes[:max_nodes]]
    hidden = len(tree.nodes) - len(keep)
    ids = {n.id for n in keep}
    graph: nx.DiGraph = nx.DiGraph()
    sizes: dict[Hashable, tuple[float, float]] = {}
    content: dict[int, tuple[str, list[tuple[str, str]]]] = {}
    for node in keep:
        graph.add_node(node.id)
        if node.parent is not None and node.parent in ids:
            graph.add_edge(node.parent, node.id)
        title_text, lines = _search_lines(node)
        content[node.id] = (title_text, lines)
        width = max([text_width(title_text, _SEARCH_TITLE)]
                    + [text_width(t, _SEARCH_LINE) for t, _ in lines])
        sizes[node.id] = (width + 2 * 8, 2 * 7 + _SEARCH_STEP + _SEARCH_STEP * len(lines))

    # no reordering: a tree's nodes in the order they were proposed never cross
    layout = layered_layout(graph, sizes, direction="TB", layer_gap=34.0, node_gap=18.0,
                            sweeps=0)
    legend_h = 30.0
    heading = 22.0 if title else 0.0
    side = 70.0 if tree.backjumps else 0.0   # room for backjump arcs on either side
    width = max(layout.width + 2 * side, _legend_width() + 24.0)
    dx, dy = (width - layout.width) / 2, legend_h + heading
    scene = Scene(width, layout.height + dy + (18.0 if hidden else 0.0),
                  title=title or "search tree")
    if title:
        scene.add(Text(12, 17, title, size=13, weight="bold"))
    _legend(scene, heading + 6)

    for (u, v), points in layout.routes.items():
        moved = [(x + dx, y + dy) for x, y in points]
        stroke = "#c62828" if tree.nodes[v].status == "rejected" else "#90a4ae"
        scene.add(Curve(_curve(moved, "TB"), stroke=stroke, width=1.2, role="tree-edge"))

    boxes = {n: Box(b.x + dx, b.y + dy, b.w, b.h) for n, b in layout.boxes.items()}
    for jump in tree.backjumps:
        if jump.source in boxes and jump.target in boxes:
            _backjump(scene, boxes[jump.source], boxes[jump.target], jump.reason, width)

    for node in keep:
        box = boxes[node.id]
        fill, stroke, dash = _NODE_STYLE[node.status]
        stroke = _ORIGIN_STROKE.get(node.origin, stroke) if node.status != "root" else stroke
        title_text, lines = content[node.id]
        tooltip = node.label
        if node.reason:
            tooltip += f" — {node.reason}"
        if node.core:
            tooltip += " — core: " + "; ".join(node.core)
        group = scene.begin()
        scene.add(Rect(box.x, box.y, box.w, box.h, fill=fill, stroke=stroke,
                       stroke_width=2.4 if node.origin != "model" else 1.4, dash=dash,
                       role=f"search-node {node.status} {node.origin}", tooltip=tooltip))
        colour = "#ffffff" if node.status == "root" else "#102027"
        scene.add(Text(box.x + 8, box.y + 7 + 11, title_text, size=_SEARCH_TITLE, color=colour,
                       weight="bold", tooltip=node.label if title_text != node.label else ""))
        y = box.y + 7 + _SEARCH_STEP + 11
        for text, tone in lines:
            scene.add(Text(box.x + 8, y, text, size=_SEARCH_LINE, color=tone))
            y += _SEARCH_STEP
        scene.close(group, f"node {node.status}", tooltip)
    if hidden:
        scene.add(Text(12, scene.height - 6, f"… {hidden} more proposals not drawn "
                       f"(raise max_nodes to see them)", size=10, color="#78909c"))
    return SearchDrawing(scene=scene, svg=render_svg(scene), tree=tree, hidden=hidden)


_LEGEND = (("accepted", "accepted", "model"), ("rejected", "rejected", "model"),
           ("retracted by a backjump", "retracted", "model"),
           ("narrowed by the solver", "accepted", "narrowed"),
           ("chosen by the solver", "accepted", "solver"))


def _legend_width() -> float:
    return sum(19 + text_width(label, 10) + 16 for label, _, _ in _LEGEND) + 32 + \
        text_width("backjump", 10)


def _legend(scene: Scene, y: float) -> None:
    x = 12.0
    for label, status, origin in _LEGEND:
        fill, stroke, dash = _NODE_STYLE[status]
        stroke = _ORIGIN_STROKE.get(origin, stroke)
        scene.add(Rect(x, y, 14, 12, fill=fill, stroke=stroke, radius=3,
                       stroke_width=2.0 if origin != "model" else 1.2, dash=dash))
        scene.add(Text(x + 19, y + 10, label, size=10, color="#455a64"))
        x += 19 + text_width(label, 10) + 16
    scene.add(Curve((("M", (x, y + 6)), ("L", (x + 26, y + 6))), stroke="#ef6c00", width=1.6,
                    dash="5 3"))
    scene.add(Text(x + 32, y + 10, "backjump", size=10, color="#455a64"))


def _backjump(scene: Scene, source: Box, target: Box, reason: str, width: float) -> None:
    """An arc from the rejection up to the culprit, round the outside of the nearer edge."""
    left = min(source.x, target.x) < width - max(source.x + source.w, target.x + target.w)
    if left:
        x0, x1 = source.x, target.x
        outer = min(x0, x1) - 40.0 - min(abs(source.cy - target.cy) * 0.1, 20.0)
    else:
        x0, x1 = source.x + source.w, target.x + target.w
        outer = max(x0, x1) + 40.0 + min(abs(source.cy - target.cy) * 0.1, 20.0)
    y0, y1 = source.cy, target.cy
    tip = x1 - 2 if left else x1 + 2
    commands: tuple[Command, ...] = (("M", (x0, y0)), ("C", (outer, y0, outer, y1, tip, y1)))
    scene.add(Curve(commands, stroke="#ef6c00", width=1.8, dash="6 4", role="backjump",
                    tooltip=f"backjump: {reason}" if reason else "backjump"))
    # a cubic's furthest point from its ends lies three quarters of the way to the controls
    scene.add(Label(x0 + (outer - x0) * 0.75, (y0 + y1) / 2, "backjump", size=9.5,
                    color="#e65100", role="backjump-label"))
