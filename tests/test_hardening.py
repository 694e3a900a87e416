"""Regression tests of the hardening pass: each input here used to hang, raise an exception
that is not a NeurosymError, or be accepted although it cannot work.

Inputs that used to hang run under a watchdog (``tests.fuzz.watchdog``), so a return of
the old behaviour fails as a hang instead of stalling the suite.
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import neurosym as ns
from neurosym.cli import main
from neurosym.errors import (ConfigurationError, ConstraintReferenceError,
                             ConstraintSyntaxError, ContextSizeError, ExecutionError,
                             ModelFormatError, PlanValidationError,
                             ToolDefinitionError, UnsupportedSchemaError, Unsatisfiable)
from neurosym.execute import Executor, Policy, verify
from neurosym.tools import Param, Tool, ToolSet
from tests.fuzz.watchdog import bounded

BACKTRACKING = ["^(a+)+$", "^(a|aa)+$", r"^(\w+\s?)*$"]


def _function(name: str, properties: dict[str, object], **extra: object) -> dict[str, object]:
    return {"type": "function",
            "function": {"name": name,
                         "parameters": {"type": "object", "properties": properties, **extra}}}


# -- patterns run in linear time ----------------------------------------------------------

@pytest.mark.parametrize("pattern", BACKTRACKING)
def test_a_backtracking_pattern_is_checked_in_linear_time_by_verify(pattern: str) -> None:
    tool = Tool("b", params=(Param("v", "string", pattern=pattern),))
    text = 'b(v="' + "a" * 40 + '!")'
    outcome = bounded(lambda: verify(ns.parse_plan(text), [tool]))
    assert isinstance(outcome.error, PlanValidationError)
    assert "must match the pattern" in str(outcome.error)


def test_a_result_passed_by_reference_is_checked_in_linear_time_at_the_gateway() -> None:
    source = Tool("a", returns=Param("result", "string"), func=lambda: "a" * 40 + "!")
    sink = Tool("b", params=(Param("v", "string", pattern="^(a+)+$"),), func=lambda v: v)
    plan = verify(ns.parse_plan("x = a()\ny = b(v=x)"), [source, sink])
    outcome = bounded(lambda: Executor([source, sink]).execute(plan))
    assert outcome.error is None
    last = outcome.value.steps[-1]
    assert last.status != "ok" and "must match the pattern" in str(last.error)


@pytest.mark.parametrize(("pattern", "reason"), [
    (r"^(a)\1$", "backreference"),
    ("^(?=a)a$", "lookahead"),
    ("(?<!x)y", "lookbehind"),
    ("x{1000000}", "repetition count above 1000"),
    ("a" * 3000, "more than the 2000"),
    ("(" * 600 + "a" + ")" * 600, "nests groups 600 deep"),
])
def test_a_pattern_the_engine_cannot_run_in_linear_time_is_refused_at_load(
        pattern: str, reason: str) -> None:
    with pytest.raises(UnsupportedSchemaError, match="linear time") as caught:
        ToolSet.from_openai(_function("f", {"v": {"type": "string", "pattern": pattern}}))
    assert reason in str(caught.value)


def test_a_linear_pattern_still_loads_and_checks() -> None:
    tools = ToolSet.from_openai(_function("f", {"v": {"type": "string",
                                                      "pattern": "^[A-Z]{3}$"}}))
    assert tools["f"].params[0].pattern == "^[A-Z]{3}$"
    with pytest.raises(PlanValidationError):
        verify(ns.parse_plan('f(v="abcd")'), tools)
    assert verify(ns.parse_plan('f(v="ABC")'), tools).plan.steps


# -- schemas that used to take exponential or quadratic time -------------------------------

def test_an_enum_of_100000_values_is_read_in_linear_time() -> None:
    values = [f"v{i}" for i in range(100_000)] + ["v7"]
    spec = _function("f", {"v": {"type": "string", "enum": values}})
    outcome = bounded(lambda: ToolSet.from_openai(spec))
    assert outcome.error is None
    assert len(outcome.value["f"].params[0].enum) == 100_000


def test_an_openai_tool_with_20000_enum_values_builds_a_grammar() -> None:
    from neurosym.grammar import build_grammar
    spec = _function("f", {"v": {"type": "string", "enum": [f"v{i}" for i in range(20_000)]}})
    outcome = bounded(lambda: build_grammar(ToolSet.from_openai(spec)))
    assert outcome.error is None and "v19999" in outcome.value.lark


def _diamond(levels: int) -> dict[str, object]:
    defs: dict[str, object] = {
        f"A{i}": {"type": "object", "properties": {"x": {"$ref": f"#/$defs/A{i + 1}"},
                                                   "y": {"$ref": f"#/$defs/A{i + 1}"}}}
        for i in range(levels)}
    defs[f"A{levels}"] = {"type": "string"}
    return _function("f", {"p": {"$ref": "#/$defs/A0"}}, **{"$defs": defs})


def test_a_ref_diamond_is_expanded_once_and_bounded() -> None:
    outcome = bounded(lambda: ToolSet.from_openai(_diamond(18)))
    assert isinstance(outcome.error, UnsupportedSchemaError)
    assert "expands to more than" in str(outcome.error)


def test_a_small_ref_diamond_still_reads_whole() -> None:
    [tool] = ToolSet.from_openai(_diamond(3))
    leaf = tool.params[0].properties[1].properties[0].properties[1]
    assert leaf.type == "string"


# -- depth: explicit limits instead of RecursionError ---------------------------------------

@pytest.mark.parametrize("text", [
    "-" * 496 + "1 == 1",
    "not " * 497 + "True",
    "abs(" * 330 + "1" + ")" * 330 + " == 1",
    "[" * 496 + "]" * 496 + " == 1",
])
def test_a_deeply_nested_constraint_is_a_syntax_error(text: str) -> None:
    outcome = bounded(lambda: ns.Planner([Tool("t")], constraints=[text]))
    assert isinstance(outcome.error, ConstraintSyntaxError)
    assert "nests more than" in str(outcome.error)


def test_a_long_flat_chain_of_conditions_is_not_deep() -> None:
    text = " and ".join(["count(t) <= 3"] * 600)
    planner = ns.Planner([Tool("t")], constraints=[text])
    assert planner.constraint_set is not None


def test_json_nested_989_deep_is_a_tool_definition_error() -> None:
    text = ('[{"type": "function", "function": {"name": "f", "parameters": '
            + "[" * 989 + "]" * 989 + "}}]")
    with pytest.raises(ToolDefinitionError, match="levels deep"):
        ToolSet.from_openai(text)


def test_a_json_schema_nested_198_properties_deep_is_refused() -> None:
    schema: dict[str, object] = {"type": "string"}
    for _ in range(198):
        schema = {"type": "object", "properties": {"p": schema}}
    with pytest.raises(UnsupportedSchemaError, match="levels deep"):
        ToolSet.from_json_schema("f", schema)


# -- bytes and files that are not UTF-8 ------------------------------------------------------

@pytest.mark.parametrize("load", [
    lambda: ToolSet.from_openai(b'[{"type":"function","function":{"name":"\xff"}}]'),
    lambda: ToolSet.from_bfcl(b"\x80\x81"),
    lambda: ToolSet.coerce(b"\xfe\xfe\xfe"),
])
def test_bytes_that_are_not_utf8_are_a_tool_definition_error(load) -> None:
    with pytest.raises(ToolDefinitionError, match="not UTF-8"):
        load()


def test_cli_plan_with_a_tools_file_that_is_not_utf8(tmp_path: Path, capsys) -> None:
    path = tmp_path / "tools.json"
    path.write_bytes(b'[{"type": "function", "function": {"name": "caf\xe9"}}]')
    assert main(["plan", "anything", "--tools", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "not UTF-8" in err and "Traceback" not in err


# -- schema bounds that admit nothing, or too much -------------------------------------------

@pytest.mark.parametrize(("schema", "words"), [
    ({"type": "number", "minimum": 5, "maximum": 1}, "no number fits"),
    ({"type": "number", "exclusiveMinimum": 3, "maximum": 3}, "no number fits"),
    ({"type": "number", "minimum": math.nan}, "finite number"),
    ({"type": "number", "maximum": math.inf}, "finite number"),
    ({"enum": [math.nan]}, "not a JSON number"),
    ({"type": "string", "minLength": 10**30}, "more than the 1000000"),
    ({"type": "string", "minLength": 5, "maxLength": 2}, "nothing fits"),
    ({"type": "array", "maxItems": 10**12}, "more than the 1000000"),
    ({"type": "string", "pattern": "x{1000000}"}, "repetition count"),
])
def test_bounds_that_cannot_work_are_refused_with_a_reason(schema: dict[str, object],
                                                           words: str) -> None:
    with pytest.raises(ToolDefinitionError) as caught:
        ToolSet.from_json_schema("f", {"type": "object", "properties": {"v": schema}})
    assert words in str(caught.value) and caught.value.hint


# -- a default outside its enum ----------------------------------------------------------------

def test_a_default_outside_the_enum_is_read_as_an_accepted_value(caplog) -> None:
    from neurosym.solver import check_plan
    doc = {"name": "search", "parameters": {"type": "dict", "properties": {
        "query": {"type": "string"},
        "category": {"type": "string", "enum": ["Sports", "News"], "default": "General"}},
        "required": ["query"]}}
    with caplog.at_level(logging.WARNING, logger="neurosym.tools"):
        tools = ToolSet.from_bfcl([doc])
    category = tools["search"].param("category")
    assert category.default == "General" and "General" in category.enum
    assert any("'General' is not among the enum values" in r.getMessage()
               for r in caplog.records)
    # A plan that leaves the default passes the solver, as one that names it does.
    for text in ('search(query="x")', 'search(query="x", category="General")'):
        assert check_plan(ns.parse_plan(text), list(tools)).ok


# -- chat templates and the context size -----------------------------------------------------

@pytest.mark.parametrize("template", [
    "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
    "{% for m in messages %}{{ m.content * 10000000 }}{% endfor %}",
    "{{ 'x'|center(1000000000) }}",
    "{% set ns = namespace(s='ab') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}"
    "{% endfor %}{{ ns.s }}",
    "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}",
    "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
])
def test_a_runaway_chat_template_is_a_model_format_error(template: str) -> None:
    from neurosym.model.chat import render_chat
    outcome = bounded(lambda: render_chat(template, [{"role": "user", "content": "hi"}]))
    assert isinstance(outcome.error, ModelFormatError)


def test_an_ordinary_chat_template_still_renders() -> None:
    from neurosym.model.chat import render_chat
    template = ("{% for m in messages %}<|{{ m.role }}|>{{ m.content | trim }}"
                "{% if not loop.last %}{{ '\\n' }}{% endif %}{% endfor %}"
                "{% if add_generation_prompt %}<|assistant|>{% endif %}")
    text = render_chat(template, [{"role": "system", "content": " be brief "},
                                  {"role": "user", "content": "hi"}])
    assert text == "<|system|>be brief\n<|user|>hi<|assistant|>"


def test_a_context_beyond_the_trained_one_is_refused_before_loading() -> None:
    from neurosym.model import load_model
    from neurosym.model.locate import embedded_model_path
    if embedded_model_path() is None:
        pytest.skip("the embedded model is not installed")
    outcome = bounded(lambda: load_model(None, n_ctx=10**6))
    assert isinstance(outcome.error, ContextSizeError)
    assert outcome.error.trained == 8192 and "8192" in str(outcome.error)


@pytest.mark.model
def test_a_gguf_with_a_broken_chat_template_is_a_model_format_error(tmp_path: Path) -> None:
    from neurosym.model import load_model
    from neurosym.model._gguf import read_metadata
    from neurosym.model.locate import embedded_model_path
    source = embedded_model_path()
    if source is None:
        pytest.skip("the embedded model is not installed")
    entry = read_metadata(source, {"tokenizer.chat_template"})["tokenizer.chat_template"]
    broken = "{% for m in messages %}{{ m.content"
    copy = tmp_path / "broken-template.gguf"
    shutil.copyfile(source, copy)
    with copy.open("r+b") as handle:
        # Same length, so every offset after it stays right.
        handle.seek(entry.offset)
        handle.write(broken.encode().ljust(entry.length))
    with pytest.raises(ModelFormatError, match="chat template"):
        load_model(copy)


def test_a_stray_model_in_models_folder_is_logged(tmp_path: Path, monkeypatch,
                                                  caplog) -> None:
    from neurosym.model.locate import ENV_VAR, find_model
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models").mkdir()
    stray = tmp_path / "models" / "stray.gguf"
    stray.write_bytes(b"GGUF")
    with caplog.at_level(logging.INFO, logger="neurosym.model"):
        found = find_model()
    assert found == stray.resolve() or found == stray
    messages = [r.getMessage() for r in caplog.records if r.name == "neurosym.model"]
    assert any("stray.gguf" in m and "instead of the embedded default" in m for m in messages)


# -- the executor and the planner's arguments ------------------------------------------------

@pytest.mark.parametrize("timeout", [math.inf, 1e300, 1e10])
def test_a_timeout_too_large_to_wait_for_is_refused(timeout: float) -> None:
    with pytest.raises(ExecutionError, match="at most"):
        Executor([Tool("ping", func=lambda: 1)], timeout_s=timeout)


def test_a_day_long_timeout_still_runs_a_call() -> None:
    tool = Tool("ping", func=lambda: "pong")
    result = Executor([tool], timeout_s=86_400).execute(verify(ns.parse_plan("ping()"), [tool]))
    assert result.ok and result.steps[0].value == "pong"


@pytest.mark.parametrize("value", [0, -3, 2.5, True])
def test_max_tokens_that_admit_no_plan_are_a_configuration_error(value: object) -> None:
    with pytest.raises(ConfigurationError, match="max_tokens"):
        ns.Planner([Tool("t")], max_tokens=value)  # type: ignore[arg-type]


def test_a_single_constraint_string_is_one_constraint() -> None:
    planner = ns.Planner([Tool("transfer")], constraints="count(transfer) <= 3")
    assert planner.constraints == ("count(transfer) <= 3",)


@pytest.mark.parametrize(("constraints", "core"), [
    (["count(transfer) >= 2", "count(transfer) <= 1"], "count(transfer) <= 1"),
    (["False"], "False"),
])
def test_constraints_that_cannot_hold_together_are_refused_at_construction(
        constraints: list[str], core: str) -> None:
    with pytest.raises(Unsatisfiable) as caught:
        ns.Planner([Tool("transfer")], constraints=constraints)
    assert any(core in item for item in caught.value.core)


def test_constraints_a_later_plan_may_meet_are_accepted() -> None:
    planner = ns.Planner([Tool("transfer")], constraints=["count(transfer) >= 2"])
    assert planner.constraint_set is not None


def test_a_constraint_on_a_tool_the_policy_removed_says_so() -> None:
    with pytest.raises(ConstraintReferenceError, match="the policy removed the tool 'transfer'"):
        ns.Planner([Tool("transfer"), Tool("get_balance")],
                   constraints=["count(transfer) <= 1"], policy=Policy(deny=["transfer"]))


def test_a_policy_that_removes_every_tool_leaves_no_planner() -> None:
    with pytest.raises(ConfigurationError, match="no tools remain"):
        ns.Planner([Tool("transfer")], policy=Policy(deny=["transfer"]))


# -- the command line --------------------------------------------------------------------------

def _tools_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "tools.py"
    path.write_text("import neurosym as ns\n\n" + textwrap.dedent(body), encoding="utf-8")
    return path


def test_cli_run_denying_the_only_tool_says_no_tools_remain(tmp_path: Path, capsys) -> None:
    path = _tools_file(tmp_path, '''
        @ns.tool
        def ping() -> str:
            """Answer pong."""
            return "pong"
        ''')
    status = main(["run", "ping the server", "--tools", str(path), "--deny", "ping"])
    err = capsys.readouterr().err
    assert status != 0 and "no tools remain" in err


def test_cli_a_tools_file_calling_sys_exit_is_an_error(tmp_path: Path, capsys) -> None:
    path = _tools_file(tmp_path, "import sys\nsys.exit(7)\n")
    assert main(["plan", "anything", "--tools", str(path)]) == 2
    err = capsys.readouterr().err
    assert "sys.exit(7)" in err and err.startswith("error: ")


@pytest.mark.model
def test_cli_plan_json_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    path = _tools_file(tmp_path, '''
        @ns.tool
        def get_weather(city: str) -> str:
            """The weather in a city."""
            return "sunny"
        ''')
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader (head) has gone before the plan is printed
    try:
        done = subprocess.run(
            [sys.executable, "-m", "neurosym", "plan", "Weather in Paris?", "--tools",
             str(path), "--json", "--max-tokens", "24"],
            stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=600,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    finally:
        os.close(write_end)
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr
    assert done.returncode == 141



@pytest.mark.parametrize("pattern", ["(" * 600 + "a" + ")" * 600, "a" + "*" * 1000])
def test_a_deeply_nested_pattern_in_a_constraint_is_a_syntax_error(pattern: str) -> None:
    tool = Tool("t", params=(Param("s", "string"),))
    outcome = bounded(lambda: ns.Planner([tool], constraints=[f'matches(t.s, "{pattern}")']))
    assert isinstance(outcome.error, ConstraintSyntaxError)
    assert "deep" in str(outcome.error)
