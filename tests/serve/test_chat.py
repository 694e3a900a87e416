"""The chat-completions layer: reading OpenAI messages, returning a plan one generation at a
time with the answered calls' results written in, and the completion's shape."""

from __future__ import annotations

import json

import pytest

from neurosym.plan import parse_plan
from neurosym.serve import ChatRequestError, create_chat_completion
from neurosym.serve._history import read_history
from neurosym.serve.chat import CompletionRun, argument_pieces
from neurosym.tools import Param, Tool, ToolSet

FIND = Tool("find_restaurant", params=(Param("city", "string"), Param("cuisine", "string")))
BOOK = Tool("book_table", params=(Param("restaurant_id", "string"), Param("people", "integer")),
            effect="write")
PAY = Tool("pay", params=(Param("amount", "number"),), effect="write")
WEATHER = Tool("get_weather", params=(Param("city", "string"),))
TOOLS = ToolSet([FIND, BOOK, PAY, WEATHER])


class _Planned:
    """What a planner returns, as far as the chat layer reads it: a plan."""

    def __init__(self, text: str) -> None:
        self.plan = parse_plan(text)


class _Tools:
    tools = TOOLS


def _next(text: str, messages: list[dict] | None = None) -> list[dict]:
    history = read_history(messages or [{"role": "user", "content": "go"}])
    return CompletionRun(_Tools(), history, "auto", True).next_calls(_Planned(text))  # type: ignore[arg-type]


def _call(call_id: str, name: str, **args: object) -> dict:
    return {"id": call_id, "type": "function",
            "function": {"name": name, "arguments": json.dumps(args)}}


def test_only_the_calls_whose_inputs_are_known_leave() -> None:
    calls = _next('r1 = find_restaurant(city="Lyon", cuisine="sushi")\n'
                  'r2 = get_weather(city="Lyon")\n'
                  'r3 = book_table(restaurant_id=r1.id, people=2)')
    assert [c["function"]["name"] for c in calls] == ["find_restaurant", "get_weather"]
    assert all("$" not in c["function"]["arguments"] for c in calls)   # no reference as text
    assert len({c["id"] for c in calls}) == 2


def test_a_repeated_answered_call_gives_its_result_to_the_next_one() -> None:
    messages = [{"role": "user", "content": "Find sushi in Lyon and book for 2."},
                {"role": "assistant", "content": None,
                 "tool_calls": [_call("c1", "find_restaurant", city="Lyon", cuisine="sushi")]},
                {"role": "tool", "tool_call_id": "c1", "content": '{"id": "R42"}'}]
    calls = _next('r1 = find_restaurant(cuisine="sushi", city="Lyon")\n'
                  'r2 = book_table(restaurant_id=r1.id, people=2)', messages)
    assert [(c["function"]["name"], json.loads(c["function"]["arguments"])) for c in calls] == [
        ("book_table", {"restaurant_id": "R42", "people": 2})]


def test_a_write_waits_for_an_earlier_write_that_waits() -> None:
    calls = _next('r1 = find_restaurant(city="Lyon", cuisine="sushi")\n'
                  'r2 = book_table(restaurant_id=r1.id, people=2)\n'
                  'r3 = pay(amount=20.0)')
    assert [c["function"]["name"] for c in calls] == ["find_restaurant"]


def test_a_reference_to_a_missing_field_is_not_sent() -> None:
    messages = [{"role": "user", "content": "x"},
                {"role": "assistant", "tool_calls": [_call("c1", "get_weather", city="Oslo")]},
                {"role": "tool", "tool_call_id": "c1", "content": "snow"}]
    assert _next('r1 = get_weather(city="Oslo")\n'
                 'r2 = find_restaurant(city=r1.city, cuisine="any")', messages) == []


def test_the_history_keeps_earlier_rounds_and_names_this_rounds_calls() -> None:
    history = read_history([
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Weather in Oslo?"},
        {"role": "assistant", "tool_calls": [_call("a", "get_weather", city="Oslo")]},
        {"role": "tool", "tool_call_id": "a", "content": '{"sky": "snow"}'},
        {"role": "assistant", "content": "Snow."},
        {"role": "user", "content": [{"type": "text", "text": "And in Rome?"}]},
        {"role": "assistant", "tool_calls": [_call("b", "get_weather", city="Rome")]},
        {"role": "tool", "tool_call_id": "b", "content": "sun"},
    ])
    assert [m["role"] for m in history.request] == ["system", "user", "assistant", "user",
                                                   "assistant", "user"]
    assert history.request[2]["content"] == 'r1 = get_weather(city="Oslo")'
    assert history.request[3]["content"] == 'Results: r1 = {"sky": "snow"}'
    assert history.previous_plan == 'r1 = get_weather(city="Rome")'
    assert history.observations == [("r1", "sun")]


@pytest.mark.parametrize(("messages", "param", "words"), [
    ([], "messages", "non-empty"),
    ("hello", "messages", "non-empty"),
    ([{"role": "assistant", "content": "hi"}], "messages", "no user message"),
    ([{"role": "user", "content": 3}], "messages[0].content", "string"),
    ([{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}],
     "messages[0].content", "text part"),
    ([{"role": "user", "content": "x"}, {"role": "tool", "content": "1"}],
     "messages[1].tool_call_id", "no tool_call_id"),
    ([{"role": "user", "content": "x"},
      {"role": "assistant", "tool_calls": [_call("c", "get_weather", city="Oslo")]}],
     "messages", "has no tool message"),
    ([{"role": "user", "content": "x"},
      {"role": "assistant", "tool_calls": [{"id": "c", "type": "function",
                                           "function": {"name": "f", "arguments": "{x"}}]}],
     "messages[1].tool_calls[0].function.arguments", "not JSON"),
])
def test_malformed_messages_say_what_is_wrong(messages: object, param: str, words: str) -> None:
    with pytest.raises(ChatRequestError, match=words) as caught:
        read_history(messages)
    assert caught.value.param == param and caught.value.hint


def test_argument_pieces_join_to_the_arguments() -> None:
    args = {"city": "Zürich", "days": [1, 2], "spec": {"a": None}}
    assert json.loads("".join(argument_pieces(args))) == args
    assert "".join(argument_pieces({})) == "{}"


@pytest.mark.model
def test_a_completion_from_the_library(model) -> None:
    from neurosym import Planner
    planner = Planner([WEATHER.bind(lambda city: {"sky": "snow"})], model=model)
    completion = create_chat_completion(planner, [{"role": "user",
                                                   "content": "What is the weather in Oslo?"}])
    assert completion["object"] == "chat.completion"
    assert set(completion) >= {"id", "object", "created", "model", "choices", "usage"}
    choice = completion["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    call = choice["message"]["tool_calls"][0]
    assert call["type"] == "function" and call["function"]["name"] == "get_weather"
    assert json.loads(call["function"]["arguments"]) == {"city": "Oslo"}
    with pytest.raises(ChatRequestError, match="tool_choice"):
        create_chat_completion(planner, [{"role": "user", "content": "x"}], tool_choice="maybe")


def test_the_chat_layer_is_light_and_exported() -> None:
    import subprocess
    import sys
    code = ("import sys, neurosym as ns; from neurosym.serve import create_chat_completion; "
            "assert ns.create_chat_completion is create_chat_completion; "
            "print(sorted(m for m in ('starlette', 'uvicorn', 'llama_cpp', 'mcp') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
