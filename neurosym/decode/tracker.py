"""An incremental, character-level tracker of a plan being written.

It reads the plan text one character at a time (the decoder feeds it each token's text)
and reports :class:`~neurosym.decode.boundary.Boundary` objects as the structure becomes
known: a step starts, a result is bound to a name, a call's tool is known, an
argument's name is known, a value starts, a value (or reference, or nested call) ends,
a step ends. It builds the AST values on the way, so a value's end carries its parsed
value. The grammar guarantees the text is well formed; the tracker only observes it,
and on text it cannot follow it stops reporting (``broken``) rather than raising.

>>> tracker = PlanTracker()
>>> found = tracker.start() + tracker.feed('r = f(a=1, b="x")') + tracker.finish()
>>> [b.kind for b in found]  # doctest: +NORMALIZE_WHITESPACE
['step_start', 'bind', 'call_start', 'arg_start', 'value_start', 'value_end', 'arg_start',
 'value_start', 'value_end', 'call_end', 'step_end', 'plan_end']
>>> [(b.offset, b.text, b.python) for b in found if b.kind == "value_end"]
[(9, '1', 1), (16, '"x"', 'x')]

A boundary's ``offset`` is where it lies in the text. Most are known the moment their
character is read; a number's end is known one character late (``1`` could become
``12``), and an argument's start is placed before its name though known at the ``=``.

Why one module: ``PlanTracker`` is one state machine over the plan language; its frame
classes are its own stack and have no other user.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field

from ..plan.ast import Call, DictValue, ListValue, Literal, Ref, Step, Terminal, Value
from .boundary import Boundary, Path

__all__ = ["PlanTracker", "TERMINAL_TOOLS"]

TERMINAL_TOOLS = ("ask", "answer", "none")
_IDENT_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_IDENT = _IDENT_START | frozenset("0123456789")
_NUMBER_START = frozenset("0123456789-+.")
_ATOM = _IDENT | frozenset(".-+")
_SPACE = frozenset(" \t")
_REF_PART = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*(-?\d+|\"(?:[^\"\\]|\\.)*\"|'[^']*')\s*\]")
_TOOL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_INT = re.compile(r"[-+]?\d+")
_FLOAT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


@dataclass
class _Line:
    start: int
    state: str = "start"          # start, ident, after_ident, eq, tool, call, done
    ident: str = ""
    bind: str | None = None
    node: Step | Terminal | None = None


@dataclass
class _Call:
    tool: str
    path: Path
    start: int                    # where the call's text starts (its tool name)
    as_value: bool
    terminal: str | None = None
    args: list[tuple[str, Value]] = field(default_factory=list)
    state: str = "param_or_close"  # param_or_close, param, after_param, value, after_value, sep
    param: str = ""
    param_start: int = 0
    text_value: str | None = None  # a terminal's text


@dataclass
class _List:
    path: Path
    start: int
    items: list[Value] = field(default_factory=list)
    state: str = "first"          # first, value, after_value


@dataclass
class _Dict:
    path: Path
    start: int
    items: list[tuple[str, Value]] = field(default_factory=list)
    state: str = "key_or_close"   # key_or_close, key_wait, key, colon, value, after_value
    key_start: int = 0
    key: str = ""


@dataclass
class _String:
    path: Path
    start: int
    quote: str
    escaped: bool = False
    is_key: bool = False


@dataclass
class _Atom:
    path: Path
    start: int
    depth: int = 0                # inside [...] of a reference


_Frame = _Line | _Call | _List | _Dict | _String | _Atom


class PlanTracker:
    """Follows a plan text as it grows and reports its structural boundaries."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget everything (before a new plan, or to replay a shorter text)."""
        self._chars: list[str] = []
        self._stack: list[_Frame] = []
        self._out: list[Boundary] = []
        self.steps: list[Step | Terminal] = []
        self.step_index = 0
        self.broken: str | None = None
        self.started = False
        self.finished = False

    # -- public --------------------------------------------------------------------
    @property
    def text(self) -> str:
        return "".join(self._chars)

    @property
    def offset(self) -> int:
        return len(self._chars)

    def start(self) -> list[Boundary]:
        """Begin the plan: reports the first step's start."""
        self.started = True
        self._new_line(0)
        return self._flush()

    def feed(self, text: str) -> list[Boundary]:
        """Read ``text``; the boundaries it completes, in order."""
        if not self.started:
            self.start()
        for ch in text:
            self._chars.append(ch)
            if self.broken is None:
                self._char(ch)
        return self._flush()

    def finish(self) -> list[Boundary]:
        """The plan ends here: the last step's end and the plan's end."""
        pos = len(self._chars)
        if self.broken is None and self._stack:
            top = self._stack[-1]
            if isinstance(top, _Atom):
                self._end_atom(top, pos)
                top = self._stack[-1] if self._stack else top
            if isinstance(top, _Line) and top.state == "done":
                self._end_step(top, pos)
        self.finished = True
        self._emit(Boundary("plan_end", pos, ()))
        return self._flush()

    def replay(self, text: str) -> list[Boundary]:
        """Start over and read ``text``; every boundary reported on the way."""
        self.reset()
        return self.start() + self.feed(text)

    def open_values(self) -> list[tuple[int, Path]]:
        """Start offsets and paths of the values being written, outermost first.

        A value whose first character has not come yet (just after ``=``) is included.
        """
        out: list[tuple[int, Path]] = []
        for index, frame in enumerate(self._stack):
            if isinstance(frame, _Call):
                if frame.as_value:
                    out.append((frame.start, frame.path[:-1]))
                if frame.state == "value" and index == len(self._stack) - 1:
                    out.append((len(self._chars), self._arg_path(frame)))
            elif isinstance(frame, (_List, _Dict, _Atom)) or (
                    isinstance(frame, _String) and not frame.is_key):
                out.append((frame.start, frame.path))
        return out

    @property
    def open_atom(self) -> str:
        """The text of the bare value being written (a reference, a keyword or a number
        not yet ended), or "" when the innermost value is not one."""
        if self._stack and isinstance(self._stack[-1], _Atom):
            return self._slice(self._stack[-1].start, len(self._chars))
        return ""

    @property
    def step_start(self) -> int | None:
        """Where the current line starts."""
        for frame in self._stack:
            if isinstance(frame, _Line):
                return frame.start
        return None

    # -- machinery -----------------------------------------------------------------
    def _flush(self) -> list[Boundary]:
        out, self._out = self._out, []
        return out

    def _emit(self, boundary: Boundary) -> None:
        self._out.append(boundary)

    def _break(self, why: str) -> None:
        self.broken = why

    def _new_line(self, pos: int) -> None:
        self._stack = [_Line(start=pos)]
        self._emit(Boundary("step_start", pos, (self.step_index,)))

    def _char(self, ch: str) -> None:
        pos = len(self._chars) - 1
        while self._stack:
            frame = self._stack[-1]
            handler = getattr(self, "_in_" + type(frame).__name__[1:].lower())
            if handler(frame, ch, pos):
                return
        self._break(f"unexpected {ch!r} after the plan's end")

    # Each _in_* handler returns True when it consumed ``ch``, False to hand it to the
    # frame below (after popping itself).

    def _in_line(self, f: _Line, ch: str, pos: int) -> bool:
        if f.state == "start":
            if ch in _IDENT_START:
                f.ident, f.state = ch, "ident"
            elif ch not in _SPACE:
                self._break(f"a step cannot start with {ch!r}")
        elif f.state in ("ident", "tool"):
            if ch in _IDENT or ch == "." and f.ident[-1:] != ".":
                f.ident += ch
            elif ch == "(":
                self._open_call(f, pos)
            elif f.state == "ident" and ch in _SPACE | {"="} and "." not in f.ident:
                f.bind = f.ident
                self._emit(Boundary("bind", pos, (self.step_index,), bind=f.bind))
                f.ident, f.state = "", "eq" if ch == "=" else "after_ident"
            else:
                self._break(f"unexpected {ch!r} in a step")
        elif f.state == "after_ident":
            if ch == "=":
                f.state = "eq"
            elif ch not in _SPACE:
                self._break(f"expected '=' after {f.bind!r}")
        elif f.state == "eq":
            if ch in _IDENT_START:
                f.ident, f.state = ch, "tool"
            elif ch not in _SPACE:
                self._break(f"expected a tool name after '{f.bind} ='")
        elif f.state == "done":
            if ch == "\n":
                self._end_step(f, pos)
                self.step_index += 1
                self._new_line(pos + 1)
            elif ch not in _SPACE:
                self._break(f"expected a new line, not {ch!r}")
        else:
            self._break(f"unexpected {ch!r}")
        return True

    def _open_call(self, line: _Line, pos: int) -> None:
        tool = line.ident
        terminal = tool if tool in TERMINAL_TOOLS and line.bind is None else None
        call = _Call(tool=tool, path=(self.step_index, tool), start=pos - len(tool),
                     as_value=False, terminal=terminal)
        line.state = "call"
        self._stack.append(call)
        self._emit(Boundary("call_start", pos + 1, call.path, tool=tool, bind=line.bind,
                            terminal=terminal))
        self._after_open(call, pos)

    def _after_open(self, call: _Call, pos: int) -> None:
        if call.terminal in ("ask", "answer"):
            call.param, call.param_start, call.state = "text", pos + 1, "value"
            self._emit(Boundary("value_start", pos + 1, self._arg_path(call), tool=call.tool,
                                param="text", terminal=call.terminal))

    def _arg_path(self, call: _Call) -> Path:
        return call.path + (call.param,)

    def _in_call(self, f: _Call, ch: str, pos: int) -> bool:
        if f.state in ("param_or_close", "sep"):
            if ch in _SPACE:
                return True
            if ch == ")" and f.state == "param_or_close":
                self._close_call(f, pos)
            elif ch in _IDENT_START:
                f.param, f.param_start, f.state = ch, pos, "param"
            else:
                self._break(f"expected an argument name, not {ch!r}")
        elif f.state in ("param", "after_param"):
            if ch in _IDENT and f.state == "param":
                f.param += ch
            elif ch in _SPACE:
                f.state = "after_param"
            elif ch == "=":
                path = self._arg_path(f)
                self._emit(Boundary("arg_start", f.param_start, path, tool=f.tool, param=f.param))
                self._emit(Boundary("value_start", pos + 1, path, tool=f.tool, param=f.param))
                f.state = "value"
            else:
                self._break(f"expected '=' after {f.param!r}")
        elif f.state == "value":
            if ch not in _SPACE:
                self._open_value(ch, pos, self._arg_path(f))
        elif f.state == "after_value":
            if ch == ",":
                f.state = "sep"
            elif ch == ")":
                self._close_call(f, pos)
            elif ch not in _SPACE:
                self._break(f"expected ',' or ')', not {ch!r}")
        return True

    def _close_call(self, f: _Call, pos: int) -> None:
        self._stack.pop()
        end = pos + 1
        if f.terminal is not None:
            node: Step | Terminal = Terminal(f.terminal, f.text_value)  # type: ignore[arg-type]
            self._emit(Boundary("call_end", end, f.path, tool=f.tool, terminal=f.terminal,
                                text=self._slice(f.start, end)))
            line = self._stack[-1]
            assert isinstance(line, _Line)
            line.node, line.state = node, "done"
            return
        call = Call(f.tool, tuple(f.args))
        self._emit(Boundary("call_end", end, f.path, tool=f.tool, call=call,
                            text=self._slice(f.start, end)))
        if f.as_value:
            self._value_done(call, f.start, end, f.path[:-1])
        else:
            line = self._stack[-1]
            assert isinstance(line, _Line)
            line.node, line.state = Step(call, line.bind), "done"

    def _open_value(self, ch: str, pos: int, path: Path) -> None:
        if ch in "\"'":
            self._stack.append(_String(path, pos, ch))
        elif ch == "[":
            self._stack.append(_List(path, pos))
        elif ch == "{":
            self._stack.append(_Dict(path, pos))
        elif ch in _IDENT or ch in _NUMBER_START:
            self._stack.append(_Atom(path, pos))
        else:
            self._break(f"a value cannot start with {ch!r}")

    def _value_done(self, value: Value, start: int, end: int, path: Path) -> None:
        """A value is complete: report it and hand it to the frame that expected it."""
        text = self._slice(start, end)
        parent = self._stack[-1]
        param = parent.param if isinstance(parent, _Call) else None
        tool = parent.tool if isinstance(parent, _Call) else None
        if isinstance(value, Ref):
            self._emit(Boundary("ref_end", end, path, tool=tool, param=param, text=text, value=value))
        self._emit(Boundary("value_end", end, path, tool=tool, param=param, text=text, value=value,
                            terminal=parent.terminal if isinstance(parent, _Call) else None))
        if isinstance(parent, _Call):
            if parent.terminal is not None:
                parent.text_value = value.value if isinstance(value, Literal) and isinstance(
                    value.value, str) else text
            else:
                parent.args.append((parent.param, value))
        elif isinstance(parent, _List):
            parent.items.append(value)
        elif isinstance(parent, _Dict):
            parent.items.append((parent.key, value))
        parent.state = "after_value"  # type: ignore[union-attr]

    def _slice(self, start: int, end: int) -> str:
        return "".join(self._chars[start:end])

    def _in_string(self, f: _String, ch: str, pos: int) -> bool:
        if f.escaped:
            f.escaped = False
        elif ch == "\\":
            f.escaped = True
        elif ch == f.quote:
            self._stack.pop()
            raw = self._slice(f.start, pos) + ch
            text = _parse_string(raw)
            if text is None:
                self._break(f"cannot read the string {raw}")
            elif f.is_key:
                parent = self._stack[-1]
                assert isinstance(parent, _Dict)
                parent.key, parent.state = text, "colon"
            else:
                self._value_done(Literal(text), f.start, pos + 1, f.path)
        elif ch == "\n":
            self._break("a string cannot span lines")
        return True

    def _in_atom(self, f: _Atom, ch: str, pos: int) -> bool:
        if f.depth:
            if ch == "]":
                f.depth -= 1
            elif ch == "\n":
                self._break("unclosed '['")
            return True
        if ch in _ATOM:
            return True
        if ch == "[" and self._slice(f.start, f.start + 1) in _IDENT_START:
            f.depth += 1
            return True
        if ch == "(":
            tool = self._slice(f.start, pos)
            if not _TOOL_NAME.fullmatch(tool):
                self._break(f"{tool!r} is not a tool name")
                return True
            self._stack.pop()
            call = _Call(tool=tool, path=f.path + (tool,), start=f.start, as_value=True)
            self._stack.append(call)
            self._emit(Boundary("call_start", pos + 1, call.path, tool=tool))
            return True
        self._end_atom(f, pos)
        return False

    def _end_atom(self, f: _Atom, pos: int) -> None:
        self._stack.pop()
        text = self._slice(f.start, pos)
        value = _parse_atom(text)
        if value is None:
            self._break(f"cannot read the value {text!r}")
            return
        self._value_done(value, f.start, pos, f.path)

    def _in_list(self, f: _List, ch: str, pos: int) -> bool:
        if ch in _SPACE:
            return True
        if f.state == "first" and ch == "]" or f.state == "after_value" and ch == "]":
            self._stack.pop()
            self._value_done(ListValue(tuple(f.items)), f.start, pos + 1, f.path)
        elif f.state in ("first", "value"):
            path = f.path + (len(f.items),)
            self._emit(Boundary("value_start", pos, path, **self._owner(f)))
            f.state = "value"
            self._open_value(ch, pos, path)
        elif f.state == "after_value" and ch == ",":
            f.state = "value"
        else:
            self._break(f"unexpected {ch!r} in a list")
        return True

    def _in_dict(self, f: _Dict, ch: str, pos: int) -> bool:
        if ch in _SPACE:
            return True
        if ch == "}" and f.state in ("key_or_close", "after_value"):
            self._stack.pop()
            self._value_done(DictValue(tuple(f.items)), f.start, pos + 1, f.path)
        elif f.state in ("key_or_close", "key_wait") and ch in "\"'":
            f.state = "key"
            self._stack.append(_String(f.path, pos, ch, is_key=True))
        elif f.state == "colon" and ch == ":":
            f.state = "value_wait"
        elif f.state == "value_wait":
            path = f.path + (f.key,)
            self._emit(Boundary("value_start", pos, path, **self._owner(f)))
            f.state = "value"
            self._open_value(ch, pos, path)
        elif f.state == "after_value" and ch == ",":
            f.state = "key_wait"
        else:
            self._break(f"unexpected {ch!r} in a dict")
        return True

    def _owner(self, frame: _Frame) -> dict[str, str | None]:
        """The tool and parameter a nested value belongs to."""
        for below in reversed(self._stack):
            if isinstance(below, _Call):
                return {"tool": below.tool, "param": below.param}
        return {"tool": None, "param": None}

    def _end_step(self, line: _Line, pos: int) -> None:
        if line.node is None:
            return
        self.steps.append(line.node)
        self._emit(Boundary("step_end", pos, (self.step_index,), bind=line.bind,
                            text=self._slice(line.start, pos), step=line.node,
                            tool=line.node.call.tool if isinstance(line.node, Step) else None,
                            terminal=line.node.kind if isinstance(line.node, Terminal) else None))
        line.node = None


def _parse_string(raw: str) -> str | None:
    if raw.startswith('"'):
        try:
            value = json.loads(raw)
            return value if isinstance(value, str) else None
        except ValueError:
            pass
    try:
        value = ast.literal_eval(raw)  # a string literal only: never code
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


def _parse_atom(text: str) -> Value | None:
    """A number, True/False/None, or a reference like ``name[0].field``."""
    if text in ("True", "true"):
        return Literal(True)
    if text in ("False", "false"):
        return Literal(False)
    if text in ("None", "null"):
        return Literal(None)
    if _INT.fullmatch(text):
        return Literal(int(text))
    if _FLOAT.fullmatch(text):
        return Literal(float(text))
    match = re.match(r"[A-Za-z_][A-Za-z0-9_]*", text)
    if not match:
        return None
    path: list[str | int] = []
    rest = text[match.end():]
    while rest:
        part = _REF_PART.match(rest)
        if not part:
            return None
        if part.group(1) is not None:
            path.append(part.group(1))
        else:
            index = part.group(2)
            path.append(int(index) if index.lstrip("-").isdigit() else _parse_string(index) or "")
        rest = rest[part.end():]
    return Ref(match.group(0), tuple(path))
