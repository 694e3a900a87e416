"""Rules of the plan language a context-free grammar cannot state, kept during decoding.

- A reference names the result of an earlier step, and a nested call calls a tool,
  whose declared return fits the parameter: at each value's start a value grammar
  admits, besides literals, only those names and tools.
- A bound name is short and bound once, and a step does not repeat an earlier one: a
  model that starts doing either has run out of things to do, so the plan ends after
  the previous step. With ``rename_rebinds`` a step that rebinds a name is written
  again under a fresh name instead: a model often starts a second call of a tool with
  the first call's name. (Under the numbered names the planner's grammar forces, no
  name is ever bound twice.)

Each value grammar is loose on purpose (any literal passes): it is ANDed with the plan
grammar, which says what a literal of the parameter looks like.

>>> from neurosym.tools.tool import Param, Tool
>>> f = Tool("f", params=(Param("x", "integer"),), returns=Param("result", "integer"))
>>> hooks = StructureHooks([f])
>>> print(hooks.value_grammar(names=["res"], tools=["f"]))  # doctest: +NORMALIZE_WHITESPACE
start: /[^A-Za-z_][\\s\\S]*/ | /(?:True|False|None)/
     | /(?:res)(?:\\.[A-Za-z_][A-Za-z0-9_]*|\\[-?[0-9]{1,3}\\])*/ | /(?:f)\\([\\s\\S]*/
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal as TypingLiteral

from ..plan.ast import Step
from ..tools.tool import Param, Tool
from .boundary import Boundary
from .hooks import (CONTINUE, Decision, DecodeState, Hooks, Reject, ValueGrammars,
                    checkpoint_at, end_before_step)

__all__ = ["StructureHooks", "RefPolicy", "fitting_refs"]

#: ``"declared"``: a reference or nested call needs a tool that declares what it
#: returns (so the fit can be checked); ``"any"``: any earlier result will do.
RefPolicy = TypingLiteral["declared", "any"]

_NOT_A_NAME = r"/[^A-Za-z_][\s\S]*/"
_CONSTANTS = r"/(?:True|False|None)/"
_REF_TAIL = r"(?:\.[A-Za-z_][A-Za-z0-9_]*|\[-?[0-9]{1,3}\])*"


class StructureHooks(Hooks):
    """Hooks for references, nested calls, bindings and repetition (see the module).

    ``allow_repeats`` keeps a step identical to an earlier one instead of ending the
    plan; ``rename_rebinds`` has a step that rebinds a name start again with a fresh
    one instead of ending the plan; ``max_name_length`` bounds the names results are
    bound to.
    """

    def __init__(self, tools: Iterable[Tool] = (), *, refs: RefPolicy = "declared",
                 allow_repeats: bool = False, rename_rebinds: bool = False,
                 max_name_length: int = 24) -> None:
        self.tools = {t.name: t for t in tools}
        self.refs = refs
        self.allow_repeats = allow_repeats
        self.rename_rebinds = rename_rebinds
        self.max_name_length = max_name_length
        self._grammars: dict[tuple[tuple[str, ...], ...], str] = {}
        self._renamed: set[int] = set()  # offsets of step starts that need a fresh name

    # -- value grammars ----------------------------------------------------------------
    def value_grammar(self, *, names: Iterable[str] = (), tools: Iterable[str] = (),
                      refs: Iterable[str] = ()) -> str:
        """Any literal, a reference to one of ``names`` (with any field path), a
        reference matching one of the regexes ``refs``, or a call of one of ``tools``."""
        key = (tuple(sorted(set(names))), tuple(sorted(set(tools))), tuple(sorted(set(refs))))
        cached = self._grammars.get(key)
        if cached is None:
            options = [_NOT_A_NAME, _CONSTANTS]
            if key[0]:
                options.append("/(?:" + "|".join(re.escape(n) for n in key[0]) + ")" + _REF_TAIL + "/")
            if key[2]:
                options.append("/(?:" + "|".join(key[2]) + ")/")
            if key[1]:
                options.append("/(?:" + "|".join(re.escape(n) for n in key[1]) + r")\([\s\S]*/")
            cached = "start: " + " | ".join(options)
            self._grammars[key] = cached
        return cached

    def line_grammar(self) -> str:
        """A step's line: a short name bound to a call, or a bare call of a tool."""
        n = max(self.max_name_length - 1, 0)
        names = "|".join(re.escape(t) for t in sorted(self.tools) + ["ask", "answer", "none"])
        return (rf"start: /[A-Za-z_][A-Za-z0-9_]{{0,{n}}} = [^\n]*/"
                rf" | /(?:{names})\([^\n]*/")

    def value_constraint(self, event: Boundary, state: DecodeState) -> ValueGrammars:
        if event.kind == "step_start":
            if event.offset in self._renamed:
                return [self.line_grammar(),
                        fresh_name_line_grammar(self.tools, _bound_names(state))]
            return self.line_grammar()
        if event.terminal is not None:
            return None
        target = self._param(event)
        enclosing = {p for p in event.path[1:] if isinstance(p, str) and p in self.tools}
        names: list[str] = []
        refs: list[str] = []
        for step in state.steps:
            if not isinstance(step, Step) or not step.bind:
                continue
            tool = self.tools.get(step.call.tool)
            if tool is None or tool.returns is None:
                if self.refs == "any":
                    names.append(step.bind)
            elif target is None:
                names.append(step.bind)
            else:
                refs.extend(fitting_refs(step.bind, tool.returns, target))
        tools = [name for name, tool in self.tools.items()
                 if name not in enclosing and self._fits(tool, target)]
        return self.value_grammar(names=names, tools=tools, refs=refs)

    def _param(self, event: Boundary) -> Param | None:
        """The parameter a value at ``event.path`` fills (None inside lists and dicts)."""
        if len(event.path) < 3 or not isinstance(event.path[-1], str):
            return None
        tool = self.tools.get(str(event.path[-2]))
        return tool.param(event.path[-1]) if tool is not None else None

    def _fits(self, tool: Tool | None, target: Param | None) -> bool:
        """Whether a call of ``tool`` may fill ``target``."""
        if tool is None:
            return False
        if tool.returns is None:
            return self.refs == "any"
        from ..graph.fit import type_fits
        return target is None or type_fits(tool.returns, target)

    # -- decisions -------------------------------------------------------------------
    def on_boundary(self, event: Boundary, state: DecodeState) -> Decision:
        if event.kind == "bind" and event.bind in _bound_names(state):
            start = checkpoint_at(state, "step_start", (event.step_index,))
            if self.rename_rebinds and start is not None and start.offset not in self._renamed:
                self._renamed.add(start.offset)
                return Reject(start, reason=f"{event.bind!r} is already bound: the step "
                                            "starts again with a fresh name")
            return self._end_before(event, state, f"{event.bind!r} is already bound")
        if event.kind == "step_end" and not self.allow_repeats and isinstance(event.step, Step):
            earlier = [s.call for s in state.steps[:-1] if isinstance(s, Step)]
            if event.step.call in earlier:
                return self._end_before(event, state, "the step repeats an earlier one")
        return CONTINUE

    def _end_before(self, event: Boundary, state: DecodeState, why: str) -> Decision:
        return end_before_step(state, event.step_index, why) or CONTINUE


def fitting_refs(name: str, returned: Param, target: Param, depth: int = 3) -> list[str]:
    """Regexes of the references into ``returned`` (bound to ``name``) that fit ``target``.

    >>> flights = Param("r", "array", items=Param("f", "object",
    ...                 properties=(Param("id", "string"), Param("price", "number"))))
    >>> print(*fitting_refs("fl", flights, Param("flight_id", "string")))
    fl\\[[0-9]{1,3}\\]\\.id
    """
    from ..graph.fit import type_fits
    out: list[str] = []

    def walk(param: Param | None, path: str, left: int) -> None:
        if param is None or param.type == "any":
            out.append(path + _REF_TAIL)  # unknown from here on: any path may fit
            return
        if type_fits(param, target):
            out.append(path)
        if left == 0:
            return
        if param.type == "array":
            walk(param.items, path + r"\[[0-9]{1,3}\]", left - 1)
        elif param.type == "object":
            for prop in param.properties:
                walk(prop, path + r"\." + re.escape(prop.name), left - 1)
            if not param.properties:
                out.append(path + _REF_TAIL)

    walk(returned, re.escape(name), depth)
    return out


def fresh_name_line_grammar(tools: Iterable[str], bound: Iterable[str]) -> str:
    """A step's line that binds none of the ``bound`` names (bare calls stay allowed).

    Rebinding a name ends the plan (see :class:`StructureHooks`); a search that needs the
    plan to go on ANDs this grammar in, so the model picks a fresh name instead.
    """
    from ..grammar.text import identifier_regex
    names = "|".join(re.escape(t) for t in sorted(tools) + ["ask", "answer", "none"])
    fresh = identifier_regex(frozenset(bound))
    return rf"start: /{fresh} = [^\n]*/ | /(?:{names})\([^\n]*/"


def _bound_names(state: DecodeState) -> set[str]:
    return {s.bind for s in state.steps if isinstance(s, Step) and s.bind}

