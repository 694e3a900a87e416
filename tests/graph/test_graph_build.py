"""plan_graph and the schedules: nodes, edges, nested calls, generations."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurosym.errors import PlanValidationError
from neurosym.execute.demo_world import make_world
from neurosym.graph import execution_batches, parallel_batches, plan_graph, validate_plan
from neurosym.plan import Call, Plan, Ref, Step, parse_plan

_, TOOLS = make_world()


def test_chain_gives_one_edge_labelled_with_the_argument() -> None:
    graph = plan_graph(parse_plan(
        'flights = search_flights(origin="SFO", destination="CDG", date="2026-12-01")\n'
        "booking = book_flight(flight_id=flights[0].id, passengers=2)"), TOOLS)
    assert sorted(graph.nodes) == [0, 1]
    assert graph.nodes[0]["tool"] == "search_flights" and graph.nodes[0]["bind"] == "flights"
    assert graph.nodes[1]["effect"] == "write" and graph.nodes[0]["effect"] == "read"
    assert graph.nodes[1]["args"]["flight_id"] == Ref("flights", (0, "id"))
    assert list(graph.edges(data="arg")) == [(0, 1, "flight_id")]
    assert graph.edges[0, 1]["refs"] == (("flight_id", "flights[0].id"),)


def test_nested_calls_become_nodes_before_their_user() -> None:
    graph = plan_graph(parse_plan('b = book_hotel(hotel_id=pick(xs=search_hotels(city="Paris")), '
                                  "nights=2)"), TOOLS)
    tools = [graph.nodes[n]["tool"] for n in sorted(graph.nodes)]
    assert tools == ["search_hotels", "pick", "book_hotel"]
    assert [graph.nodes[n]["origin"] for n in sorted(graph.nodes)] == [0, 0, 0]
    assert [graph.nodes[n]["lifted"] for n in sorted(graph.nodes)] == [True, True, False]
    assert set(graph.edges) == {(0, 1), (1, 2)}
    assert graph.edges[1, 2]["arg"] == "hotel_id"
    assert graph.nodes[1]["effect"] is None  # pick is no tool: unknown, still drawn


def test_several_references_to_one_step_share_an_edge() -> None:
    graph = plan_graph(parse_plan("a = f()\nb = g(x=a.p, y=[a.q, 1], z={\"k\": a})"))
    assert graph.number_of_edges() == 1
    assert graph.edges[0, 1]["arg"] == "x, y, z"
    assert [text for _, text in graph.edges[0, 1]["refs"]] == ["a.p", "a.q", "a"]


def test_unbound_references_are_kept_on_the_node() -> None:
    graph = plan_graph(parse_plan("b = g(x=missing.id)"))
    assert graph.nodes[0]["unbound"] == [("x", "missing.id")]
    assert graph.number_of_edges() == 0


@pytest.mark.parametrize(("text", "batches"), [
    ("a = f()", [[0]]),
    ("a = f()\nb = g()\nc = h()", [[0, 1, 2]]),
    ("a = f()\nb = g(x=a)\nc = h(y=b)", [[0], [1], [2]]),
    ("a = f()\nb = g()\nc = h(x=a, y=b)\nd = k(z=a)", [[0, 1], [2, 3]]),
    ("a = f()\nb = g(x=a)\nc = h(x=a)\nd = k(p=b, q=c)", [[0], [1, 2], [3]]),
    ("c = h(x=f(), y=g())", [[0, 1], [2]]),
])
def test_parallel_batches_are_topological_generations(text: str, batches: list[list[int]]) -> None:
    assert parallel_batches(plan_graph(parse_plan(text))) == batches


def test_parallel_batches_of_a_cycle_is_an_error() -> None:
    graph = plan_graph(parse_plan("a = f(x=b)\nb = g(y=a)"))
    with pytest.raises(PlanValidationError, match="cycle") as info:
        parallel_batches(graph)
    assert info.value.step == 0 and info.value.hint


@pytest.mark.parametrize(("text", "batches"), [
    # two independent reads share a batch; the write waits for both
    ('f = search_flights(origin="SFO", destination="CDG", date="2026-12-01")\n'
     'h = search_hotels(city="Paris")\n'
     "b = book_flight(flight_id=f[0].id, passengers=1)", [[0, 1], [2]]),
    # a read written after a write runs after it, even with no reference between them
    ('t = transfer(from_account="savings", to_account="checking", amount=10.0)\n'
     "bal = get_balance()", [[0], [1]]),
    # two writes never share a batch, and keep their written order
    ('e1 = create_event(title="a", date="2026-12-02", start="10:00", end="11:00")\n'
     'e2 = create_event(title="b", date="2026-12-02", start="12:00", end="13:00")',
     [[0], [1]]),
    # a read before the write stays before it, though the write does not need it
    ("bal = get_balance()\n"
     't = transfer(from_account="savings", to_account="checking", amount=10.0)\n'
     'ev = list_events(date="2026-12-01")\nb2 = get_balance(account="savings")',
     [[0], [1], [2, 3]]),
])
def test_execution_batches_isolate_writes(text: str, batches: list[list[int]]) -> None:
    plan = parse_plan(text)
    validate_plan(plan, TOOLS)
    assert execution_batches(plan_graph(plan, TOOLS)) == batches


@st.composite
def _dag_plans(draw: st.DrawFn) -> Plan:
    """Plans whose steps refer only to earlier steps: always acyclic."""
    count = draw(st.integers(1, 12))
    steps = []
    for i in range(count):
        earlier = draw(st.lists(st.integers(0, i - 1), max_size=3, unique=True)) if i else []
        args = tuple((f"p{j}", Ref(f"s{k}")) for j, k in enumerate(earlier))
        steps.append(Step(Call(f"t{i % 3}", args), bind=f"s{i}"))
    return Plan(tuple(steps))


@settings(max_examples=60, deadline=None)
@given(_dag_plans())
def test_batches_of_any_acyclic_plan_respect_every_edge(plan: Plan) -> None:
    validate_plan(plan, None)
    graph = plan_graph(plan)
    batches = parallel_batches(graph)
    where = {n: b for b, batch in enumerate(batches) for n in batch}
    assert sorted(where) == list(range(len(plan.steps)))
    assert all(where[u] < where[v] for u, v in graph.edges)
    # each node sits in the earliest batch its inputs allow
    assert all(where[v] == max((where[u] + 1 for u in graph.predecessors(v)), default=0)
               for v in graph.nodes)
    assert nx.is_directed_acyclic_graph(graph)


@settings(max_examples=60, deadline=None)
@given(_dag_plans(), st.data())
def test_any_backward_edge_is_reported_as_a_cycle_or_forward_reference(plan: Plan,
                                                                       data: st.DataObject) -> None:
    count = len(plan.steps)
    source = data.draw(st.integers(0, count - 1))
    target = data.draw(st.integers(source, count - 1))  # refers to itself or a later step
    step = plan.steps[source]
    changed = Step(Call(step.call.tool, step.call.args + (("late", Ref(f"s{target}")),)),
                   bind=step.bind)
    broken = Plan(plan.steps[:source] + (changed,) + plan.steps[source + 1:])
    with pytest.raises(PlanValidationError) as info:
        validate_plan(broken, None)
    assert info.value.step == source
    # the new edge target -> source closes a cycle exactly when source already feeds target
    assert ("cycle" in str(info.value)) == nx.has_path(plan_graph(plan), source, target)
