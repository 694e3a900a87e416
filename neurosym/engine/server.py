"""Starting and stopping a llama.cpp server process (llama-cpp-python's ``llama_cpp.server``).

For tests, benchmarks and a quick local set-up: ``with start_llama_server(path) as server:``
runs ``python -m llama_cpp.server`` on 127.0.0.1, waits until it answers, and stops it
on exit. Nothing here is needed to use a server that runs elsewhere.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import EngineError

__all__ = ["LlamaServer", "start_llama_server", "free_port"]


@dataclass
class LlamaServer:
    """A running ``llama_cpp.server`` process and its address."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the process (terminate, then kill if it does not leave in ``timeout``)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)

    def kill(self) -> None:
        """Kill the process at once, as a crash would."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def start_llama_server(model: str | os.PathLike[str] | None = None, *, port: int | None = None,
                       threads: int = 1, n_ctx: int = 4096, startup_timeout: float = 120.0,
                       log_dir: str | os.PathLike[str] | None = None) -> Iterator[LlamaServer]:
    """Run ``python -m llama_cpp.server`` with ``model`` (None: the default model) on
    127.0.0.1 until the block ends. Raises :class:`EngineError` when it does not answer
    within ``startup_timeout`` seconds."""
    try:
        import llama_cpp.server  # noqa: F401
    except ImportError as exc:
        raise EngineError("llama-cpp-python's server is not installed",
                          hint='install the engines extra: pip install "neurosym[engines]"') from exc
    from ..model.locate import find_model
    path = find_model(model)
    port = port or free_port()
    folder = Path(log_dir) if log_dir is not None else Path(os.environ.get("TMPDIR", "/tmp"))
    log = folder / f"neurosym-llama-server-{port}.log"
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(path),
               "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx),
               "--n_threads", str(threads), "--n_threads_batch", str(threads),
               "--logits_all", "true", "--verbose", "false"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    server = LlamaServer(process, f"http://127.0.0.1:{port}", log)
    try:
        _wait_until_ready(server, startup_timeout)
        yield server
    finally:
        server.stop()


def _wait_until_ready(server: LlamaServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            tail = server.log.read_text(errors="replace")[-600:] if server.log.exists() else ""
            raise EngineError(f"the llama.cpp server left at start (status "
                              f"{server.process.returncode}): {tail}", engine=server.url)
        try:
            with urllib.request.urlopen(server.url + "/v1/models", timeout=2) as response:
                json.loads(response.read())
                return
        except (urllib.error.URLError, OSError, ValueError):
            time.sleep(0.25)
    server.stop()
    raise EngineError(f"the llama.cpp server at {server.url} did not answer within "
                      f"{timeout:.0f} s", engine=server.url,
                      hint="see its log at " + str(server.log))
