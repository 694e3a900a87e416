"""Reading an OpenAI ``messages`` list: the request, the calls already made, their results.

The calls of the current round (those after the last user message) become the previous
plan and its observations, named ``r1``, ``r2``, ... in order, as the planner's own
agent loop shows them; calls of earlier rounds stay in the chat as an assistant turn in
the plan language followed by a user turn with their results, so nothing the assistant
did is dropped from what the model reads.

>>> history = read_history([
...     {"role": "user", "content": "Weather in Oslo?"},
...     {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function",
...      "function": {"name": "weather", "arguments": '{"city": "Oslo"}'}}]},
...     {"role": "tool", "tool_call_id": "c1", "content": '{"temp": 3}'}])
>>> history.calls[0].bind, history.calls[0].result, history.previous_plan
('r1', {'temp': 3}, 'r1 = weather(city="Oslo")')
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import NeurosymError

__all__ = ["ChatRequestError", "PastCall", "History", "read_history", "canonical_args"]

_ROLES = ("system", "developer", "user", "assistant", "tool")


class ChatRequestError(NeurosymError, ValueError):
    """A chat-completions request that cannot be served as given; ``param`` names the
    field at fault (OpenAI's ``error.param``)."""

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.param = param
        self.code = code


@dataclass(frozen=True)
class PastCall:
    """A tool call the assistant made earlier, with the result a ``tool`` message gave."""

    id: str
    tool: str
    args: Mapping[str, Any]
    bind: str
    result: Any = None


@dataclass(frozen=True)
class History:
    """The chat for the planner, and the current round's calls with their results."""

    request: tuple[Mapping[str, str], ...]
    calls: tuple[PastCall, ...]

    @property
    def previous_plan(self) -> str | None:
        """The current round's calls in the plan language (None before any call)."""
        if not self.calls:
            return None
        return "\n".join(f"{c.bind} = {_call_text(c.tool, c.args)}" for c in self.calls)

    @property
    def observations(self) -> list[tuple[str, Any]]:
        return [(c.bind, c.result) for c in self.calls]


def canonical_args(tool: str, args: Mapping[str, Any]) -> str:
    """One text per call, whatever the order its arguments were written in."""
    return tool + json.dumps(args, sort_keys=True, ensure_ascii=False, default=str)


def _call_text(tool: str, args: Mapping[str, Any]) -> str:
    from ..plan.render import render_plain
    try:
        written = ", ".join(f"{k}={render_plain(v)}" for k, v in args.items())
    except NeurosymError:
        written = ", ".join(f"{k}={json.dumps(v, default=str)}" for k, v in args.items())
    return f"{tool}({written})"


def _text_of(content: Any, where: str) -> str:
    """A message's content as text: a string, null, or a list of text parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for index, part in enumerate(content):
            if not isinstance(part, Mapping) or part.get("type") != "text" \
                    or not isinstance(part.get("text"), str):
                raise ChatRequestError(f"{where}.content[{index}] is not a text part",
                                       param=f"{where}.content",
                                       hint='only {"type": "text", "text": "..."} parts '
                                            "can be planned from")
            texts.append(part["text"])
        return "\n".join(texts)
    raise ChatRequestError(f"{where}.content must be a string, null or a list of text parts",
                           param=f"{where}.content", hint="send the message text as a string")


def _read_result(content: str) -> Any:
    """A tool message's content: JSON when it parses as JSON, the text otherwise."""
    try:
        return json.loads(content)
    except (json.JSONDecodeError, ValueError):
        return content


def _read_calls(message: Mapping[str, Any], where: str) -> list[tuple[str, str, dict[str, Any]]]:
    calls = message.get("tool_calls")
    if calls is None:
        return []
    if not isinstance(calls, list):
        raise ChatRequestError(f"{where}.tool_calls must be a list", param=f"{where}.tool_calls",
                               hint="send the tool_calls the assistant message came with")
    out = []
    for index, call in enumerate(calls):
        at = f"{where}.tool_calls[{index}]"
        function = call.get("function") if isinstance(call, Mapping) else None
        if not isinstance(call, Mapping) or not isinstance(call.get("id"), str) \
                or not isinstance(function, Mapping) or not isinstance(function.get("name"), str):
            raise ChatRequestError(f"{at} needs an id and a function with a name", param=at,
                                   hint="send the tool call as the completion returned it")
        arguments = function.get("arguments", "{}")
        try:
            args = json.loads(arguments) if isinstance(arguments, str) else arguments
        except json.JSONDecodeError as err:
            raise ChatRequestError(f"{at}.function.arguments is not JSON: {err.msg}",
                                   param=f"{at}.function.arguments",
                                   hint="arguments are a JSON object written as text") from None
        if not isinstance(args, Mapping):
            raise ChatRequestError(f"{at}.function.arguments is not a JSON object",
                                   param=f"{at}.function.arguments",
                                   hint='write the arguments as an object, e.g. "{}"')
        out.append((call["id"], function["name"], dict(args)))
    return out


def read_history(messages: Any) -> History:
    """The planner's view of ``messages``; a :class:`ChatRequestError` for a malformed
    list, a ``tool`` message naming no earlier call, or a call left without its result."""
    if not isinstance(messages, Sequence) or isinstance(messages, (str, bytes)) or not messages:
        raise ChatRequestError("messages must be a non-empty list", param="messages",
                               hint='send [{"role": "user", "content": "..."}]')
    entries: list[tuple[str, Any]] = []   # ("chat", message) or ("calls", [...]) or ("tool", ...)
    last_user = -1
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        if not isinstance(message, Mapping):
            raise ChatRequestError(f"{where} is not an object", param=where,
                                   hint='each message is {"role": ..., "content": ...}')
        role = message.get("role")
        if role not in _ROLES:
            raise ChatRequestError(f"{where}.role is {role!r}", param=f"{where}.role",
                                   hint="use one of " + ", ".join(_ROLES))
        if role == "tool":
            call_id = message.get("tool_call_id")
            if not isinstance(call_id, str):
                raise ChatRequestError(f"{where} has no tool_call_id",
                                       param=f"{where}.tool_call_id",
                                       hint="give the id of the tool call this result answers")
            entries.append(("tool", (call_id, _text_of(message.get("content"), where), where)))
            continue
        text = _text_of(message.get("content"), where)
        calls = _read_calls(message, where) if role == "assistant" else []
        if role == "user":
            last_user = len(entries)
        if text or not calls:
            entries.append(("chat", {"role": "system" if role == "developer" else role,
                                     "content": text}))
        if calls:
            entries.append(("calls", calls))
    if last_user < 0:
        raise ChatRequestError("messages hold no user message", param="messages",
                               hint="add the user's request as a user message")

    results: dict[str, Any] = {}
    made: dict[str, str] = {}
    for kind, item in entries:
        if kind == "calls":
            for call_id, tool, _ in item:
                if call_id in made:
                    raise ChatRequestError(f"the tool call id {call_id!r} is used twice",
                                           param="messages",
                                           hint="keep the ids the completions returned")
                made[call_id] = tool
        elif kind == "tool":
            call_id, content, where = item
            if call_id not in made:
                raise ChatRequestError(f"{where}.tool_call_id {call_id!r} names no earlier "
                                       "tool call", param=f"{where}.tool_call_id",
                                       hint="send the assistant message with its tool_calls "
                                            "before their results")
            results[call_id] = _read_result(content)
    missing = [call_id for call_id in made if call_id not in results]
    if missing:
        raise ChatRequestError(f"the tool call {missing[0]!r} has no tool message with its "
                               "result", param="messages",
                               hint="answer every tool call with a message of role 'tool'")

    request: list[Mapping[str, str]] = []
    current: list[PastCall] = []
    for position, (kind, item) in enumerate(entries):
        if kind == "chat":
            request.append(item)
        elif kind == "calls":
            if position > last_user:
                for call_id, tool, args in item:
                    current.append(PastCall(call_id, tool, args, f"r{len(current) + 1}",
                                            results[call_id]))
            else:
                # An earlier round: the calls and their results as turns of the chat.
                past = [PastCall(c, t, a, f"r{i + 1}", results[c]) for i, (c, t, a) in
                        enumerate(item)]
                request.append({"role": "assistant",
                                "content": History((), tuple(past)).previous_plan or ""})
                request.append({"role": "user", "content": "Results: " + "; ".join(
                    f"{p.bind} = {json.dumps(p.result, ensure_ascii=False, default=str)}"
                    for p in past)})
    return History(tuple(request), tuple(current))
