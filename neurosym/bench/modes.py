"""The four ways a model answers a BFCL entry, each an ``AnswerFn`` for ``run_category``.

- ``free``: the model prompted as BFCL prompts chat models (write ``[f(a=1)]``), its
  raw text read by neurosym's plan parser: the model alone, nothing enforced.
- ``grammar``: neurosym's planner, held to the tool grammar token by token, no solver.
- ``full``: the planner with the grammar and the Z3 solver.
- ``peer``: llama-cpp-python's own function calling (``chatml-function-calling``), which
  picks a function name by grammar and holds the arguments to each function's JSON
  Schema, turned into a GBNF grammar: the usual way to constrain a local model today.

The same GGUF file serves every mode, so the rows of a report differ only in method.
"""

from __future__ import annotations

import atexit
import json
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from ..errors import (BenchmarkError, ContextOverflowError, ModelFormatError,
                      PlanSyntaxError, PlanValidationError, ToolDefinitionError)
from ._convert import checker_calls, openai_tools, plan_calls
from .bfcl import Answer, AnswerFn, BfclEntry

__all__ = ["Mode", "MODES", "resolve_model", "close_models", "free_system_prompt",
           "read_free_text", "free_answerer", "planner_answerer", "peer_answerer",
           "answer_function"]

Mode = Literal["free", "grammar", "full", "peer"]
MODES: tuple[str, ...] = ("free", "grammar", "full", "peer")

#: Context window the benchmark gives llama.cpp (BFCL's longest non-live prompts fit).
CONTEXT_TOKENS = 8192
#: Most tokens a free-text answer may take (BFCL's longest answers need a few hundred).
FREE_MAX_TOKENS = 512

_PEER_SYSTEM_PROMPT = ("You are a helpful assistant. Call the functions below when they "
                       "serve the user's request; otherwise answer with a message.")


def resolve_model(model: str | Path | None = None) -> Path:
    """The GGUF file to use, in neurosym's order: ``model``, ``$NEUROSYM_MODEL``, a
    ``.gguf`` in ``models/``, then the embedded SmolLM2 (see ``neurosym.model.find_model``)."""
    from ..model import find_model
    path = find_model(model)
    if path.suffix != ".gguf":
        raise ModelFormatError(f"{path.name} is not a .gguf file",
                               hint="llama.cpp loads GGUF models only")
    return path


_LOADED: dict[tuple[Path, str | None], Any] = {}


def _llama(path: Path, chat_format: str | None) -> Any:
    """One loaded llama.cpp model per file and chat format, kept for the whole run."""
    key = (path, chat_format)
    if key in _LOADED:
        return _LOADED[key]
    try:
        import llama_cpp
    except ImportError as err:
        raise BenchmarkError("llama-cpp-python is not installed",
                             hint="pip install llama-cpp-python") from err
    try:
        llm = llama_cpp.Llama(model_path=str(path), n_ctx=CONTEXT_TOKENS, seed=0,
                              n_threads=os.cpu_count() or 1, chat_format=chat_format,
                              verbose=False)
    except ValueError as err:
        raise ModelFormatError(f"llama.cpp could not load {path.name}: {err}",
                               hint="check that the file is a complete GGUF model") from err
    if not _LOADED:
        # Free the models before the interpreter tears down the modules llama.cpp's
        # finalisers need.
        atexit.register(close_models)
    _LOADED[key] = llm
    return llm


def close_models() -> None:
    """Free the llama.cpp models the benchmark modes loaded."""
    while _LOADED:
        _, llm = _LOADED.popitem()
        llm.close()


def _chat(llm: Any, messages: list[dict[str, Any]], **options: Any) -> Mapping[str, Any]:
    try:
        return llm.create_chat_completion(messages=messages, temperature=0.0, **options)
    except ValueError as err:
        if "context window" in str(err):
            raise ContextOverflowError(
                f"the prompt does not fit in {CONTEXT_TOKENS} tokens: {err}",
                limit=CONTEXT_TOKENS, hint="this entry's function docs are too long for the "
                                           "context; it counts as unanswered") from err
        raise


def _with_system(messages: Sequence[Mapping[str, Any]], system: str) -> list[dict[str, Any]]:
    """The chat with ``system`` first: prepended to a system message the entry brings."""
    chat = [dict(message) for message in messages]
    if chat and chat[0].get("role") == "system":
        chat[0]["content"] = f"{system}\n\n{chat[0].get('content', '')}"
    else:
        chat.insert(0, {"role": "system", "content": system})
    return chat


def free_system_prompt(functions: Sequence[Mapping[str, Any]]) -> str:
    """The instructions of BFCL's prompt-based function calling, in neurosym's words.

    >>> "[func_name1(param1=value1" in free_system_prompt([])
    True
    """
    docs = json.dumps(list(functions), indent=None)
    return (
        "You are an expert at composing function calls. You are given a question and a "
        "set of functions you may call. Based on the question, make one or more function "
        "calls that achieve its purpose. If none of the functions can be used, say so. If "
        "the question lacks a value a function requires, say so as well.\n\n"
        "Answer with the function calls only. If you call any function, you MUST write the "
        "calls in this form: [func_name1(param1=value1, param2=value2...), "
        "func_name2(params)]. Do NOT write any other text in your answer.\n\n"
        "Within each turn, do your best to complete everything the user asks in that turn, "
        "and keep writing calls until the request is fulfilled as well as you can.\n\n"
        f"These are the functions you can call, in JSON format:\n{docs}\n")


def read_free_text(text: str, entry: BfclEntry) -> tuple[list[dict[str, Any]] | None, str]:
    """Calls read from a model's free text with neurosym's plan parser, or None and why.

    Like BFCL's reader for prompted models, surrounding backticks and blank lines are
    dropped and a missing outer bracket is supplied; nothing is ever evaluated.
    """
    from ..plan import parse_plan
    cleaned = text.strip("`\n ")
    bracketed = cleaned if cleaned.startswith("[") else "[" + cleaned
    if not bracketed.endswith("]"):
        bracketed += "]"
    try:
        plan = parse_plan(cleaned)
    except (PlanSyntaxError, PlanValidationError) as err:
        try:
            plan = parse_plan(bracketed)
        except (PlanSyntaxError, PlanValidationError):
            return None, f"{type(err).__name__}: {err.message}"
    return checker_calls(plan_calls(plan), entry.functions, entry.language), ""


def free_answerer(model: str | Path | None = None, *,
                  max_tokens: int = FREE_MAX_TOKENS) -> AnswerFn:
    """``free`` mode: the model writes calls as text, unconstrained; neurosym reads them."""
    path = resolve_model(model)

    def answer(entry: BfclEntry) -> Answer:
        llm = _llama(path, None)
        messages = _with_system(entry.messages, free_system_prompt(entry.shown_functions()))
        start = time.perf_counter()
        response = _chat(llm, messages, max_tokens=max_tokens)
        latency = time.perf_counter() - start
        text = response["choices"][0]["message"].get("content") or ""
        calls, note = read_free_text(text, entry)
        usage = response.get("usage", {})
        return Answer(calls, text, calls is not None, int(usage.get("prompt_tokens", 0)),
                      int(usage.get("completion_tokens", 0)), latency, note)

    return answer


def planner_answerer(model: str | Path | None = None, *, solver: bool) -> AnswerFn:
    """``grammar`` (``solver=False``) and ``full`` (``solver=True``): neurosym's Planner."""
    try:
        from ..planner import Planner
        from ..tools import ToolSet
    except ImportError as err:
        raise BenchmarkError(f"neurosym's planner could not be imported: {err}",
                             hint="the grammar and full modes need neurosym.planner and "
                                  "neurosym.tools; run the free or peer mode meanwhile") from err
    path = resolve_model(model)

    def answer(entry: BfclEntry) -> Answer:
        start = time.perf_counter()
        try:
            tools = ToolSet.from_bfcl(entry.shown_functions())
            planner = Planner(tools=tools, model=str(path), solver=solver)
        except ToolDefinitionError as err:
            # A doc neurosym cannot express: the entry goes unanswered, and says why.
            return Answer(None, "", False, latency_s=time.perf_counter() - start,
                          note=f"{type(err).__name__}: {err.message}")
        result = planner.plan([dict(message) for message in entry.messages])
        latency = time.perf_counter() - start
        plan = result.plan
        if plan is None:
            return Answer(None, "", False, int(result.prompt_tokens),
                          int(result.output_tokens), latency, "the planner returned no plan")
        calls = checker_calls(plan_calls(plan), entry.functions, entry.language)
        return Answer(calls, plan.text, True, int(result.prompt_tokens),
                      int(result.output_tokens), latency)

    return answer


def _peer_calls(message: Mapping[str, Any]) -> tuple[list[dict[str, Any]] | None, str]:
    calls = []
    for tool_call in message.get("tool_calls") or []:
        function = tool_call.get("function", {})
        try:
            arguments = json.loads(function.get("arguments") or "{}")
        except json.JSONDecodeError as err:
            return None, f"arguments of {function.get('name')} are not JSON: {err}"
        if not isinstance(arguments, dict):
            return None, f"arguments of {function.get('name')} are not a JSON object"
        calls.append({function.get("name", ""): arguments})
    return calls, ""


def peer_answerer(model: str | Path | None = None, *,
                  max_tokens: int = FREE_MAX_TOKENS) -> AnswerFn:
    """``peer`` mode: llama-cpp-python's ``chatml-function-calling`` handler.

    Its template lists the tools inside the system message, so an entry without one
    gets a short neutral system message.
    """
    path = resolve_model(model)

    def answer(entry: BfclEntry) -> Answer:
        llm = _llama(path, "chatml-function-calling")
        messages = [dict(message) for message in entry.messages]
        if not messages or messages[0].get("role") != "system":
            messages.insert(0, {"role": "system", "content": _PEER_SYSTEM_PROMPT})
        start = time.perf_counter()
        response = _chat(llm, messages, tools=openai_tools(entry.shown_functions()),
                         tool_choice="auto", max_tokens=max_tokens)
        latency = time.perf_counter() - start
        message = response["choices"][0]["message"]
        raw, note = _peer_calls(message)
        calls = None if raw is None else checker_calls(raw, entry.functions, entry.language)
        text = message.get("content") or json.dumps(
            [call.get("function", {}) for call in message.get("tool_calls") or []])
        usage = response.get("usage", {})
        return Answer(calls, text, calls is not None, int(usage.get("prompt_tokens", 0)),
                      int(usage.get("completion_tokens", 0)), latency, note)

    return answer


def answer_function(mode: str, model: str | Path | None = None) -> AnswerFn:
    """The answer function of a mode by name."""
    if mode == "free":
        return free_answerer(model)
    if mode == "grammar":
        return planner_answerer(model, solver=False)
    if mode == "full":
        return planner_answerer(model, solver=True)
    if mode == "peer":
        return peer_answerer(model)
    raise BenchmarkError(f"unknown mode {mode!r}", hint="choose one of: " + ", ".join(MODES))
