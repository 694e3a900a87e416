"""The plan grammar specialised to a tool set: only its tools, its parameters, its value types.

The grammar admits exactly the canonical plan text (:func:`neurosym.plan.render_text`):
``r1 = tool(a=1, b="x")`` per line, lines joined by ``"\\n"``, each step's result bound
to a name the grammar forces (``r1``, ``r2``, ... by position: :func:`step_name`), so
the model never spends likelihood on inventing names and references have the form
``rK.field`` (whether step ``K`` comes earlier :mod:`neurosym.graph` checks);
arguments in the tool's declared order with the required ones present and the
optional ones skippable, each value in its type's syntax (see
:mod:`neurosym.grammar.values`), references to earlier results and nested calls where
enabled, and ``ask("...")``, ``answer("...")`` after the steps or ``none()`` alone.
Its size is linear in the number of parameters.

>>> from neurosym.tools.tool import Param, Tool
>>> from neurosym.grammar.engines import lark_accepts
>>> weather = Tool("weather", params=(Param("city", "string"),
...                                   Param("unit", "string", required=False,
...                                         enum=("C", "F"))))
>>> grammar = build_grammar([weather], max_string_length=20, max_steps=4)
>>> ok = ['r1 = weather(city="Paris")', 'r1 = weather(city="Oslo", unit="F")\\nr2 = weather(city="Rome")',
...       'ask("Which city?")']
>>> [lark_accepts(grammar.lark, text) for text in ok]
[True, True, True]
>>> bad = ['r1 = weather(unit="F")', 'r1 = weather(city="Oslo", unit="K")', 'r1 = rain(city="Oslo")',
...        'w = weather(city="Paris")', 'r2 = weather(city="Paris")']
>>> [lark_accepts(grammar.lark, text) for text in bad]
[False, False, False, False, False]

With ``names="free"`` a step may be a bare call or bind any identifier (the form the
plan reader accepts), for checking texts written elsewhere:

>>> free = build_grammar([weather], names="free")
>>> [lark_accepts(free.lark, t) for t in ['w = weather(city="Paris")', 'weather(city="Oslo")']]
[True, True]
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal as TypingLiteral

from ..errors import GrammarError
from ..plan.parse import CONSTANTS, RESERVED_TOOL_NAMES
from ..tools.tool import Tool
from .text import Rules, identifier_regex, lark_literal
from .values import REF_REGEX, ValueWriter

__all__ = ["SpecialisedGrammar", "build_grammar", "StepNames", "STEP_PREFIX",
           "MAX_NUMBERED_STEPS", "NUMBERED_REF_REGEX", "step_name"]

StepNames = TypingLiteral["numbered", "free"]
#: Numbered steps bind ``r1``, ``r2``, ...: short, readable in references, never invented.
STEP_PREFIX = "r"
#: How many steps a plan without a step bound is numbered up to.
MAX_NUMBERED_STEPS = 32
#: A reference under numbered names: ``r2``, ``r1.id``, ``r1[0].id``.
NUMBERED_REF_REGEX = STEP_PREFIX + r"[1-9][0-9]*(?:\.[A-Za-z_][A-Za-z0-9_]*|\[-?[0-9]+\])*"

_TOOL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEYWORDS = frozenset(keyword.kwlist)


@dataclass(frozen=True)
class SpecialisedGrammar:
    """A lark grammar (text, in the subset llguidance shares) for plans over ``tools``."""

    lark: str = field(repr=False)
    tools: tuple[Tool, ...]
    max_string_length: int
    allow_refs: bool
    allow_nested: bool
    allow_terminals: bool
    max_steps: int | None
    max_text_length: int
    names: StepNames = "numbered"

    @property
    def tool_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.tools)

    def accepts(self, text: str) -> bool:
        """Whether the grammar admits ``text`` (checked with lark)."""
        from .engines import lark_accepts
        return lark_accepts(self.lark, text)


def build_grammar(tools: Iterable[Tool], *, max_string_length: int = 200,
                  allow_refs: bool = True, allow_nested: bool = True,
                  allow_terminals: bool = True, max_steps: int | None = None,
                  max_text_length: int = 1000,
                  names: StepNames = "numbered") -> SpecialisedGrammar:
    """The plan grammar for ``tools``.

    ``max_string_length`` bounds string values, ``max_text_length`` the text of
    ``ask``/``answer``; ``allow_refs`` admits references (``name``, ``name.field``,
    ``name[0].field``) wherever a value goes, ``allow_nested`` admits calls of the
    set's tools as values, ``allow_terminals`` the terminal forms; ``max_steps`` bounds
    the number of steps (``None``: unbounded). ``names="numbered"`` binds step ``k``'s
    result to ``rk`` (forced, so references can only name ``r1``, ``r2``, ...; an
    unbounded plan is numbered up to :data:`MAX_NUMBERED_STEPS`); ``"free"`` admits
    bare calls and any name.
    """
    tools = tuple(tools)
    _check_tools(tools, allow_terminals)
    if max_steps is not None and max_steps < 1:
        raise GrammarError("max_steps must be at least 1", hint="pass None for no bound")
    if names not in ("numbered", "free"):
        raise GrammarError(f"names must be 'numbered' or 'free', not {names!r}",
                           hint="numbered forces r1, r2, ...; free admits any name")
    rules = Rules()
    ref_regex = NUMBERED_REF_REGEX if names == "numbered" else REF_REGEX
    ref = rules.terminal("ref", f"/{ref_regex}/") if allow_refs else None
    call_rule = "call" if tools else None
    writer = ValueWriter(rules, max_string_length=max_string_length, ref=ref,
                         call=call_rule if allow_nested else None)
    calls = [_tool_rule(writer, tool) for tool in tools]
    plan_forms: list[str] = []
    if tools:
        rules.define("call", " | ".join(calls))
        if names == "numbered":
            steps = _numbered_steps_rule(rules, max_steps or MAX_NUMBERED_STEPS)
        else:
            # A result's name is an identifier Python would accept: never a keyword.
            bind = rules.terminal("name", f"/{identifier_regex(_KEYWORDS)}/")
            rules.define("step", f'{bind} " = " call | call')
            steps = _steps_rule(rules, max_steps)
        plan_forms.append(steps)
    if allow_terminals:
        text = writer.bounded_string(0, max_text_length)
        said = rules.rule("said", f'"ask(" {text} ")" | "answer(" {text} ")"')
        if tools:
            plan_forms[0] = f'{steps} ("\\n" {said})?'
        plan_forms.extend([said, '"none()"'])
    rules.define("start", " | ".join(plan_forms))
    return SpecialisedGrammar(lark=rules.text(), tools=tools,
                              max_string_length=max_string_length, allow_refs=allow_refs,
                              allow_nested=allow_nested, allow_terminals=allow_terminals,
                              max_steps=max_steps, max_text_length=max_text_length,
                              names=names)


def _check_tools(tools: tuple[Tool, ...], allow_terminals: bool) -> None:
    if not tools and not allow_terminals:
        raise GrammarError("no tools and no terminal forms: the grammar would admit nothing",
                           hint="pass at least one tool, or allow_terminals=True")
    seen: set[str] = set()
    for tool in tools:
        if not isinstance(tool, Tool):
            raise GrammarError(f"{tool!r} is not a Tool",
                               hint="build tools with neurosym.tool or ToolSet")
        if not _TOOL_NAME.fullmatch(tool.name) or tool.name in RESERVED_TOOL_NAMES:
            raise GrammarError(f"tool name {tool.name!r} cannot be written in a plan",
                               hint="name tools with dotted identifiers other than "
                                    "ask, answer and none")
        if tool.name in seen:
            raise GrammarError(f"two tools are named {tool.name!r}",
                               hint="give every tool of a set its own name")
        seen.add(tool.name)
        names = [p.name for p in tool.params]
        for name in names:
            if not _PARAM_NAME.fullmatch(name) or name in CONSTANTS:
                raise GrammarError(f"parameter {name!r} of {tool.name} cannot be written "
                                   "as a keyword argument",
                                   hint="name parameters with identifiers")
        if len(set(names)) != len(names):
            raise GrammarError(f"{tool.name} declares a parameter twice",
                               hint="give each parameter its own name")


def _tool_rule(writer: ValueWriter, tool: Tool) -> str:
    entries = [(lark_literal(f"{p.name}="), lark_literal(f", {p.name}="),
                writer.value(p, optional=not p.required), p.required) for p in tool.params]
    args = writer.sequence(entries, "args")
    if args is None:
        return writer.rules.rule("tool", lark_literal(f"{tool.name}()"))
    return writer.rules.rule("tool", f'{lark_literal(tool.name + "(")} {args} ")"')


def step_name(index: int) -> str:
    """The name the numbered grammar binds step ``index`` (from 0) to: ``r1``, ``r2``, ...

    >>> [step_name(i) for i in range(3)]
    ['r1', 'r2', 'r3']
    """
    return f"{STEP_PREFIX}{index + 1}"


def _numbered_steps_rule(rules: Rules, max_steps: int) -> str:
    """``r1 = call ("\\n" r2 = call (...)?)?``: each step's name forced by its position."""
    chain: str | None = None
    for index in reversed(range(max_steps)):
        line = f'{lark_literal(step_name(index) + " = ")} call'
        chain = rules.rule("steps", line if chain is None else f'{line} ("\\n" {chain})?')
    assert chain is not None
    return chain


def _steps_rule(rules: Rules, max_steps: int | None) -> str:
    if max_steps is None:
        return rules.define("steps", 'step ("\\n" step)*')
    chain = rules.rule("steps", "step")
    for _ in range(max_steps - 1):
        chain = rules.rule("steps", f'step ("\\n" {chain})?')
    return chain
