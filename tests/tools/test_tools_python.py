"""Tools from Python callables: the signature read through pydantic, the docstring, errors."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import functools
import inspect
from typing import Annotated, Any, Literal, Optional

import pytest
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

import neurosym as ns
from neurosym.errors import ExecutionError, ToolDefinitionError
from neurosym.tools import Param, Tool, tool_from_function


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Size(enum.IntEnum):
    S = 1
    M = 2


@dataclasses.dataclass
class Booking:
    id: str
    price: float
    nights: int = 1


class Receipt(BaseModel):
    total: float = Field(ge=0)
    lines: list[str]


class Point(TypedDict):
    x: int
    y: int


class Tree(BaseModel):
    label: str
    children: list[Tree] = []


class Opaque:
    """A class pydantic has no schema for."""


def _single(annotation: Any, default: Any = inspect.Parameter.empty) -> Tool:
    """A tool with one parameter ``x`` of the given annotation and default."""
    def probe(**kwargs: Any) -> Any:
        return kwargs
    probe.__signature__ = inspect.Signature([inspect.Parameter(  # type: ignore[attr-defined]
        "x", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=annotation, default=default)])
    return tool_from_function(probe)


EMPTY = inspect.Parameter.empty
PARAMS: list[tuple[str, Any, Any, dict[str, Any]]] = [
    ("str", str, EMPTY, {"type": "string", "required": True}),
    ("int", int, EMPTY, {"type": "integer"}),
    ("float", float, EMPTY, {"type": "number"}),
    ("bool", bool, EMPTY, {"type": "boolean"}),
    ("missing annotation is any", EMPTY, EMPTY, {"type": "any", "required": True}),
    ("Any", Any, EMPTY, {"type": "any"}),
    ("default makes optional", int, 3, {"type": "integer", "required": False, "default": 3}),
    ("Range", Annotated[int, ns.Range(1, 14)], EMPTY, {"minimum": 1, "maximum": 14}),
    ("Range exclusive", Annotated[float, ns.Range(gt=0, lt=1)], EMPTY,
     {"exclusive_minimum": 0, "exclusive_maximum": 1, "minimum": None}),
    ("Range one side", Annotated[int, ns.Range(le=9)], EMPTY, {"minimum": None, "maximum": 9}),
    ("Pattern", Annotated[str, ns.Pattern(r"^[A-Z]{3}$")], EMPTY, {"pattern": "^[A-Z]{3}$"}),
    ("Length on str", Annotated[str, ns.Length(1, 20)], EMPTY,
     {"min_length": 1, "max_length": 20}),
    ("Length on list", Annotated[list[int], ns.Length(max=3)], EMPTY,
     {"type": "array", "max_items": 3, "items": Param("item", "integer")}),
    ("Field bounds", int, Field(ge=0, le=5, description="How many."), {
        "minimum": 0, "maximum": 5, "description": "How many.", "required": True}),
    ("Field default", float, Field(1.5, gt=0), {"default": 1.5, "required": False,
                                               "exclusive_minimum": 0}),
    ("Field pattern in Annotated", Annotated[str, Field(pattern="^a")], EMPTY,
     {"pattern": "^a"}),
    ("Literal", Literal["fast", "cheap"], EMPTY, {"type": "string", "enum": ("fast", "cheap")}),
    ("Literal ints", Literal[1, 2, 3], EMPTY, {"type": "integer", "enum": (1, 2, 3)}),
    ("Enum", Color, Color.RED, {"type": "string", "enum": ("red", "blue"), "default": "red"}),
    ("IntEnum", Size, EMPTY, {"type": "integer", "enum": (1, 2)}),
    ("list[int]", list[int], EMPTY, {"type": "array", "items": Param("item", "integer")}),
    ("dict[str, int]", dict[str, int], EMPTY,
     {"type": "object", "items": Param("item", "integer"), "properties": ()}),
    ("date", datetime.date, EMPTY, {"type": "date", "format": None}),
    ("datetime", datetime.datetime, EMPTY, {"type": "string", "format": "date-time"}),
    ("Optional", Optional[int], None, {"type": "integer", "nullable": True, "required": False}),
    ("X | None", datetime.date | None, None, {"type": "date", "nullable": True}),
    ("dataclass argument", Booking, EMPTY, {"type": "object"}),
    ("tuple of floats", tuple[float, float], EMPTY,
     {"type": "array", "min_items": 2, "max_items": 2, "items": Param("item", "number")}),
]


@pytest.mark.parametrize("annotation,default,expected", [(a, d, e) for _, a, d, e in PARAMS],
                         ids=[name for name, *_ in PARAMS])
def test_parameter_from_annotation(annotation: Any, default: Any,
                                   expected: dict[str, Any]) -> None:
    [param] = _single(annotation, default).params
    assert param.name == "x"
    for field, value in expected.items():
        assert getattr(param, field) == value, field


def test_dataclass_argument_has_its_fields() -> None:
    [param] = _single(Booking).params
    assert [(p.name, p.type, p.required) for p in param.properties] == [
        ("id", "string", True), ("price", "number", True), ("nights", "integer", False)]


RETURNS: list[tuple[str, Any, dict[str, Any] | None]] = [
    ("dataclass", Booking, {"type": "object", "names": ["id", "price", "nights"]}),
    ("pydantic model", Receipt, {"type": "object", "names": ["total", "lines"]}),
    ("TypedDict", Point, {"type": "object", "names": ["x", "y"]}),
    ("list of dataclass", list[Booking], {"type": "array", "item": "object"}),
    ("list[int]", list[int], {"type": "array", "item": "integer"}),
    ("float", float, {"type": "number"}),
    ("None", None, {"type": "enum", "nullable": True}),
    ("recursive model is any", Tree, {"type": "any"}),
    ("opaque class is any", Opaque, {"type": "any"}),
    ("no annotation", EMPTY, None),
]


@pytest.mark.parametrize("annotation,expected", [(a, e) for _, a, e in RETURNS],
                         ids=[name for name, *_ in RETURNS])
def test_returns_from_annotation(annotation: Any, expected: dict[str, Any] | None) -> None:
    def probe() -> Any:
        return None
    probe.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [], return_annotation=annotation)
    returns = tool_from_function(probe).returns
    if expected is None:
        assert returns is None
        return
    assert returns is not None and returns.name == "result"
    assert returns.type == expected["type"]
    if "names" in expected:
        assert [p.name for p in returns.properties] == expected["names"]
    if "item" in expected:
        assert returns.items is not None and returns.items.type == expected["item"]
    if "nullable" in expected:
        assert returns.nullable is expected["nullable"]


@ns.tool(effect="write", requires_approval=True, idempotency_param="request_id")
def book_hotel(city: str, nights: Annotated[int, ns.Range(1, 14)], price: float,
               request_id: str = "") -> Booking:
    """Book a hotel room.

    The room is held for a day.

    Args:
        city (str): Where to stay,
            in full.
        nights: How many nights.
        price: Price per night in euros.

    Returns:
        The booking made.
    """
    return Booking(id=f"{city}-{nights}", price=price * nights, nights=nights)


def test_decorator_with_options() -> None:
    assert isinstance(book_hotel, Tool)
    assert book_hotel.name == "book_hotel"
    assert book_hotel.description == "Book a hotel room."
    assert (book_hotel.effect, book_hotel.requires_approval, book_hotel.idempotency_param) == \
        ("write", True, "request_id")
    assert [p.description for p in book_hotel.params] == [
        "Where to stay, in full.", "How many nights.", "Price per night in euros.", ""]
    assert book_hotel.returns is not None
    assert book_hotel.returns.description == "The booking made."


def test_tool_calls_its_function() -> None:
    booking = book_hotel("Paris", nights=2, price=100.0)
    assert booking == Booking(id="Paris-2", price=200.0, nights=2)
    # inspect and help() see the function's own signature through the Tool.
    assert list(inspect.signature(book_hotel).parameters) == [
        "city", "nights", "price", "request_id"]


def test_bare_decorator_and_renaming() -> None:
    @ns.tool
    def area(width: float, height: float) -> float:
        """Area of a rectangle."""
        return width * height

    assert area(width=2, height=3) == 6
    renamed = ns.tool(name="geometry.area", description="Rectangle area.")(area.func)
    assert (renamed.name, renamed.description) == ("geometry.area", "Rectangle area.")
    assert ns.tool(area) is area


def test_numpy_and_rest_docstrings() -> None:
    def numpy_style(city: str, nights: int) -> None:
        """Find hotels.

        Parameters
        ----------
        city : str
            The city.
        nights : int
            How many
            nights.
        """

    def rest_style(city: str, nights: int) -> None:
        """Find hotels.

        :param city: The city.
        :param int nights: How many
            nights.
        :returns: nothing
        """

    for func in (numpy_style, rest_style):
        made = tool_from_function(func)
        assert made.description == "Find hotels."
        assert [p.description for p in made.params] == ["The city.", "How many nights."]


def test_field_description_wins_over_docstring() -> None:
    def f(x: int = Field(description="From Field.")) -> None:
        """Doc.

        Args:
            x: From docstring.
        """
    assert tool_from_function(f).params[0].description == "From Field."


def test_names_pydantic_reserves_are_fine() -> None:
    def f(schema: int, model_config: str, _private: bool = False) -> None:
        """Doc."""
    assert tool_from_function(f).param_names == ("schema", "model_config", "_private")


def test_bound_method_and_partial() -> None:
    class Counter:
        def add(self, amount: int) -> int:
            """Add to the counter."""
            return amount + 1

    made = tool_from_function(Counter().add)
    assert (made.name, made.param_names, made(amount=1)) == ("add", ("amount",), 2)

    def scale(value: float, factor: float) -> float:
        """Scale a value."""
        return value * factor

    partial = tool_from_function(functools.partial(scale, factor=2.0))
    assert partial.name == "scale" and partial(value=3.0) == 6.0
    assert partial.description == "Scale a value."
    assert partial.param("factor").default == 2.0 and not partial.param("factor").required


def test_tool_without_function_says_how_to_bind() -> None:
    bare = Tool(name="remote")
    with pytest.raises(ExecutionError, match="no Python function") as caught:
        bare()
    assert "bind" in (caught.value.hint or "")
    assert bare.bind(lambda: 42)() == 42


def _variadic(*items: int) -> None:
    """Doc."""


def _keywords(**options: str) -> None:
    """Doc."""


def _positional(x: int, /) -> None:
    """Doc."""


def _unresolvable(x: NotDefinedAnywhere) -> None:  # type: ignore[name-defined]  # noqa: F821
    """Doc."""


def _opaque(x: Opaque) -> None:
    """Doc."""


def _plain(x: int) -> None:
    """Doc."""


class _Holder:
    def method(self, x: int) -> None:
        """Doc."""


BAD: list[tuple[str, Any, dict[str, Any], str]] = [
    ("*args", _variadic, {}, "*items"),
    ("**kwargs", _keywords, {}, "**options"),
    ("positional-only", _positional, {}, "positional-only"),
    ("unresolvable annotation", _unresolvable, {}, "cannot be resolved"),
    ("type pydantic cannot describe", _opaque, {}, "pydantic cannot describe x"),
    ("lambda", lambda x: x, {}, "lambda"),
    ("reserved name", _plain, {"name": "answer"}, "reserved"),
    ("not an identifier", _plain, {"name": "my-tool"}, "not an identifier"),
    ("keyword part", _plain, {"name": "math.lambda"}, "not an identifier"),
    ("unknown idempotency param", _plain, {"idempotency_param": "key"}, "idempotency_param"),
    ("unknown effect", _plain, {"effect": "delete"}, "effect"),
    ("method through its class", _Holder.method, {}, "bound method"),
    ("not callable", 42, {}, "expected a function"),
]


@pytest.mark.parametrize("func,options,needle", [(f, o, n) for _, f, o, n in BAD],
                         ids=[name for name, *_ in BAD])
def test_bad_callables(func: Any, options: dict[str, Any], needle: str) -> None:
    with pytest.raises(ToolDefinitionError) as caught:
        tool_from_function(func, **options)
    assert needle in str(caught.value)
    assert caught.value.hint


def test_variadic_error_names_the_tool() -> None:
    with pytest.raises(ToolDefinitionError) as caught:
        ns.tool(_variadic)
    assert caught.value.tool == "_variadic"
    assert caught.value.path == "parameter 'items'"
    assert "list" in (caught.value.hint or "")


ANNOTATION_ERRORS: list[tuple[str, Any]] = [
    ("Range empty", lambda: ns.Range(5, 1)),
    ("Range no bound", lambda: ns.Range()),
    ("Range both sides", lambda: ns.Range(1, gt=0)),
    ("Range not a number", lambda: ns.Range("1", 2)),
    ("Pattern invalid", lambda: ns.Pattern("(")),
    ("Length negative", lambda: ns.Length(-1)),
    ("Length reversed", lambda: ns.Length(3, 1)),
    ("Length no bound", lambda: ns.Length()),
]


@pytest.mark.parametrize("make", [m for _, m in ANNOTATION_ERRORS],
                         ids=[name for name, _ in ANNOTATION_ERRORS])
def test_bad_annotations(make: Any) -> None:
    with pytest.raises(ToolDefinitionError) as caught:
        make()
    assert caught.value.hint


def test_annotations_validate_calls_through_pydantic() -> None:
    from pydantic import TypeAdapter, ValidationError

    nights = TypeAdapter(Annotated[int, ns.Range(1, 14)])
    code = TypeAdapter(Annotated[str, ns.Pattern("^[A-Z]{3}$"), ns.Length(3, 3)])
    assert nights.validate_python(14) == 14
    assert code.validate_python("CDG") == "CDG"
    for adapter, value in ((nights, 15), (nights, 0), (code, "cdg"), (code, "ABCD")):
        with pytest.raises(ValidationError):
            adapter.validate_python(value)
