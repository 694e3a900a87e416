"""The BFCL bench against a real llama.cpp server (``python -m llama_cpp.server`` with the
embedded model on 127.0.0.1): the server mode writes each entry's plan there, scored by
BFCL's own checker, and its rows stand beside the local modes' in the same files."""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest

from neurosym.bench.cli import run_bfcl
from neurosym.bench.modes import answer_function
from neurosym.engine import start_llama_server
from neurosym.errors import BenchmarkError, ConfigurationError
from neurosym.plan import parse_plan


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    with start_llama_server(threads=1) as running:
        yield running


@pytest.mark.model
@pytest.mark.slow
def test_bfcl_entries_are_planned_on_the_server(server: Any, tmp_path) -> None:
    out = io.StringIO()
    factory = functools.partial(answer_function, server=server.url)
    remote, local = run_bfcl(["simple_python"], ["server", "search1"], limit=2, model=None,
                             results_dir=tmp_path, progress=False, out=out,
                             halves=("dev",), answer_factory=factory)
    assert remote.mode == "server" and local.mode == "search1"
    assert [e.id for e in remote.entries] == [e.id for e in local.entries]
    assert remote.n == 2
    for entry in remote.entries:
        # Written piece by piece on the server, each piece checked here: a plan that
        # reads back, over the entry's own tools.
        assert entry.well_formed and entry.text.startswith("r1 = ")
        parse_plan(entry.text)
    rows = json.loads((tmp_path / "bfcl.json").read_text())
    modes = {row["mode"] for row in rows["rows"]}
    assert {"server", "search1"} <= modes
    assert "server" in out.getvalue()


def test_the_server_mode_needs_a_server_address() -> None:
    with pytest.raises(BenchmarkError, match="needs the address"):
        answer_function("server")
    with pytest.raises(ConfigurationError, match="not an http"):
        answer_function("server", server="127.0.0.1:8000")


def test_a_server_without_the_server_mode_is_refused_on_the_command_line(capsys) -> None:
    from neurosym.cli import main
    code = main(["bench", "bfcl", "--category", "simple_python", "--mode", "search4",
                 "--server", "http://127.0.0.1:8000", "--limit", "1"])
    assert code != 0
    assert "add --mode server" in capsys.readouterr().err
