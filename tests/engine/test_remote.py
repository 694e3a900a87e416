"""Plans written on a real llama.cpp server (``python -m llama_cpp.server`` with the
embedded model on 127.0.0.1), against the same planner in this process; and the faults a
server can have, each a clear EngineError in bounded time."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from typing import Annotated, Any

import pytest

from neurosym import Planner
from neurosym.engine import LlamaServerEngine, start_llama_server
from neurosym.engine.pieces import Lit, Rules
from neurosym.errors import EngineError, Unsatisfiable
from neurosym.solver.check import check_plan
from neurosym.tools import Range, ToolSet, tool


@tool
def book_room(city: str, nights: int) -> dict:
    """Book a hotel room in a city for a number of nights."""
    return {"city": city, "nights": nights}


@tool
def get_weather(city: str, unit: Annotated[str, "C or F"] = "C") -> dict:
    """Current weather in a city."""
    return {"city": city}


@tool
def rate_hotel(stars: Annotated[int, Range(1, 5)]) -> dict:
    """Leave a star rating for the hotel stayed at."""
    return {"stars": stars}


TOOLS = ToolSet([book_room, get_weather, rate_hotel])
LIMIT = ["book_room.nights <= 3"]


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    with start_llama_server(threads=1) as running:
        yield running


def _holds(result: Any, planner: Planner) -> bool:
    verdict = check_plan(result.plan, list(planner.tools), planner.constraint_set or ())
    return not verdict.refuted


@pytest.mark.model
@pytest.mark.slow
def test_a_request_plans_alike_here_and_on_the_server(server: Any) -> None:
    request = "Book a room in Paris for 2 nights."
    local = Planner(TOOLS, constraints=LIMIT).plan(request)
    remote = Planner(TOOLS, constraints=LIMIT, engine=LlamaServerEngine(server.url)).plan(request)
    for result, where in ((local, "local"), (remote, "remote")):
        assert result.ok, (where, result.explanation)
        first = result.plan.calls[0]
        assert first.tool == "book_room", (where, result.text)
        assert (first.arg("city").value, first.arg("nights").value) == ("Paris", 2), where
        assert _holds(result, Planner(TOOLS, constraints=LIMIT)), where
    assert remote.score is not None and remote.score < 0     # the server's log-probabilities
    assert remote.timings["requests"] >= 4                   # the step, 2 arguments, ")", the end


@pytest.mark.model
@pytest.mark.slow
def test_a_value_the_solver_refuses_is_asked_again_without_it(server: Any) -> None:
    request = "Book a room in Paris for 5 nights."
    planner = Planner(TOOLS, constraints=LIMIT, engine=LlamaServerEngine(server.url))
    events: list[Any] = []
    result = planner.plan(request, on_event=events.append)
    refused = [e for e in events if e.kind == "refuse"]
    assert refused and "nights=5" in refused[0].text     # the request's own value, refused
    if result.ok:
        assert _holds(result, planner)
        assert result.plan.calls[0].arg("nights").value != 5
    else:
        assert isinstance(result.error, Unsatisfiable)
    local = Planner(TOOLS, constraints=LIMIT).plan(request)
    assert not local.ok or _holds(local, planner)


@pytest.mark.model
@pytest.mark.slow
def test_a_server_that_dies_mid_plan_is_a_clear_error(server: Any) -> None:
    class DiesAfterOnePiece(LlamaServerEngine):
        """Kills the real server process once its first piece has come back."""

        def complete(self, *args: Any, **kwargs: Any) -> Any:
            piece = super().complete(*args, **kwargs)
            server.kill()
            return piece

    engine = DiesAfterOnePiece(server.url, timeout=10, retries=1)
    planner = Planner(TOOLS, engine=engine)
    with pytest.raises(EngineError) as caught:
        planner.plan("Book a room in Paris for 2 nights.")
    assert server.url in str(caught.value) and caught.value.hint


# -- faults without a model: tiny real HTTP servers that misbehave ---------------------
class _Handler(http.server.BaseHTTPRequestHandler):
    reply: bytes = b""
    status: int = 200
    delay: threading.Event | None = None

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.delay is not None:
            self.delay.wait(5)
        try:
            self.send_response(self.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(self.reply)
        except (BrokenPipeError, ConnectionResetError):
            pass    # the client gave up waiting, as it should

    def log_message(self, *args: Any) -> None:
        pass


def _serve(**attributes: Any) -> tuple[http.server.HTTPServer, str]:
    handler = type("Handler", (_Handler,), attributes)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def _piece() -> Rules:
    rules = Rules()
    rules.add("root", [[Lit("r1 = ")]])
    return rules


@pytest.mark.parametrize(("attributes", "says"), [
    ({"reply": b"<html>not an API</html>"}, "not JSON"),
    ({"reply": json.dumps({"choices": []}).encode()}, "cannot read"),
    ({"reply": json.dumps({"error": "no"}).encode(), "status": 500}, "HTTP 500"),
    ({"reply": b"{}", "status": 503}, "HTTP 503"),
])
def test_a_server_that_answers_wrongly_is_a_clear_error(attributes: dict, says: str) -> None:
    httpd, url = _serve(**attributes)
    try:
        with pytest.raises(EngineError) as caught:
            LlamaServerEngine(url, retries=1).complete("prompt", _piece(), 4)
        assert says in str(caught.value) and url in str(caught.value)
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_slow_server_times_out_after_bounded_retries() -> None:
    gate = threading.Event()
    httpd, url = _serve(reply=b"{}", delay=gate)
    try:
        with pytest.raises(EngineError) as caught:
            LlamaServerEngine(url, timeout=0.3, retries=1).complete("prompt", _piece(), 4)
        assert "2 attempts" in str(caught.value)
    finally:
        gate.set()
        httpd.shutdown()
        httpd.server_close()


def test_a_server_that_is_down_is_a_clear_error() -> None:
    from neurosym.engine.server import free_port
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(EngineError) as caught:
        LlamaServerEngine(url, retries=1).complete("prompt", _piece(), 4)
    assert "no answer" in str(caught.value) and "running" in caught.value.hint


def test_an_address_that_is_not_http_is_refused() -> None:
    from neurosym.errors import ConfigurationError
    with pytest.raises(ConfigurationError):
        LlamaServerEngine("127.0.0.1:8000")
