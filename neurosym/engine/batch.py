"""Planning a batch of requests over one or more engines, a bounded number at a time.

Each engine writes one plan at a time (a llama.cpp context, a server slot); the batch
keeps at most ``concurrency`` plans in flight, hands each free engine the next request,
and returns the results in the requests' order whatever order they finish in. A request
whose engine fails (a server that went down) comes back as a result that is not ``ok``
with the :class:`~neurosym.errors.EngineError`, and the batch goes on.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ConfigurationError, NeurosymError

if TYPE_CHECKING:
    from ..planner import PlanResult, Planner

__all__ = ["Progress", "plan_many", "read_requests"]


@dataclass(frozen=True)
class Progress:
    """One request of a batch is done: how many are, which one, where it was planned."""

    done: int
    total: int
    index: int
    engine: str
    ok: bool
    seconds: float


def plan_many(planner: Planner, requests: Sequence[Any], *, engines: Sequence[Any] | None = None,
              concurrency: int | None = None,
              on_progress: Callable[[Progress], None] | None = None) -> list[PlanResult]:
    """Plan every request (a text, chat messages, or ``{"request": ..., "observations":
    ...}``) with ``planner`` on ``engines`` (None: the planner's own), at most
    ``concurrency`` at once (None: one per engine). Results keep the requests' order."""
    from .base import LocalEngine
    pool = list(engines) if engines else [planner.engine or LocalEngine()]
    limit = len(pool) if concurrency is None else int(concurrency)
    if limit < 1:
        raise ConfigurationError(f"concurrency must be at least 1, not {concurrency!r}",
                                 hint="concurrency=1 plans one request at a time")
    limit = min(limit, len(pool), max(len(requests), 1))
    free: queue.Queue[Any] = queue.Queue()
    for engine in pool:
        free.put(engine)
    results: list[PlanResult | None] = [None] * len(requests)
    lock = threading.Lock()
    done = [0]
    started = time.perf_counter()

    def run(index: int) -> None:
        engine = free.get()
        try:
            results[index] = plan_one(planner, engine, requests[index])
        finally:
            free.put(engine)
        if on_progress is not None:
            with lock:
                done[0] += 1
                count = done[0]
            result = results[index]
            on_progress(Progress(count, len(requests), index, str(getattr(engine, "name", engine)),
                                 bool(result is not None and result.ok),
                                 time.perf_counter() - started))

    with ThreadPoolExecutor(max_workers=limit, thread_name_prefix="neurosym-plan") as workers:
        for future in [workers.submit(run, i) for i in range(len(requests))]:
            future.result()
    return [r for r in results if r is not None]


def plan_one(planner: Planner, engine: Any, request: Any) -> PlanResult:
    """One request of a batch on ``engine``; a library error becomes a result that is not
    ``ok`` (with the error), so one request's failure does not stop the others."""
    from ..result import PlanResult
    text, options = _split(request)
    started = time.perf_counter()
    try:
        return engine.plan(planner, text, **options)
    except NeurosymError as err:
        # One request's failure (a server gone, a prompt too long) is its own result.
        return PlanResult(ok=False, plan=None, text="", explanation=str(err), error=err,
                          timings={"total_s": time.perf_counter() - started})


def _split(request: Any) -> tuple[Any, dict[str, Any]]:
    if isinstance(request, Mapping):
        if "request" not in request:
            raise ConfigurationError(f"a batch entry has no 'request': {dict(request)!r:.120}",
                                     hint='write each entry as {"request": "..."} or a plain text')
        options = {k: request[k] for k in ("observations", "previous_plan") if request.get(k)}
        return request["request"], options
    return request, {}


def read_requests(path: str) -> list[Any]:
    """Requests from a JSON Lines file: each line a JSON string, or an object with a
    ``request`` (a text or chat messages) and optionally ``observations``."""
    import json
    from pathlib import Path
    source = Path(path)
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigurationError(f"cannot read the requests file {path}: {exc.strerror}",
                                 hint="pass a .jsonl file, one request per line") from None
    except UnicodeDecodeError:
        raise ConfigurationError(f"the requests file {path} is not UTF-8 text",
                                 hint="write it as UTF-8 JSON Lines") from None
    out: list[Any] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError as exc:
            raise ConfigurationError(f"line {number} of {path} is not JSON: {exc}",
                                     hint='each line is "a request" or {"request": "..."}') from None
        if not isinstance(entry, (str, dict, list)) or (isinstance(entry, dict)
                                                        and "request" not in entry):
            raise ConfigurationError(f"line {number} of {path} holds no request: {line[:80]}",
                                     hint='each line is "a request" or {"request": "..."}')
        out.append(entry)
    if not out:
        raise ConfigurationError(f"the requests file {path} holds no request",
                                 hint="write one request per line")
    return out
