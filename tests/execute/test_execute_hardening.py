"""The audit log comes before the call, holds no argument values, and a write never runs
twice: regression tests of the hardening pass, with real tools and real threads."""

from __future__ import annotations

import hashlib
import io
import json
import threading
from pathlib import Path

import pytest

from neurosym.errors import ExecutionError
from neurosym.execute import AuditLog, Executor, verify
from neurosym.graph.plain import canonical_json
from neurosym.plan import parse_plan
from neurosym.tools import Param, Tool

# Liveness bound for waiting on a thread the test itself releases (never a speed check).
_WAIT_S = 30.0


class _FullDisk(io.StringIO):
    def write(self, text: str) -> int:
        raise OSError(28, "No space left on device")


def _recorder() -> tuple[list[dict[str, object]], Tool]:
    calls: list[dict[str, object]] = []

    def transfer(amount: float) -> str:
        calls.append({"amount": amount})
        return "done"

    return calls, Tool("transfer", params=(Param("amount", "number"),), func=transfer,
                       effect="write")


def test_a_log_that_cannot_be_written_stops_the_run_before_any_call() -> None:
    calls, transfer = _recorder()
    ping = Tool("ping", func=lambda: "pong")
    plan = verify(parse_plan("t = transfer(amount=5)\np = ping()"), [transfer, ping])
    result = Executor([transfer, ping], audit=_FullDisk()).execute(plan)
    assert calls == []  # the write never ran unrecorded
    first, second = result.steps
    assert first.status == "error" and "AuditError" in (first.error or "")
    assert "the call was not made" in (first.error or "")
    assert second.status in ("skipped", "error") and not second.ok


def test_an_audit_path_that_is_a_folder_is_refused_before_the_run(tmp_path: Path) -> None:
    calls, transfer = _recorder()
    with pytest.raises(ExecutionError, match="cannot write the audit log"):
        Executor([transfer], audit=tmp_path)
    assert calls == []


def test_the_intent_is_on_record_before_the_tool_runs(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    seen_before: list[list[str]] = []

    def transfer(amount: float) -> str:
        seen_before.append(path.read_text(encoding="utf-8").splitlines())
        return "done"

    tool = Tool("transfer", params=(Param("amount", "number"),), func=transfer, effect="write")
    Executor([tool], audit=path).execute(verify(parse_plan("transfer(amount=5)"), [tool]))
    [lines] = seen_before
    assert [json.loads(line)["outcome"] for line in lines] == ["started"]
    after = [json.loads(line)["outcome"] for line in path.read_text().splitlines()]
    assert after == ["started", "ok"]


def test_error_fields_hold_no_argument_values() -> None:
    def login(user: str, password: str) -> str:
        raise ValueError(f"bad password {password} for {user}")

    login_tool = Tool("login", params=(Param("user", "string"), Param("password", "string")),
                      func=login)
    pin = Tool("pin", params=(Param("code", "string", pattern="^[0-9]{4}$"),),
               func=lambda code: code)
    secret = Tool("secret", returns=Param("result", "string"), func=lambda: "sk-LIVE-abcdef123456")
    out = io.StringIO()
    plan = verify(parse_plan('a = login(user="bob", password="hunter2hunter2")\n'
                             's = secret()\nb = pin(code=s)'), [login_tool, pin, secret])
    result = Executor([login_tool, pin, secret], audit=out).execute(plan)
    assert [s.status for s in result.steps][0] == "error"
    text = out.getvalue()
    for value in ("hunter2hunter2", "bob", "sk-LIVE-abcdef123456"):
        assert value not in text
    errors = [json.loads(line)["error"] for line in text.splitlines()]
    assert "ValueError" in errors and "PlanValidationError" in errors


def test_a_short_secret_cannot_be_recovered_from_its_digest() -> None:
    log = AuditLog()
    record = log.write(step=0, tool="unlock", args={"pin": "4821"}, outcome="ok",
                       latency_ms=0.0, attempt=1)
    guesses = {hashlib.sha256(canonical_json({"pin": f"{n:04d}"}).encode()).hexdigest()
               for n in range(10_000)}
    assert record.args_digest not in guesses
    again = log.write(step=1, tool="unlock", args={"pin": "4821"}, outcome="ok",
                      latency_ms=0.0, attempt=1)
    assert again.args_digest == record.args_digest  # equal calls match within one log
    keyed = AuditLog(key=b"the caller's key")
    assert keyed.write(step=0, tool="unlock", args={"pin": "4821"}, outcome="ok",
                       latency_ms=0.0, attempt=1).args_digest != record.args_digest


def test_a_timed_out_write_is_not_retried_while_it_may_still_run() -> None:
    release = threading.Event()
    started: list[str] = []

    def transfer(amount: float, key: str = "") -> str:
        started.append(key)
        release.wait(_WAIT_S)
        return "done"

    tool = Tool("transfer", params=(Param("amount", "number"),
                                    Param("key", "string", required=False)),
                func=transfer, effect="write", idempotency_param="key")
    log = AuditLog()
    executor = Executor([tool], audit=log, timeout_s=0.2, retries=2, backoff_s=0.0)
    result = executor.execute(verify(parse_plan("transfer(amount=5)"), [tool]))
    assert len(started) == 1  # one attempt only: the first may still be running
    [step] = result.steps
    assert step.status == "timeout" and "not retried" in (step.error or "")
    release.set()
    # The abandoned attempt ends now; its late outcome joins the log.
    for _ in range(int(_WAIT_S / 0.05)):
        if any(r.outcome == "late-ok" for r in log.records):
            break
        threading.Event().wait(0.05)
    assert [r.outcome for r in log.records] == ["started", "timeout", "late-ok"]


def test_abandoned_calls_are_bounded_and_the_result_says_so() -> None:
    from neurosym.execute._call import MAX_ABANDONED, abandoned_calls
    release = threading.Event()
    hang = Tool("hang", func=lambda: release.wait(_WAIT_S))
    executor = Executor([hang], timeout_s=0.05, retries=0)
    plan = verify(parse_plan("hang()"), [hang])
    try:
        statuses = []
        for _ in range(MAX_ABANDONED - abandoned_calls()):
            [step] = executor.execute(plan).steps
            statuses.append(step.status)
            assert "its thread is left running" in (step.error or "")
        assert set(statuses) == {"timeout"}
        [refused] = executor.execute(plan).steps
        assert refused.status == "error" and "still running" in (refused.error or "")
    finally:
        release.set()
    for _ in range(int(_WAIT_S / 0.05)):
        if abandoned_calls() == 0:
            break
        threading.Event().wait(0.05)
    assert abandoned_calls() == 0
