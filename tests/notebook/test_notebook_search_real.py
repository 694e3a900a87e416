"""The search tree and the replay of a real search: the embedded model, the Z3 solver."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

import neurosym as ns
from neurosym.execute.demo_world import make_world
from neurosym.notebook import draw_search
from neurosym.notebook.replay import replay
from neurosym.notebook.search import search_tree

pytestmark = [
    pytest.mark.model,
    pytest.mark.filterwarnings("ignore:llama_token_get_attr is deprecated:DeprecationWarning"),
]


@pytest.fixture(scope="module")
def over_the_limit() -> ns.PlanResult:
    """A transfer of 1200 requested under ``transfer.amount <= 1000``."""
    _, tools = make_world()
    # bend=True: the request's 1200 may be changed (and is listed), so the retraction shows.
    planner = ns.Planner(tools=[tools["transfer"]], constraints=["transfer.amount <= 1000"], width=0,
                         bend=True)
    return planner.plan("Transfer 1200 from savings to checking.")


def test_every_refused_value_is_a_rejected_node_with_the_solvers_core(
        over_the_limit: ns.PlanResult) -> None:
    tree = search_tree(over_the_limit)
    assert over_the_limit.ok, over_the_limit.explanation
    assert tree.rejected, "the model's 1200 should have been refused"
    for node in tree.rejected:
        assert node.label.startswith("amount = ")
        assert float(node.text) > 1000
        assert any("transfer.amount <= 1000" in line for line in node.core), node
    amounts = [n for n in tree.nodes if n.label.startswith("amount = ") and n.status == "accepted"]
    assert len(amounts) == 1 and float(amounts[0].text) <= 1000
    # the refused values and the accepted one are siblings: the same place, chosen again
    assert {n.parent for n in tree.rejected} == {amounts[0].parent}


def test_the_adjustment_marks_the_value_that_stands_as_the_solvers(
        over_the_limit: ns.PlanResult) -> None:
    assert over_the_limit.adjustments
    tree = search_tree(over_the_limit)
    (standing,) = [n for n in tree.nodes if n.label.startswith("amount = ")
                   and n.status == "accepted"]
    assert standing.origin == "solver"


def test_the_drawing_and_the_replay_tell_the_same_story(over_the_limit: ns.PlanResult) -> None:
    drawing = draw_search(over_the_limit)
    root = ET.fromstring(drawing.svg)
    rejected = [g for g in root.iter("{http://www.w3.org/2000/svg}g")
                if "rejected" in (g.get("class") or "").split()]
    assert len(rejected) == len(drawing.tree.rejected)
    frames = replay(over_the_limit)
    rollbacks = [f for f in frames if f.kind == "rollback"]
    assert len(rollbacks) >= len(drawing.tree.rejected)
    assert frames[-1].text == over_the_limit.text


def test_a_searched_plan_draws_the_beams_branches_and_marks_the_chosen_plan() -> None:
    """The search over whole plans: shared pieces are shared nodes, every finished plan a
    leaf with its weight, the verdict's plan marked, refused branches red."""
    _, tools = make_world()
    planner = ns.Planner(tools=[tools["transfer"]], constraints=["transfer.amount <= 1000"])
    result = planner.plan("Transfer 1200 from savings to checking.")
    assert result.search is not None, "the default planner searches"
    tree = search_tree(result)
    ends = [n for n in tree.nodes if n.kind == "end"]
    assert len(ends) == len(result.search.candidates)
    chosen = [n for n in ends if n.detail.startswith("chosen")]
    if result.ok and result.plan.steps:
        assert [n.text for n in chosen] == [result.text]
    labels = [(n.parent, n.label) for n in tree.nodes]
    assert len(labels) == len(set(labels)), "a piece two branches share is drawn once"
    for node in tree.rejected:
        assert node.reason
    drawing = draw_search(result, title="beam")
    svg = ET.fromstring(drawing.svg)
    assert svg.tag.endswith("svg") and drawing.tree is not None
