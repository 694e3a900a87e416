"""Tools from Python callables: ``@tool`` reads the signature through pydantic.

Annotations, ``Annotated[..., Range(...)]`` and pydantic ``Field(...)`` become the
same JSON Schema pydantic would validate a call with, and that schema becomes the
tool's params, so a signature is never parsed by hand.

>>> from typing import Annotated
>>> from neurosym.tools import Range
>>> @tool
... def book_hotel(city: str, nights: Annotated[int, Range(1, 14)], price: float = 100.0) -> str:
...     '''Book a hotel room.
...
...     Args:
...         city: Where to stay.
...     '''
...     return f"{city} x{nights}"
>>> book_hotel.name, book_hotel.description
('book_hotel', 'Book a hotel room.')
>>> [(p.name, p.type, p.required) for p in book_hotel.params]
[('city', 'string', True), ('nights', 'integer', True), ('price', 'number', False)]
>>> book_hotel.param("nights").maximum, book_hotel.param("city").description
(14, 'Where to stay.')
>>> book_hotel("Paris", nights=2)
'Paris x2'
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable
from typing import Annotated, Any, overload

from ..errors import NeurosymError, ToolDefinitionError
from ._docstring import parse_docstring
from ._names import check_tool, check_tool_name
from ._schema import read_param, read_parameters
from .tool import Effect, Param, Tool

__all__ = ["tool", "tool_from_function"]


@overload
def tool(func: Callable[..., Any], /) -> Tool: ...


@overload
def tool(*, name: str | None = None, description: str | None = None, effect: Effect = "read",
         requires_approval: bool = False,
         idempotency_param: str | None = None) -> Callable[[Callable[..., Any]], Tool]: ...


def tool(func: Callable[..., Any] | None = None, /, *, name: str | None = None,
         description: str | None = None, effect: Effect = "read",
         requires_approval: bool = False,
         idempotency_param: str | None = None) -> Tool | Callable[[Callable[..., Any]], Tool]:
    """Make a :class:`Tool` of a function, bare (``@tool``) or with options.

    ``effect="write"`` marks a tool that changes state; ``requires_approval`` asks the
    executor for consent first; ``idempotency_param`` names the parameter that makes a
    retry safe. The Tool is callable: calling it calls the function.
    """
    def make(target: Callable[..., Any]) -> Tool:
        return tool_from_function(target, name=name, description=description, effect=effect,
                                  requires_approval=requires_approval,
                                  idempotency_param=idempotency_param)

    return make if func is None else make(func)


def tool_from_function(func: Callable[..., Any], *, name: str | None = None,
                       description: str | None = None, effect: Effect = "read",
                       requires_approval: bool = False,
                       idempotency_param: str | None = None) -> Tool:
    """The :class:`Tool` for ``func``: params from its signature, text from its docstring."""
    if isinstance(func, Tool):
        changes: dict[str, Any] = {k: v for k, v in (("name", name), ("description", description))
                                   if v is not None}
        if effect != "read" or requires_approval or idempotency_param is not None:
            changes.update(effect=effect, requires_approval=requires_approval,
                           idempotency_param=idempotency_param)
        return check_tool(func.with_(**changes)) if changes else func
    if not callable(func):
        raise ToolDefinitionError(f"expected a function, got {type(func).__name__}",
                                  hint="decorate a function (def ...) with @ns.tool")
    tool_name = name if name is not None else _function_name(func)
    check_tool_name(tool_name)
    doc = parse_docstring(inspect.getdoc(_unwrap_partial(func)))
    signature = _signature(func, tool_name)
    params = _read_params(signature, tool_name)
    params = tuple(p if p.description or p.name not in doc.params
                   else p.with_(description=doc.params[p.name]) for p in params)
    returns = _read_returns(signature, tool_name)
    if returns is not None and doc.returns and not returns.description:
        returns = returns.with_(description=doc.returns)
    return check_tool(Tool(
        name=tool_name,
        description=(description if description is not None else doc.summary).strip(),
        params=params, returns=returns, effect=effect, requires_approval=requires_approval,
        idempotency_param=idempotency_param, func=func))


def _unwrap_partial(func: Callable[..., Any]) -> Callable[..., Any]:
    while isinstance(func, functools.partial):
        func = func.func
    return func


def _function_name(func: Callable[..., Any]) -> str:
    target = _unwrap_partial(func)
    found = getattr(target, "__name__", None)
    if found is None:
        found = type(target).__name__
    if found == "<lambda>":
        raise ToolDefinitionError("a lambda has no name to call it by",
                                  hint='give one: ns.tool(name="my_tool")(lambda ...)')
    return found


def _signature(func: Callable[..., Any], tool_name: str) -> inspect.Signature:
    try:
        signature = inspect.signature(func, eval_str=True)
    except (ValueError, TypeError) as err:
        raise ToolDefinitionError(f"its signature cannot be read: {err}", tool=tool_name,
                                  hint="wrap it in a def with named, annotated parameters"
                                  ) from None
    except Exception as err:  # evaluating a string annotation may raise anything
        raise ToolDefinitionError(f"an annotation cannot be resolved: {err}", tool=tool_name,
                                  hint="import every type the signature names at module "
                                       "level") from None
    parameters = list(signature.parameters.values())
    qualname = getattr(func, "__qualname__", "")
    if (parameters and parameters[0].name in ("self", "cls") and inspect.isfunction(func)
            and "." in qualname and qualname.split(".")[-2] != "<locals>"):
        raise ToolDefinitionError(
            f"{qualname} is a method seen through its class", tool=tool_name,
            hint="make a tool of the bound method instead: ns.tool(instance.method)")
    for param in parameters:
        path = f"parameter {param.name!r}"
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            raise ToolDefinitionError(
                f"*{param.name} cannot be given in a plan (every argument is named)",
                tool=tool_name, path=path,
                hint=f"list the parameters, or take one list parameter: {param.name}: list[...]")
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            raise ToolDefinitionError(
                f"**{param.name} leaves the parameters unknown", tool=tool_name, path=path,
                hint="list the parameters, or take one dict parameter: "
                     f"{param.name}: dict[str, ...]")
        if param.kind is inspect.Parameter.POSITIONAL_ONLY:
            raise ToolDefinitionError(
                f"{param.name!r} is positional-only, but plans pass arguments by name",
                tool=tool_name, path=path,
                hint="remove the '/' from the signature, or wrap the function in a def")
    return signature


def _read_params(signature: inspect.Signature, tool_name: str) -> tuple[Param, ...]:
    """The params, through the JSON Schema pydantic gives the function's arguments."""
    import pydantic
    from pydantic.json_schema import PydanticJsonSchemaWarning

    fields: dict[str, Any] = {}
    for index, param in enumerate(signature.parameters.values()):
        annotation = Any if param.annotation is inspect.Parameter.empty else param.annotation
        default = ... if param.default is inspect.Parameter.empty else param.default
        # Positional field names with aliases: any parameter name works, even ones
        # a pydantic model reserves (schema, model_config, _private).
        fields[f"p{index}"] = (Annotated[annotation, pydantic.Field(alias=param.name)], default)
    try:
        with warnings.catch_warnings():
            # A default that is not JSON (an object) is left out of the schema: fine here.
            warnings.simplefilter("ignore", PydanticJsonSchemaWarning)
            model = pydantic.create_model(f"{tool_name.replace('.', '_')}_arguments", **fields)
            schema = model.model_json_schema(by_alias=True)
    except NeurosymError:
        raise
    except Exception as err:
        culprit = _failing_parameter(signature)
        raise ToolDefinitionError(
            f"pydantic cannot describe {'its arguments' if culprit is None else culprit}: "
            f"{_first_line(err)}", tool=tool_name,
            path=None if culprit is None else f"parameter {culprit!r}",
            hint="annotate with JSON-like types: str, int, float, bool, date, Literal, Enum, "
                 "list[...], dict[str, ...], a dataclass or a pydantic model") from None
    return read_parameters(schema, tool=tool_name)


def _failing_parameter(signature: inspect.Signature) -> str | None:
    import pydantic

    for param in signature.parameters.values():
        if param.annotation is inspect.Parameter.empty:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pydantic.TypeAdapter(param.annotation).json_schema()
        except Exception:
            return param.name
    return None


def _read_returns(signature: inspect.Signature, tool_name: str) -> Param | None:
    """The return annotation as a Param named "result"; "any" when it has no JSON shape."""
    annotation = signature.return_annotation
    if annotation is inspect.Signature.empty:
        return None
    import pydantic

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            schema = pydantic.TypeAdapter(annotation).json_schema(mode="serialization")
        return read_param(schema, name="result", tool=tool_name, path="returns")
    except Exception:
        # A return type only informs type checks between steps; unknown is still usable.
        return Param(name="result", type="any")


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
