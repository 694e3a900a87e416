"""Sensitive values: which arguments are secrets, and the one place they are taken out of
every text a run gives out.

A parameter is sensitive when its tool says so (``Annotated[str, Sensitive]``, JSON Schema
``writeOnly: true`` or ``format: "password"``) or the policy names it
(``Policy(sensitive={"login.password"})``). :class:`Secrets` gathers the values such
parameters receive, whether written in the plan or read from an earlier result, and
:meth:`Secrets.redact` replaces each occurrence of any of them in a text by
:data:`MARK`: in tool errors, gateway refusals, reports, drawings and explanations.

>>> from neurosym.tools.tool import Param, Tool
>>> login = Tool("login", params=(Param("user", "string"),
...                               Param("password", "string", sensitive=True)))
>>> secrets = Secrets()
>>> secrets.add_call(login, {"user": "bob", "password": "hunter2hunter2"})
>>> secrets.redact("ValueError: bad password hunter2hunter2 for bob")
'ValueError: bad password [redacted] for bob'
>>> secrets.redact_args(login, {"user": "bob", "password": "hunter2hunter2"})
{'user': 'bob', 'password': '[redacted]'}
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .execute.policy import Policy
    from .plan.ast import Plan
    from .tools.tool import Param, Tool

__all__ = ["MARK", "Secrets", "sensitive_paths"]

#: What a redacted value reads as.
MARK = "[redacted]"
#: Secrets shorter than this are replaced only where they stand apart from letters and
#: digits, so a PIN such as ``42`` does not eat every 42 inside a longer number or word.
_SHORT = 4
#: A value cut short in a message (``render_resolved_call``, ``short_repr``) ends in an
#: ellipsis: the first ``_CUT`` characters of a secret or more before one are taken out.
_CUT = 6
_ELLIPSIS = re.compile(r"\.\.\.|\u2026")


def sensitive_paths(tool: Tool, policy: Policy | None = None) -> tuple[str, ...]:
    """The sensitive values of ``tool``'s calls, as paths into its arguments
    (``password``, ``auth.token``; an array's items share the array's path)."""
    return tuple(path for param in tool.params
                 for path in _sensitive_in(tool.name, param, param.name, policy))


def _sensitive_in(tool: str, param: Param, path: str, policy: Policy | None) -> Iterator[str]:
    # A module-level generator, not a nested recursive closure: the closure would be a
    # reference cycle left for the garbage collector after every plan.
    if param.sensitive or (policy is not None and policy.is_sensitive(tool, path)):
        yield path
        return
    for prop in param.properties:
        yield from _sensitive_in(tool, prop, f"{path}.{prop.name}", policy)
    if param.items is not None and param.type == "array":
        yield from _sensitive_in(tool, param.items, path, policy)


def _at(value: Any, parts: list[str]) -> Iterator[Any]:
    """The values at the path ``parts`` inside ``value`` (through lists: every item)."""
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _at(item, parts)
    elif not parts:
        yield value
    elif isinstance(value, Mapping) and parts[0] in value:
        yield from _at(value[parts[0]], parts[1:])


def _texts(value: Any) -> Iterator[str]:
    """The ways a value may be written in a message: as is, JSON-escaped, repr-escaped."""
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _texts(item)
        return
    if isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from _texts(item)
        return
    text = value if isinstance(value, str) else str(value)
    if not text.strip():
        return
    yield text
    if isinstance(value, str):
        yield json.dumps(value, ensure_ascii=False)[1:-1]
        yield json.dumps(value)[1:-1]
        yield repr(value)[1:-1]


class Secrets:
    """The sensitive values one run (or one plan) has met, and their redaction.

    Safe to share between threads: the executor adds values as calls resolve, from the
    threads of parallel steps.
    """

    def __init__(self, values: Iterable[Any] = ()) -> None:
        self._texts: set[str] = set()
        self._lock = threading.Lock()
        self._pattern: re.Pattern[str] | None = None
        for value in values:
            self.add(value)

    def __bool__(self) -> bool:
        with self._lock:
            return bool(self._texts)

    def __repr__(self) -> str:
        # The values themselves are never shown, not even here.
        with self._lock:
            return f"Secrets({len(self._texts)} values)"

    def add(self, value: Any) -> None:
        """Keep ``value`` (a string, a number, or a list or dict of them) secret."""
        new = set(_texts(value))
        with self._lock:
            if not new <= self._texts:
                self._texts |= new
                self._pattern = None

    def update(self, other: Secrets) -> None:
        """Keep secret everything ``other`` keeps secret."""
        with other._lock:
            texts = set(other._texts)
        with self._lock:
            if not texts <= self._texts:
                self._texts |= texts
                self._pattern = None

    def add_call(self, tool: Tool, args: Mapping[str, Any], policy: Policy | None = None
                 ) -> None:
        """Keep secret the values of ``tool``'s sensitive parameters in ``args``."""
        for path in sensitive_paths(tool, policy):
            name, *rest = path.split(".")
            if name in args:
                for value in _at(args[name], rest):
                    self.add(value)

    def add_plan(self, plan: Plan, tools: Mapping[str, Tool] | Iterable[Tool],
                 policy: Policy | None = None) -> None:
        """Keep secret the literal values the plan gives sensitive parameters (a value
        read from a result is only known at run time: the executor adds it then)."""
        from .plan.ast import Call, to_python, walk_values

        index = tools if isinstance(tools, Mapping) else {t.name: t for t in tools}
        for step in plan.steps:
            for value in walk_values(step.call):
                if not isinstance(value, Call) or value.tool not in index:
                    continue
                plain = {}
                for name, arg in value.args:
                    try:
                        plain[name] = to_python(arg)
                    except TypeError:  # a reference or a call: no value before the run
                        continue
                self.add_call(index[value.tool], plain, policy)

    def pattern(self) -> re.Pattern[str] | None:
        with self._lock:
            if self._pattern is None and self._texts:
                parts = []
                for text in sorted(self._texts, key=lambda t: (-len(t), t)):
                    part = re.escape(text)
                    if len(text) < _SHORT:
                        part = rf"(?<![A-Za-z0-9]){part}(?![A-Za-z0-9])"
                    parts.append(part)
                self._pattern = re.compile("|".join(parts))
            return self._pattern

    def redact(self, text: str) -> str:
        """``text`` with every occurrence of a secret replaced by :data:`MARK`, and the
        start of one cut short by an ellipsis (``sk-LIVE-abc...``) as well."""
        pattern = self.pattern()
        if pattern is None or not isinstance(text, str):
            return text
        text = pattern.sub(MARK, text)
        if "..." not in text and "\u2026" not in text:
            return text
        with self._lock:
            secrets = sorted((t for t in self._texts if len(t) > _CUT), key=len, reverse=True)
        pieces, kept = [], 0
        for match in _ELLIPSIS.finditer(text):
            cut = _cut_secret(text, kept, match.start(), secrets)
            if cut is not None:
                pieces.append(text[kept:cut] + MARK)
                kept = match.end()
        return "".join(pieces) + text[kept:]

    def redact_value(self, value: Any) -> Any:
        """``value`` with every string redacted, and every number that is a secret
        replaced by :data:`MARK` (lists and dicts rebuilt, keys redacted too)."""
        if not self:
            return value
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, (int, float)):
            return MARK if self.redact(str(value)) != str(value) else value
        if isinstance(value, Mapping):
            return {self.redact(k) if isinstance(k, str) else k: self.redact_value(v)
                    for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.redact_value(v) for v in value)
        return value

    def redact_record(self, record: Any) -> Any:
        """A copy of ``record`` (a dataclass: a trace event, a search outcome, a
        candidate) with its texts and values redacted, field by field, nested records
        and tuples of them included; anything else is kept as it is."""
        if not self:
            return record
        if isinstance(record, str) or isinstance(record, Mapping):
            return self.redact_value(record)
        if isinstance(record, (list, tuple)):
            return type(record)(self.redact_record(item) for item in record)
        if dataclasses.is_dataclass(record) and not isinstance(record, type):
            changes = {}
            for f in dataclasses.fields(record):
                if not f.init:
                    continue
                value = getattr(record, f.name)
                redacted = self.redact_record(value)
                if redacted is not value:
                    changes[f.name] = redacted
            return dataclasses.replace(record, **changes) if changes else record
        return record

    def redact_error(self, error: BaseException) -> BaseException:
        """A copy of ``error`` whose message and hint are redacted (the error itself
        when it quotes no secret): what a result carries, never the original text."""
        message = getattr(error, "message", None)
        hint = getattr(error, "hint", None)
        text = str(error)
        if self.redact(text) == text:
            return error
        clone = copy.copy(error)
        if isinstance(message, str):
            clone.message = self.redact(message)  # type: ignore[attr-defined]
        if isinstance(hint, str):
            clone.hint = self.redact(hint)  # type: ignore[attr-defined]
        clone.args = tuple(self.redact(a) if isinstance(a, str) else a for a in error.args)
        clone.__cause__ = None
        clone.__context__ = None
        clone.__traceback__ = None
        for name, value in list(vars(clone).items()):
            if isinstance(value, str) and name not in ("message", "hint"):
                setattr(clone, name, self.redact(value))
            elif isinstance(value, (list, tuple)) and name not in ("args",):
                setattr(clone, name, self.redact_record(value))
        return clone

    def redact_args(self, tool: Tool, args: Mapping[str, Any],
                    policy: Policy | None = None) -> dict[str, Any]:
        """The arguments with each sensitive value replaced by :data:`MARK` whole, and
        secrets in the other values redacted."""
        out = {name: self.redact_value(value) for name, value in args.items()}
        for path in sensitive_paths(tool, policy):
            name, *rest = path.split(".")
            if name in out:
                out[name] = _masked(out[name], rest)
        return out


def _cut_secret(text: str, start: int, end: int, secrets: list[str]) -> int | None:
    """Where a secret cut short before ``end`` begins in ``text`` (not before ``start``),
    or None when what precedes ``end`` is no secret's beginning."""
    for secret in secrets:
        for size in range(min(len(secret) - 1, end - start), _CUT - 1, -1):
            if text.startswith(secret[:size], end - size):
                return end - size
    return None


def _masked(value: Any, parts: list[str]) -> Any:
    if isinstance(value, (list, tuple)):
        return type(value)(_masked(item, parts) for item in value)
    if not parts:
        return None if value is None else MARK
    if isinstance(value, Mapping) and parts[0] in value:
        return {**value, parts[0]: _masked(value[parts[0]], parts[1:])}
    return value
