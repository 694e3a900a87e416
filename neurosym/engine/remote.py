"""Plans written on a server, a piece at a time, each piece checked by the solver.

A server takes a grammar per request but no token masks, so the plan is written in
pieces: the next step's tool (or the end), then each argument as ``name=value``. Every
request carries the chat prompt, the plan so far and the grammar of that one piece; the
server's prefix cache makes the shared part free after the first piece. The moment an
argument returns, the reference check and the Z3 solver judge the partial plan; a
refused value is retracted by asking for the same piece again with that value excluded
from its grammar (:func:`neurosym.engine.pieces.value_rule`), and a refused call by
asking for the step again without that tool. The model's log-probabilities of the
tokens it wrote (the server's ``logprobs``) are the plan's score, and the finished plan
goes through the planner's own final check (:func:`neurosym.search.choose.choose_plan`).

:class:`LlamaServerEngine` speaks to llama.cpp servers (``python -m llama_cpp.server``
and llama.cpp's ``llama-server``) with GBNF grammars; :class:`~neurosym.engine.vllm.VLLMEngine`
to vLLM with Lark grammars. Faults never hang a plan: every request has a timeout and a
bounded number of retries, and what still fails is an :class:`~neurosym.errors.EngineError`.

Why one module: ``RemoteEngine`` and its ``PieceWriter`` are two halves of one protocol
(a piece requested, checked, retracted by asking again); the grammar pieces they send
are :mod:`~neurosym.engine.pieces`.
"""

from __future__ import annotations

import json
import os
import re
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..errors import (BudgetExceeded, EngineError, NeurosymError, PlanSyntaxError,
                      Unsatisfiable)
from .pieces import INTEGER, NUMBER, STRING, Chars, Item, Lit, Ref, Rules, literal_text, value_rule

if TYPE_CHECKING:
    from ..planner import PlanResult, Planner
    from ..tools.tool import Param, Tool

__all__ = ["ChatTemplate", "Completion", "RemoteEngine", "LlamaServerEngine", "PieceWriter",
           "Written"]

GrammarKind = Literal["gbnf", "lark"]

#: Tokens one argument (its name and value) may take.
_PIECE_TOKENS = 64
#: Tokens the choice of the next step (or the end) may take.
_HEAD_TOKENS = 24
_ARG = re.compile(r"^(?:, )?([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.S)


@dataclass(frozen=True)
class ChatTemplate:
    """How a chat becomes the prompt text the server continues: the model's template
    and its special tokens (read from a GGUF file's metadata, or given)."""

    template: str | None
    bos_token: str = ""
    eos_token: str = ""

    @classmethod
    def from_gguf(cls, path: str | os.PathLike[str] | None = None) -> ChatTemplate:
        """The template of a GGUF file (None: the planner's default model), read with
        llama.cpp's vocabulary only: no weights are loaded."""
        import llama_cpp

        from ..model.system import quiet_stderr
        from ..model.locate import find_model
        found = find_model(path)
        with quiet_stderr():
            vocab = llama_cpp.Llama(str(found), vocab_only=True, verbose=False)
        try:
            metadata = dict(vocab.metadata or {})
            return cls(metadata.get("tokenizer.chat_template") or None,
                       vocab._model.token_get_text(vocab.token_bos()),
                       vocab._model.token_get_text(vocab.token_eos()))
        finally:
            vocab.close()

    def render(self, messages: Sequence[Mapping[str, Any]]) -> str:
        from ..model.chat import render_chat
        return render_chat(self.template, messages, add_generation_prompt=True,
                           bos_token=self.bos_token, eos_token=self.eos_token)


@dataclass(frozen=True)
class Completion:
    """One piece as the server wrote it: its text, the model's log-probability of it,
    why it stopped, and the prompt tokens the server counted."""

    text: str
    logprob: float
    finish_reason: str | None
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True)
class Written:
    """A plan written piece by piece: its text and score, and what it cost."""

    text: str
    score: float
    requests: int
    refused: tuple[tuple[str, str], ...]
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    stop: str = "complete"


class RemoteEngine:
    """An OpenAI-compatible completions server that takes a grammar per request.

    ``url`` is the server's base address (``http://host:port``; a trailing ``/v1`` is
    accepted). ``timeout`` bounds each request in seconds and ``retries`` how often a
    request that could not reach the server is sent again. ``template`` renders the chat
    (None: the chat template of ``template_model``, or of the planner's model file when
    that is unset too). ``max_retractions`` bounds how often one piece is asked again
    with refused values excluded.
    """

    grammar_kind: GrammarKind = "gbnf"
    local = False

    def __init__(self, url: str, *, model: str | None = None, timeout: float = 30.0,
                 retries: int = 2, template: ChatTemplate | None = None,
                 template_model: str | os.PathLike[str] | None = None,
                 max_retractions: int = 4, api_key: str | None = None) -> None:
        url = url.rstrip("/")
        if not re.match(r"^https?://[^/]+", url):
            from ..errors import ConfigurationError
            raise ConfigurationError(f"{url!r} is not an http(s) address",
                                     hint="pass the server's base address, e.g. "
                                          "http://127.0.0.1:8000")
        self.url = url[:-3] if url.endswith("/v1") else url
        self.model = model
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.max_retractions = int(max_retractions)
        self.api_key = api_key
        self._template = template
        self._template_model = template_model

    @property
    def name(self) -> str:
        return self.url

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"

    # -- the request each engine shapes its own way -----------------------------------
    def body(self, prompt: str, grammar: str, max_tokens: int) -> dict[str, Any]:
        """The JSON of one completions request for a piece."""
        body: dict[str, Any] = {"prompt": prompt, "max_tokens": max_tokens, "temperature": 0.0,
                                "top_p": 1.0, "logprobs": 1, "grammar": grammar,
                                "cache_prompt": True, "repeat_penalty": 1.0,
                                "frequency_penalty": 0.0, "presence_penalty": 0.0, "seed": 0}
        if self.model:
            body["model"] = self.model
        return body

    def complete(self, prompt: str, rules: Rules, max_tokens: int, *,
                 deadline: float | None = None) -> Completion:
        """One piece: the server continues ``prompt`` held to ``rules``."""
        grammar = rules.to_gbnf() if self.grammar_kind == "gbnf" else rules.to_lark()
        reply = self.post("/v1/completions", self.body(prompt, grammar, max_tokens),
                          deadline=deadline)
        return read_completion(reply, self.url)

    def post(self, path: str, body: Mapping[str, Any], *, deadline: float | None = None) -> Any:
        """POST ``body`` as JSON; the decoded reply. Connection failures and overloaded
        replies (502, 503, 504) are retried ``retries`` times; nothing waits past
        ``deadline`` (a ``time.monotonic`` instant)."""
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        last: str = ""
        for attempt in range(self.retries + 1):
            timeout = self.timeout
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise EngineError(f"the plan's time budget ran out waiting for {self.url}",
                                      engine=self.url,
                                      hint="raise max_seconds, or use a faster server")
                timeout = min(timeout, left)
            request = urllib.request.Request(self.url + path, data=data, headers=headers,
                                             method="POST")
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    raw = response.read()
            except urllib.error.HTTPError as err:
                detail = _error_detail(err)
                if err.code in (502, 503, 504) and attempt < self.retries:
                    last = f"HTTP {err.code}"
                    time.sleep(0.2 * 2 ** attempt)
                    continue
                raise EngineError(f"{self.url} refused the request: HTTP {err.code} {detail}",
                                  engine=self.url,
                                  hint="check that the server supports grammars on "
                                       "/v1/completions and serves the model asked for") from None
            except (urllib.error.URLError, ConnectionError, socket.timeout, TimeoutError,
                    OSError) as err:
                reason = getattr(err, "reason", err)
                last = str(reason) or type(err).__name__
                if attempt < self.retries:
                    time.sleep(0.2 * 2 ** attempt)
                    continue
                raise EngineError(f"no answer from {self.url} after {self.retries + 1} "
                                  f"attempts: {last}", engine=self.url,
                                  hint="check that the server is running and reachable, or "
                                       "raise timeout=") from None
            try:
                return json.loads(raw)
            except ValueError:
                raise EngineError(f"{self.url} replied with something that is not JSON: "
                                  f"{raw[:80]!r}", engine=self.url,
                                  hint="the address may point at another service") from None
        raise EngineError(f"no answer from {self.url}: {last}", engine=self.url)

    # -- planning -------------------------------------------------------------------------
    def template_for(self, planner: Planner) -> ChatTemplate:
        if self._template is None:
            source = self._template_model if self._template_model is not None else \
                (planner._model.path if planner._model is not None else planner._model_spec)
            self._template = ChatTemplate.from_gguf(source)
        return self._template

    def plan(self, planner: Planner, request: str | Sequence[Mapping[str, Any]], *,
             observations: Sequence[tuple[str, Any]] | Mapping[str, Any] | None = None,
             previous_plan: str | None = None, on_event: Callable[[Any], None] | None = None,
             answer_only: bool = False) -> PlanResult:
        """Write a plan for ``request`` on the server and check it as the planner would."""
        from ..result import PlanResult, observation_mapping
        from ..search import SearchEvent
        from ..search.beam import Candidate
        from ..search.choose import choose_plan
        from ..search.potentials import ReferencePotential, SolverPotential
        started = time.perf_counter()
        tools = planner.tools_for(request)
        messages = planner.messages(request, observations=observations,
                                    previous_plan=previous_plan, tools=tools)
        prompt = self.template_for(planner).render(messages)
        seen = observation_mapping(observations)
        checked = planner.solver and planner.has_constraints
        potentials: list[Any] = [ReferencePotential()]
        if checked:
            potentials.append(SolverPotential(list(planner.tools), planner.constraint_set or (),
                                              observations=seen))
        events: list[Any] = []

        def record(kind: Any, text: str, score: float, reason: str = "") -> None:
            event = SearchEvent(kind, text, score, reason, time.perf_counter() - started)
            events.append(event)
            if on_event is not None:
                on_event(event)

        writer = PieceWriter(self, list(tools), potentials, max_steps=planner.max_steps or 8,
                             max_tokens=planner.budgets.max_tokens,
                             max_retractions=self.max_retractions,
                             allow_repeats=planner.allow_repeats, terminals=not answer_only,
                             answer_only=answer_only, on_event=record)
        deadline = time.monotonic() + planner.budgets.max_seconds
        try:
            written = writer.write(prompt, deadline=deadline)
        except (Unsatisfiable, BudgetExceeded, PlanSyntaxError) as err:
            return PlanResult(ok=False, plan=None, text=getattr(err, "partial", ""),
                              explanation=str(err), error=err, trace=tuple(events),
                              timings={"total_s": time.perf_counter() - started})
        timings = {"prompt_s": 0.0, "decode_s": written.seconds,
                   "total_s": time.perf_counter() - started, "requests": float(written.requests)}
        choice = choose_plan([Candidate(written.text, written.score, (), False, written.score)],
                             list(planner.tools), planner.constraint_set if checked else None,
                             observations=seen, alternatives=0, check=checked,
                             refuse=planner.refused_by_potentials)
        if choice.chosen is None:
            error: NeurosymError = choice.last_error or PlanSyntaxError(
                f"the server's plan does not read back: {written.text!r}")
            return PlanResult(ok=False, plan=None, text=written.text, explanation=str(error),
                              error=error, prompt_tokens=written.prompt_tokens,
                              output_tokens=written.completion_tokens, timings=timings,
                              trace=tuple(events))
        best = choice.chosen
        record("choose", best.text, best.score, f"written on {self.url} in {written.requests} "
                                                f"requests; passes the final check")
        return PlanResult(ok=True, plan=best.plan, text=best.text, score=best.score,
                          prompt_tokens=written.prompt_tokens,
                          output_tokens=written.completion_tokens, timings=timings,
                          trace=tuple(events),
                          adjustments=tuple(written.refused))


class LlamaServerEngine(RemoteEngine):
    """A llama.cpp server: ``python -m llama_cpp.server --model FILE`` (llama-cpp-python's,
    with the ``server`` extra) or llama.cpp's own ``llama-server``. Pieces go to
    ``/v1/completions`` with a GBNF ``grammar``, ``logprobs`` and ``cache_prompt``."""

    grammar_kind: GrammarKind = "gbnf"


def read_completion(reply: Any, where: str) -> Completion:
    """The piece in an OpenAI-shaped completions reply, or an EngineError saying why not."""
    try:
        choice = reply["choices"][0]
        text = choice["text"]
        if not isinstance(text, str):
            raise TypeError("text is not a string")
        logprobs = choice.get("logprobs") or {}
        values = logprobs.get("token_logprobs")
        if values is None:
            # The chat-style form some servers use: [{"token": ..., "logprob": ...}, ...]
            values = [entry.get("logprob") for entry in logprobs.get("content") or []]
        logprob = float(sum(v for v in values if v is not None))
        usage = reply.get("usage") or {}
        return Completion(text, logprob, choice.get("finish_reason"),
                          int(usage.get("prompt_tokens") or 0),
                          int(usage.get("completion_tokens") or len(values)))
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as err:
        raise EngineError(f"{where} sent a completions reply neurosym cannot read ({err}): "
                          f"{str(reply)[:120]}", engine=where,
                          hint="the server must speak the OpenAI completions format") from None


def _error_detail(err: urllib.error.HTTPError) -> str:
    try:
        return err.read(300).decode("utf-8", errors="replace")
    except Exception:  # noqa: BLE001 - only for the message
        return ""
    finally:
        err.close()


# -- writing a plan a piece at a time -------------------------------------------------
@dataclass
class PieceWriter:
    """Writes one plan on ``engine`` a piece at a time; the potentials judge each piece."""

    engine: RemoteEngine
    tools: Sequence[Tool]
    potentials: Sequence[Any]
    max_steps: int = 8
    max_tokens: int = 256
    max_retractions: int = 4
    allow_repeats: bool = False
    terminals: bool = True
    answer_only: bool = False
    on_event: Callable[..., None] | None = None
    _requests: int = field(default=0, init=False)
    _prompt_tokens: int = field(default=0, init=False)
    _completion_tokens: int = field(default=0, init=False)

    def write(self, prompt: str, *, deadline: float | None = None) -> Written:
        from ..plan.ast import Call, Step
        from ..search.base import PartialPlan
        from ..search.potentials import first_refusal
        started = time.perf_counter()
        self._deadline = deadline
        by_name = {t.name: t for t in self.tools}
        text = ""
        score = 0.0
        partial = PartialPlan()
        refused: list[tuple[str, str]] = []
        step = 1
        while step <= self.max_steps:
            banned_tools: set[str] = set()
            while True:
                head = self._ask(prompt + text, self._head_rules(step, by_name, banned_tools),
                                 _HEAD_TOKENS, text)
                if head.text == "":
                    return self._done(text, score, refused, started)
                if step == 1 and not head.text.startswith("r1 = "):
                    # none(), ask("...") or answer("..."): the plan ends with it.
                    return self._done(head.text, score + head.logprob, refused, started)
                tool_name = head.text.split(" = ", 1)[1][:-1]
                tool = by_name[tool_name]
                bind = f"r{step}"
                line = head.text
                line_score = head.logprob
                call = partial.with_call(tool_name, bind)
                args, line, line_score, call = self._arguments(prompt + text, tool, call, line,
                                                               line_score, refused)
                done = Step(Call(tool_name, tuple(args)), bind)
                closed = partial.with_step(done)
                refusal = first_refusal(self.potentials, closed)
                if refusal is None and not self.allow_repeats and \
                        any(s.call == done.call for s in partial.steps):
                    refusal = _repeat(done)
                if refusal is None:
                    break
                refused.append((line, refusal.reason))
                self._event("refuse", text + line, score + line_score, refusal.reason)
                banned_tools.add(tool_name)
                if len(banned_tools) > self.max_retractions or (
                        step == 1 and len(banned_tools) == len(by_name)):
                    raise _unsatisfiable(refusal.reason, text + line)
            text += line
            score += line_score
            partial = closed
            self._check_tokens(text)
            step += 1
        return self._done(text, score, refused, started)

    def _arguments(self, prefix: str, tool: Tool, call: Any, line: str, line_score: float,
                   refused: list[tuple[str, str]]) -> tuple[list[tuple[str, Any]], str, float, Any]:
        """The call's arguments, one piece each: ``name=value`` and what follows it (``, ``
        or the closing parenthesis), so the model ends a value where it would."""
        from ..search.potentials import first_refusal
        args: list[tuple[str, Any]] = []
        excluded: dict[str, set[str]] = {}
        retractions = 0
        while True:
            used = {name for name, _ in args}
            rules = self._arg_rules(tool, used, excluded=excluded,
                                    binds=[f"r{i}" for i in range(1, len(call.steps) + 1)])
            piece = self._ask(prefix + line, rules, _PIECE_TOKENS, prefix + line)
            if piece.text == ")":
                return args, line + ")", line_score + piece.logprob, call
            closing = piece.text.endswith(")")
            body = piece.text[:-1] if closing else piece.text[:-2] if piece.text.endswith(", ") \
                else None
            match = _ARG.match(body) if body is not None else None
            if match is None:
                raise _syntax(f"the server wrote {piece.text!r} where an argument belongs",
                              prefix + line)
            name, value_text = match.group(1), match.group(2)
            value = _parse_value(value_text, prefix + line + piece.text)
            attempt = call.with_arg(name, value)
            refusal = first_refusal(self.potentials, attempt)
            if refusal is not None:
                refused.append((f"{name}={value_text}", refusal.reason))
                self._event("refuse", line + body, line_score + piece.logprob, refusal.reason)
                excluded.setdefault(name, set()).add(value_text)
                retractions += 1
                if retractions > self.max_retractions:
                    raise _unsatisfiable(refusal.reason, prefix + line + piece.text)
                continue
            args.append((name, value))
            call = attempt
            line += piece.text
            line_score += piece.logprob
            if closing:
                return args, line, line_score, call

    # -- grammars of the pieces -------------------------------------------------------------
    def _head_rules(self, step: int, tools: Mapping[str, Tool], banned: set[str]) -> Rules:
        rules = Rules()
        names = [[Lit(name)] for name in tools if name not in banned]
        alternatives: list[list[Item]] = []
        start = "r1 = " if step == 1 else f"\nr{step} = "
        if names and not self.answer_only:
            alternatives.append([Lit(start), Ref("tool"), Lit("(")])
        if step == 1:
            alternatives += self._terminal_alternatives(rules)
        else:
            alternatives.append([])
        rules.add("root", alternatives)
        if names and not self.answer_only:
            rules.add("tool", names)
        return rules

    def _terminal_alternatives(self, rules: Rules) -> list[list[Item]]:
        text = STRING.state_rule(rules, 0)
        out: list[list[Item]] = [[Lit("ask("), Ref(text), Lit(")")]]
        if self.answer_only:
            out.append([Lit("answer("), Ref(text), Lit(")")])
        elif self.terminals:
            out.append([Lit("none()")])
        return out

    def _arg_rules(self, tool: Tool, used: set[str], *, excluded: Mapping[str, set[str]],
                   binds: Sequence[str]) -> Rules:
        rules = Rules()
        alternatives: list[list[Item]] = []
        required = {p.name for p in tool.required_params}
        for param in tool.params:
            if param.name in used:
                continue
            value = self._value(rules, f"v{len(alternatives)}", param,
                                excluded.get(param.name, set()), binds)
            if value is None:
                continue
            after = used | {param.name}
            ends: list[list[Item]] = []
            if required <= after:
                ends.append([Lit(")")])
            if any(p.name not in after for p in tool.params):
                ends.append([Lit(", ")])
            alternatives.append([Lit(f"{param.name}="), Ref(value),
                                 Ref(rules.add(f"end{len(alternatives)}", ends))])
        if not used and not required:
            alternatives.append([Lit(")")])
        rules.rules = {"root": alternatives, **rules.rules}
        return rules

    def _value(self, rules: Rules, prefix: str, param: Param, excluded: set[str],
               binds: Sequence[str]) -> str | None:
        alternatives: list[list[Item]] = []
        finite = _finite_values(param)
        if finite is not None:
            alternatives += [[Lit(t)] for t in finite if t not in excluded]
        elif param.type in ("integer",):
            alternatives.append([Ref(value_rule(rules, f"{prefix}i", INTEGER, excluded))])
        elif param.type == "number":
            alternatives.append([Ref(value_rule(rules, f"{prefix}n", NUMBER, excluded))])
        elif param.type in ("string", "date"):
            alternatives.append([Ref(value_rule(rules, f"{prefix}s", STRING, excluded))])
        else:
            if excluded:
                return None     # a structured value cannot be excluded: the piece leaves
            alternatives.append([Ref(_any_value(rules))])
        if param.nullable or not param.required:
            if "None" not in excluded:
                alternatives.append([Lit("None")])
        path = _reference_path(rules)
        for bind in binds:
            if bind not in excluded:
                alternatives.append([Lit(bind), Ref(path)])
        if not alternatives:
            return None
        return rules.add(f"{prefix}", alternatives)

    # -- requests ---------------------------------------------------------------------------
    def _ask(self, prompt: str, rules: Rules, max_tokens: int, partial: str) -> Completion:
        if not rules.rules.get("root"):
            raise _unsatisfiable("no value is left that the constraints allow", partial)
        piece = self.engine.complete(prompt, rules, max_tokens, deadline=self._deadline)
        self._requests += 1
        self._prompt_tokens = max(self._prompt_tokens, piece.prompt_tokens)
        self._completion_tokens += piece.completion_tokens
        if piece.finish_reason == "length":
            raise BudgetExceeded(f"a piece of the plan took more than {max_tokens} tokens: "
                                 f"...{(partial + piece.text)[-80:]}",
                                 hint="shorten the request's values, or raise max_tokens")
        return piece

    def _check_tokens(self, text: str) -> None:
        if self._completion_tokens > self.max_tokens:
            raise BudgetExceeded(f"the plan reached max_tokens={self.max_tokens} without "
                                 f"ending: ...{text[-80:]}",
                                 hint="raise max_tokens, or ask for fewer steps")

    def _done(self, text: str, score: float, refused: list[tuple[str, str]],
              started: float) -> Written:
        self._event("finish", text, score)
        return Written(text, score, self._requests, tuple(refused), self._prompt_tokens,
                       self._completion_tokens, time.perf_counter() - started)

    def _event(self, kind: str, text: str, score: float, reason: str = "") -> None:
        if self.on_event is not None:
            self.on_event(kind, text, score, reason)


#: An integer range up to this wide is written as its values, so the grammar keeps it.
_SMALL_RANGE = 64


def _finite_values(param: Param) -> list[str] | None:
    if param.enum is not None:
        return [literal_text(v) for v in param.enum]
    if param.type == "boolean":
        return ["True", "False"]
    if param.type == "integer":
        import math
        low = (math.ceil(param.minimum) if param.minimum is not None else None) \
            if param.exclusive_minimum is None else math.floor(param.exclusive_minimum) + 1
        high = (math.floor(param.maximum) if param.maximum is not None else None) \
            if param.exclusive_maximum is None else math.ceil(param.exclusive_maximum) - 1
        if low is not None and high is not None and 0 <= high - low < _SMALL_RANGE:
            return [str(v) for v in range(low, high + 1)]
    return None


def _reference_path(rules: Rules) -> str:
    """``.field`` and ``[index]`` after a step's name, any number of them."""
    if "refpath" not in rules:
        rules.add("refpath", [[], [Lit("."), Ref("ident"), Ref("refpath")],
                              [Lit("["), Ref(INTEGER.state_rule(rules, 0)), Lit("]"),
                               Ref("refpath")]])
        letters = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
        rules.add("ident", [[Chars(letters), Ref("identrest")]])
        rules.add("identrest", [[], [Chars(letters | frozenset("0123456789")), Ref("identrest")]])
    return "refpath"


def _any_value(rules: Rules) -> str:
    """A literal of any shape: scalars, lists and dicts of them."""
    if "anyvalue" not in rules:
        rules.add("anyvalue", [])
        text = STRING.state_rule(rules, 0)
        rules.add("anyvalue", [[Ref(text)], [Ref(NUMBER.state_rule(rules, 0))], [Lit("True")],
                               [Lit("False")], [Lit("None")],
                               [Lit("["), Lit("]")], [Lit("["), Ref("anyitems"), Lit("]")],
                               [Lit("{"), Lit("}")], [Lit("{"), Ref("anypairs"), Lit("}")]])
        rules.add("anyitems", [[Ref("anyvalue")], [Ref("anyvalue"), Lit(", "), Ref("anyitems")]])
        rules.add("anypairs", [[Ref(text), Lit(": "), Ref("anyvalue")],
                               [Ref(text), Lit(": "), Ref("anyvalue"), Lit(", "), Ref("anypairs")]])
    return "anyvalue"


def _parse_value(text: str, where: str) -> Any:
    from ..plan.parse import parse_plan
    try:
        plan = parse_plan(f"r0 = value(x={text})")
    except PlanSyntaxError as err:
        raise _syntax(f"the server wrote a value that does not read: {text!r} ({err.message})",
                      where) from None
    return plan.steps[0].call.args[0][1]


def _repeat(step: Any) -> Any:
    from ..search.base import Refusal
    return Refusal("repeats", f"{step.call.tool} is called again with the same arguments")


def _unsatisfiable(reason: str, partial: str) -> Unsatisfiable:
    err = Unsatisfiable(f"every value the server offered was refused: {reason}",
                        core=[reason], hint="relax the constraint named above, or change "
                                            "the request")
    err.partial = partial  # type: ignore[attr-defined]
    return err


def _syntax(message: str, partial: str) -> PlanSyntaxError:
    err = PlanSyntaxError(message)
    err.partial = partial  # type: ignore[attr-defined]
    return err
