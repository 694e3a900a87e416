"""The ways a model answers a BFCL entry, each an ``AnswerFn`` for ``run_category``.

- ``free``: the model prompted as BFCL prompts chat models (write ``[f(a=1)]``), its
  raw text read by neurosym's plan parser: the model alone, nothing enforced.
- ``grammar``: neurosym's planner decoding greedily, held to the tool grammar; no solver.
- ``solver``: the grammar and the Z3 solver, with the token-by-token decoder whose
  search retracts values the solver refutes (``Planner(width=0)``).
- ``search1``, ``search4``, ``search8``: the grammar and the solver, with the search
  over whole plans keeping 1, 4 or 8 partial plans at once (``Planner(width=N)``;
  width 1 is greedy decoding checked by the solver).
- ``decisions4``, ``values4``: ``search4`` with the contrast steering the beam at the
  plan's choices only (a line's first token, the end) or there and at each value's first
  token; for comparing on the dev halves, never part of a whole run.
- ``choices4``: ``search4`` with the contrast weighed in a plan's weight at its choices
  only (``Planner(contrast_scope="choices")``); dev halves only, like the two above.
  ``ranked4`` is the same with the beam ranked by that weight (``steer="all"``).
- ``server``: the planner with the grammar and the solver, its plans written on a
  llama.cpp server (``bench bfcl --server URL``, :mod:`neurosym.engine`): one piece at a
  time, each checked as it returns, greedily (a server offers no per-token masks, so
  no beam); the model file is read only for its chat template.
- ``peer``: llama-cpp-python's own function calling (``chatml-function-calling``), which
  picks a function name by grammar and holds the arguments to each function's JSON
  Schema, turned into a GBNF grammar: the usual way to constrain a local model today.

The planner modes are an ablation, each pair switching one thing (``PLANNER_MODES``
holds their Planner options): ``grammar`` and ``search1`` differ in the solver alone,
``search1``, ``search4`` and ``search8`` in the width alone, ``solver`` and ``search1``
in the decoder alone. The same GGUF file serves every mode, so the rows of a report
differ only in method.

Every mode gets a bounded reply, so that a model which never stops costs a bounded
time and no mode is judged on more text than another:

- ``free`` stops at ``FREE_MAX_TOKENS`` tokens, at a blank line, at the end of the
  line on which the outer ``]`` of a call list closes, or as soon as its start can no
  longer be read as calls (see ``free_reply_complete``). BFCL's prompt-based answers
  are that one line; since decoding is greedy, the text kept is the start of what an
  unbounded run would write, so only trailing prose after the call line (which would
  make the whole reply unreadable) is left out. A reply that opens with prose is
  unreadable whatever follows, so ending it early changes its verdict in no case; its
  output tokens count only what was written up to that point.
- ``peer`` gets ``PEER_MAX_TOKENS`` generated tokens for its whole reply, spread over
  the handler's completions (function name, arguments, next function name...), and a
  ``PEER_CONTEXT_TOKENS`` context. The handler itself asks for arguments with no token
  limit, so without this a model that never closes its JSON runs until the context is
  full; an answer cut short is unreadable JSON and counts as malformed.
- the planner modes keep the planner's own budgets (``max_tokens``, 256 by default).

Why one module: the answer functions share the model handles, the budgeted completions
and the free-reply reader, and each mode is a few lines over them; split, every mode
would import the same private pieces back.
"""

from __future__ import annotations

import atexit
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from ..errors import (BenchmarkError, ContextOverflowError, ModelFormatError,
                      PlanSyntaxError, PlanValidationError, ToolDefinitionError)
from ._convert import checker_calls, openai_tools, plan_calls
from .bfcl import Answer, AnswerFn, BfclEntry

__all__ = ["Mode", "MODES", "PLANNER_MODES", "DEFAULT_MODES", "CONTEXT_TOKENS",
           "FREE_MAX_TOKENS", "PEER_CONTEXT_TOKENS", "PEER_MAX_TOKENS", "resolve_model",
           "close_models", "free_system_prompt", "free_reply_unreadable",
           "free_reply_complete", "read_free_text", "free_answerer", "planner_answerer",
           "planned_tokens", "peer_answerer", "answer_function", "BudgetedCompletions"]

Mode = Literal["free", "grammar", "solver", "search1", "search4", "search8", "decisions4",
               "values4", "choices4", "ranked4", "server", "peer"]
MODES: tuple[str, ...] = ("free", "grammar", "solver", "search1", "search4", "search8",
                          "decisions4", "values4", "choices4", "ranked4", "server", "peer")
#: The Planner options of each planner mode.
PLANNER_MODES: Mapping[str, Mapping[str, Any]] = {
    "grammar": {"solver": False, "width": 1},
    "solver": {"solver": True, "width": 0},
    "search1": {"solver": True, "width": 1},
    "search4": {"solver": True, "width": 4},
    "search8": {"solver": True, "width": 8},
    # Where the contrast steers the beam (the default is one of these two).
    "decisions4": {"solver": True, "width": 4, "steer": "decisions"},
    "values4": {"solver": True, "width": 4, "steer": "values"},
    # The contrast weighed at the choices only, not over every token.
    "choices4": {"solver": True, "width": 4, "contrast_scope": "choices"},
    "ranked4": {"solver": True, "width": 4, "contrast_scope": "choices", "steer": "all"},
}
#: The modes a whole benchmark run answers in: the planner's ablations and the peer.
#: ``free`` runs only when asked for.
DEFAULT_MODES: tuple[str, ...] = tuple(mode for mode in MODES
                                       if mode not in ("free", "decisions4", "values4", "choices4",
                                                        "ranked4", "server"))

#: Context window of the free mode (BFCL's longest non-live prompts fit).
CONTEXT_TOKENS = 8192
#: Most tokens a free-text answer may take: a call line of BFCL needs well under this.
FREE_MAX_TOKENS = 192
#: Context window of the peer mode: its prompts plus ``PEER_MAX_TOKENS`` (the longest
#: prompt of BFCL's non-live categories takes about 1,000 tokens in its template).
PEER_CONTEXT_TOKENS = 4096
#: Most tokens the peer handler may generate for one answer, over all its completions.
PEER_MAX_TOKENS = 256
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


_LOADED: dict[tuple[Path, str], Any] = {}


def _threads(n_threads: int | None) -> int:
    from ..model.llama import default_threads
    return n_threads if n_threads is not None else default_threads()


def _llama(path: Path, kind: Literal["free", "peer"], n_threads: int | None) -> Any:
    """One loaded llama.cpp model per file and mode, kept for the whole run."""
    key = (path, kind)
    if key in _LOADED:
        return _LOADED[key]
    try:
        import llama_cpp
    except ImportError as err:
        raise BenchmarkError("llama-cpp-python is not installed",
                             hint="pip install llama-cpp-python") from err
    threads = _threads(n_threads)
    options: dict[str, Any] = {"n_ctx": CONTEXT_TOKENS}
    if kind == "peer":
        options = {"n_ctx": PEER_CONTEXT_TOKENS,
                   "chat_handler": _budgeted_function_calling(PEER_MAX_TOKENS)}
    try:
        llm = llama_cpp.Llama(model_path=str(path), seed=0, n_threads=threads,
                              n_threads_batch=threads, verbose=False, **options)
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
            limit = int(llm.n_ctx())
            raise ContextOverflowError(
                f"the prompt does not fit in {limit} tokens: {err}", limit=limit,
                hint="this entry's function docs are too long for the context; it counts "
                     "as unanswered") from err
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


_OPENERS = {"[": "]", "(": ")", "{": "}"}
_CLOSERS = frozenset(_OPENERS.values())


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)*")


def free_reply_unreadable(text: str) -> bool:
    """Whether the start of a free-text reply already rules out reading it as calls,
    whatever follows.

    ``read_free_text`` reads a plan or a BFCL call list, after any backticks: the text
    must open with ``[``, ``]`` (which the reader completes to an empty list), a comment,
    or a (dotted) name followed by ``(``, ``=`` or ``.``. Only that opening is judged, so a reply this calls unreadable is one the
    reader refuses, and the converse need not hold.

    >>> [free_reply_unreadable(t) for t in ("[f(", "math.sq", "x = f(", "Sure", "Sure,")]
    [False, False, False, False, True]
    >>> [free_reply_unreadable(t) for t in ("The function", "I'm", "```python\\nimport")]
    [True, True, True]
    """
    rest = text.lstrip("` \t\r\n\f")
    if not rest or rest[0] in "[]#":
        return False
    name = _NAME.match(rest)
    if name is None:
        return True
    after = rest[name.end():].lstrip()
    return bool(after) and after[0] not in "(=."


def free_reply_complete(text: str) -> bool:
    """Whether a free-text reply is over: its start cannot be read as calls
    (``free_reply_unreadable``), a blank line follows some text, or a line has ended on
    which the outer ``]`` of a call list closed.

    Brackets inside quoted strings do not count; quotes count only inside a call list,
    so the apostrophes of prose before it do not open a string.

    >>> free_reply_complete("[f(a=1), g(b=[2, 3])]\\n")
    True
    >>> free_reply_complete("[f(a=1), g(b=[2, 3])]")  # the line may still go on
    False
    >>> free_reply_complete("[f(a=1), g(b=[2, 3])\\n")  # the list is still open
    False
    >>> free_reply_complete("[f(s='a]\\n")  # the bracket is inside a string
    False
    >>> free_reply_complete("I can't")
    True
    """
    if free_reply_unreadable(text):
        return True
    depth = 0
    quote = ""
    escaped = False
    closed = False
    seen_text = False
    line_has_text = False
    for char in text:
        if char == "\n":
            if closed or (seen_text and not line_has_text):
                return True
            line_has_text = False
            # A string of a call never spans lines; one left open ends with its line.
            quote, escaped = "", False
            continue
        if not char.isspace():
            seen_text = line_has_text = True
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
        elif depth and char in "'\"":
            quote = char
        elif char in _OPENERS and (depth or char == "["):
            depth += 1
        elif char in _CLOSERS and depth:
            depth -= 1
            closed = closed or (depth == 0 and char == "]")
    return False


class _EndFreeReply:
    """A llama.cpp logits processor that forces the end of the turn once
    ``free_reply_complete`` holds for the text generated so far.

    Forcing the end token rather than cutting the text keeps llama.cpp's own token
    counts and finish reason exact.
    """

    def __init__(self, llm: Any) -> None:
        self.llm = llm
        self.end = int(llm.token_eos())
        self.prompt_length: int | None = None

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        if self.prompt_length is None:
            # The first call comes before any token is generated: all of it is prompt.
            self.prompt_length = len(input_ids)
            return scores
        generated = [int(token) for token in input_ids[self.prompt_length:]]
        text = self.llm.detokenize(generated).decode("utf-8", errors="ignore")
        if free_reply_complete(text):
            scores[:] = float("-inf")
            scores[self.end] = 0.0
        return scores


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


def free_answerer(model: str | Path | None = None, *, max_tokens: int = FREE_MAX_TOKENS,
                  n_threads: int | None = None) -> AnswerFn:
    """``free`` mode: the model writes calls as text, unconstrained; neurosym reads them.

    The reply ends as ``free_reply_complete`` says, or after ``max_tokens`` tokens.
    """
    path = resolve_model(model)

    def answer(entry: BfclEntry) -> Answer:
        llm = _llama(path, "free", n_threads)
        messages = _with_system(entry.messages, free_system_prompt(entry.shown_functions()))
        start = time.perf_counter()
        response = _chat(llm, messages, max_tokens=max_tokens,
                         logits_processor=[_EndFreeReply(llm)])
        latency = time.perf_counter() - start
        text = response["choices"][0]["message"].get("content") or ""
        calls, note = read_free_text(text, entry)
        usage = response.get("usage", {})
        output = int(usage.get("completion_tokens", 0))
        return Answer(calls, text, calls is not None, int(usage.get("prompt_tokens", 0)),
                      output, latency, note, evaluated_tokens=output)

    return answer


def planner_answerer(model: str | Path | None = None, *, solver: bool,
                     n_threads: int | None = None, **options: Any) -> AnswerFn:
    """neurosym's Planner with or without the solver, and any other Planner ``options``
    (the search's width, its contrast..., ``adapter``: a LoRA adapter for the model, by
    default the one shipped for it, as the Planner's default): the planner modes (see
    ``PLANNER_MODES``).

    The model is loaded once, on the first entry, with ``n_threads`` llama.cpp threads.
    """
    try:
        from ..planner import Planner
        from ..tools import ToolSet
    except ImportError as err:
        raise BenchmarkError(f"neurosym's planner could not be imported: {err}",
                             hint="the planner modes need neurosym.planner and "
                                  "neurosym.tools; run the free or peer mode meanwhile") from err
    path = resolve_model(model)
    from ..model.locate import resolve_adapter
    adapter = resolve_adapter(options.pop("adapter", "default"), path)
    server = options.pop("server", None)
    loaded: list[Any] = []

    def answer(entry: BfclEntry) -> Answer:
        if not loaded:
            if server is not None:
                from ..engine import LlamaServerEngine
                loaded.append(LlamaServerEngine(server, template_model=path))
            else:
                from ..model import load_model
                loaded.append(load_model(path, n_threads=n_threads, adapter=adapter))
        start = time.perf_counter()
        try:
            tools = ToolSet.from_bfcl(entry.shown_functions())
            # On a server the model file gives only the chat template.
            where = ({"model": path, "engine": loaded[0]} if server is not None
                     else {"model": loaded[0]})
            planner = Planner(tools=tools, solver=solver, **where, **options)
        except ToolDefinitionError as err:
            # A doc neurosym cannot express: the entry goes unanswered, and says why.
            return Answer(None, "", False, latency_s=time.perf_counter() - start,
                          note=f"{type(err).__name__}: {err.message}")
        result = planner.plan([dict(message) for message in entry.messages])
        latency = time.perf_counter() - start
        plan = result.plan
        evaluated = planned_tokens(result)
        if plan is None:
            return Answer(None, "", False, int(result.prompt_tokens),
                          int(result.output_tokens), latency, "the planner returned no plan",
                          evaluated_tokens=evaluated)
        calls = checker_calls(plan_calls(plan, tools), entry.functions, entry.language)
        return Answer(calls, plan.text, True, int(result.prompt_tokens),
                      int(result.output_tokens), latency, evaluated_tokens=evaluated)

    return answer


def planned_tokens(result: Any) -> int:
    """The tokens the model evaluated after the prompt for a ``PlanResult``: the
    search's count over all its branches; for the token-by-token decoder, which does
    not count there, its decode's (rollbacks included); else the plan's output tokens.
    """
    if result.evaluated_tokens:
        return int(result.evaluated_tokens)
    if result.decode is not None:
        return int(result.decode.evaluated_tokens)
    return int(result.output_tokens)


class BudgetedCompletions:
    """A llama.cpp model whose completions share one budget of generated tokens.

    ``chatml-function-calling`` asks for its argument and message completions with no
    token limit; through this view each of them gets at most what is left of the
    budget. Once it is spent a completion gets one token, which ends the handler's
    loop (the next function name cannot be read) or leaves its JSON unfinished.
    """

    def __init__(self, llama: Any, budget: int) -> None:
        self._llama = llama
        self.left = budget

    def __getattr__(self, name: str) -> Any:
        return getattr(self._llama, name)

    def create_completion(self, *args: Any, max_tokens: int | None = None,
                          **options: Any) -> Any:
        allowed = max(self.left, 1)
        if max_tokens is not None and max_tokens > 0:
            allowed = min(allowed, max_tokens)
        result = self._llama.create_completion(*args, max_tokens=allowed, **options)
        if isinstance(result, Mapping):
            self.left -= int(result.get("usage", {}).get("completion_tokens", allowed))
        else:
            self.left -= allowed
        return result


def _budgeted_function_calling(budget: int) -> Callable[..., Any]:
    """llama-cpp-python's ``chatml-function-calling`` handler with ``budget`` generated
    tokens per answer (a chat handler for ``llama_cpp.Llama(chat_handler=...)``)."""
    from llama_cpp.llama_chat_format import chatml_function_calling

    def handler(llama: Any, **request: Any) -> Any:
        return chatml_function_calling(llama=BudgetedCompletions(llama, budget), **request)

    return handler


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
                  n_threads: int | None = None) -> AnswerFn:
    """``peer`` mode: llama-cpp-python's ``chatml-function-calling`` handler, with
    ``PEER_MAX_TOKENS`` generated tokens per answer.

    Its template lists the tools inside the system message, so an entry without one
    gets a short neutral system message.
    """
    path = resolve_model(model)

    def answer(entry: BfclEntry) -> Answer:
        llm = _llama(path, "peer", n_threads)
        messages = [dict(message) for message in entry.messages]
        if not messages or messages[0].get("role") != "system":
            messages.insert(0, {"role": "system", "content": _PEER_SYSTEM_PROMPT})
        start = time.perf_counter()
        response = _chat(llm, messages, tools=openai_tools(entry.shown_functions()),
                         tool_choice="auto", max_tokens=PEER_MAX_TOKENS)
        latency = time.perf_counter() - start
        message = response["choices"][0]["message"]
        raw, note = _peer_calls(message)
        calls = None if raw is None else checker_calls(raw, entry.functions, entry.language)
        text = message.get("content") or json.dumps(
            [call.get("function", {}) for call in message.get("tool_calls") or []])
        usage = response.get("usage", {})
        output = int(usage.get("completion_tokens", 0))
        return Answer(calls, text, calls is not None, int(usage.get("prompt_tokens", 0)),
                      output, latency, note, evaluated_tokens=output)

    return answer


def answer_function(mode: str, model: str | Path | None = None, *,
                    n_threads: int | None = None, server: str | None = None) -> AnswerFn:
    """The answer function of a mode by name; its model runs ``n_threads`` llama.cpp
    threads (default: ``neurosym.model``'s choice for this machine). The ``server`` mode
    writes its plans on the llama.cpp server at ``server``; the other modes answer in
    this process whatever ``server`` is."""
    if mode == "server":
        if server is None:
            raise BenchmarkError("the server mode needs the address of a llama.cpp server",
                                 hint="neurosym bench bfcl --mode server --server "
                                      "http://127.0.0.1:8000 --category ...")
        from ..engine.remote import RemoteEngine
        RemoteEngine(server)  # a malformed address is refused before any unit starts
        return planner_answerer(model, n_threads=n_threads, solver=True, server=server)
    if mode == "free":
        return free_answerer(model, n_threads=n_threads)
    if mode in PLANNER_MODES:
        return planner_answerer(model, n_threads=n_threads, **PLANNER_MODES[mode])
    if mode == "peer":
        return peer_answerer(model, n_threads=n_threads)
    raise BenchmarkError(f"unknown mode {mode!r}", hint="choose one of: " + ", ".join(MODES))
