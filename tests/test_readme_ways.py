"""Every way in that the README shows runs as written: the library, the command line, the
notebook drawing, the OpenAI-compatible server (a real process, the real openai client)
and MCP tools (a real server over stdio)."""

from __future__ import annotations

import contextlib
import io
import queue
import re
import shlex
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
SCRIPT = Path(sys.executable).with_name("neurosym")

pytestmark = [pytest.mark.model, pytest.mark.slow]


def _blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def _way(name: str) -> str:
    """The README's text under ``### name`` in "Ways in"."""
    ways = README.split("## Ways in", 1)[1].split("\n## ", 1)[0]
    found = re.search(rf"^### {re.escape(name)}\n(.*?)(?=^### |\Z)", ways, flags=re.S | re.M)
    assert found, f"the README has no section {name!r}"
    return found.group(1)


def _run_python(code: str, namespace: dict[str, object]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), namespace)  # the project's own text
    return out.getvalue()


@pytest.fixture(scope="module")
def first_screen() -> dict[str, object]:
    """The namespace of the first-screen example's definitions (its imports and tool),
    which the later examples go on from; the example itself runs in test_readme.py."""
    first = _blocks(README, "python")[0]
    namespace: dict[str, object] = {"__name__": "readme_example"}
    _run_python(first.split("planner = ", 1)[0], namespace)
    return namespace


@pytest.fixture(scope="module")
def library(first_screen: dict[str, object]) -> tuple[dict[str, object], str]:
    namespace = dict(first_screen)
    return namespace, _run_python(_blocks(_way("Library"), "python")[0], namespace)


def test_library(library: tuple[dict[str, object], str]) -> None:
    assert library[1].startswith("{'r1': {'city': 'Paris', 'nights': 2, 'price': 300.0}}")


def test_command_line() -> None:
    command = shlex.split(_blocks(_way("Command line"), "sh")[0].strip())
    assert command[0] == "neurosym"
    done = subprocess.run([str(SCRIPT), *command[1:]], cwd=ROOT, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    # a plan over the demo world's tools, shown and not run
    assert done.stdout.startswith("plan 1:\n  r1 = ") and "dry run: nothing was called" in done.stdout
    assert done.stderr.startswith("loading ")              # the progress line


def test_notebook(library: tuple[dict[str, object], str]) -> None:
    namespace = dict(library[0])
    code = _blocks(_way("Notebook"), "python")[0]
    _run_python(code, namespace)
    assert eval(code.strip().splitlines()[-1].split("#")[0], namespace) == "<svg"


def test_openai_compatible_server() -> None:
    section = _way("OpenAI-compatible server")
    command = shlex.split(_blocks(section, "sh")[0].strip())
    assert command[0] == "neurosym" and command[-2:] == ["--port", "8000"]
    # The same command on a port the system picks, the address read from what it prints.
    process = subprocess.Popen([str(SCRIPT), *command[1:-1], "0"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stderr],
                              daemon=True)
    reader.start()
    try:
        url = None
        while url is None:
            line = lines.get(timeout=600)
            found = re.search(r"http://127\.0\.0\.1:\d+/v1", line)
            url = found.group(0) if found else None
        code = _blocks(section, "python")[0].replace("http://127.0.0.1:8000/v1", url)
        namespace: dict[str, object] = {"__name__": "readme_server"}
        printed = _run_python(code, namespace)
        namespace["client"].close()  # type: ignore[attr-defined]
        assert "name='get_weather'" in printed and "Oslo" in printed
    finally:
        process.kill()
        process.wait(timeout=30)
        reader.join(timeout=30)
        process.stderr.close()  # type: ignore[union-attr]


def test_mcp(first_screen: dict[str, object], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    printed = _run_python(_blocks(_way("MCP"), "python")[0], dict(first_screen)).splitlines()
    assert printed[0] == ("[('get_balance', 'read', False), ('list_accounts', 'read', False), "
                          "('transfer', 'write', False)]")
    assert "'balance': 300.0" in printed[1]
