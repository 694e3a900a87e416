"""The real server: ``neurosym serve`` started as a subprocess on 127.0.0.1, one for the
tests of this folder, waited for until it answers, and always killed afterwards."""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).parent
TOOLS_FILE = HERE / "tools.json"
TOOLS = json.loads(TOOLS_FILE.read_text())
#: How long the server may take to load the model and listen (a shared, busy machine).
START_TIMEOUT_S = 300


@dataclass(frozen=True)
class Server:
    base_url: str
    process: subprocess.Popen[str]
    log: list[str]


def _read_lines(stream: object, lines: queue.Queue[str], log: list[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        log.append(line)
        lines.put(line)


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """``neurosym serve`` with the tools of tools.json, one constraint and one denied
    tool, on a port the system picks (the server prints the address it listens on)."""
    command = [sys.executable, "-m", "neurosym", "serve", "--tools", str(TOOLS_FILE),
               "--host", "127.0.0.1", "--port", "0",
               "--constraint", "book_table.people <= 4", "--deny", "delete_account"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: queue.Queue[str] = queue.Queue()
    log: list[str] = []
    reader = threading.Thread(target=_read_lines, args=(process.stderr, lines, log), daemon=True)
    reader.start()
    try:
        base_url = None
        while base_url is None:
            try:
                line = lines.get(timeout=START_TIMEOUT_S)
            except queue.Empty:
                pytest.fail("neurosym serve did not start:\n" + "".join(log))
            found = re.search(r"(http://127\.0\.0\.1:\d+/v1)", line)
            if found:
                base_url = found.group(1)
            elif process.poll() is not None:
                pytest.fail(f"neurosym serve exited with {process.returncode}:\n" + "".join(log))
        # Ready when it answers a request, not merely when it printed its address.
        with urllib.request.urlopen(base_url + "/models", timeout=60) as answer:
            assert answer.status == 200
        yield Server(base_url, process, log)
    finally:
        process.kill()
        process.wait(timeout=30)
        reader.join(timeout=30)     # the pipe ends with the process
        if process.stderr is not None:
            process.stderr.close()


@pytest.fixture(scope="session")
def client(server: Server) -> Iterator[object]:
    """The real ``openai`` client pointed at the server."""
    import openai
    with openai.OpenAI(base_url=server.base_url, api_key="unused", timeout=600,
                       max_retries=0) as made:
        yield made
