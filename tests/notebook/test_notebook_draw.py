"""The SVG drawings: well-formed XML, the nodes and edges a known plan or trace must give."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurosym.errors import NeurosymError
from neurosym.execute import Executor, verify
from neurosym.execute.demo_world import make_world
from neurosym.notebook import draw_plan, draw_search
from neurosym.notebook._layout import layered_layout
from neurosym.notebook.search import search_tree
from neurosym.plan import parse_plan

from tests.notebook.trace_script import Note, TraceScript, backjump_trace, hotel_trace

SVG = "{http://www.w3.org/2000/svg}"

TRAVEL = """\
flights = search_flights(origin="SFO", destination="CDG", date="2026-12-01")
hotels = search_hotels(city="Paris")
booking = book_flight(flight_id=flights[0].id, passengers=2)
room = book_hotel(hotel_id=hotels[0].id, nights=3)
"""


def parse_svg(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def groups(root: ET.Element, role: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if role in (g.get("class") or "").split()]


def texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{SVG}text")]


def test_plan_drawing_has_a_node_per_call_and_an_edge_per_reference() -> None:
    _, tools = make_world()
    drawing = draw_plan(parse_plan(TRAVEL), tools)
    root = parse_svg(drawing.svg)
    nodes = groups(root, "node")
    assert len(nodes) == 4
    titles = [texts(n)[0] for n in nodes]
    assert sorted(titles) == sorted(["flights = search_flights", "hotels = search_hotels",
                                     "booking = book_flight", "room = book_hotel"])
    edges = groups(root, "reference")
    edge_texts = sorted(" ".join(texts(e)) for e in edges)
    assert edge_texts == ["flights[0].id → flight_id", "hotels[0].id → hotel_id"]
    # each edge is a path with an arrowhead defined in this drawing
    markers = {m.get("id") for m in root.iter(f"{SVG}marker")}
    for edge in edges:
        path = next(edge.iter(f"{SVG}path"))
        assert path.get("marker-end")[len("url(#"):-1] in markers
    assert drawing.batches == [[0, 1], [2, 3]]
    # the writes are tagged as such, from the tool definitions
    assert any("write" in t for n in nodes for t in texts(n))


def test_parallel_steps_sit_side_by_side_and_batches_follow_each_other() -> None:
    drawing = draw_plan(parse_plan(TRAVEL))
    boxes = _node_boxes(drawing.svg)
    # the SVG keeps one decimal: centres agree to within its rounding
    assert boxes["flights"][1] == pytest.approx(boxes["hotels"][1], abs=0.1)   # same row
    assert boxes["booking"][1] == pytest.approx(boxes["room"][1], abs=0.1)
    assert boxes["booking"][1] > boxes["flights"][1]          # the next batch below
    lr = _node_boxes(draw_plan(parse_plan(TRAVEL), direction="LR").svg)
    assert lr["flights"][0] == pytest.approx(lr["hotels"][0], abs=0.1)        # same column
    assert lr["booking"][0] > lr["flights"][0]


def _node_boxes(svg: str) -> dict[str, tuple[float, float]]:
    """The centre of each call's box, by the name its result is bound to."""
    root = parse_svg(svg)
    out = {}
    for node in groups(root, "node"):
        rect = next(node.iter(f"{SVG}rect"))
        out[texts(node)[0].split(" = ")[0]] = (float(rect.get("x")) + float(rect.get("width")) / 2,
                                               float(rect.get("y")) + float(rect.get("height")) / 2)
    return out


@pytest.mark.parametrize("text, shown", [
    ('x = note(text="<b>bold</b> & \\"quoted\\"")', 'text = "<b>bold</b> & \\"quoted\\""'),
    ('x = note(text="tab\\there")', 'text = "tab\\there"'),
    ('x = note(text="ünïcödé 東京")', 'text = "ünïcödé 東京"'),
])
def test_text_is_escaped_and_comes_back_intact(text: str, shown: str) -> None:
    svg = draw_plan(parse_plan(text)).svg
    assert "<b>" not in svg
    assert shown in texts(parse_svg(svg))


def test_control_characters_do_not_break_the_xml() -> None:
    # plan text escapes them itself; a reason or a core is shown as it comes
    assert "\\u0007" in draw_plan(parse_plan('x = note(text="bell\\u0007")')).svg
    script = TraceScript()
    script.call(0, "note", "x")
    script.value(0, "note", "n", "7", reject="bell\x07 and \x1b escape")
    svg = draw_search(script.events).svg
    assert any("bell\ufffd and \ufffd escape" in t for t in texts(parse_svg(svg)))


@pytest.mark.parametrize("text, terminal", [
    ('answer("It costs 5 < 6 euros")', 'answer("It costs 5 < 6 euros")'),
    ('ask("Which city?")', 'ask("Which city?")'),
    ("none()", "none()"),
])
def test_terminal_forms_are_drawn(text: str, terminal: str) -> None:
    root = parse_svg(draw_plan(parse_plan(text)).svg)
    ends = groups(root, "terminal")
    assert len(ends) == 1 and texts(ends[0])[0] == terminal


def test_a_nested_call_is_a_node_of_its_own() -> None:
    drawing = draw_plan(parse_plan('b = book_hotel(hotel_id=find_hotel(name="Louvre"), nights=2)'))
    root = parse_svg(drawing.svg)
    assert len(groups(root, "node")) == 2
    assert any("nested" in t for n in groups(root, "node") for t in texts(n))
    assert drawing.batches == [[0], [1]]


def test_a_long_edge_goes_around_the_layer_it_skips() -> None:
    plan = parse_plan("a = f()\nb = g(x=a)\nc = h(x=b, y=a)")
    layout = layered_layout(nx.DiGraph([(0, 1), (1, 2), (0, 2)]),
                            {n: (80.0, 30.0) for n in range(3)})
    assert len(layout.routes[(0, 2)]) == 3 and len(layout.routes[(0, 1)]) == 2
    waypoint = layout.routes[(0, 2)][1]
    middle = layout.boxes[1]
    assert not (middle.x <= waypoint[0] <= middle.x + middle.w)
    assert len(groups(parse_svg(draw_plan(plan).svg), "reference")) == 3


@st.composite
def dags(draw: st.DrawFn) -> nx.DiGraph:
    n = draw(st.integers(1, 9))
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    for v in range(n):
        for u in range(v):
            if draw(st.booleans()):
                graph.add_edge(u, v)
    return graph


@settings(max_examples=60, deadline=None)
@given(dags(), st.sampled_from(["TB", "LR"]), st.lists(st.integers(20, 200), min_size=9,
                                                       max_size=9))
def test_layout_never_overlaps_nodes_and_edges_go_forward(graph: nx.DiGraph, direction: str,
                                                          widths: list[int]) -> None:
    sizes = {n: (float(widths[n]), 30.0 + n) for n in graph}
    layout = layered_layout(graph, sizes, direction=direction)  # type: ignore[arg-type]
    boxes = list(layout.boxes.values())
    for i, a in enumerate(boxes):
        assert a.x >= 0 and a.y >= 0 and a.x + a.w <= layout.width + 1e-6 \
            and a.y + a.h <= layout.height + 1e-6
        for b in boxes[i + 1:]:
            apart = (a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y)
            assert apart, (a, b)
    for (u, v), points in layout.routes.items():
        along = [p[1] if direction == "TB" else p[0] for p in points]
        assert along == sorted(along)
        assert (u, v) in graph.edges


def test_execution_colours_each_call_by_its_status() -> None:
    world, tools = make_world()
    plan = parse_plan(TRAVEL)            # the cheapest flight has one seat left: two fail
    execution = Executor(tools).execute(verify(plan, tools))
    root = parse_svg(draw_plan(plan, tools, execution=execution).svg)
    strokes = {}
    for node in groups(root, "node"):
        tag = next(t for t in texts(node) if t.startswith("step "))
        strokes[tag.split(" · ")[0]] = (tag.split(" · ")[-1],
                                        next(node.iter(f"{SVG}rect")).get("stroke"))
    assert {k: v[0] for k, v in strokes.items()} == {
        f"step {s.index}": s.status for s in execution.steps}
    assert {s.status for s in execution.steps} == {"ok", "error", "skipped"}
    assert strokes["step 0"][1] != strokes["step 2"][1]       # ok and error look different
    assert len(world.bookings) == 0


def test_a_drawing_is_also_a_matplotlib_figure(tmp_path: Path) -> None:
    drawing = draw_plan(parse_plan(TRAVEL))
    figure = drawing.figure()
    assert figure.get_figwidth() == pytest.approx(drawing.size[0] / 100)
    saved = drawing.save(tmp_path / "plan.png")
    assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert drawing.save(tmp_path / "plan.svg").read_text(encoding="utf-8") == drawing.svg
    assert drawing._repr_svg_() == drawing.svg
    search = draw_search(backjump_trace().events)
    axis = search.figure().axes[0]
    texts_drawn = {t.get_text() for t in axis.texts}
    assert {"amount = 900", "amount = 500", "backjump"} <= texts_drawn
    assert len(axis.patches) >= len(search.tree.nodes) + len(search.tree.backjumps)


@pytest.mark.parametrize("thing", [42, None, object()])
def test_drawing_something_else_is_a_clear_error(thing: object) -> None:
    with pytest.raises(NeurosymError, match="cannot draw a plan") as info:
        draw_plan(thing)
    assert info.value.hint


# -- the search tree ---------------------------------------------------------------------

def test_a_rejected_value_is_a_red_leaf_carrying_its_core() -> None:
    drawing = draw_search(hotel_trace().events)
    root = parse_svg(drawing.svg)
    rejected = groups(root, "rejected")
    assert len(rejected) == 1
    lines = texts(rejected[0])
    assert lines[0] == "nights = 20"
    assert "book_hotel.nights = 20 (step 1)" in lines
    accepted = [texts(g)[0] for g in groups(root, "accepted")]
    assert accepted == ["hotels = search_hotels(…)", 'city = "Paris"', "room = book_hotel(…)",
                        "hotel_id = hotels", "nights = 3", "end of plan"]
    tree = drawing.tree
    assert tree is not None
    # the value written again is the sibling of the rejected one
    rejected_node = tree.rejected[0]
    retry = next(n for n in tree.nodes if n.label == "nights = 3")
    assert retry.parent == rejected_node.parent
    assert not tree.backjumps and not groups(root, "backjump")


def test_a_backjump_retracts_the_culprit_and_is_drawn_as_its_own_edge() -> None:
    drawing = draw_search(backjump_trace().events)
    tree = drawing.tree
    assert tree is not None
    assert [(n.label, n.status) for n in tree.nodes[1:]] == [
        ("t1 = transfer(…)", "accepted"), ("amount = 900", "retracted"),
        ("t2 = transfer(…)", "retracted"), ("amount = 200", "rejected"),
        ("amount = 500", "accepted"), ("t2 = transfer(…)", "accepted"),
        ("amount = 200", "accepted"), ("end of plan", "accepted")]
    (jump,) = tree.backjumps
    assert tree.nodes[jump.source].label == "amount = 200"
    assert tree.nodes[jump.target].label == "amount = 900"
    root = parse_svg(drawing.svg)
    arcs = [p for p in root.iter(f"{SVG}path") if p.get("class") == "backjump"]
    assert len(arcs) == 1 and arcs[0].get("stroke-dasharray")
    assert len(groups(root, "retracted")) == 2
    # the core names the earlier value: the reason for jumping back to it
    assert "transfer.amount = 900 (step 0)" in tree.nodes[jump.source].core


@dataclass(frozen=True)
class Adjustment:
    """An adjustment as a plan result lists it: where, what the model said, what stands."""

    path: tuple
    original: object
    value: object


@pytest.mark.parametrize("where", [(1, "book_hotel", "nights"), (1, "nights")])
def test_adjusted_values_are_marked_as_the_solvers(where: tuple) -> None:
    adjustments = [Adjustment(where, 20, 3)] if len(where) == 3 else [
        type("ByStep", (), {"step": 1, "param": "nights"})()]
    tree = search_tree(hotel_trace().events, adjustments)
    marked = [n.label for n in tree.nodes if n.origin == "solver"]
    assert marked == ["nights = 3"]
    svg = draw_search(hotel_trace().events, adjustments=adjustments).svg
    assert "chosen by the solver" in " ".join(texts(parse_svg(svg))[1:])  # beyond the legend
    assert not [n for n in search_tree(hotel_trace().events).nodes if n.origin == "solver"]


def test_the_solvers_events_mark_what_it_narrowed_and_chose() -> None:
    narrowed = search_tree(hotel_trace().events)
    (retry,) = [n for n in narrowed.nodes if n.label == "nights = 3"]
    assert retry.origin == "narrowed" and retry.detail == "feasible: {1, 2, 3, ...}"
    chosen = search_tree(backjump_trace().events)
    (five_hundred,) = [n for n in chosen.nodes if n.label == "amount = 500"]
    assert five_hundred.origin == "solver" and "proposes 500" in five_hundred.detail
    assert chosen.backjumps[0].reason.startswith("back to ")
    lines = texts(parse_svg(draw_search(hotel_trace().events).svg))
    assert "feasible: {1, 2, 3, ...}" in lines
    assert any("narrowed by the solver" in line for line in lines[8:])   # beyond the legend


def test_without_the_solvers_events_a_rejection_keeps_its_reason() -> None:
    from neurosym.solver.search import SearchEvent
    events = [e for e in hotel_trace().events if not isinstance(e, SearchEvent)]
    events.append(Note("the solver took 3 ms", 0.9))
    tree = search_tree(events)
    (rejected,) = tree.rejected
    assert not rejected.core and rejected.reason == "nights in 1..14"
    assert all(n.origin == "model" for n in tree.nodes)
    assert tree.notes == ("note: the solver took 3 ms",)


def test_a_big_tree_is_cut_and_says_so() -> None:
    drawing = draw_search(backjump_trace().events, max_nodes=4)
    assert drawing.hidden == 5
    assert "5 more proposals not drawn" in " ".join(texts(parse_svg(drawing.svg)))


def test_drawings_in_one_page_do_not_share_marker_ids() -> None:
    a = parse_svg(draw_plan(parse_plan(TRAVEL)).svg)
    b = parse_svg(draw_search(backjump_trace().events).svg)
    ids_a = {m.get("id") for m in a.iter(f"{SVG}marker")}
    ids_b = {m.get("id") for m in b.iter(f"{SVG}marker")}
    assert ids_a and ids_b and not ids_a & ids_b


def test_an_empty_trace_draws_only_the_request() -> None:
    drawing = draw_search([])
    assert drawing.tree is not None and len(drawing.tree.nodes) == 1
    assert texts(groups(parse_svg(drawing.svg), "root")[0]) == ["request"]


def test_a_result_without_a_plan_says_so() -> None:
    from neurosym.planner import PlanResult
    failed = PlanResult(ok=False, plan=None, text="", explanation="the budget ran out")
    with pytest.raises(NeurosymError, match="holds no plan") as info:
        draw_plan(failed)
    assert "explanation" in (info.value.hint or "")
    assert len(draw_search(failed).tree.nodes) == 1
