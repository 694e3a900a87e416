"""Compiling constraint texts against a tool set: names resolved, types checked, up front.

Everything that can be wrong with a constraint is reported here, when it is compiled,
never later during a search: a syntax error (:class:`ConstraintSyntaxError`, with line,
column, what was expected and a hint), a name that is no tool, parameter or field
(:class:`ConstraintReferenceError`, with a did-you-mean), a type mismatch or a pattern
outside the supported subset (:class:`ConstraintSyntaxError` pointing at it).

Names: ``tool.param`` (and ``tool.param.field`` inside objects) is a parameter of every
call of the tool; ``tool.result`` (``tool.result.field``, ``tool.result[0]``) is the
observed result of the tool, unless the tool has a parameter named ``result``. Dotted
tool names (``math.factorial.n``) resolve longest first.

>>> from neurosym.tools.tool import Param, Tool
>>> hotel = Tool("book_hotel", params=(Param("nights", "integer"), Param("price", "number")))
>>> cs = compile_constraints(["sum(book_hotel.price) <= 500", "book_hotel.nights <= 7"], [hotel])
>>> [c.quantified for c in cs]
[(), ('book_hotel',)]

Why one module: name resolution and type checking are one pass (``_Typer``) over the
constraint AST, each node's rule next to the others it must agree with.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import NoReturn

from ..errors import ConstraintReferenceError, ConstraintSyntaxError
from ..tools.tool import Param, Tool
from . import ir, syntax
from .regex import PatternError, parse_pattern
from .schema import FieldInfo, Schema, build_schema, param_sort
from .values import NotInSort, Sort, sort_label, to_sort_value

__all__ = ["Constraint", "ConstraintSet", "compile_constraints", "FUNCTIONS"]

FUNCTIONS: dict[str, str] = {
    "sum": "sum(tool.param): the total of a parameter over every call of the tool",
    "count": "count(tool): how many calls of the tool the plan makes",
    "min": "min(tool.param) over the calls, or min(a, b, ...) of values",
    "max": "max(tool.param) over the calls, or max(a, b, ...) of values",
    "distinct": "distinct(tool.param): no two calls share the value",
    "before": "before(first, then): every call of `then` comes after a call of `first`",
    "len": "len(x): the length of a string or a list",
    "matches": 'matches(x, "regex"): x contains a match of the regex (anchor with ^ and $)',
    "abs": "abs(x): the absolute value",
}
_NUMERIC = ("int", "real")
_ORDERED = ("int", "real", "date", "datetime", "string")


@dataclass(frozen=True)
class Constraint:
    """One compiled constraint: its text as written, and its typed term.

    ``quantified`` names the tools whose parameters it mentions outside aggregates: it
    holds for every call of those tools (for every combination when there are several).
    """

    source: str
    term: ir.Term
    quantified: tuple[str, ...]

    def __str__(self) -> str:
        return self.source


@dataclass(frozen=True, eq=False)
class ConstraintSet:
    """Compiled constraints plus the tool schema they were checked against."""

    constraints: tuple[Constraint, ...]
    schema: Schema

    def __iter__(self) -> Iterator[Constraint]:
        return iter(self.constraints)

    def __len__(self) -> int:
        return len(self.constraints)

    def __getitem__(self, index: int) -> Constraint:
        return self.constraints[index]

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(c.source for c in self.constraints)

    @property
    def tool_names(self) -> tuple[str, ...]:
        return tuple(self.schema.tools)


def compile_constraints(exprs: Sequence[str] | str, tools: Iterable[Tool]) -> ConstraintSet:
    """Parse, resolve and type every constraint against ``tools``; all errors are raised here."""
    texts = [exprs] if isinstance(exprs, str) else list(exprs)
    schema = build_schema(tools)
    settled: dict[tuple[str, tuple[str, ...]], Sort] = {}
    compiled = []
    for text in texts:
        node = syntax.parse_constraint(text)
        typer = _Typer(text, schema, settled)
        term = typer.boolean(node)
        compiled.append(Constraint(text.strip(), term, ir.quantified_tools(term)))
    final_schema = schema.with_sorts(settled)
    return ConstraintSet(tuple(compiled), final_schema)


def _close(word: str, options: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return found[0] if found else None


class _Typer:
    """Turns one syntax tree into a typed term, settling untyped values from context."""

    def __init__(self, text: str, schema: Schema,
                 settled: dict[tuple[str, tuple[str, ...]], Sort]) -> None:
        self.text = text
        self.schema = schema
        self.settled = settled

    # errors ---------------------------------------------------------------------------
    def fail(self, node: syntax.Node, message: str, hint: str) -> NoReturn:
        raise ConstraintSyntaxError(message, line=node.line or None, column=node.column or None,
                                    source=self.text, hint=hint)

    def unknown(self, message: str, hint: str) -> NoReturn:
        raise ConstraintReferenceError(message, constraint=self.text.strip(), hint=hint)

    def describe(self, node: syntax.Node) -> str:
        if isinstance(node, syntax.Name):
            return node.text
        if isinstance(node, syntax.String):
            return repr(node.value)
        if isinstance(node, syntax.Number):
            return node.text
        if isinstance(node, syntax.Call):
            return f"{node.name}(...)"
        return "the expression"

    # entry ----------------------------------------------------------------------------
    def boolean(self, node: syntax.Node) -> ir.Term:
        term = self.settle(self.term(node), "bool")
        if term.sort != "bool":
            self.fail(node, f"{self.describe(node)} is {sort_label(term.sort)}, not a condition",
                      "compare it with something, e.g. 'book_hotel.nights <= 7'")
        return term

    def term(self, node: syntax.Node) -> ir.Term:
        if isinstance(node, syntax.Number):
            return self.number(node)
        if isinstance(node, syntax.String):
            return ir.Const(node.value, "string")
        if isinstance(node, syntax.Bool):
            return ir.Const(node.value, "bool")
        if isinstance(node, syntax.Name):
            return self.name(node)
        if isinstance(node, syntax.Call):
            return self.call(node)
        if isinstance(node, syntax.Unary):
            arg = self.numeric(node.arg)
            if isinstance(arg, ir.Const):
                return ir.Const(-arg.value, arg.sort)  # type: ignore[operator]
            return ir.Neg(arg, arg.sort)
        if isinstance(node, syntax.Binary):
            return self.arith(node)
        if isinstance(node, syntax.Compare):
            pairs: list[ir.Term] = []
            for i, op in enumerate(node.ops):
                left = self.term(node.operands[i])
                right = self.term(node.operands[i + 1])
                pairs.append(self.compare(node, op, left, right, node.operands[i],
                                          node.operands[i + 1]))
            return pairs[0] if len(pairs) == 1 else ir.BoolOp("and", tuple(pairs))
        if isinstance(node, syntax.Member):
            return self.member(node)
        if isinstance(node, syntax.Not):
            return ir.Not(self.boolean(node.arg))
        if isinstance(node, syntax.BoolOp):
            return ir.BoolOp(node.op, tuple(self.boolean(a) for a in node.args))
        if isinstance(node, syntax.Implies):
            return ir.Implies(self.boolean(node.left), self.boolean(node.right))
        if isinstance(node, syntax.ListExpr):
            self.fail(node, "a list cannot stand on its own",
                      "test membership with 'x in [1, 2, 3]'")
        raise AssertionError(node)  # pragma: no cover

    def number(self, node: syntax.Number) -> ir.Const:
        if node.text.isdigit():
            return ir.Const(int(node.text), "int")
        try:
            return ir.Const(Fraction(Decimal(node.text)), "real")
        except (InvalidOperation, ValueError):  # pragma: no cover - the grammar admits numbers only
            self.fail(node, f"{node.text} is not a number", "write numbers like 12 or 12.5")

    # references -----------------------------------------------------------------------
    def split(self, node: syntax.Name) -> tuple[Tool, tuple[str | int, ...]]:
        """The tool a reference starts with (dotted names like ``math.factorial`` too), and
        the rest of the reference."""
        for end in range(len(node.parts), 0, -1):
            head = node.parts[:end]
            if all(isinstance(p, str) for p in head):
                tool = self.schema.tool(".".join(map(str, head)))
                if tool is not None:
                    return tool, node.parts[end:]
        name = str(node.parts[0])
        if name in ("true", "false", "null", "None"):
            self.fail(node, f"{name} is not a value of the constraint language",
                      "booleans are written True and False; an absent value is never compared")
        guess = _close(name, self.schema.tools)
        hint = (f"did you mean {guess!r}?" if guess else
                "known tools: " + ", ".join(sorted(self.schema.tools)) if self.schema.tools
                else "no tools were given")
        self.unknown(f"unknown tool {name!r}", hint)

    def bare_tool(self, call: syntax.Call, arg: syntax.Node) -> str:
        """A tool's name standing alone, as ``count`` and ``before`` take it."""
        if isinstance(arg, syntax.Name):
            tool, rest = self.split(arg)
            if not rest:
                return tool.name
        self.fail(call, f"{call.name}() takes tool names, like "
                  f"{'count(transfer)' if call.name == 'count' else 'before(login, transfer)'}",
                  FUNCTIONS[call.name])

    def field_info(self, node: syntax.Name, tool: Tool, rest: tuple[str | int, ...]) -> FieldInfo:
        """The parameter (or nested field) a ``tool.param...`` reference names."""
        if not rest:
            self.fail(node, f"{tool.name!r} is a tool, not a value",
                      f"name one of its parameters ({tool.name}.{tool.params[0].name}) or count "
                      f"its calls (count({tool.name}))" if tool.params else
                      f"count its calls with count({tool.name})")
        path: tuple[str, ...] = ()
        for i, part in enumerate(rest):
            if isinstance(part, int):
                self.fail(node, f"{node.text}: constraints cannot index a parameter's list",
                          f"constrain its length with len({tool.name}.{'.'.join(path)})")
            candidate = path + (part,)
            info = self.schema.field(tool.name, candidate)
            if info is None:
                parent = self.schema.field(tool.name, path) if path else None
                if parent is None:
                    options = [p.name for p in tool.params]
                    what = f"tool {tool.name!r} has no parameter {part!r}"
                else:
                    options = [p.name for p in parent.param.properties]
                    what = f"{tool.name}.{ir.path_text(path)} has no field {part!r}"
                guess = _close(part, options + (["result"] if not path else []))
                hint = (f"did you mean {tool.name}.{'.'.join(path + (guess,))}?" if guess else
                        ("its parameters: " + ", ".join(options)) if options else
                        f"{tool.name} takes no parameters")
                self.unknown(what, hint)
            path = candidate
            if info.kind == "array" and i < len(rest) - 1:
                self.fail(node, f"{node.text}: constraints cannot reach inside a list parameter",
                          f"constrain its length with len({tool.name}.{ir.path_text(path)})")
        info = self.schema.field(tool.name, path)
        assert info is not None
        return info

    def name(self, node: syntax.Name, *, allow_array: bool = False) -> ir.Term:
        tool, rest = self.split(node)
        if rest and rest[0] == "result" and tool.param("result") is None:
            return self.result(node, tool, rest[1:])
        info = self.field_info(node, tool, rest)
        if info.kind == "object":
            props = ", ".join(f"{node.text}.{p.name}" for p in info.param.properties)
            self.fail(node, f"{node.text} is an object, not a value",
                      f"name one of its fields: {props}" if props else
                      "constraints can only compare its fields")
        if info.kind == "array":
            if allow_array:
                return ir.Field(tool.name, info.path + (ir.LENGTH,), "int")
            self.fail(node, f"{node.text} is a list, not a single value",
                      f"constrain its length with len({node.text})")
        sort = info.sort or self.settled.get((tool.name, info.path))
        if sort is None and not info.inferable:
            self.fail(node, f"{node.text} has allowed values of mixed types",
                      "constraints can only compare parameters of one type")
        return ir.Field(tool.name, info.path, sort)  # type: ignore[arg-type]

    def result(self, node: syntax.Name, tool: Tool, path: tuple[str | int, ...]) -> ir.Term:
        param: Param | None = tool.returns
        for part in path:
            if param is None or param.type == "any":
                param = None
                continue
            if isinstance(part, int):
                if param.type != "array":
                    self.unknown(f"{node.text}: the result of {tool.name} is not a list here",
                                 f"drop the [{part}]")
                param = param.items
            else:
                if param.type != "object":
                    self.unknown(f"{node.text}: the result of {tool.name} has no field {part!r}",
                                 f"compare {tool.name}.result itself")
                prop = param.property(part)
                if prop is None and not param.additional_properties:
                    names = [p.name for p in param.properties]
                    guess = _close(part, names)
                    self.unknown(f"the result of {tool.name} has no field {part!r}",
                                 f"did you mean {guess!r}?" if guess else
                                 "its fields: " + ", ".join(names))
                param = prop
        sort = param_sort(param) if param is not None else None
        if param is not None and param.type in ("object", "array"):
            self.fail(node, f"{node.text} is {'an object' if param.type == 'object' else 'a list'}",
                      "compare one of its fields, e.g. " + node.text + ".field")
        return ir.Result(tool.name, path, sort)  # type: ignore[arg-type]

    def aggregated(self, call: syntax.Call, arg: syntax.Node) -> ir.Field:
        if isinstance(arg, syntax.Name):
            tool, rest = self.split(arg)
            if rest and rest[0] == "result" and tool.param("result") is None:
                self.fail(call, f"{call.name}() ranges over the plan's calls, not over a result",
                          FUNCTIONS[call.name])
            if rest:
                term = self.name(arg)
                assert isinstance(term, ir.Field)
                return term
        self.fail(call, f"{call.name}() takes a tool's parameter, like {call.name}(tool.param)",
                  FUNCTIONS[call.name])

    # functions ------------------------------------------------------------------------
    def call(self, node: syntax.Call) -> ir.Term:
        name, args = node.name, node.args
        if name not in FUNCTIONS:
            guess = _close(name, FUNCTIONS)
            self.fail(node, f"unknown function {name!r}",
                      f"did you mean {guess}()?" if guess else
                      "functions: " + ", ".join(sorted(FUNCTIONS)))
        arity = {"sum": 1, "count": 1, "distinct": 1, "before": 2, "len": 1, "matches": 2,
                 "abs": 1}
        if name in arity and len(args) != arity[name]:
            self.fail(node, f"{name}() takes {arity[name]} argument"
                      f"{'s' if arity[name] > 1 else ''}, got {len(args)}", FUNCTIONS[name])
        if name == "count":
            return ir.Count(self.bare_tool(node, args[0]))
        if name == "before":
            first, then = (self.bare_tool(node, a) for a in args)
            if first == then:
                self.fail(node, "before() needs two different tools", FUNCTIONS["before"])
            return ir.Before(first, then)
        if name == "sum":
            field = self.aggregated(node, args[0])
            if field.sort is None:
                field = self.settle(field, "real")  # type: ignore[assignment]
            if field.sort not in _NUMERIC:
                self.fail(node, f"sum() needs numbers; {self.describe(args[0])} is "
                          f"{sort_label(field.sort)}", FUNCTIONS["sum"])
            return ir.Aggregate("sum", field.tool, field.path, field.sort)
        if name == "distinct":
            field = self.aggregated(node, args[0])
            if field.sort is None:
                self.fail(node, f"{self.describe(args[0])} has no known type",
                          "give the parameter a type in the tool's signature")
            return ir.Distinct(field.tool, field.path)
        if name in ("min", "max"):
            if not args:
                self.fail(node, f"{name}() needs arguments", FUNCTIONS[name])
            if len(args) == 1:
                field = self.aggregated(node, args[0])
                if field.sort is None:
                    field = self.settle(field, "real")  # type: ignore[assignment]
                if field.sort not in ("int", "real", "date", "datetime"):
                    self.fail(node, f"{name}() needs numbers or dates; {self.describe(args[0])} "
                              f"is {sort_label(field.sort)}", FUNCTIONS[name])
                return ir.Aggregate(name, field.tool, field.path, field.sort)
            terms = [self.term(a) for a in args]
            sort = self.common_sort(node, terms, args, ordered=True)
            return ir.Extremum(name, tuple(self.coerce(t, sort, a) for t, a in zip(terms, args)),
                               sort)
        if name == "len":
            arg = args[0]
            if isinstance(arg, syntax.Name):
                term = self.name(arg, allow_array=True)
                if isinstance(term, ir.Field) and term.path[-1] == ir.LENGTH:
                    return term
            else:
                term = self.term(arg)
            term = self.settle(term, "string")
            if term.sort != "string":
                self.fail(node, f"len() needs a string or a list; {self.describe(arg)} is "
                          f"{sort_label(term.sort)}", FUNCTIONS["len"])
            return ir.Length(term)
        if name == "matches":
            subject = self.settle(self.term(args[0]), "string")
            if subject.sort != "string":
                self.fail(node, f"matches() needs a string; {self.describe(args[0])} is "
                          f"{sort_label(subject.sort)}", FUNCTIONS["matches"])
            if not isinstance(args[1], syntax.String):
                self.fail(node, "matches() takes the regex as a string literal",
                          'write it in quotes, e.g. matches(x, "^[A-Z]{3}$")')
            try:
                pattern = parse_pattern(args[1].value)
            except PatternError as err:
                self.fail(args[1], str(err), err.hint)
            return ir.Matches(subject, pattern)
        # abs
        arg_term = self.numeric(args[0])
        return ir.Abs(arg_term, arg_term.sort)

    # typing helpers -------------------------------------------------------------------
    def numeric(self, node: syntax.Node) -> ir.Term:
        term = self.settle(self.term(node), "real")
        if term.sort not in _NUMERIC:
            self.fail(node, f"{self.describe(node)} is {sort_label(term.sort)}, not a number",
                      "arithmetic needs numbers")
        return term

    def settle(self, term: ir.Term, sort: Sort) -> ir.Term:
        """Give an untyped value (an 'any' parameter, an untyped result) the sort its use asks."""
        if term.sort is not None:
            return term
        if isinstance(term, ir.Field):
            key = (term.tool, term.path)
            sort = self.settled.setdefault(key, sort)
            return ir.Field(term.tool, term.path, sort)
        if isinstance(term, ir.Result):
            return ir.Result(term.tool, term.path, sort)
        raise AssertionError(term)  # pragma: no cover - only leaves are untyped

    def coerce(self, term: ir.Term, sort: Sort, node: syntax.Node) -> ir.Term:
        """``term`` as ``sort``: casts int->real and date->datetime, parses date literals."""
        term = self.settle(term, sort)
        if term.sort == sort:
            return term
        if isinstance(term, ir.Const) and term.sort == "string" and sort in ("date", "datetime"):
            try:
                return ir.Const(to_sort_value(term.value, sort), sort)
            except NotInSort as err:
                self.fail(node, str(err),
                          "write dates as 'YYYY-MM-DD' and date-times as 'YYYY-MM-DDTHH:MM:SS'")
        if isinstance(term, ir.Const) and term.sort == "int" and sort == "real":
            return ir.Const(Fraction(term.value), "real")  # type: ignore[arg-type]
        if term.sort == "int" and sort == "real":
            return ir.Cast(term, "real")
        if term.sort == "date" and sort == "datetime":
            return ir.Cast(term, "datetime")
        self.fail(node, f"{self.describe(node)} is {sort_label(term.sort)}, "
                  f"not {sort_label(sort)}", "compare values of the same kind")

    def common_sort(self, node: syntax.Node, terms: Sequence[ir.Term],
                    nodes: Sequence[syntax.Node], *, ordered: bool = False) -> Sort:
        """The sort all of ``terms`` can be compared in."""
        dated = any(t.sort in ("date", "datetime") for t in terms)
        kinds: set[str] = set()
        for term in terms:
            if term.sort is None:
                continue
            if dated and isinstance(term, ir.Const) and term.sort == "string":
                continue  # a string literal next to a date is a date, parsed by coerce()
            kinds.add(term.sort)
        if not kinds:
            sort: Sort = "real"
        elif kinds <= {"int"}:
            sort = "int"
        elif kinds <= {"int", "real"}:
            sort = "real"
        elif kinds <= {"date"}:
            sort = "date"
        elif kinds <= {"date", "datetime"}:
            sort = "datetime"
        elif len(kinds) == 1:
            sort = next(iter(kinds))  # type: ignore[assignment]
        else:
            labels = " and ".join(sorted(sort_label(k) for k in kinds))
            self.fail(node, f"cannot compare {labels}", "compare values of the same kind")
        if ordered and sort not in _ORDERED:
            self.fail(node, f"{sort} values have no order", "compare them with == or !=")
        if any(t.sort is None for t in terms) and sort == "int":
            sort = "real"
        return sort

    def compare(self, node: syntax.Node, op: str, left: ir.Term, right: ir.Term,
                left_node: syntax.Node, right_node: syntax.Node) -> ir.Term:
        sort = self.common_sort(node, [left, right], [left_node, right_node],
                                ordered=op not in ("==", "!="))
        return ir.Compare(op, self.coerce(left, sort, left_node),
                          self.coerce(right, sort, right_node))

    def arith(self, node: syntax.Binary) -> ir.Term:
        left, right = self.term(node.left), self.term(node.right)
        dated = {"date", "datetime"}
        if node.op in "+-" and (left.sort in dated or right.sort in dated):
            return self.date_arith(node, left, right)
        left = self.settle(left, "real")
        right = self.settle(right, "real")
        for term, sub in ((left, node.left), (right, node.right)):
            if term.sort not in _NUMERIC:
                self.fail(sub, f"{self.describe(sub)} is {sort_label(term.sort)}, not a number",
                          "arithmetic needs numbers (dates take + and - of days)")
        sort: Sort = "int" if left.sort == right.sort == "int" else "real"
        return ir.Arith(node.op, self.coerce(left, sort, node.left),
                        self.coerce(right, sort, node.right), sort)

    def date_arith(self, node: syntax.Binary, left: ir.Term, right: ir.Term) -> ir.Term:
        dated = ("date", "datetime")
        if left.sort in dated and right.sort in dated:
            if node.op == "+":
                self.fail(node, "two dates cannot be added", "subtract them to get days between")
            sort: Sort = "datetime" if "datetime" in (left.sort, right.sort) else "date"
            return ir.Arith("-", self.coerce(left, sort, node.left),
                            self.coerce(right, sort, node.right), "int")
        if left.sort in dated:
            date_term, offset, offset_node = left, self.settle(right, "int"), node.right
        else:
            if node.op == "-":
                self.fail(node, "a date cannot be subtracted from a number",
                          "write date - days, not days - date")
            date_term, offset, offset_node = right, self.settle(left, "int"), node.left
        if offset.sort != "int":
            self.fail(offset_node, f"{self.describe(offset_node)} is {sort_label(offset.sort)}; "
                      "dates move by whole days (seconds for date-times)",
                      "add or subtract an integer")
        if date_term is left:
            return ir.Arith(node.op, left, offset, left.sort)
        return ir.Arith("+", offset, right, right.sort)

    def member(self, node: syntax.Member) -> ir.Term:
        arg = self.term(node.arg)
        consts: list[ir.Const] = []
        for item in node.items.items:
            value = self.term(item)
            if not isinstance(value, ir.Const):
                self.fail(item, f"{self.describe(item)} is not a literal",
                          "list the allowed values as literals, e.g. x in [1, 2, 3]")
            consts.append(value)
        sort = self.common_sort(node, [arg, *consts], [node.arg, *node.items.items])
        coerced = tuple(self.coerce(c, sort, n) for c, n in zip(consts, node.items.items))
        term = ir.Member(self.coerce(arg, sort, node.arg), coerced)  # type: ignore[arg-type]
        return ir.Not(term) if node.negated else term
