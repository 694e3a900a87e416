"""Chat completions in the OpenAI shape, planned by a :class:`~neurosym.Planner`.

``create_chat_completion(planner, messages, tools=..., tool_choice=...)`` returns the
``chat.completion`` object OpenAI's API returns: ``choices[0].message`` holds either
``tool_calls`` (``finish_reason="tool_calls"``) or the assistant's text
(``finish_reason="stop"``). Results come back as ``tool`` messages and the next
completion goes on from them.

A plan whose later calls use earlier results leaves one generation at a time: only the
calls whose arguments are all known now are returned, and the rest is planned again once
their inputs have come back, with the real results in front of the model. A reference
is therefore never sent out as a string; a repeated call that was already answered is
not sent again, and a reference to it reads the answer it had.

``stream=True`` gives ``chat.completion.chunk`` objects instead: the role first, at
once, then each call's name and its arguments in pieces, then the finish reason. A call
leaves the moment it is final. When the plan is decoded token by token (``width=0``, or
a ``temperature`` above 0) that is as soon as the decoder has written the call's line
and the solver has accepted it: from then on nothing before that line may be taken
back, and a decode that would have to retract it ends the stream with an error instead
of sending a different call. The search weighs whole plans against each other, so its
calls are final only once it has chosen one; they leave then.

Why one module: the OpenAI request is read, planned, and answered whole or streamed by
one run (``CompletionRun``) whose state (calls already returned, the plan left to go) both shapes
of reply share.
"""

from __future__ import annotations

import inspect
import json
import queue
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ConstraintReferenceError, DecodeError, NeurosymError
from ._history import ChatRequestError, History, canonical_args, read_history

if TYPE_CHECKING:
    from ..planner import Planner, PlanResult
    from ..tools import ToolSet

__all__ = ["ChatCompletions", "ChatRequestError", "create_chat_completion", "new_call_id",
           "CompletionRun", "LiveCalls", "argument_pieces"]

_TOOL_CHOICES = ("auto", "none", "required")
_derived_lock = threading.Lock()
_shared: dict[int, ChatCompletions] = {}


def new_call_id() -> str:
    """A tool call id no other call of this process or another one has."""
    return "call_" + uuid.uuid4().hex[:24]


@dataclass(frozen=True)
class _Options:
    """What a request may change of the planner: decoding, the tools shown."""

    temperature: float | None
    seed: int | None
    max_tokens: int | None


class ChatCompletions:
    """Chat completions over one planner: its model, constraints and policy; each
    request's ``tools`` (when given) are planned with the same settings.

    Planners for other tool sets or decoding options are built on first use and kept
    (``cache`` of them), all sharing the base planner's loaded model.
    """

    def __init__(self, planner: Planner, *, model_name: str | None = None, cache: int = 8) -> None:
        self.planner = planner
        self.model_name = model_name
        self.cache = cache
        self._planners: OrderedDict[tuple[Any, ...], Planner] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        """The ``model`` the completions report: given at start, or the model file's name."""
        if self.model_name:
            return self.model_name
        model = self.planner._model   # noqa: SLF001 - the name only, never a load here
        if model is not None:
            return str(getattr(model, "name", "neurosym"))
        spec = self.planner._model_spec  # noqa: SLF001
        if spec is not None and not hasattr(spec, "llama"):
            from pathlib import Path
            return Path(str(spec)).stem
        return "neurosym"

    # -- the planner a request is served by ----------------------------------------
    def planner_for(self, tools: Any, options: _Options) -> Planner:
        """The planner with ``tools`` (None: the base planner's) and ``options``."""
        base = self.planner
        if tools is None and options == _Options(None, None, None):
            return base
        key = (None if tools is None else json.dumps(tools, sort_keys=True, default=str),
               options.temperature, options.seed, options.max_tokens)
        with self._lock:
            found = self._planners.get(key)
            if found is not None:
                self._planners.move_to_end(key)
                return found
        toolset = base.tools if tools is None else _read_tools(tools)
        made = _derive(base, toolset, options)
        with self._lock:
            self._planners[key] = made
            while len(self._planners) > self.cache:
                self._planners.popitem(last=False)
        return made

    # -- the completion ------------------------------------------------------------
    def create(self, messages: Any, *, tools: Any = None, tool_choice: Any = "auto",
               temperature: float | None = None, seed: int | None = None,
               max_tokens: int | None = None, parallel_tool_calls: bool = True,
               stream: bool = False, stream_options: Mapping[str, Any] | None = None,
               model: str | None = None) -> dict[str, Any] | Iterator[dict[str, Any]]:
        """One completion (or, with ``stream=True``, an iterator of its chunks).

        Bad input raises :class:`ChatRequestError` here, before any chunk is made.
        """
        history = read_history(messages)
        choice = _read_tool_choice(tool_choice, tools)
        options = _Options(_number(temperature, "temperature", 0.0, 2.0),
                           _whole(seed, "seed"), _whole(max_tokens, "max_tokens", low=1))
        if tools is not None and not isinstance(tools, list):
            raise ChatRequestError("tools must be a list of function tools", param="tools",
                                   hint='send [{"type": "function", "function": {...}}]')
        if tools == []:
            tools = None
        if isinstance(choice, str) and choice != "none" and tools is None and not len(self.planner.tools):
            raise ChatRequestError("no tools to call", param="tools",
                                   hint="send tools with the request or start the server with tools")
        planner = self.planner_for(tools, options)
        forced = None
        if isinstance(choice, dict):
            forced = choice["function"]["name"]
            if forced not in planner.tools:
                raise ChatRequestError(f"tool_choice names {forced!r}, which is not among the "
                                       "tools", param="tool_choice",
                                       hint="name one of: " + ", ".join(planner.tools.names))
            planner = self.planner_for(_only(tools, planner, forced), options)
        stamp = {"id": "chatcmpl-" + uuid.uuid4().hex[:24], "created": int(time.time()),
                 "model": model or self.model_id}
        include_usage = bool(stream_options and stream_options.get("include_usage"))
        run = CompletionRun(planner, history, choice if isinstance(choice, str) else "required",
                   parallel_tool_calls)
        if stream:
            return _chunks(run, stamp, include_usage)
        message, finish, usage, extra = run.answer()
        return {**stamp, "object": "chat.completion",
                "choices": [{"index": 0, "message": message, "finish_reason": finish,
                             "logprobs": None}],
                "usage": usage, "system_fingerprint": None, "neurosym": extra}


def create_chat_completion(planner: Planner, messages: Any, **options: Any
                           ) -> dict[str, Any] | Iterator[dict[str, Any]]:
    """A chat completion from ``planner`` (see :meth:`ChatCompletions.create`); the
    planners built for other tools or options are kept with ``planner``."""
    with _derived_lock:
        completions = _shared.get(id(planner))
        if completions is None or completions.planner is not planner:
            completions = _shared[id(planner)] = ChatCompletions(planner)
    return completions.create(messages, **options)


# -- one request -----------------------------------------------------------------------
class CompletionRun:
    """Plans one completion: the next calls that can run now, or the text."""

    def __init__(self, planner: Planner, history: History, choice: str,
                 parallel: bool) -> None:
        self.planner = planner
        self.history = history
        self.choice = choice
        self.parallel = parallel
        self.prompt_tokens = 0
        self.output_tokens = 0

    def plan(self, *, answer_only: bool, on_event: Any = None) -> PlanResult:
        result = self.planner.plan(list(self.history.request),
                                   observations=self.history.observations or None,
                                   previous_plan=self.history.previous_plan,
                                   on_event=on_event, answer_only=answer_only)
        self.prompt_tokens += result.prompt_tokens
        self.output_tokens += result.output_tokens
        return result

    def answer(self, on_call: Callable[[dict[str, Any]], None] | None = None
               ) -> tuple[dict[str, Any], str, dict[str, int], dict[str, Any]]:
        """The message, the finish reason, the usage, and what neurosym adds; each tool
        call is also given to ``on_call`` the moment it is final, in order."""
        live = None if on_call is None else LiveCalls(self, on_call)
        result = self.plan(answer_only=self.choice == "none",
                           on_event=None if live is None else live.on_event)
        calls = self.next_calls(result) if live is None else live.settle(result)
        if not calls and self.choice == "required":
            # The best plan wrote no call: the next most likely one that does, if any.
            for alternative in result.alternatives:
                calls = self.next_calls(alternative)
                if calls:
                    for call in calls if on_call is not None else ():
                        on_call(call)
                    break
        if calls:
            message = {"role": "assistant", "content": None, "tool_calls": calls,
                       "refusal": None}
            return message, "tool_calls", self.usage(), self.extra(result)
        if self.choice == "required":
            raise ChatRequestError("tool_choice requires a call, but no plan the model wrote "
                                   "calls a tool for these messages", param="tool_choice",
                                   code="no_tool_call",
                                   hint='send tool_choice "auto" to let the model answer in text')
        plan = result.plan
        if plan is not None and plan.steps and self.choice != "none":
            # Every call the plan needs was made already: what is left is to answer.
            result = self.plan(answer_only=True)
            plan = result.plan
        if plan is not None and (plan.answer is not None or plan.question is not None):
            text = plan.answer if plan.answer is not None else plan.question
        elif plan is not None and plan.is_empty:
            text = ""
        else:
            text = result.explanation or ""
        message = {"role": "assistant", "content": text, "refusal": None}
        return message, "stop", self.usage(), self.extra(result)

    def next_calls(self, result: Any) -> list[dict[str, Any]]:
        """The plan's calls that can run now, as OpenAI tool calls with fresh ids (none
        from a plan that did not pass the checks)."""
        plan = getattr(result, "plan", None)
        if plan is None or not plan.steps or getattr(result, "ok", True) is False:
            return []
        return [_tool_call(name, arguments) for name, arguments in self.runnable(plan.steps)]

    def runnable(self, steps: Sequence[Any]) -> list[tuple[str, str]]:
        """Of ``steps``, the calls that can run now: each tool's name and its arguments
        as JSON text. Whether a step's call can run depends only on the steps before it,
        so what ``steps`` gives, any longer plan that starts with them gives first."""
        from ..execute.resolve import ResolutionError, resolve_value
        from ..plan.ast import Plan
        from ..plan.flatten import flatten
        answered = {canonical_args(c.tool, c.args): c.result for c in self.history.calls}
        known: dict[str, Any] = {}
        waiting: set[str] = set()
        blocked_write = False
        out: list[tuple[str, str]] = []
        for step in flatten(Plan(tuple(steps))).steps:
            tool = self.planner.tools.get(step.call.tool)
            is_write = tool is not None and tool.effect == "write"
            refs = {name for _, v in step.call.args for name in _ref_names(v)}
            if refs & waiting or (is_write and blocked_write):
                # Its inputs (or an earlier write) are not back yet: planned again later.
                if step.bind:
                    waiting.add(step.bind)
                blocked_write = blocked_write or is_write
                continue
            try:
                args = {k: resolve_value(v, known) for k, v in step.call.args}
            except ResolutionError:
                if step.bind:
                    waiting.add(step.bind)
                continue
            if tool is not None:
                args = tool.given_args(args)
            key = canonical_args(step.call.tool, args)
            if key in answered:
                if step.bind:
                    known[step.bind] = answered[key]
                continue
            if step.bind:
                waiting.add(step.bind)
            blocked_write = blocked_write or is_write
            out.append((step.call.tool, json.dumps(args, ensure_ascii=False, default=str)))
            if not self.parallel:
                break
        return out

    def usage(self) -> dict[str, int]:
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.output_tokens,
                "total_tokens": self.prompt_tokens + self.output_tokens}

    def extra(self, result: Any) -> dict[str, Any]:
        """neurosym's own record of the completion: the plan written and whether it held."""
        plan = getattr(result, "plan", None)
        return {"plan": plan.text if plan is not None else None,
                "ok": bool(getattr(result, "ok", False)),
                "explanation": getattr(result, "explanation", None)}


def _chunks(run: CompletionRun, stamp: Mapping[str, Any], include_usage: bool
            ) -> Generator[dict[str, Any], None, None]:
    """The completion as ``chat.completion.chunk`` objects, the role first, before the
    plan is searched, so a client sees the stream open at once."""

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        out = {**stamp, "object": "chat.completion.chunk",
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish,
                            "logprobs": None}], "system_fingerprint": None}
        if include_usage:
            out["usage"] = None
        return out

    yield chunk({"role": "assistant", "content": None})
    # The plan is made in a worker thread; each call comes through the queue the moment
    # it is final, and the message, or the error, last.
    made: queue.Queue[tuple[str, Any]] = queue.Queue()

    def work() -> None:
        try:
            made.put(("done", run.answer(on_call=lambda call: made.put(("call", call)))))
        except BaseException as err:  # noqa: BLE001 - re-raised in the reading thread
            made.put(("error", err))

    threading.Thread(target=work, name="neurosym-stream", daemon=True).start()
    index = 0
    while True:
        kind, item = made.get()
        if kind == "error":
            raise item
        if kind == "done":
            message, finish, usage, _ = item
            break
        yield chunk({"tool_calls": [{"index": index, "id": item["id"], "type": "function",
                                     "function": {"name": item["function"]["name"],
                                                  "arguments": ""}}]})
        for piece in argument_pieces(json.loads(item["function"]["arguments"])):
            yield chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
        index += 1
    if message.get("content"):
        yield chunk({"content": message["content"]})
    yield chunk({}, finish)
    if include_usage:
        yield {**stamp, "object": "chat.completion.chunk", "choices": [], "usage": usage,
               "system_fingerprint": None}


def _tool_call(name: str, arguments: str) -> dict[str, Any]:
    return {"id": new_call_id(), "type": "function",
            "function": {"name": name, "arguments": arguments}}


class LiveCalls:
    """The calls of a plan being decoded, given out as the decoder makes them final.

    A step is final when the hooks (the solver among them) have accepted its end; its
    calls that can run now are given to ``send`` at once. From then on the decode may
    not take back anything before that step's end: a rollback that would is stopped
    with a :class:`~neurosym.errors.DecodeError`, so no call leaves that the finished
    plan does not hold.
    """

    def __init__(self, run: CompletionRun, send: Callable[[dict[str, Any]], None]) -> None:
        self.run = run
        self.send = send
        self.steps: list[tuple[int, Any]] = []       # (end offset, step), in plan order
        self.sent: list[dict[str, Any]] = []
        self.floor = -1                                # the end of the last step sent from

    def on_event(self, event: Any) -> None:
        from ..decode import Continue, DecisionEvent, RollbackEvent
        from ..plan.ast import Step
        if isinstance(event, RollbackEvent):
            if event.target.offset < self.floor:
                raise DecodeError(
                    "the decode had to take back a call that was already streamed "
                    f"({event.reason})",
                    hint="ask without stream, or plan by the search (width >= 1 and "
                         "temperature 0), whose calls leave only once the plan is chosen")
            # Steps the rollback took back are made again, if at all, as decoding resumes.
            self.steps = [(end, s) for end, s in self.steps if end <= event.target.offset]
            return
        if not isinstance(event, DecisionEvent) or not isinstance(event.decision, Continue):
            return
        boundary = event.boundary
        if boundary.kind != "step_end" or not isinstance(boundary.step, Step) \
                or boundary.path != (len(self.steps),):
            return
        self.steps.append((boundary.offset, boundary.step))
        runnable = self.run.runnable([s for _, s in self.steps])
        for name, arguments in runnable[len(self.sent):]:
            call = _tool_call(name, arguments)
            self.sent.append(call)
            self.send(call)
            self.floor = boundary.offset

    def settle(self, result: Any) -> list[dict[str, Any]]:
        """The calls of the finished ``result``: the ones sent already, then the rest,
        which are sent now. A finished plan that does not begin with the calls sent
        (it failed, or the verdict put another plan in its place) is an error."""
        plan = getattr(result, "plan", None) if getattr(result, "ok", False) else None
        runnable = self.run.runnable(plan.steps) if plan is not None else []
        sent = [(c["function"]["name"], c["function"]["arguments"]) for c in self.sent]
        if runnable[:len(sent)] != sent:
            error = getattr(result, "error", None)
            if isinstance(error, NeurosymError):
                raise error
            raise DecodeError("the finished plan does not hold the calls already streamed",
                              hint="ask without stream to have the verdict's plan whole")
        calls = list(self.sent)
        for name, arguments in runnable[len(sent):]:
            call = _tool_call(name, arguments)
            calls.append(call)
            self.send(call)
        return calls


def argument_pieces(args: Mapping[str, Any]) -> Iterator[str]:
    """The arguments' JSON text in pieces, one key or one value at a time; joined, they
    are the JSON text of ``args``.

    >>> list(argument_pieces({"city": "Oslo", "days": 2}))
    ['{"city": ', '"Oslo"', ', "days": ', '2', '}']
    """
    if not args:
        yield "{}"
        return
    for position, (key, value) in enumerate(args.items()):
        yield ("{" if position == 0 else ", ") + json.dumps(key, ensure_ascii=False) + ": "
        yield json.dumps(value, ensure_ascii=False, default=str)
    yield "}"


# -- reading the request's options ------------------------------------------------------
def _read_tool_choice(choice: Any, tools: Any) -> str | dict[str, Any]:
    if choice is None:
        return "auto"
    if isinstance(choice, str):
        if choice not in _TOOL_CHOICES:
            raise ChatRequestError(f"tool_choice {choice!r} is not one of "
                                   + ", ".join(_TOOL_CHOICES), param="tool_choice",
                                   hint='or name a function: {"type": "function", '
                                        '"function": {"name": "..."}}')
        return choice
    function = choice.get("function") if isinstance(choice, Mapping) else None
    if not isinstance(choice, Mapping) or choice.get("type") != "function" \
            or not isinstance(function, Mapping) or not isinstance(function.get("name"), str):
        raise ChatRequestError("tool_choice must be auto, none, required or "
                               '{"type": "function", "function": {"name": ...}}',
                               param="tool_choice", hint="name the function to call")
    return {"type": "function", "function": {"name": function["name"]}}


def _number(value: Any, name: str, low: float, high: float) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ChatRequestError(f"{name} must be a number from {low:g} to {high:g}, not {value!r}",
                               param=name, hint=f"send {name} between {low:g} and {high:g}")
    return float(value)


def _whole(value: Any, name: str, low: int | None = None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or (low is not None and value < low):
        raise ChatRequestError(f"{name} must be a whole number"
                               + (f" >= {low}" if low is not None else "") + f", not {value!r}",
                               param=name, hint=f"send {name} as an integer")
    return value


def _read_tools(tools: Sequence[Any]) -> ToolSet:
    from ..tools import ToolSet
    try:
        return ToolSet.coerce(list(tools))
    except ChatRequestError:
        raise
    except NeurosymError as err:
        raise ChatRequestError(f"tools: {err.message}", param="tools", hint=err.hint) from None


def _only(tools: Any, planner: Planner, name: str) -> list[Any]:
    """The request's tools (or the planner's, as OpenAI JSON) cut to the one named."""
    if tools is not None:
        return [t for t in tools if isinstance(t, Mapping)
                and (t.get("function") or t).get("name") == name]
    from ..tools import tool_to_openai
    return [tool_to_openai(planner.tools[name])]


def _ref_names(value: Any) -> Iterator[str]:
    from ..plan.ast import Ref, walk_values
    for node in walk_values(value):
        if isinstance(node, Ref):
            yield node.name


def _derive(base: Planner, tools: ToolSet, options: _Options) -> Planner:
    """A planner like ``base`` over ``tools`` with ``options``, sharing its model; of the
    base's constraints, those whose tools are all among ``tools`` (the others cannot
    be broken by a plan that cannot call their tools)."""
    from ..constraints import compile_constraints
    from ..planner import Planner
    kept = []
    for constraint in base.constraints:
        try:
            compile_constraints([str(constraint)], list(tools))
        except ConstraintReferenceError:
            continue
        kept.append(constraint)
    sampling = base.sampling
    temperature = sampling.temperature if options.temperature is None else options.temperature
    budgets = base.budgets
    given: dict[str, Any] = {
        "model": base.model, "seed": base.seed if options.seed is None else options.seed,
        "max_tokens": options.max_tokens or budgets.max_tokens,
        "max_rollbacks": budgets.max_rollbacks, "max_seconds": budgets.max_seconds,
        "sampling": temperature > 0, "temperature": temperature or 0.7,
        "top_p": sampling.top_p if sampling.top_p < 1 or temperature == 0 else 0.95}
    # Every other option of the planner is carried over as the base planner holds it.
    for name in inspect.signature(Planner.__init__).parameters:
        if name not in given and name not in ("self", "tools", "constraints") \
                and hasattr(base, name):
            given[name] = getattr(base, name)
    return Planner(tools, kept, **given)

