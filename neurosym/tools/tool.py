"""Tool and Param: what a tool accepts, in a form the grammar, the solver and the prompt share."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ..errors import ExecutionError

__all__ = ["ParamType", "Effect", "Param", "Tool", "PARAM_TYPES"]

ParamType = Literal["string", "integer", "number", "boolean", "array", "object", "enum",
                    "date", "any"]
PARAM_TYPES: tuple[str, ...] = ("string", "integer", "number", "boolean", "array", "object",
                                "enum", "date", "any")
Effect = Literal["read", "write"]


@dataclass(frozen=True)
class Param:
    """One parameter (or an array item, an object property, a return value).

    Constraints are the JSON Schema keywords neurosym understands; ``None`` means unset.
    ``enum`` holds the allowed values whatever the base type (``type="enum"`` when the
    values are all that is known). ``items`` is an array's element, or, on an object,
    the value of every key beyond ``properties`` (``dict[str, int]``).
    ``produced_by`` names the tool whose result alone can supply the value.
    ``sensitive`` marks a secret (a password, a key): its value is redacted from every
    record and text a run gives out (:mod:`neurosym.redact`).
    """

    name: str
    type: ParamType = "any"
    description: str = ""
    required: bool = True
    default: Any = None
    nullable: bool = False
    enum: tuple[Any, ...] | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    exclusive_minimum: int | float | None = None
    exclusive_maximum: int | float | None = None
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_items: int | None = None
    max_items: int | None = None
    format: str | None = None
    items: Param | None = None
    properties: tuple[Param, ...] = ()
    additional_properties: bool = True
    #: The tool whose result alone can supply this value (``"search_flights:id"``),
    #: from ``ProducedBy`` or JSON Schema's ``x-produced-by``; see :mod:`.dataflow`.
    produced_by: str | None = None
    #: A secret: from ``Annotated[str, Sensitive]``, JSON Schema ``writeOnly: true`` or
    #: ``format: "password"``.
    sensitive: bool = False

    def with_(self, **changes: Any) -> Param:
        """A copy with some fields changed."""
        return replace(self, **changes)

    @property
    def has_constraints(self) -> bool:
        return any(v is not None for v in (
            self.enum, self.minimum, self.maximum, self.exclusive_minimum,
            self.exclusive_maximum, self.pattern, self.min_length, self.max_length,
            self.min_items, self.max_items, self.format))

    def property(self, name: str) -> Param | None:
        for prop in self.properties:
            if prop.name == name:
                return prop
        return None


@dataclass(frozen=True)
class Tool:
    """A callable the planner may use: its name, its doc, its parameters, what it returns.

    ``effect="write"`` marks tools that change state: the executor runs them in plan
    order, never in parallel. ``func`` is the Python callable when there is one.
    """

    name: str
    description: str = ""
    params: tuple[Param, ...] = ()
    returns: Param | None = None
    effect: Effect = "read"
    requires_approval: bool = False
    idempotency_param: str | None = None
    func: Callable[..., Any] | None = field(default=None, compare=False, repr=False)
    #: The parameters' JSON Schema as the tool's source wrote it (OpenAI, MCP, JSON
    #: Schema), for the executor's last check of the real arguments; None for others.
    schema: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the Python function behind the tool, as if the tool were that function."""
        if self.func is None:
            raise ExecutionError(f"tool {self.name!r} has no Python function to call",
                                 hint="attach one with tool.bind(function)")
        return self.func(*args, **kwargs)

    @property
    def __wrapped__(self) -> Callable[..., Any]:
        # Lets inspect.signature() and help() see the function's own signature.
        if self.func is None:
            raise AttributeError("__wrapped__")
        return self.func

    def bind(self, func: Callable[..., Any]) -> Tool:
        """The same tool, carried out by ``func`` (e.g. for a tool read from OpenAI JSON)."""
        return replace(self, func=func)

    def with_(self, **changes: Any) -> Tool:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def param(self, name: str) -> Param | None:
        for p in self.params:
            if p.name == name:
                return p
        return None

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    @property
    def required_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.required)

    @property
    def optional_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if not p.required)

    def given_args(self, args: Mapping[str, Any]) -> dict[str, Any]:
        """``args`` without the optional parameters left unset.

        In a plan, ``None`` for an optional parameter that cannot hold ``None`` means
        "not given": the call goes out without it, so the tool's own default applies.

        >>> t = Tool("area", params=(Param("r", "number"),
        ...                          Param("unit", "string", required=False, default="cm")))
        >>> t.given_args({"r": 2, "unit": None})
        {'r': 2}
        """
        out = {}
        for name, value in args.items():
            param = self.param(name)
            if (value is None and param is not None and not param.required
                    and not param.nullable
                    and not (param.enum is not None and None in param.enum)):
                continue
            out[name] = value
        return out
