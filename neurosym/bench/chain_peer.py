"""The chaining suite's peer: llama-cpp-python's ``chatml-function-calling`` handler with
the same GGUF model. It writes no references: it answers turn by turn, each first tool
call run with the suite's own tool functions and its result shown to it before the next
turn (at most ``PEER_TURNS`` turns). A peer argument equal to a value an earlier call
actually returned counts as a reference to that field."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, is_dataclass
from typing import Any

from .chain_entries import ChainEntry
from .chain_score import Answered, CallNode, Reading, drop_defaults, plain_value, tool_defaults

__all__ = ["PEER_SYSTEM", "PEER_TURNS", "call_text", "flat_text", "jsonable", "peer_chain",
           "peer_readings"]

#: Most turns the peer gets for one request (each turn: one tool call and its result).
PEER_TURNS = 4

def jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def _fields(value: Any, path: tuple[str | int, ...] = (), depth: int = 4
            ) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every scalar inside a returned value with its path (``(0, "id")``)."""
    if isinstance(value, dict):
        if depth:
            for key, item in value.items():
                yield from _fields(item, (*path, str(key)), depth - 1)
    elif isinstance(value, list):
        if depth:
            for index, item in enumerate(value):
                yield from _fields(item, (*path, index), depth - 1)
    elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
        yield path, value


def peer_readings(value: Any, results: Sequence[Any]) -> tuple[Reading, ...]:
    """A peer's argument read as its literal and as every earlier returned field that
    holds the same value."""
    readings: list[Reading] = [("lit", plain_value(value))]
    if isinstance(value, bool) or not isinstance(value, (str, int, float)) or value == "":
        return tuple(readings)
    for position, result in enumerate(results):
        for path, held in _fields(result):
            if plain_value(held) == plain_value(value) and not isinstance(held, bool):
                readings.append(("ref", position, path))
    return tuple(readings)


def _peer_tools(value: Any) -> Any:
    """The OpenAI tools with ``\\d`` written ``[0-9]`` in patterns: the same language,
    in the form llama.cpp's JSON Schema to grammar converter reads (it refuses ``\\d``)."""
    if isinstance(value, dict):
        return {k: (v.replace("\\d", "[0-9]") if k == "pattern" and isinstance(v, str)
                    else _peer_tools(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_peer_tools(v) for v in value]
    return value


def flat_text(value: Any) -> str:
    """A returned value written without quote characters (``id: FL-1, price: 412.0``;
    list items as ``[0] ...``)."""
    if isinstance(value, dict):
        return ", ".join(f"{k}: {flat_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return " ".join(f"[{i}] {flat_text(v)}" for i, v in enumerate(value)) or "(empty)"
    return str(value)


def call_text(name: str, arguments: Mapping[str, Any]) -> str:
    return f"{name}(" + ", ".join(f"{k}={flat_text(v)}" for k, v in arguments.items()) + ")"


PEER_SYSTEM = ("You are a helpful assistant. Call the functions below to carry out the "
                "request of the user, one call at a time, using the results of earlier "
                "calls; answer with a message when it is done.")


def peer_chain(entry: ChainEntry, llm: Any) -> Answered:
    """The peer on one entry, turn by turn: each turn its first tool call is run with the
    suite's tool function and the result shown to it; at most ``PEER_TURNS`` turns.

    ``chatml-function-calling`` renders its chat template with HTML escaping, so a
    quote in any message reaches the model as ``&#34;`` (and the handler writes no text
    at all for a ``tool`` message). The calls made so far and their results therefore go
    back in one user message after the request, written without quote characters. The
    loop ends when the peer answers with text, writes unreadable arguments, or repeats
    an earlier call exactly (the repeat is not counted).
    """
    from .modes import PEER_MAX_TOKENS, _chat
    tools = entry.tools
    shown = _peer_tools(tools.to_openai())
    calls: list[tuple[str, dict[str, Any]]] = []
    results: list[Any] = []
    transcript: list[str] = []
    note = ""
    start = time.perf_counter()
    for turn in range(PEER_TURNS):
        messages: list[dict[str, Any]] = [{"role": "system", "content": PEER_SYSTEM},
                                          {"role": "user", "content": entry.request}]
        if calls:
            done = "\n".join(f"{i + 1}. {call_text(name, args)} returned: "
                              f"{flat_text(result)}"
                              for i, ((name, args), result) in enumerate(zip(calls, results)))
            messages.append({"role": "user", "content": "Calls made so far:\n" + done
                             + "\nMake the next call, or answer with a message if the "
                               "request is done."})
        response = _chat(llm, messages, tools=shown, tool_choice="auto",
                         max_tokens=PEER_MAX_TOKENS)
        message = response["choices"][0]["message"]
        tool_calls = message.get("tool_calls") or []
        if not tool_calls:
            transcript.append(f"message: {(message.get('content') or '').strip()[:120]}")
            break
        first = tool_calls[0]
        name = first.get("function", {}).get("name", "")
        try:
            # strict=False: a raw line break inside a string is read, not refused.
            arguments = json.loads(first.get("function", {}).get("arguments") or "{}",
                                   strict=False)
        except json.JSONDecodeError as err:
            note = f"turn {turn + 1}: the arguments of {name} are not JSON ({err.msg})"
            break
        if not isinstance(arguments, dict):
            note = f"turn {turn + 1}: the arguments of {name} are not a JSON object"
            break
        if (name, arguments) in calls:
            note = f"turn {turn + 1}: repeated {name} with the same arguments"
            break
        calls.append((name, arguments))
        try:
            output = jsonable(tools[name](**arguments)) if name in tools.names else {
                "error": f"no function {name}"}
        except Exception as err:  # the peer's arguments may not fit the function
            output = {"error": f"{type(err).__name__}: {err}"}
        results.append(output)
        transcript.append(f"{name}({json.dumps(arguments, ensure_ascii=False)}) -> "
                          f"{json.dumps(output, ensure_ascii=False)[:160]}")
    seconds = time.perf_counter() - start
    defaults = tool_defaults(tools)
    nodes = []
    for position, (name, arguments) in enumerate(calls):
        args = {key: peer_readings(value, results[:position])
                for key, value in arguments.items()}
        nodes.append(CallNode(name, drop_defaults(name, args, defaults)))
    return Answered(nodes, "\n".join(transcript), seconds, note)


# -- running and reporting -------------------------------------------------------------
