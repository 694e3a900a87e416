"""Sensitive values never leave the executor: where a parameter is marked sensitive, and
every place its value could show (audit log, errors, results, reports, drawings,
explanations), with real tools, the real executor and real threads."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Annotated, Any

import pytest

import neurosym as ns
from neurosym.errors import PolicyError
from neurosym.execute import AuditLog, Executor, Policy, run_loop, verify
from neurosym.execute.result import ExecutionResult
from neurosym.plan import parse_plan
from neurosym.redact import MARK, Secrets, sensitive_paths
from neurosym.tools import (Param, Tool, ToolSet, param_from_json_schema, param_to_json_schema,
                            tool_from_json_schema)
from neurosym.tools.mcp import tool_from_mcp

PASSWORD = "hunter2hunter2"
KEY = "sk-LIVE-abcdef123456"
# Liveness bound for waiting on a thread the test itself releases (never a speed check).
_WAIT_S = 30.0


def _everything_given_out(result: ExecutionResult, log: AuditLog, path: Path | None = None
                          ) -> str:
    """Every text the caller receives from a run."""
    parts = [result.report(), repr(result), json.dumps(result.observations, default=str),
             json.dumps(result.values, default=str), *(repr(s) for s in result.steps),
             *(s.call_text for s in result.steps), *(r.to_json() for r in log.records),
             *(repr(w) for w in result.late_writes)]
    if path is not None:
        parts.append(path.read_text(encoding="utf-8"))
    return "\n".join(parts)


@ns.tool(effect="write")
def login(user: str, password: Annotated[str, ns.Sensitive]) -> str:
    """Log a user in."""
    raise ValueError(f"bad password {password} for {user}")


# -- the two leaks -----------------------------------------------------------------------

def test_a_tool_error_quoting_a_password_shows_it_nowhere(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path)
    plan = verify(parse_plan(f'login(user="bob", password="{PASSWORD}")'), [login])
    result = Executor([login], audit=log).execute(plan)
    [step] = result.steps
    assert step.status == "error"
    assert step.error == f"ValueError: bad password {MARK} for bob"
    assert step.args == {"user": "bob", "password": MARK}
    assert PASSWORD not in _everything_given_out(result, log, path)


def test_a_gateway_refusal_of_a_value_from_an_earlier_result_shows_it_nowhere() -> None:
    get_key = Tool("get_key", returns=Param("result", "string"), func=lambda: KEY)
    charged: list[str] = []
    charge = Tool("charge", params=(Param("api_key", "string", pattern="^sk-TEST-"),
                                    Param("amount", "number")),
                  func=lambda api_key, amount: charged.append(api_key), effect="write")
    log = AuditLog()
    executor = Executor([get_key, charge], audit=log, policy=Policy(sensitive={"*.api_key"}))
    plan = verify(parse_plan("k = get_key()\ncharge(api_key=k, amount=5)"), [get_key, charge])
    result = executor.execute(plan)
    first, second = result.steps
    assert charged == [] and second.status == "denied"
    assert "api_key" in (second.error or "") and MARK in (second.error or "")
    # The result that fed the sensitive parameter is a secret too.
    assert result.values == {"k": MARK}
    assert KEY not in _everything_given_out(result, log)
    assert KEY[:12] not in _everything_given_out(result, log)


# -- where the mark comes from -------------------------------------------------------------

_OPENAI = [{"type": "function", "function": {
    "name": "connect", "parameters": {"type": "object", "properties": {
        "host": {"type": "string"},
        "password": {"type": "string", "format": "password"},
        "token": {"anyOf": [{"type": "string"}, {"type": "null"}], "writeOnly": True},
        "auth": {"type": "object", "properties": {"secret": {"type": "string",
                                                             "writeOnly": True}}}},
        "required": ["host"]}}}]


def _marks(tool: Tool) -> dict[str, bool]:
    return {p.name: p.sensitive for p in tool.params}


def test_json_schema_write_only_and_password_format_mark_a_parameter() -> None:
    [tool] = ToolSet.from_openai(_OPENAI)
    assert _marks(tool) == {"host": False, "password": True, "token": True, "auth": False}
    assert tool.param("auth").property("secret").sensitive  # type: ignore[union-attr]
    assert sensitive_paths(tool) == ("password", "token", "auth.secret")


def test_bfcl_docs_mark_a_parameter() -> None:
    [tool] = ToolSet.from_bfcl([{"name": "connect", "description": "Connect.", "parameters": {
        "type": "dict", "properties": {"host": {"type": "string"},
                                       "pin": {"type": "integer", "writeOnly": True}},
        "required": ["host", "pin"]}}])
    assert _marks(tool) == {"host": False, "pin": True}


def test_an_mcp_input_schema_marks_a_parameter() -> None:
    tool = tool_from_mcp({"name": "unlock", "inputSchema": {
        "type": "object", "properties": {"door": {"type": "string"},
                                         "code": {"type": "string", "format": "password"}}}})
    assert _marks(tool) == {"door": False, "code": True}


def test_a_python_annotation_marks_a_parameter_and_survives_json_schema() -> None:
    @ns.tool
    def unlock(door: str, code: Annotated[str, ns.Sensitive, ns.Length(4, 8)]) -> str:
        """Open a door."""
        return door

    assert _marks(unlock) == {"door": False, "code": True}
    assert unlock.param("code").max_length == 8  # type: ignore[union-attr]
    back = param_from_json_schema(param_to_json_schema(unlock.param("code")), "code")  # type: ignore[arg-type]
    assert back.sensitive
    again = tool_from_json_schema("unlock", {"type": "object", "properties": {
        "code": param_to_json_schema(unlock.param("code"))}})  # type: ignore[arg-type]
    assert again.param("code").sensitive  # type: ignore[union-attr]


def test_the_policy_marks_parameters_by_name() -> None:
    [tool] = ToolSet.from_openai(_OPENAI)
    policy = Policy(sensitive={"connect.host", "*.auth"})
    assert set(sensitive_paths(tool, policy)) == {"host", "password", "token", "auth"}
    assert not Policy(sensitive={"other.host"}).is_sensitive("connect", "host")
    with pytest.raises(PolicyError, match="names no parameter"):
        Policy(sensitive={"password"})


def test_a_name_in_the_policy_is_redacted_by_the_executor() -> None:
    def register(user: str, pin: int) -> str:
        raise ValueError(f"pin {pin} taken")

    plain = Tool("register", params=(Param("user", "string"), Param("pin", "integer")),
                 func=register, effect="write")
    log = AuditLog()
    result = Executor([plain], audit=log, policy=Policy(sensitive="register.pin")).execute(
        verify(parse_plan('register(user="ann", pin=4821)'), [plain]))
    [step] = result.steps
    assert step.error == f"ValueError: pin {MARK} taken"
    assert step.args == {"user": "ann", "pin": MARK}
    assert "4821" not in _everything_given_out(result, log)


# -- what is made of plans and runs ------------------------------------------------------

def test_a_drawing_of_the_plan_and_of_its_run_shows_no_secret() -> None:
    from neurosym.notebook import draw_plan

    plan = parse_plan(f'login(user="bob", password="{PASSWORD}")')
    drawing = draw_plan(plan, [login])
    assert PASSWORD not in drawing.svg and MARK in drawing.svg and "bob" in drawing.svg
    result = Executor([login]).execute(verify(plan, [login]))
    # The run knows its secrets: drawn from the result alone, without the tools.
    assert PASSWORD not in draw_plan(result, execution=result).svg


def test_the_approver_reads_the_call_without_the_secret() -> None:
    seen: list[str] = []

    def approver(call: Any) -> bool:
        seen.append(call.describe())
        return True

    policy = Policy(require_approval={"login"}, approver=approver)
    Executor([login], policy=policy).execute(
        verify(parse_plan(f'login(user="bob", password="{PASSWORD}")'), [login]))
    assert seen and PASSWORD not in seen[0] and MARK in seen[0]


def test_a_rejected_plan_in_the_agent_loop_explains_itself_without_the_secret() -> None:
    unlock = Tool("unlock", params=(Param("code", "string", pattern="^[0-9]+$",
                                          sensitive=True),), func=lambda code: "open")
    plans = iter([parse_plan('unlock(code="letmein99")'), parse_plan('answer("no")')])
    result = run_loop("open the door", lambda request, seen: next(plans), tools=[unlock],
                      executor=Executor([unlock]))
    rejected = result.turns[0]
    assert not rejected.verified and "code" in (rejected.error or "")
    assert "letmein99" not in json.dumps(result.to_dict())
    assert all("letmein99" not in o.text for o in result.observations)


def test_the_sources_of_a_verdict_show_no_sensitive_value() -> None:
    from neurosym.verdict import Judgement, redact_judgement, value_sources

    plan = parse_plan(f'login(user="bob", password="{PASSWORD}")')
    request = f"log in as bob with password {PASSWORD}"
    sources = value_sources(plan, [login], request)
    assert any(PASSWORD in s.value for s in sources)  # what is redacted below
    secrets = Secrets()
    secrets.add_plan(plan, [login])
    judged = redact_judgement(Judgement("faithful", sources=tuple(sources),
                                        explanation=f"uses {PASSWORD}"),
                              secrets, lambda tool, param: param == "password")
    text = json.dumps(judged.to_dict()) + judged.summary() + "".join(map(str, judged.sources))
    assert PASSWORD not in text and "bob" in text


# -- the redaction itself -------------------------------------------------------------------

@pytest.mark.parametrize(("secret", "text", "expected"), [
    (KEY, f"(got '{KEY}')", f"(got '{MARK}')"),
    (KEY, "api_key=\"sk-LIVE-abcd...\"", f"api_key=\"{MARK}\""),     # cut short
    ('pa"ss\\word', json.dumps({"p": 'pa"ss\\word'}), json.dumps({"p": MARK})),  # escaped
    (42, "pin 42 of 420 and 1042", f"pin {MARK} of 420 and 1042"),   # short: whole only
    ("x", "no secret here", "no secret here"),
])
def test_every_way_a_secret_is_written_is_redacted(secret: Any, text: str, expected: str
                                                   ) -> None:
    assert Secrets([secret]).redact(text) == expected


def test_secrets_never_show_themselves() -> None:
    assert PASSWORD not in repr(Secrets([PASSWORD]))


# -- a write that outlives its timeout -------------------------------------------------------

@pytest.mark.parametrize("fails", [False, True])
def test_a_write_that_ends_after_its_timeout_is_in_the_run_result(fails: bool) -> None:
    release = threading.Event()

    def pay(card: str, amount: float) -> str:
        release.wait(_WAIT_S)
        if fails:
            raise ValueError(f"card {card} declined")
        return "paid"

    tool = Tool("pay", params=(Param("card", "string", sensitive=True),
                               Param("amount", "number")), func=pay, effect="write")
    log = AuditLog()
    result = Executor([tool], audit=log, timeout_s=0.2, retries=0).execute(
        verify(parse_plan('pay(card="4111222233334444", amount=30)'), [tool]))
    [step] = result.steps
    assert step.status == "timeout"
    assert result.late_writes == () and result.unsettled_writes == (0,)
    assert "still running: [0] pay" in result.report()
    release.set()
    [late] = result.settle(_WAIT_S)
    assert (late.step, late.tool, late.outcome) == (0, "pay", "error" if fails else "ok")
    assert late.error == (f"ValueError: card {MARK} declined" if fails else None)
    assert result.unsettled_writes == ()
    assert f"late: [0] pay ended after its timeout -> {'error' if fails else 'ok'}" \
        in result.report()
    assert "4111222233334444" not in _everything_given_out(result, log)


# -- what the planner gives back ---------------------------------------------------------

def test_a_trace_a_search_record_and_an_error_are_copied_without_the_secret() -> None:
    from neurosym.errors import Unsatisfiable
    from neurosym.search.beam import Candidate, SearchEvent, SearchOutcome

    secrets = Secrets([PASSWORD])
    text = f'r1 = login(user="bob", password="{PASSWORD}")'
    outcome = SearchOutcome((Candidate(text, -3.0, (), True, -3.0),),
                            (SearchEvent("finish", text, -3.0, reason=f"ends {PASSWORD}"),),
                            "complete", 10, 0, 4, 1, (), 0.1, 0.2, longest=text)
    redacted = secrets.redact_record(outcome)
    assert PASSWORD not in repr(redacted) and PASSWORD in repr(outcome)
    assert redacted.candidates[0].score == -3.0 and "bob" in redacted.events[0].text
    error = Unsatisfiable(f"password = {PASSWORD!r} is too short",
                          hint=f"try a longer one than {PASSWORD}")
    clean = secrets.redact_error(error)
    assert isinstance(clean, Unsatisfiable) and PASSWORD not in str(clean)
    assert PASSWORD in str(error)  # the original is left as it was
    assert secrets.redact_error(ValueError("nothing to hide")).args == ("nothing to hide",)


@pytest.mark.model
def test_a_plan_result_shows_the_secret_only_in_the_plan_that_runs(model) -> None:
    planner = ns.Planner([login], model=model)
    result = planner.plan(f"Log in as bob with the password {PASSWORD}.")
    given_out = [result.explanation or "", str(result.error or ""),
                 *(repr(event) for event in result.trace)]
    if result.search is not None:
        given_out += [repr(result.search)]
    if result.judgement is not None:
        given_out += [json.dumps(result.judgement.to_dict(), default=str)]
    assert all(PASSWORD not in text for text in given_out)
    if result.plan is not None and PASSWORD in result.plan.text:
        assert result.secrets  # what runs keeps the value; everything else is redacted
