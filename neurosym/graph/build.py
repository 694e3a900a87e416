"""A plan as a networkx DiGraph: one node per call, one edge per reference.

Nodes are the indices of the flattened plan's steps (nested calls lifted first), with
the attributes ``tool``, ``args`` (name -> AST value), ``bind``, ``call``, ``origin``
(the index of the written step it came from), ``lifted`` (it was a nested call),
``effect`` and ``returns`` (from the tool, ``None`` when the tool is unknown) and
``unbound`` (references that name no step). An edge ``u -> v`` means step ``v`` reads
the result of step ``u``; its ``arg`` attribute names the argument(s) doing so and
``refs`` lists ``(argument, reference text)`` pairs. The graph is built even for a
broken plan (so it can be drawn); :func:`~neurosym.graph.validate.validate_plan` says
what is wrong with it.

>>> from neurosym.plan.ast import Call, Literal, Plan, Ref, Step
>>> plan = Plan((
...     Step(Call("search_flights", (("origin", Literal("SFO")),)), bind="flights"),
...     Step(Call("book_flight", (("flight_id", Ref("flights", (0, "id"))),)), bind="b"),
... ))
>>> graph = plan_graph(plan)
>>> graph.nodes[1]["tool"], list(graph.edges(data="arg"))
('book_flight', [(0, 1, 'flight_id')])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..plan.ast import Plan, Ref, walk_values
from .tool_index import ToolsLike, index_tools
from .flatten import flatten_with_origins

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["plan_graph", "binding_sites"]


def binding_sites(plan: Plan) -> dict[str, list[int]]:
    """For each bound name, the indices of the steps binding it (more than one is an error)."""
    sites: dict[str, list[int]] = {}
    for i, step in enumerate(plan.steps):
        if step.bind:
            sites.setdefault(step.bind, []).append(i)
    return sites


def _producer(sites: list[int], consumer: int) -> int:
    """The step a reference at ``consumer`` reads: the latest earlier binding, else the first."""
    earlier = [i for i in sites if i < consumer]
    return earlier[-1] if earlier else sites[0]


def plan_graph(plan: Plan, tools: ToolsLike = None) -> nx.DiGraph:
    """The dependency graph of ``plan`` (nested calls become nodes of their own).

    ``tools`` (optional) adds each node's ``effect`` and ``returns``. The graph's own
    attributes hold the written ``plan`` and the ``flat`` plan whose steps the nodes index.
    """
    import networkx as nx

    flat = flatten_with_origins(plan)
    index = index_tools(tools)
    graph = nx.DiGraph(plan=plan, flat=flat.plan)
    for i, step in enumerate(flat.plan.steps):
        tool = index.get(step.call.tool)
        graph.add_node(
            i, tool=step.call.tool, args=dict(step.call.args), bind=step.bind,
            call=step.call, origin=flat.origins[i], lifted=flat.lifted[i],
            effect=tool.effect if tool else None, returns=tool.returns if tool else None,
            unbound=[])
    sites = binding_sites(flat.plan)
    for i, step in enumerate(flat.plan.steps):
        for arg, value in step.call.args:
            for item in walk_values(value):
                if not isinstance(item, Ref):
                    continue
                if item.name not in sites:
                    graph.nodes[i]["unbound"].append((arg, item.text))
                    continue
                producer = _producer(sites[item.name], i)
                if graph.has_edge(producer, i):
                    data = graph.edges[producer, i]
                    data["refs"] += ((arg, item.text),)
                    if arg not in data["arg"].split(", "):
                        data["arg"] += f", {arg}"
                else:
                    graph.add_edge(producer, i, arg=arg, refs=((arg, item.text),))
    return graph
