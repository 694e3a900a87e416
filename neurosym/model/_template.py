"""A Jinja sandbox with a budget: a model file's chat template renders in bounded time and memory.

Jinja's sandbox keeps a template away from Python's internals, but not from work: a
GGUF's template may loop ``range(100000)`` inside another such loop, or build
``m.content * 10000000``. Here every loop item, call, filter and operator draws on one
budget per render, no value grows beyond :data:`MAX_VALUE` characters or items, and the
output stops at :data:`MAX_OUTPUT` characters; past any of them the render ends with
:class:`TemplateBudgetError`.

>>> env = BoundedEnvironment()
>>> env.render(env.from_string("{% for i in range(3) %}{{ i }}{% endfor %}"), {})
'012'
>>> env.render(env.from_string("{{ 'ab' * 10000000 }}"), {})
Traceback (most recent call last):
...
neurosym.model._template.TemplateBudgetError: the chat template builds a value of 20000000 characters or items (at most 1000000)
hint: use a model whose chat template renders the messages plainly
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..errors import ModelFormatError

__all__ = ["MAX_OUTPUT", "MAX_VALUE", "MAX_WORK", "BoundedEnvironment", "TemplateBudgetError"]

#: Most characters a rendered prompt may have (a million: far beyond any context).
MAX_OUTPUT = 1_000_000
#: Most characters (or items) any value the template builds may have.
MAX_VALUE = 1_000_000
#: Work one render may spend: a unit for each loop item, filter and operator, four for a
#: call, and one for each 64 characters of the values they build.
MAX_WORK = 250_000
_MAX_INT_BITS = 100_000
# A field width in a format string at or above MAX_VALUE (seven or more digits).
_WIDE_FORMAT = re.compile(r"\d{7,}")
_STEPS = "_neurosym_steps"
_SIZED = "_neurosym_sized"


class TemplateBudgetError(ModelFormatError):
    """A chat template spent more work, or built more text, than one render may."""


class _Budget(threading.local):
    left: int | None = None


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """An immutable sandbox whose templates render under a work and size budget."""

    intercepted_binops = frozenset({"*", "**", "+", "%", "//"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._budget = _Budget()
        self.globals.pop("lipsum", None)
        self.globals["range"] = self._range
        for name, func in list(self.filters.items()):
            self.filters[name] = self._bounded_filter(name, func)
        self.filters[_STEPS] = self._steps
        self.filters[_SIZED] = self._sized

    # -- rendering ---------------------------------------------------------------------

    def render(self, template: Any, context: Mapping[str, Any]) -> str:
        """The template's text for ``context``, within the budget."""
        self._budget.left = MAX_WORK
        try:
            parts: list[str] = []
            size = 0
            for part in template.generate(**context):
                size += len(part)
                if size > MAX_OUTPUT:
                    raise TemplateBudgetError(
                        f"the chat template writes more than {MAX_OUTPUT} characters",
                        hint="use a model whose chat template renders the messages plainly")
                self.charge(1 + len(part) // 64)
                parts.append(part)
            return "".join(parts)
        finally:
            self._budget.left = None

    def charge(self, units: int) -> None:
        left = self._budget.left
        if left is None:
            return
        left -= units
        self._budget.left = left
        if left < 0:
            raise TemplateBudgetError(
                f"the chat template does more than {MAX_WORK} steps of work for one prompt",
                hint="use a model whose chat template has no runaway loops")

    def check_size(self, value: Any) -> Any:
        if isinstance(value, str | bytes | list | tuple | dict):
            if len(value) > MAX_VALUE:
                raise _too_big(len(value))
            self.charge(len(value) // 64)
        elif isinstance(value, int) and not isinstance(value, bool) \
                and value.bit_length() > _MAX_INT_BITS:
            raise TemplateBudgetError(f"the chat template builds an integer of more than "
                                      f"{_MAX_INT_BITS} bits")
        return value

    # -- parsing: every loop counts its items, every ~ checks its size -----------------

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, _STEPS, [], [], None, None,
                                     lineno=loop.lineno)
        for concat in list(tree.find_all(nodes.Concat)):
            _replace(tree, concat, nodes.Filter(concat, _SIZED, [], [], None, None,
                                                lineno=concat.lineno))
        return tree

    def _steps(self, items: Any) -> Iterator[Any]:
        for item in items:
            self.charge(1)
            yield item

    def _sized(self, value: Any) -> Any:
        return self.check_size(value)

    def _range(self, *args: int) -> range:
        span = range(*args)
        if len(span) > MAX_VALUE:
            raise _too_big(len(span))
        return span

    # -- calls, filters and operators ----------------------------------------------------

    def call(__self, __context: Any, __obj: Any, *args: Any,  # noqa: N805
             **kwargs: Any) -> Any:
        __self.charge(4)
        args = _precheck_method(__obj, args)
        return __self.check_size(super().call(__context, __obj, *args, **kwargs))

    def call_binop(self, context: Any, op: str, left: Any, right: Any) -> Any:
        self.charge(1)
        _precheck_binop(op, left, right)
        return self.check_size(super().call_binop(context, op, left, right))

    def _bounded_filter(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def bounded(*args: Any, **kwargs: Any) -> Any:
            self.charge(1)
            _precheck_filter(name, args, kwargs)
            return self.check_size(func(*args, **kwargs))
        # Jinja passes the environment or context to filters marked for it.
        if hasattr(func, "jinja_pass_arg"):
            bounded.jinja_pass_arg = func.jinja_pass_arg  # type: ignore[attr-defined]
        bounded.__name__ = getattr(func, "__name__", name)
        return bounded


def _too_big(size: int) -> TemplateBudgetError:
    return TemplateBudgetError(f"the chat template builds a value of {size} characters or "
                               f"items (at most {MAX_VALUE})",
                               hint="use a model whose chat template renders the messages "
                                    "plainly")


def _replace(tree: nodes.Node, old: nodes.Node, new: nodes.Node) -> None:
    """Put ``new`` where ``old`` is among its parent's fields."""
    for parent in tree.find_all(nodes.Node):
        for field in parent.fields:
            value = getattr(parent, field, None)
            if value is old:
                setattr(parent, field, new)
                return
            if isinstance(value, list):
                for index, item in enumerate(value):
                    if item is old:
                        value[index] = new
                        return
    if tree is old:  # pragma: no cover - a template is never a bare expression
        raise ValueError("cannot replace the root")


def _length(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple | dict) else 0


def _check_width(width: Any) -> None:
    if isinstance(width, int) and width > MAX_VALUE:
        raise _too_big(width)


def _check_format(fmt: Any) -> None:
    if isinstance(fmt, str) and _WIDE_FORMAT.search(fmt):
        raise TemplateBudgetError("the chat template formats a field wider than "
                                  f"{MAX_VALUE} characters")


def _check_replace(text: Any, old: Any, new: Any) -> None:
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        hits = text.count(old) if old else len(text) + 1
        size = len(text) + hits * (len(new) - len(old))
        if size > MAX_VALUE:
            raise _too_big(size)


def _materialise(items: Any) -> Any:
    if isinstance(items, str | list | tuple | dict):
        return items
    out = []
    for item in items:
        out.append(item)
        if len(out) > MAX_VALUE:
            raise _too_big(len(out))
    return out


def _check_join(items: Iterable[Any], separator: Any) -> None:
    size = sum(_length(item) for item in items) + _length(separator) * max(
        _length(items) - 1, 0)
    if size > MAX_VALUE:
        raise _too_big(size)


def _precheck_method(obj: Any, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """Refuse a ``str`` method call whose result would be too big, before it runs."""
    owner = getattr(obj, "__self__", None)
    if not isinstance(owner, str) or not args:
        return args
    name = getattr(obj, "__name__", "")
    if name in ("ljust", "rjust", "center", "zfill"):
        _check_width(args[0])
    elif name == "expandtabs":
        if isinstance(args[0], int):
            size = len(owner) + owner.count("\t") * args[0]
            if size > MAX_VALUE:
                raise _too_big(size)
    elif name == "replace" and len(args) >= 2:
        _check_replace(owner, args[0], args[1])
    elif name == "join":
        items = _materialise(args[0])
        _check_join(items, owner)
        return (items, *args[1:])
    elif name in ("format", "format_map"):
        _check_format(owner)
    return args


def _precheck_binop(op: str, left: Any, right: Any) -> None:
    sized = (str, bytes, list, tuple)
    if op == "*":
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, sized) and isinstance(times, int):
                size = len(seq) * max(times, 0)
                if size > MAX_VALUE:
                    raise _too_big(size)
        if isinstance(left, int) and isinstance(right, int) \
                and left.bit_length() + right.bit_length() > _MAX_INT_BITS:
            raise TemplateBudgetError("the chat template multiplies integers too large")
    elif op == "**" and isinstance(left, int | float) and isinstance(right, int | float):
        if abs(left) > 1 and right > 0:
            bits = max(abs(int(left)), 2).bit_length() * right
            if bits > _MAX_INT_BITS:
                raise TemplateBudgetError("the chat template raises a number to a power too "
                                          "large to compute")
    elif op == "%":
        _check_format(left)


def _precheck_filter(name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    # Filters taking the environment or context get it first; look past it.
    values = [a for a in args if not _is_jinja_internal(a)]
    if name in ("center", "indent"):
        width = kwargs.get("width", values[1] if len(values) > 1 else None)
        if isinstance(width, int):
            lines = values[0].count("\n") + 1 if values and isinstance(values[0], str) else 1
            size = width * lines + _length(values[0] if values else "")
            if size > MAX_VALUE:
                raise _too_big(size)
    elif name == "replace" and len(values) >= 3:
        _check_replace(values[0], values[1], values[2])
    elif name == "format" and values:
        _check_format(values[0])
    elif name == "join" and values and isinstance(values[0], list | tuple | str):
        separator = kwargs.get("d", values[1] if len(values) > 1 else "")
        _check_join(values[0], separator)
    elif name == "wordwrap":
        width = kwargs.get("width", values[1] if len(values) > 1 else None)
        _check_width(width)


def _is_jinja_internal(value: Any) -> bool:
    from jinja2.environment import Environment
    from jinja2.nodes import EvalContext
    from jinja2.runtime import Context
    return isinstance(value, Environment | EvalContext | Context)

