"""The audit log's targets: a path, a text file object, or memory only."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import pytest

from neurosym.errors import ExecutionError
from neurosym.execute import AuditLog
from neurosym.execute.digest import argument_digest


def test_lines_go_to_a_file_object_and_stay_in_memory() -> None:
    out = io.StringIO()
    log = AuditLog(out)
    record = log.write(step=2, tool="transfer", args={"amount": 5.0}, outcome="denied",
                       latency_ms=0.0, attempt=0, error="PolicyError: no")
    line = json.loads(out.getvalue())
    assert line == json.loads(record.to_json())
    assert line["args_digest"] == argument_digest({"amount": 5.0}, log.key)
    assert "5.0" not in out.getvalue().replace(line["timestamp"], "")  # no raw arguments
    assert log.records == [record]


def test_memory_only_log() -> None:
    log = AuditLog()
    log.write(step=0, tool="t", args={}, outcome="ok", latency_ms=1.0, attempt=1)
    assert len(log.records) == 1 and AuditLog.coerce(log) is log


def test_concurrent_writes_give_whole_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    log = AuditLog(path)

    def work(n: int) -> None:
        for i in range(50):
            log.write(step=n, tool=f"t{n}", args={"i": i}, outcome="ok", latency_ms=0.1,
                      attempt=1)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert len(lines) == 200 == len(log.records)


@pytest.mark.parametrize("target", ["/no/such/folder/audit.jsonl", 42])
def test_unusable_targets_are_clear_errors(target: object) -> None:
    with pytest.raises(ExecutionError) as info:
        AuditLog(target)  # type: ignore[arg-type]
    assert info.value.hint
