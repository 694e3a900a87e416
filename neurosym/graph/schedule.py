"""Which steps may run together: topological generations, and the executor's schedule.

:func:`parallel_batches` is the pure dependency view: steps in one batch read nothing
from each other. :func:`execution_batches` adds the order that side effects need: a
write runs alone, after every step written before it and before every step written
after it, so reads see exactly the writes that precede them in the plan.

>>> from neurosym.plan.ast import Call, Plan, Ref, Step
>>> plan = Plan((Step(Call("a"), bind="x"), Step(Call("b"), bind="y"),
...              Step(Call("c", (("p", Ref("x")), ("q", Ref("y")))))))
>>> from .build import plan_graph
>>> parallel_batches(plan_graph(plan))
[[0, 1], [2]]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import PlanValidationError

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["parallel_batches", "execution_batches"]


def _generations(graph: nx.DiGraph) -> list[list[int]]:
    import networkx as nx

    try:
        return [sorted(gen) for gen in nx.topological_generations(graph)]
    except nx.NetworkXUnfeasible:
        cycle = nx.find_cycle(graph)
        steps = sorted({u for u, _ in cycle})
        raise PlanValidationError(
            "the plan's references form a cycle through steps "
            + ", ".join(map(str, steps)), step=steps[0],
            hint="a step can only use results of steps written before it") from None


def parallel_batches(graph: nx.DiGraph) -> list[list[int]]:
    """The topological generations of the graph: each batch depends only on earlier ones."""
    return _generations(graph)


def execution_batches(graph: nx.DiGraph) -> list[list[int]]:
    """The executor's batches: reads grouped by generation, each write a batch of its own.

    The plan is cut at its writes into segments; a segment of reads runs by its own
    generations, and every write waits for all that precedes it in the plan.

    >>> import networkx as nx
    >>> g = nx.DiGraph()
    >>> g.add_nodes_from([(0, {"effect": "read"}), (1, {"effect": "write"}),
    ...                   (2, {"effect": "read"}), (3, {"effect": None})])
    >>> execution_batches(g)
    [[0], [1], [2, 3]]
    """
    _generations(graph)  # a cyclic graph has no schedule
    batches: list[list[int]] = []
    segment: list[int] = []
    for node in sorted(graph.nodes):
        if graph.nodes[node].get("effect") == "write":
            if segment:
                batches.extend(_generations(graph.subgraph(segment)))
                segment = []
            batches.append([node])
        else:
            segment.append(node)
    if segment:
        batches.extend(_generations(graph.subgraph(segment)))
    return batches
