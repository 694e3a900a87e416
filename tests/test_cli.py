"""The ``neurosym`` command: plan, demo, delegation to run and bench, and clean errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from neurosym.cli import DEMO_REQUEST, main

TOOLS = [{"type": "function", "function": {
    "name": "get_weather", "description": "The weather in a city.",
    "parameters": {"type": "object", "properties": {
        "city": {"type": "string", "description": "The city."},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
        "required": ["city"]}}}]


@pytest.fixture
def tools_file(tmp_path: Path) -> Path:
    path = tmp_path / "tools.json"
    path.write_text(json.dumps(TOOLS))
    return path


@pytest.mark.model
def test_plan_prints_the_plan_and_its_costs(tools_file: Path, capsys) -> None:
    code = main(["plan", "What is the weather in Paris?", "--tools", str(tools_file)])
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[0].split(" = ")[-1].startswith('get_weather(city="Paris"')
    assert "prompt tokens" in out and "total" in out


@pytest.mark.model
def test_plan_json_has_the_plan_in_every_form(tools_file: Path, capsys) -> None:
    code = main(["plan", "What is the weather in Paris in celsius?", "--tools", str(tools_file),
                 "--json", "--constraint", 'get_weather.unit == "celsius"'])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["ok"]
    assert data["bfcl"][0]["get_weather"]["city"] == "Paris"
    assert data["openai"][0]["function"]["name"] == "get_weather"
    assert data["plan"] == data["text"]
    assert data["prompt_tokens"] > 0 and data["output_tokens"] > 0
    assert {"prompt_s", "decode_s", "mask_s", "total_s", "verdict_s"} <= set(data["timings"])


@pytest.mark.model
def test_demo_plans_the_travel_scenario(capsys) -> None:
    code = main(["demo"])
    out = capsys.readouterr().out
    assert code == 0
    assert DEMO_REQUEST in out and "total" in out
    # The search's result feeds the booking: the flight id is a reference, not a guess.
    assert ('r1 = search_flights(origin="SFO", destination="CDG", date="2026-12-01")\n'
            'r2 = book_flight(flight_id=r1[0].id, passengers=2)\n') in out


@pytest.mark.parametrize("argv, fragment", [
    (["plan", "hi", "--tools", "no/such/tools.json"], "no tools file"),
    (["plan", "hi", "--tools", "TOOLS", "--model", "no/such/model.gguf"], "model file not found"),
])
def test_bad_input_is_one_message_with_a_hint_and_exit_2(argv: list[str], fragment: str,
                                                        tools_file: Path, capsys) -> None:
    argv = [str(tools_file) if a == "TOOLS" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and fragment in err and "hint: " in err
    assert "Traceback" not in err


def test_the_subcommands_of_other_parts_are_delegated(capsys) -> None:
    for name in ("run", "bench", "tune"):
        with pytest.raises(SystemExit) as caught:
            main([name, "--help"])
        assert caught.value.code == 0
        assert f"neurosym {name}" in capsys.readouterr().out


def test_no_command_prints_help_and_exits_2(capsys) -> None:
    assert main([]) == 2
    assert "plan" in capsys.readouterr().out


def test_python_dash_m_runs_the_command_without_a_traceback(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "neurosym", "plan", "hi", "--tools",
                             str(tmp_path / "none.json")], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
