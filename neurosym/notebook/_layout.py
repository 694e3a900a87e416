"""Layered layout of a DAG (a plan's calls, a search tree) from networkx's topological generations.

Nodes sit in layers by generation; an edge spanning several layers gets a waypoint in
each layer it crosses, so it is routed around the nodes instead of through them. The
order inside a layer comes from barycentre sweeps, the positions from pulling each node
towards its neighbours while keeping the gaps, alternately from above and from below.

>>> import networkx as nx
>>> g = nx.DiGraph([("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")])
>>> layout = layered_layout(g, {n: (40.0, 20.0) for n in g})
>>> layout.layers
[['a'], ['b', 'c'], ['d']]
>>> layout.boxes["b"].y == layout.boxes["c"].y, layout.boxes["b"].x < layout.boxes["c"].x
(True, True)
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Box", "Layout", "Direction", "layered_layout"]

Direction = Literal["TB", "LR"]


@dataclass(frozen=True)
class Box:
    """A node's rectangle: top-left corner, width and height."""

    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass(frozen=True)
class Layout:
    """Where everything goes: node boxes, each edge's points (source side to target side),
    the layers (real nodes only) with their extent, and the drawing's size."""

    boxes: dict[Hashable, Box]
    routes: dict[tuple[Hashable, Hashable], list[tuple[float, float]]]
    layers: list[list[Hashable]]
    bands: list[tuple[float, float]]
    width: float
    height: float
    direction: Direction


@dataclass(frozen=True)
class _Dummy:
    edge: tuple[Hashable, Hashable]
    layer: int


def _order_key(node: Hashable) -> tuple[int, str]:
    return (0, f"{node:012d}") if isinstance(node, int) else (1, str(node))


def layered_layout(graph: nx.DiGraph, sizes: Mapping[Hashable, tuple[float, float]], *,
                   direction: Direction = "TB", layer_gap: float = 56.0, node_gap: float = 28.0,
                   margin: float = 16.0, dummy_size: float = 12.0, sweeps: int = 4,
                   layers: list[list[Hashable]] | None = None) -> Layout:
    """Boxes and edge routes for ``graph`` (acyclic), with ``sizes[node] = (width, height)``.

    ``direction`` ``TB`` stacks layers top to bottom (nodes of a layer side by side);
    ``LR`` puts layers in columns from left to right. ``layers`` overrides the layering
    (each edge must still go from an earlier layer to a later one).
    """
    import networkx as nx

    if layers is None:
        layers = [sorted(gen, key=_order_key) for gen in nx.topological_generations(graph)]
    level = {node: i for i, layer in enumerate(layers) for node in layer}
    # across and along: the extent of a node along its layer, and across the layers
    def extent(node: Hashable) -> tuple[float, float]:
        if isinstance(node, _Dummy):
            return dummy_size, dummy_size
        w, h = sizes[node]
        return (w, h) if direction == "TB" else (h, w)

    rows: list[list[Hashable]] = [list(layer) for layer in layers]
    chains: dict[tuple[Hashable, Hashable], list[Hashable]] = {}
    up: dict[Hashable, list[Hashable]] = {node: [] for layer in rows for node in layer}
    down: dict[Hashable, list[Hashable]] = {node: [] for node in up}
    for u, v in graph.edges():
        chain: list[Hashable] = [u]
        for layer in range(level[u] + 1, level[v]):
            dummy = _Dummy((u, v), layer)
            rows[layer].append(dummy)
            up[dummy], down[dummy] = [], []
            chain.append(dummy)
        chain.append(v)
        chains[(u, v)] = chain
        for a, b in zip(chain, chain[1:]):
            down[a].append(b)
            up[b].append(a)

    _order(rows, up, down, sweeps)
    along = _place(rows, up, down, extent, node_gap)

    thickness = [max((extent(n)[1] for n in row), default=0.0) for row in rows]
    offsets: list[float] = []
    position = margin
    for size in thickness:
        offsets.append(position)
        position += size + layer_gap
    total_across = position - layer_gap + margin if rows else 2 * margin
    low = min((along[n] - extent(n)[0] / 2 for row in rows for n in row), default=0.0)
    high = max((along[n] + extent(n)[0] / 2 for row in rows for n in row), default=0.0)
    total_along = high - low + 2 * margin

    def point(node: Hashable, layer: int) -> tuple[float, float, float, float]:
        """(along, across, size along, size across) of a node, top-left based."""
        a, c = extent(node)
        start = along[node] - a / 2 - low + margin
        top = offsets[layer] + (thickness[layer] - c) / 2
        return start, top, a, c

    boxes: dict[Hashable, Box] = {}
    for layer, row in enumerate(rows):
        for node in row:
            if isinstance(node, _Dummy):
                continue
            s, t, a, c = point(node, layer)
            boxes[node] = Box(s, t, a, c) if direction == "TB" else Box(t, s, c, a)

    routes: dict[tuple[Hashable, Hashable], list[tuple[float, float]]] = {}
    for edge, chain in chains.items():
        points: list[tuple[float, float]] = []
        for i, node in enumerate(chain):
            layer = level[node] if not isinstance(node, _Dummy) else node.layer
            s, t, a, c = point(node, layer)
            mid = s + a / 2
            if i == 0:
                cross = t + c
            elif i == len(chain) - 1:
                cross = t
            else:
                cross = offsets[layer] + thickness[layer] / 2
            points.append((mid, cross) if direction == "TB" else (cross, mid))
        routes[edge] = points

    bands = [(offsets[i], offsets[i] + thickness[i]) for i in range(len(rows))]
    if direction == "TB":
        width, height = total_along, total_across
    else:
        width, height = total_across, total_along
    return Layout(boxes=boxes, routes=routes, layers=[list(layer) for layer in layers],
                  bands=bands, width=width, height=height, direction=direction)


def _order(rows: list[list[Hashable]], up: Mapping[Hashable, list[Hashable]],
           down: Mapping[Hashable, list[Hashable]], sweeps: int) -> None:
    """Reorder each layer by the mean position of its neighbours (in place)."""
    def sweep(sequence: range, neighbours: Mapping[Hashable, list[Hashable]]) -> None:
        for i in sequence:
            index = {node: k for k, node in enumerate(rows[i - 1 if neighbours is up else i + 1])}
            def barycentre(item: tuple[int, Hashable]) -> float:
                k, node = item
                linked = [index[n] for n in neighbours[node] if n in index]
                return sum(linked) / len(linked) if linked else float(k)
            rows[i] = [node for _, node in sorted(enumerate(rows[i]), key=barycentre)]

    for _ in range(sweeps):
        sweep(range(1, len(rows)), up)
        sweep(range(len(rows) - 2, -1, -1), down)


def _place(rows: list[list[Hashable]], up: Mapping[Hashable, list[Hashable]],
           down: Mapping[Hashable, list[Hashable]],
           extent: Callable[[Hashable], tuple[float, float]], gap: float) -> dict[Hashable, float]:
    """Centre of each node along its layer: packed first, then pulled to its neighbours."""
    size = {node: extent(node)[0] for row in rows for node in row}
    centre: dict[Hashable, float] = {}
    for row in rows:
        position = 0.0
        for node in row:
            centre[node] = position + size[node] / 2
            position += size[node] + gap
        shift = position / 2
        for node in row:
            centre[node] -= shift

    def settle(row: list[Hashable], wanted: list[float]) -> None:
        # the mean of a left-packed and a right-packed solution keeps every gap
        left = list(wanted)
        for i in range(1, len(row)):
            left[i] = max(left[i], left[i - 1] + (size[row[i - 1]] + size[row[i]]) / 2 + gap)
        right = list(wanted)
        for i in range(len(row) - 2, -1, -1):
            right[i] = min(right[i], right[i + 1] - (size[row[i]] + size[row[i + 1]]) / 2 - gap)
        for node, a, b in zip(row, left, right):
            centre[node] = (a + b) / 2

    def pull(sequence: range, neighbours: Mapping[Hashable, list[Hashable]]) -> None:
        for i in sequence:
            row = rows[i]
            wanted = []
            for node in row:
                linked = [centre[n] for n in neighbours[node]]
                wanted.append(sum(linked) / len(linked) if linked else centre[node])
            settle(row, wanted)

    for _ in range(3):
        pull(range(1, len(rows)), up)
        pull(range(len(rows) - 2, -1, -1), down)
    pull(range(1, len(rows)), up)
    return centre
