"""The vLLM engine against a recorded exchange (``data/vllm_exchange.json``, written from
vLLM's documented request and response shapes; no GPU here, so no running vLLM): each
request must have vLLM's shape and carry a Lark grammar llguidance compiles and that
admits the recorded reply; a refused value must be gone from the next request's grammar."""

from __future__ import annotations

import http.server
import json
import threading
from pathlib import Path
from typing import Any

import lark
import pytest

from neurosym import Planner
from neurosym.engine import VLLMEngine
from neurosym.solver.check import check_plan
from neurosym.tools import ToolSet, tool

RECORDED = json.loads((Path(__file__).parent / "data" / "vllm_exchange.json").read_text())


@tool
def book_room(city: str, nights: int) -> dict:
    """Book a hotel room in a city for a number of nights."""
    return {"city": city, "nights": nights}


class _Recorded(http.server.BaseHTTPRequestHandler):
    """Answers from the recording, in order; keeps what it was asked and what was wrong."""

    exchanges: list[dict[str, Any]] = []
    asked: list[dict[str, Any]] = []
    problems: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        self._send(RECORDED["models"] if self.path == "/v1/models" else {"error": "no"},
                   200 if self.path == "/v1/models" else 404)

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.asked.append(body)
        if self.path != "/v1/completions" or not self.exchanges:
            self.problems.append(f"unexpected request to {self.path}")
            self._send({"error": "unexpected"}, 400)
            return
        exchange = self.exchanges.pop(0)
        self.problems.extend(_check_request(body, exchange))
        self._send(exchange["reply"], 200)

    def _send(self, payload: Any, status: int) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


def _check_request(body: dict[str, Any], exchange: dict[str, Any]) -> list[str]:
    """What is wrong with a request, as vLLM documents it and as the recording expects."""
    import llguidance
    problems = []
    if body.get("model") != RECORDED["models"]["data"][0]["id"]:
        problems.append(f"model {body.get('model')!r}")
    if not isinstance(body.get("prompt"), str) or not isinstance(body.get("max_tokens"), int):
        problems.append("prompt or max_tokens")
    if body.get("logprobs") != 1 or body.get("temperature") != 0.0:
        problems.append("logprobs or temperature")
    if "guided_grammar" in body or "grammar" in body:
        problems.append("a field vLLM removed or never had")
    grammar = (body.get("structured_outputs") or {}).get("grammar")
    if not isinstance(grammar, str):
        return [*problems, "no structured_outputs.grammar"]
    compiled = llguidance.LLMatcher.grammar_from_lark(grammar)
    is_error, messages = llguidance.LLMatcher.validate_grammar_with_warnings(compiled, None)
    if is_error:
        problems.append(f"llguidance refuses the grammar: {messages}")
    parser = lark.Lark(grammar, start="start", parser="earley", lexer="dynamic")
    for text in exchange["admits"]:
        if not _parses(parser, text):
            problems.append(f"the grammar does not admit {text!r}")
    for text in exchange["refuses"]:
        if _parses(parser, text):
            problems.append(f"the grammar admits {text!r}")
    return problems


def _parses(parser: lark.Lark, text: str) -> bool:
    if text == "":
        try:
            parser.parse("")
        except lark.exceptions.LarkError:
            return False
        return True
    try:
        parser.parse(text)
    except lark.exceptions.LarkError:
        return False
    return True


@pytest.fixture()
def recorded() -> Any:
    handler = type("Handler", (_Recorded,), {"exchanges": list(RECORDED["exchanges"]),
                                             "asked": [], "problems": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield handler, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_plan_written_on_vllm_retracts_a_refused_value(recorded: Any) -> None:
    handler, url = recorded
    # bend=True: the request's 5 may be replaced by what the constraint allows (the
    # verdict says "adjusted" instead of refusing the plan).
    planner = Planner(ToolSet([book_room]), constraints=["book_room.nights <= 3"],
                      engine=VLLMEngine(url), bend=True)
    events: list[Any] = []
    result = planner.plan("Book a room in Paris for 5 nights.", on_event=events.append)
    assert handler.problems == []
    assert not handler.exchanges                        # every recorded piece was asked for
    assert result.ok and result.text == 'r1 = book_room(city="Paris", nights=3)'
    assert not check_plan(result.plan, list(planner.tools), planner.constraint_set).refuted
    assert [e.kind for e in events].count("refuse") == 1
    assert result.score == pytest.approx(sum(
        sum(x["reply"]["choices"][0]["logprobs"]["token_logprobs"])
        for i, x in enumerate(RECORDED["exchanges"]) if i != 2))   # the refused piece is not scored
    # Every piece carried the chat and the plan so far: the prompt grows by what was kept.
    prompts = [body["prompt"] for body in handler.asked]
    assert prompts[1] == prompts[0] + "r1 = book_room("
    assert prompts[3] == prompts[2] and prompts[4].endswith('nights=3)')
