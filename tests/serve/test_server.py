"""``neurosym serve`` answered by the real ``openai`` client: tool calls, tool_choice, a
round trip with results, streaming, and bad requests as OpenAI-style errors."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import openai
import pytest

pytestmark = [pytest.mark.model, pytest.mark.slow]

TOOLS = json.loads((Path(__file__).parent / "tools.json").read_text())
WEATHER = [t for t in TOOLS if t["function"]["name"] == "get_weather"]


def _ask(client, text: str, **options):
    return client.chat.completions.create(model="neurosym",
                                          messages=[{"role": "user", "content": text}],
                                          **options)


def test_models_lists_the_served_model(client) -> None:
    models = client.models.list()
    assert [m.id for m in models.data] == ["SmolLM2-135M-Instruct.Q4_1"]


def test_a_plain_tool_call(client) -> None:
    completion = _ask(client, "What is the weather in Oslo?", tools=WEATHER)
    assert completion.object == "chat.completion" and completion.id.startswith("chatcmpl-")
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.role == "assistant" and choice.message.content is None
    call = choice.message.tool_calls[0]
    assert call.type == "function" and call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Oslo"}
    assert completion.usage.prompt_tokens > 0 and completion.usage.completion_tokens > 0
    assert completion.usage.total_tokens == (completion.usage.prompt_tokens
                                             + completion.usage.completion_tokens)
    again = _ask(client, "What is the weather in Oslo?", tools=WEATHER)
    assert again.choices[0].message.tool_calls[0].id != call.id      # ids never repeat


def test_tool_choice_none_answers_in_text(client) -> None:
    completion = _ask(client, "Say hello.", tools=WEATHER, tool_choice="none")
    choice = completion.choices[0]
    assert choice.finish_reason == "stop" and not choice.message.tool_calls
    assert isinstance(choice.message.content, str)


def test_tool_choice_names_the_function(client) -> None:
    completion = _ask(client, "I am going to Rome tomorrow.", tools=TOOLS,
                      tool_choice={"type": "function", "function": {"name": "get_weather"}})
    calls = completion.choices[0].message.tool_calls
    assert calls and {c.function.name for c in calls} == {"get_weather"}


def test_a_round_trip_with_tool_results(client) -> None:
    messages = [{"role": "user", "content": "What is the weather in Oslo?"}]
    first = client.chat.completions.create(model="neurosym", messages=messages, tools=WEATHER)
    message = first.choices[0].message
    assert message.tool_calls
    messages.append(message.model_dump(exclude_none=True))
    for call in message.tool_calls:
        messages.append({"role": "tool", "tool_call_id": call.id,
                         "content": json.dumps({"city": "Oslo", "sky": "snow", "celsius": -3})})
    second = client.chat.completions.create(model="neurosym", messages=messages, tools=WEATHER)
    choice = second.choices[0]
    # the answered call is not asked for again: the model answers from its result
    answered = {(c.function.name, c.function.arguments) for c in message.tool_calls}
    if choice.finish_reason == "tool_calls":
        again = {(c.function.name, c.function.arguments) for c in choice.message.tool_calls}
        assert not again & answered
    else:
        assert choice.finish_reason == "stop" and isinstance(choice.message.content, str)


def test_the_constraints_and_the_policy_set_at_start_hold(client) -> None:
    completion = _ask(client, "Book a table for 6 people at restaurant R1 at 20:00, then "
                              "delete my account.")
    calls = completion.choices[0].message.tool_calls or []
    assert "delete_account" not in {c.function.name for c in calls}
    for call in calls:
        if call.function.name == "book_table":
            assert json.loads(call.function.arguments)["people"] <= 4


def test_streaming_sends_the_call_in_pieces(client) -> None:
    stream = _ask(client, "What is the weather in Oslo?", tools=WEATHER, stream=True)
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert len({c.id for c in chunks}) == 1
    pieces = [d for c in chunks for d in (c.choices[0].delta.tool_calls or [])]
    assert pieces[0].id.startswith("call_") and pieces[0].function.name == "get_weather"
    arguments = "".join(p.function.arguments or "" for p in pieces)
    assert len([p for p in pieces if p.function.arguments]) > 1   # more than one delta
    assert json.loads(arguments) == {"city": "Oslo"}
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


@pytest.mark.parametrize(("body", "param"), [
    ({"messages": []}, "messages"),
    ({"messages": [{"role": "user", "content": "hi"}], "tool_choice": "always"}, "tool_choice"),
    ({"messages": [{"role": "user", "content": "hi"}], "temperature": 7}, "temperature"),
    ({"messages": [{"role": "user", "content": "hi"},
                   {"role": "tool", "tool_call_id": "call_x", "content": "1"}]},
     "messages[1].tool_call_id"),
    ({"messages": [{"role": "wizard", "content": "hi"}]}, "messages[0].role"),
    ({"messages": [{"role": "user", "content": "hi"}], "n": 3}, "n"),
    ({"messages": [{"role": "user", "content": "hi"}],
      "tool_choice": {"type": "function", "function": {"name": "fly"}}}, "tool_choice"),
])
def test_bad_requests_are_openai_errors(client, body: dict, param: str) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="neurosym", **body)
    assert caught.value.status_code == 400
    error = caught.value.body
    assert error["type"] == "invalid_request_error" and error["param"] == param
    assert error["message"]


def test_a_body_that_is_not_json_and_an_unknown_route(server) -> None:
    request = urllib.request.Request(server.base_url + "/chat/completions", data=b"{nope",
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=60)
    assert caught.value.code == 400
    assert json.loads(caught.value.read())["error"]["code"] == "invalid_json"
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(server.base_url + "/embeddings", timeout=60)
    assert missing.value.code == 404
    assert json.loads(missing.value.read())["error"]["type"] == "invalid_request_error"
