"""Batches: plan_many over engines with bounded concurrency, results in request order,
progress reported; ``neurosym plan --requests FILE.jsonl``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from neurosym import Planner
from neurosym.cli import main
from neurosym.engine import LlamaServerEngine, LocalEngine
from neurosym.engine.batch import read_requests
from neurosym.engine.server import free_port
from neurosym.errors import ConfigurationError, EngineError
from neurosym.tools import ToolSet, tool


@tool
def get_weather(city: str) -> dict:
    """Current weather in a city."""
    return {"city": city}


@tool
def convert_currency(amount: float, source: str, target: str) -> dict:
    """Convert an amount of money from one currency to another (ISO codes)."""
    return {"amount": amount}


TOOLS = ToolSet([get_weather, convert_currency])
REQUESTS = ["Weather in Oslo?", "Convert 20 EUR to USD.", "Weather in Lima?"]


@pytest.mark.model
def test_a_batch_comes_back_in_order_with_progress() -> None:
    planner = Planner(TOOLS, width=1)
    seen: list[Any] = []
    results = planner.plan_many(REQUESTS, engines=[LocalEngine()], on_progress=seen.append)
    # Each result is its own request's plan: the one planning it alone gives.
    assert [r.text for r in results] == [planner.plan(q).text for q in REQUESTS]
    assert all(r.ok for r in results)
    assert sorted(p.index for p in seen) == [0, 1, 2] and seen[-1].done == 3
    assert all(p.total == 3 and p.engine.startswith("local") for p in seen)


@pytest.mark.model
def test_an_engine_that_is_down_fails_its_requests_not_the_batch() -> None:
    planner = Planner(TOOLS, width=1)
    down = LlamaServerEngine(f"http://127.0.0.1:{free_port()}", retries=0, timeout=2)
    results = planner.plan_many(REQUESTS, engines=[LocalEngine(), down], concurrency=2)
    assert len(results) == 3
    for request, result in zip(REQUESTS, results):
        if result.ok:
            assert result.text == planner.plan(request).text
        else:
            assert isinstance(result.error, EngineError) and down.url in result.explanation


def test_a_batch_refuses_no_concurrency() -> None:
    with pytest.raises(ConfigurationError):
        Planner(TOOLS).plan_many(REQUESTS, concurrency=0)


@pytest.mark.parametrize(("text", "says"), [
    ("", "holds no request"),
    ('"Weather in Oslo?"\n{"oops": 1}\n', "line 2"),
    ("not json\n", "line 1"),
])
def test_a_requests_file_that_cannot_be_read_says_where(tmp_path: Path, text: str,
                                                       says: str) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        read_requests(str(path))
    assert says in str(caught.value)


@pytest.mark.model
def test_the_cli_plans_a_requests_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tools = tmp_path / "tools.json"
    tools.write_text(json.dumps(TOOLS.to_openai()), encoding="utf-8")
    batch = tmp_path / "batch.jsonl"
    batch.write_text('"Weather in Oslo?"\n{"request": "Convert 20 EUR to USD."}\n', encoding="utf-8")
    status = main(["plan", "--requests", str(batch), "--tools", str(tools), "--no-prompt-cache"])
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["index"] for line in lines] == [0, 1]
    alone = Planner(ToolSet.load(str(tools)), prompt_cache=False)
    assert [line["plan"] for line in lines] == [alone.plan(REQUESTS[0]).plan.text,
                                                alone.plan(REQUESTS[1]).plan.text]
    assert status == 0 and "[2/2]" in err


def test_the_cli_wants_one_request_or_a_file(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    tools = tmp_path / "tools.json"
    tools.write_text(json.dumps(TOOLS.to_openai()), encoding="utf-8")
    assert main(["plan", "--tools", str(tools)]) == 2
    assert "--requests" in capsys.readouterr().err
