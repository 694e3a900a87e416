"""The chaining suite: its scorer on hand-written plans, its own data, and one entry run
end to end with the real embedded model."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from neurosym.bench import chain_peer, chains
from neurosym.bench.chains import (ENTRIES, CallNode, EntryScore, entries, nodes_of_plan,
                                   score, summarise)
from neurosym.errors import BenchmarkError
from neurosym.graph import validate_plan
from neurosym.plan import parse_plan
from neurosym.plan.ast import Ref
from neurosym.tools.dataflow import DataFlow

FLIGHTS = ('r1 = search_flights(origin="SFO", destination="CDG", date="2026-12-01")\n'
           'r2 = book_flight(flight_id=r1[0].id, passengers=2)')
MOVE = ('r1 = find_files(name="report.pdf")\nr2 = find_folder(path="/archive/2025")\n'
        'r3 = move_file(file_id=r1[0].id, folder_id=r2.id)')
SHARE = ('r1 = find_files(name="plan.pdf")\n'
         'r2 = share_file(file_id=r1[0].id, email="luc@example.fr")')
TRANSFER = ('r1 = find_account(name="savings")\nr2 = find_account(name="checking")\n'
            'r3 = transfer_funds(from_account_id=r1.id, to_account_id=r2.id, amount=250)')


def _score(intended: str, answer: str, domain: str) -> EntryScore:
    tools = chains.domain_tools(domain)
    return score(nodes_of_plan(parse_plan(intended), tools),
                 nodes_of_plan(parse_plan(answer), tools))


# (intended, answer, domain, full, refs right, producers present, name F1, argument F1)
CASES = [
    pytest.param(FLIGHTS, FLIGHTS, "travel", True, 1, True, 1.0, 1.0, id="same plan"),
    pytest.param(FLIGHTS, FLIGHTS.replace("r1", "flights"), "travel", True, 1, True, 1.0, 1.0,
                 id="other step names"),
    pytest.param(FLIGHTS, 'book_flight(flight_id="SFO", passengers=2)', "travel",
                 False, 0, False, 2 / 3, 2 / 7, id="literal for the producer call"),
    pytest.param(FLIGHTS, FLIGHTS.replace("r1[0].id", "r1[0].airline"), "travel",
                 False, 0, True, 1.0, 4 / 5, id="wrong field"),
    pytest.param(FLIGHTS, FLIGHTS.replace("r1[0].id", "r1[1].id"), "travel",
                 False, 0, True, 1.0, 4 / 5, id="wrong item"),
    pytest.param(FLIGHTS, FLIGHTS.replace('"CDG"', '"LHR"'), "travel",
                 False, 1, True, 1.0, 4 / 5, id="wrong literal"),
    pytest.param(FLIGHTS, FLIGHTS + '\nr3 = book_flight(flight_id=r1[0].id, passengers=2)',
                 "travel", False, 1, True, 0.8, 10 / 12, id="an extra call"),
    pytest.param(MOVE, 'r1 = find_folder(path="/archive/2025")\n'
                       'r2 = find_files(name="report.pdf")\n'
                       'r3 = move_file(file_id=r2[0].id, folder_id=r1.id)', "files",
                 True, 2, True, 1.0, 1.0, id="independent calls in another order"),
    pytest.param(MOVE, MOVE.replace("file_id=r1[0].id, folder_id=r2.id",
                                    "file_id=r2.id, folder_id=r1[0].id"), "files",
                 False, 0, True, 1.0, 2 / 4, id="references in swapped parameters"),
    pytest.param(MOVE, MOVE.split("\n", 1)[1].replace("file_id=r1[0].id",
                                                      'file_id="report.pdf"'),
                 "files", False, 1, False, 0.8, 4 / 7, id="one producer left out"),
    pytest.param(SHARE, SHARE.replace('fr")', 'fr", role="viewer")'), "files",
                 True, 1, True, 1.0, 1.0, id="the default written out"),
    pytest.param(SHARE, SHARE.replace('"plan.pdf"', '"PLAN.PDF "'), "files",
                 True, 1, True, 1.0, 1.0, id="text compared case-folded"),
    pytest.param(TRANSFER, TRANSFER.replace("from_account_id=r1.id, to_account_id=r2.id",
                                            "from_account_id=r2.id, to_account_id=r1.id"),
                 "finance", False, 0, True, 1.0, 1.0, id="the two producers swapped"),
    pytest.param(TRANSFER, "none()", "finance", False, 0, False, 0.0, 0.0, id="no plan"),
]


@pytest.mark.parametrize("intended, answer, domain, full, refs, producers, names, args", CASES)
def test_scorer_on_hand_written_plans(intended: str, answer: str, domain: str, full: bool,
                                      refs: int, producers: bool, names: float,
                                      args: float) -> None:
    result = _score(intended, answer, domain)
    assert result.full is full
    assert result.refs_right == refs
    assert result.producers_present is producers
    summary = summarise([result])
    assert summary["name_f1"] == pytest.approx(names)
    assert summary["argument_f1"] == pytest.approx(args)


def test_swapped_producers_is_the_only_case_where_argument_f1_misses_the_reference() -> None:
    # Argument F1 names a reference by its producer's tool, so swapping two calls of the
    # same tool keeps it; reference accuracy and full sequence tell them apart.
    result = _score(TRANSFER, TRANSFER.replace("r1.id, to_account_id=r2.id",
                                               "r2.id, to_account_id=r1.id"), "finance")
    assert result.ref_hits == (False, False) and not result.full


def test_a_peer_value_equal_to_a_returned_field_is_the_reference() -> None:
    tools = chains.domain_tools("travel")
    found = chain_peer.jsonable(tools["search_flights"](origin="SFO", destination="CDG",
                                                     date="2026-12-01"))
    readings = chain_peer.peer_readings(found[0]["id"], [found])
    assert ("ref", 0, (0, "id")) in readings and readings[0] == ("lit", found[0]["id"].casefold())
    peer = [CallNode("search_flights", {"origin": (("lit", "sfo"),),
                                        "destination": (("lit", "cdg"),),
                                        "date": (("lit", "2026-12-01"),)}),
            CallNode("book_flight", {"flight_id": readings,
                                     "passengers": chain_peer.peer_readings(2, [found])})]
    result = score(nodes_of_plan(parse_plan(FLIGHTS), tools), peer)
    assert result.full and result.refs_right == 1
    # The second flight's id is a field too, but not the intended one.
    wrong = chain_peer.peer_readings(found[1]["id"], [found])
    peer[1] = CallNode("book_flight", {"flight_id": wrong, "passengers": (("lit", 2.0),)})
    assert score(nodes_of_plan(parse_plan(FLIGHTS), tools), peer).refs_right == 0


def test_every_intended_plan_parses_and_validates_over_its_tools() -> None:
    assert chains.validate_entries() == []
    for entry in ENTRIES:
        plan = entry.intended
        validate_plan(plan, entry.tools)
        assert 2 <= len(plan.calls) <= 4, entry.id
        assert entry.links(), f"{entry.id} has no reference"
        assert parse_plan(plan.text) == plan


def test_every_intended_reference_is_a_link_the_data_flow_knows() -> None:
    kinds = set()
    for entry in ENTRIES:
        flow = DataFlow(entry.tools)
        bound = {step.bind: step.call.tool for step in entry.intended.steps}
        for call in entry.intended.calls:
            for name, value in call.args:
                if isinstance(value, Ref):
                    assert bound[value.name] in flow.producers(call.tool, name), (
                        entry.id, call.tool, name)
                    feeds = [f for f in flow.feeds(call.tool, name) if f.produced]
                    assert value.path in [f.path for f in feeds], (entry.id, value.text)
        kinds.update(kind for _, _, kind in entry.links())
    assert kinds == {"declared", "described"}


def test_the_halves_are_disjoint_and_cover_every_domain_and_language() -> None:
    dev, test = entries("dev"), entries("test")
    assert {e.id for e in dev}.isdisjoint({e.id for e in test})
    assert len(dev) + len(test) == len(ENTRIES) == len({e.id for e in ENTRIES})
    assert len({e.request for e in ENTRIES}) == len(ENTRIES)
    for half in (dev, test):
        assert {e.domain for e in half} == set(chains.DOMAINS)
        assert len({e.language for e in half} - {"en"}) >= 2
    assert {e.language for e in ENTRIES} == {"en", "de", "fr", "es"}
    assert entries("test", limit=5) == test[:5]
    assert {e.domain for e in test[:5]} == set(chains.DOMAINS)
    with pytest.raises(BenchmarkError):
        entries("train")


def test_an_unknown_mode_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BenchmarkError) as info:
        chains.run_chains(half="dev", limit=1, modes=("free",), out_dir=tmp_path)
    assert "search4" in (info.value.hint or "")


@pytest.mark.model
def test_one_entry_end_to_end_in_both_modes(tmp_path: Path) -> None:
    log = io.StringIO()
    document = chains.run_chains(half="dev", limit=1, out_dir=tmp_path, out=log)
    assert log.getvalue().count("chains dev") == 2
    entry = entries("dev")[0]
    rows = {row["mode"]: row for row in document["rows"]}
    assert set(rows) == {"search4", "peer"}
    planned = rows["search4"]
    if planned["answer"]:
        # The planner's plan is well-formed over the entry's tools.
        validate_plan(parse_plan(planned["answer"]), entry.tools)
    for row in rows.values():
        assert row["refs_total"] == 1 and 0 <= row["refs_right"] <= 1
        assert row["seconds"] > 0
    written = json.loads((tmp_path / "chains.json").read_text())
    assert set(written["summary"]) == {"search4/dev", "peer/dev"}
    assert "| search4 | dev |" in (tmp_path / "chains.md").read_text()


def test_results_go_back_to_the_peer_without_quote_characters() -> None:
    # The peer's chat template escapes quotes as HTML entities, so none are written.
    tools = chains.domain_tools("messaging")
    found = chain_peer.jsonable(tools["find_channel"](name="ops"))
    text = chain_peer.flat_text(found) + chain_peer.call_text("find_channel", {"name": "ops"})
    assert text.startswith("[0] id: C-") and "find_channel(name=ops)" in text
    assert "\"" not in text
    assert '"' not in chain_peer.PEER_SYSTEM and "'" not in chain_peer.PEER_SYSTEM


def test_the_command_line_takes_the_suite_and_bench_all_runs_it() -> None:
    import argparse

    from neurosym.bench import cli
    parser = argparse.ArgumentParser(prog="neurosym bench")
    cli.add_arguments(parser)
    args = parser.parse_args(["chains", "--half", "test", "--limit", "3", "--mode", "peer"])
    assert (args.bench_suite, args.half, args.limit, args.mode) == ("chains", "test", 3, "peer")
    defaults = parser.parse_args(["chains"])
    assert (defaults.half, defaults.limit, defaults.mode) == ("dev", None, "all")
    with pytest.raises(SystemExit):
        parser.parse_args(["chains", "--mode", "free"])
    assert ("chains", "neurosym.bench.chains", "run_all") in cli.EXTRA_SUITES
    assert set(cli.suite_options(chains.run_all, results_dir=Path("out"), limit=4,
                                  model="m.gguf")) == {"out_dir", "questions", "model"}
