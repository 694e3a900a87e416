"""Verdicts and value sources: with the real model and the real Z3 solver for the cases
the constraints bend, and tables for reading values out of requests in any language."""

from __future__ import annotations

from typing import Annotated, Any

import pytest

import neurosym as ns
from neurosym.execute import PastCall, Policy
from neurosym.plan import parse_plan, to_python
from neurosym.verdict import VERDICTS, RequestEvidence, value_sources


@ns.tool
def book_hotel(city: str, nights: Annotated[int, ns.Range(1, 30)], price: float) -> dict:
    """Book a hotel room in a city for a number of nights at a total price in euros."""
    return {"city": city, "nights": nights, "price": price}


def _values(result: Any, tool: str, param: str) -> list[Any]:
    plan = result.plan or (result.judgement.plan if result.judgement else None)
    return [to_python(step.call.arg(param)) for step in plan.steps if step.call.tool == tool]


# -- reading the request, without reading its words ---------------------------------------

@pytest.mark.parametrize(("request_text", "value", "stated"), [
    ("Book a hotel in Paris for 700 euros", 700, True),
    ("Book a hotel in Paris for 700 euros", 700.0, True),
    ("Book a hotel in Paris for 700 euros", 70, False),
    ("Buche ein Hotel in München für 3 Nächte, 450,50 Euro", 450.5, True),
    ("Buche ein Hotel in München für 3 Nächte, 450,50 Euro", "münchen", True),
    ("Réserve un hôtel à Paris pour 1.500 €", 1500, True),
    ("Reserva un hotel en Sevilla por 3 noches", 3, True),
    ("Reserva un hotel en Sevilla por 3 noches", "Sevilla", True),
    ("Reserva un hotel en Sevilla por 3 noches", "Madrid", False),
    ("Delete my account", 10, False),
    ("Delete my account", True, False),
    ("Delete my account", "", False),
])
def test_a_value_is_stated_when_its_text_or_number_occurs(request_text: str, value: Any,
                                                          stated: bool) -> None:
    assert RequestEvidence.of(request_text).states(value) is stated


def test_each_value_gets_a_source() -> None:
    optional = ns.Tool("search", params=(ns.Param("city", "string"),
                                         ns.Param("limit", "integer", required=False,
                                                  default=10)))
    plan = parse_plan('h = search(city="Oslo", limit=10)\n'
                      'b = book_hotel(city=h[0].city, nights=2, price=99.0)')
    sources = value_sources(plan, [optional, book_hotel], "Two nights in Oslo", {})
    assert [(s.param, s.kind) for s in sources] == [
        ("city", "request"), ("limit", "default"), ("city", "observation"),
        ("nights", "model"), ("price", "model")]
    assert sources[2].reference == "h[0].city"
    seen = value_sources(parse_plan('b = book_hotel(city="Oslo", nights=2, price=99.0)'),
                         [book_hotel], "Two nights in Oslo", {"quote": "{'price': 99.0}"})
    assert seen[2].kind == "observation" and seen[2].reference == "quote"


# -- the real model and the real solver ---------------------------------------------------

@pytest.mark.model
def test_a_stated_value_a_constraint_forbids_is_not_bent_silently(model: Any) -> None:
    request = "Book a hotel in Paris for 2 nights for 700 euros."
    budget = ["sum(book_hotel.price) <= 500"]
    refused = ns.Planner([book_hotel], constraints=budget, model=model).plan(request)
    assert refused.verdict in VERDICTS
    assert refused.verdict == "unsatisfiable" and not refused.ok and refused.plan is None
    assert "you asked for 700" in refused.explanation
    assert "sum(book_hotel.price) <= 500 allows at most 500" in refused.explanation
    bent = ns.Planner([book_hotel], constraints=budget, model=model, bend=True).plan(request)
    assert bent.ok and bent.verdict == "adjusted"
    assert sum(_values(bent, "book_hotel", "price")) <= 500
    (change,) = bent.judgement.changes
    assert (change.param, change.proposed, change.stated) == ("price", "700", True)
    assert change.constraint == "sum(book_hotel.price) <= 500"
    assert len(bent.plan.steps) == 1  # no padding call to make the numbers fit


@ns.tool
def book_stay(city: str, check_in: str, check_out: str) -> dict:
    """Book a stay in a city from the check-in date to the check-out date (YYYY-MM-DD)."""
    return {"city": city, "check_in": check_in, "check_out": check_out}


@pytest.mark.model
def test_two_stated_values_swapped_by_the_solver_are_both_changes_of_the_request(
        model: Any) -> None:
    # Both dates occur in the request, so the swapped plan holds only stated values; what
    # the request states is each date for the slot the model gave it, and the solver moved
    # them. Not a silent bend: unsatisfiable by default, adjusted and listed with bend=True.
    request = "Book a stay in Lisbon checking in on 2026-12-10 and checking out on 2026-12-03."
    rule = ["book_stay.check_out > book_stay.check_in"]
    refused = ns.Planner([book_stay], constraints=rule, model=model).plan(request)
    assert refused.verdict == "unsatisfiable" and refused.plan is None
    assert "you asked for" in refused.explanation and '"2026-12-10"' in refused.explanation
    bent = ns.Planner([book_stay], constraints=rule, model=model, bend=True).plan(request)
    assert bent.verdict == "adjusted"
    # Listed as the two dates changed, or as the stay asked for left out for the rule.
    listed = {(c.param, c.stated) for c in bent.judgement.changes}
    assert listed == {("check_in", True), ("check_out", True)} or any(
        'check_in="2026-12-10"' in call for call in bent.judgement.dropped)


@pytest.mark.model
def test_a_range_clamp_is_listed(model: Any) -> None:
    request = "Book a hotel in Rome for 35 nights for 400 euros."
    # The range lives in the value grammar: the model cannot even write 35 with it on.
    bent = ns.Planner([book_hotel], model=model, bend=True).plan(request)
    assert bent.ok and bent.verdict == "adjusted"
    (nights,) = _values(bent, "book_hotel", "nights")
    assert 1 <= nights <= 30
    (change,) = bent.judgement.changes
    assert change.param == "nights" and change.proposed == "35"
    assert "parameter range of book_hotel" in change.constraint
    assert any(s.kind == "solver" and s.param == "nights" for s in bent.sources)
    refused = ns.Planner([book_hotel], model=model).plan(request)
    assert refused.verdict == "unsatisfiable"
    assert "you asked for 35" in refused.explanation and "at most 30" in refused.explanation


@pytest.mark.model
def test_two_nights_are_never_two_one_night_bookings(model: Any) -> None:
    request = "Book a hotel in Rome for 2 nights for 300 euros."
    # A count the request does not ask for forces the solver's hand: the only plans that
    # meet it add a booking nobody asked for.
    rules = ["book_hotel.nights <= 1", "count(book_hotel) >= 2"]
    for bend in (False, True):
        result = ns.Planner([book_hotel], constraints=rules, model=model, bend=bend).plan(request)
        assert not result.ok and result.verdict == "unsatisfiable"
        assert result.judgement.padded
        assert "did not ask for" in result.explanation


@pytest.mark.model
def test_five_nights_over_a_three_night_rule_across_a_run_are_refused(model: Any) -> None:
    booked: list[dict[str, Any]] = []
    hotel = book_hotel.with_(effect="write",
                             func=lambda **args: booked.append(args) or {"ok": True})
    earlier = (PastCall(0, 0, "book_hotel", {"city": "Paris", "nights": 3, "price": 300.0}),)
    # The count makes every plan book: each booking would go over the run's three nights.
    planner = ns.Planner([hotel], constraints=["sum(book_hotel.nights) <= 3",
                                               "count(book_hotel) >= 1"], model=model)
    run = planner.run("Book a hotel in Paris for 2 more nights for 200 euros.", max_turns=2,
                      history=earlier)
    assert booked == []
    tried = [turn for turn in run.turns if turn.plan.steps]
    assert tried, run
    for turn in tried:
        assert not turn.verified and turn.execution is None
        assert "sum(book_hotel.nights) <= 3" in (turn.error or "")
        assert 'book_hotel(city="Paris", nights=3, price=300.0)' in turn.error


@pytest.mark.model
def test_an_invented_transfer_is_refused_as_ungrounded(model: Any) -> None:
    moved: list[dict[str, Any]] = []
    transfer = ns.Tool("transfer", "Send an amount of money to an account.",
                       params=(ns.Param("to", "string"), ns.Param("amount", "number")),
                       effect="write", func=lambda **args: moved.append(args) or "sent")
    delete = ns.Tool("delete_account", "Delete the user's account.", effect="write",
                     func=lambda: "deleted")
    # delete_account is denied, and abstaining is made impossible: the model must reach
    # for the other write, with values the request never states.
    planner = ns.Planner([delete, transfer], model=model, policy=Policy(deny=["delete_account"]),
                         abstain_bias=-1000.0)
    run = planner.run("Delete my account, please.", max_turns=1)
    assert moved == []
    (turn,) = run.turns
    assert turn.plan.steps and turn.plan.steps[0].call.tool == "transfer"
    step = turn.execution.steps[0]
    assert step.status == "denied" and "ungrounded" in step.error
    assert turn.verdict == "uncertain"


@pytest.mark.model
def test_run_works_with_only_the_tools(model: Any) -> None:
    calls: list[str] = []

    @ns.tool
    def get_weather(city: str) -> str:
        """The weather in a city today."""
        calls.append(city)
        return f"sunny in {city}"

    run = ns.Planner([get_weather], model=model).run("What is the weather in Lisbon?",
                                                     max_turns=2)
    assert run.turns and run.turns[0].judgement is not None
    assert run.turns[0].verdict in VERDICTS
    for turn in run.turns:
        for step in (turn.execution.steps if turn.execution else ()):
            assert step.ok, step
    if run.turns[0].plan.steps:
        assert calls and calls[0] == "Lisbon"


def test_a_number_the_request_gives_one_value_is_not_stated_for_another() -> None:
    from neurosym.verdict import stated_for
    plan = parse_plan('r1 = book_hotel(city="Paris", nights=1, price=300)')
    sources = value_sources(plan, [book_hotel], "Two nights in Paris for 300 euros", {})
    nights = sources[1]
    evidence = RequestEvidence.of("Two nights in Paris for 300 euros")
    # The model wrote nights=300: the request's one 300 is the price the plan keeps.
    assert not stated_for(300, nights, sources, evidence)
    assert stated_for(300, nights, sources, RequestEvidence.of("300 nights for 300 euros"))
