"""Reading JSON Schema (as OpenAI, BFCL and pydantic write it) into :class:`Param`.

One reader serves every source. The ``bfcl`` dialect adds BFCL's type names ("dict",
"float", "tuple", Java and JavaScript names) and honours BFCL's ``required`` list as
its checker does; the ``json-schema`` dialect is strict about type names, and there a
``default`` makes a property optional. Whatever cannot become a grammar or a solver
constraint raises :class:`UnsupportedSchemaError` with the JSON path of the construct.

Why one module: ``_Reader`` is one recursive descent over JSON Schema whose keywords
interact (``$ref``, ``allOf`` merging, nullability, ``enum``/``const``), each rule
beside the ones it must agree with.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal
from urllib.parse import unquote

from ..errors import ToolDefinitionError, UnsupportedSchemaError
from .linear_regex import PatternRefused, compile_pattern
from ._names import check_param_name
from .tool import Param

__all__ = ["Dialect", "MAX_COUNT", "MAX_SCHEMA_DEPTH", "MAX_SCHEMA_NODES", "read_param",
           "read_parameters"]

_log = logging.getLogger("neurosym.tools")

#: Deepest nesting of schemas (properties, items, allOf) read; deeper is refused.
MAX_SCHEMA_DEPTH = 32
#: Most value schemas one tool's parameters may expand to, with every ``$ref`` in place.
MAX_SCHEMA_NODES = 5000
#: Largest length or item count a schema may ask for: no plan writes more.
MAX_COUNT = 1_000_000

Dialect = Literal["json-schema", "bfcl"]

_JSON_TYPES = frozenset({"string", "integer", "number", "boolean", "array", "object", "null"})

# BFCL's own names (Python, Java and JavaScript categories), matched case-insensitively.
_BFCL_TYPES: dict[str, str] = {
    "dict": "object", "hashmap": "object", "map": "object", "object": "object",
    "float": "number", "double": "number", "number": "number",
    "integer": "integer", "int": "integer", "long": "integer", "short": "integer",
    "byte": "integer", "bigint": "integer",
    "string": "string", "str": "string", "char": "string", "character": "string",
    "boolean": "boolean", "bool": "boolean",
    "array": "array", "arraylist": "array", "list": "array", "tuple": "array",
    "set": "array",
    "any": "any", "": "any",
    "null": "null",
}

_UNSUPPORTED: dict[str, str] = {
    "not": "state what is allowed instead of what is not (e.g. an enum)",
    "patternProperties": "list the properties by name, or use additionalProperties",
    "if": "write one schema without if/then/else",
    "then": "write one schema without if/then/else",
    "else": "write one schema without if/then/else",
    "dependentSchemas": "make the dependent properties plain optional properties",
    "dependentRequired": "make the dependent properties plain optional properties",
    "dependencies": "make the dependent properties plain optional properties",
    "propertyNames": "list the properties by name",
    "contains": "constrain every item with items instead",
    "minContains": "constrain every item with items instead",
    "maxContains": "constrain every item with items instead",
    "multipleOf": "use minimum/maximum, or an enum of the allowed values",
    "unevaluatedProperties": "use additionalProperties",
    "unevaluatedItems": "use items",
    "minProperties": "list the required properties by name",
    "maxProperties": "list the properties by name and set additionalProperties to false",
    "uniqueItems": "drop uniqueItems (use a list, not a set), or check distinctness with a "
                   "plan constraint such as distinct(tool.param)",
}

# Keywords that describe rather than constrain: when schemas are merged the outer one wins.
_ANNOTATIONS = frozenset({"description", "title", "default", "examples", "$comment",
                          "deprecated", "readOnly", "writeOnly", "optional"})
_LOWER_BOUNDS = frozenset({"minimum", "minLength", "minItems"})
_UPPER_BOUNDS = frozenset({"maximum", "maxLength", "maxItems"})


def read_parameters(schema: object, *, tool: str | None, dialect: Dialect = "json-schema",
                    path: str = "parameters") -> tuple[Param, ...]:
    """The parameters of a tool from its ``parameters`` object schema."""
    if not isinstance(schema, Mapping):
        raise ToolDefinitionError(
            f"parameters must be a JSON Schema object, got {type(schema).__name__}",
            tool=tool, path=path,
            hint='write parameters as {"type": "object", "properties": {...}, "required": [...]}')
    if not set(schema) - _ANNOTATIONS - {"$schema", "$defs", "definitions"}:
        return ()  # {} is how some write "no parameters"
    reader = _Reader(tool=tool, dialect=dialect, root=schema)
    param = reader.param(schema, name="parameters", path=path)
    if param.type != "object" or param.nullable:
        raise ToolDefinitionError(
            f"parameters must describe an object, not {_describe_type(param)}",
            tool=tool, path=path,
            hint='write parameters as {"type": "object", "properties": {...}}')
    for prop in param.properties:
        check_param_name(prop.name, tool=tool, path=f"{path}.properties.{prop.name}")
    return param.properties


def read_param(schema: object, *, name: str, tool: str | None = None,
               dialect: Dialect = "json-schema", path: str = "$") -> Param:
    """One value's schema (a parameter, a return value) as a :class:`Param`."""
    root = schema if isinstance(schema, Mapping) else {}
    return _Reader(tool=tool, dialect=dialect, root=root).param(schema, name=name, path=path)


class _Reader:
    """Walks one schema document; ``root`` is what ``#/...`` references point into."""

    def __init__(self, *, tool: str | None, dialect: Dialect, root: Mapping[str, Any]) -> None:
        self.tool = tool
        self.dialect = dialect
        self.root = root
        self.active_refs: list[str] = []
        self.depth = 0
        # A reference read once is read once only: diamonds of $ref cost their size,
        # not 2**levels. ``nodes`` counts the schemas as expanded, to bound the result.
        self.done: dict[tuple[str, str], tuple[Param, int]] = {}
        self.nodes = 0

    # -- errors --------------------------------------------------------------------------

    def unsupported(self, message: str, path: str, hint: str) -> UnsupportedSchemaError:
        return UnsupportedSchemaError(message, tool=self.tool, path=path, hint=hint)

    def malformed(self, message: str, path: str, hint: str) -> ToolDefinitionError:
        return ToolDefinitionError(message, tool=self.tool, path=path, hint=hint)

    # -- entry ---------------------------------------------------------------------------

    def param(self, schema: object, *, name: str, path: str) -> Param:
        key = _ref_key(schema)
        if key is not None and key in self.done:
            param, size = self.done[key]
            self.count_nodes(size, path)
            return param.with_(name=name)
        if self.depth >= MAX_SCHEMA_DEPTH:
            raise self.unsupported(
                f"the schema nests more than {MAX_SCHEMA_DEPTH} levels deep", path,
                "flatten the schema, or type the deep part as a plain object (dict)")
        before = self.nodes
        self.count_nodes(1, path)
        self.depth += 1
        try:
            flat, refs = self.flatten(schema, path)
            param = self.within(refs, path, lambda: self.build(flat, name, path))
        finally:
            self.depth -= 1
        if key is not None:
            self.done[key] = (param, self.nodes - before)
        return param

    def count_nodes(self, size: int, path: str) -> None:
        self.nodes += size
        if self.nodes > MAX_SCHEMA_NODES:
            raise self.unsupported(
                f"the schema expands to more than {MAX_SCHEMA_NODES} value schemas (a $ref "
                "used many times over multiplies what it names)", path,
                "make the schema smaller: fewer nested objects, or type a part as a plain "
                "object (dict)")

    def within(self, refs: list[str], path: str, build: Callable[[], Param]) -> Param:
        for ref in refs:
            if ref in self.active_refs:
                raise self.unsupported(
                    f"recursive schema: {ref!r} refers back to itself", path,
                    "neurosym needs a finite schema; type the recursive part as a plain "
                    "object (dict) or flatten it")
        self.active_refs.extend(refs)
        try:
            return build()
        finally:
            del self.active_refs[len(self.active_refs) - len(refs):]

    # -- $ref and allOf ------------------------------------------------------------------

    def flatten(self, schema: object, path: str,
                entered: tuple[str, ...] = ()) -> tuple[dict[str, Any], list[str]]:
        """The schema with ``$ref`` and ``allOf`` merged in, and the references entered.

        ``entered`` holds the references being flattened further up, so a cycle through
        ``allOf`` is caught as surely as one through properties.
        """
        schema = self.as_schema(schema, path)
        refs: list[str] = []
        while "$ref" in schema or "allOf" in schema:
            if "$ref" in schema:
                ref = schema["$ref"]
                if ref in refs or ref in entered or ref in self.active_refs:
                    raise self.unsupported(
                        f"recursive schema: {ref!r} refers back to itself", path,
                        "neurosym needs a finite schema; type the recursive part as a plain "
                        "object (dict) or flatten it")
                refs.append(ref)
                target = self.as_schema(self.lookup(ref, path), f"{path}.$ref")
                rest = {k: v for k, v in schema.items() if k != "$ref"}
                schema = self.merge(rest, target, path)
            else:
                parts = schema["allOf"]
                if not isinstance(parts, list) or not parts:
                    raise self.malformed("allOf must be a non-empty list of schemas",
                                         f"{path}.allOf", "write allOf as [schema, ...]")
                merged = {k: v for k, v in schema.items() if k != "allOf"}
                above = (*entered, *refs)
                if self.depth >= MAX_SCHEMA_DEPTH:
                    raise self.unsupported(
                        f"allOf nests more than {MAX_SCHEMA_DEPTH} levels deep", path,
                        "write the schema as one object")
                self.depth += 1
                try:
                    for index, part in enumerate(parts):
                        part_path = f"{path}.allOf[{index}]"
                        flat, part_refs = self.flatten(part, part_path, above)
                        refs.extend(part_refs)
                        merged = self.merge(merged, flat, part_path)
                finally:
                    self.depth -= 1
                schema = merged
        return schema, refs

    def as_schema(self, schema: object, path: str) -> dict[str, Any]:
        if schema is True:
            return {}
        if schema is False:
            raise self.unsupported("the schema false admits no value", path,
                                   "remove the property, or give it a real schema")
        if not isinstance(schema, Mapping):
            raise self.malformed(f"a schema must be a JSON object, got {schema!r}", path,
                                 'write a schema such as {"type": "string"}')
        return dict(schema)

    def lookup(self, ref: object, path: str) -> object:
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise self.unsupported(f"$ref {ref!r} points outside the schema", f"{path}.$ref",
                                   "inline the referenced schema or put it under $defs")
        node: object = self.root
        for token in ref[1:].split("/")[1:] if ref != "#" else []:
            key = unquote(token).replace("~1", "/").replace("~0", "~")
            if isinstance(node, Mapping) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                raise self.malformed(f"$ref {ref!r} does not resolve", f"{path}.$ref",
                                     "define the target under $defs of the same schema")
        return node

    def merge(self, outer: dict[str, Any], inner: dict[str, Any], path: str) -> dict[str, Any]:
        """Both schemas at once (allOf, or a $ref with siblings); outer annotations win."""
        merged = dict(inner)
        for key, value in outer.items():
            if key not in merged or key in _ANNOTATIONS or merged[key] == value:
                merged[key] = value
            elif key == "required" and isinstance(value, list) and isinstance(merged[key], list):
                merged[key] = list(dict.fromkeys([*merged[key], *value]))
            elif key == "properties" and isinstance(value, Mapping) \
                    and isinstance(merged[key], Mapping):
                props = dict(merged[key])
                for prop, sub in value.items():
                    props[prop] = {"allOf": [props[prop], sub]} if prop in props else sub
                merged[key] = props
            elif key in ("items", "additionalProperties") and isinstance(value, Mapping) \
                    and isinstance(merged[key], Mapping):
                merged[key] = {"allOf": [merged[key], value]}
            elif key == "additionalProperties" and (value is False or merged[key] is False):
                merged[key] = False
            elif key == "additionalProperties" and value is True:
                pass
            elif key == "additionalProperties" and merged[key] is True:
                merged[key] = value
            elif key in _LOWER_BOUNDS and _is_number(value) and _is_number(merged[key]):
                merged[key] = max(value, merged[key])
            elif key in _UPPER_BOUNDS and _is_number(value) and _is_number(merged[key]):
                merged[key] = min(value, merged[key])
            elif key == "enum" and isinstance(value, list) and isinstance(merged[key], list):
                outer_keys = {_value_key(w) for w in value}
                both = [v for v in merged[key] if _value_key(v) in outer_keys]
                if not both:
                    raise self.unsupported("allOf leaves no value: the enums do not overlap",
                                           path, "write one enum of the allowed values")
                merged[key] = both
            elif key == "type" and sorted((str(value), str(merged[key]))) == ["integer", "number"]:
                merged[key] = "integer"
            else:
                raise self.unsupported(
                    f"the parts cannot be merged: {key!r} is {merged[key]!r} in one and "
                    f"{value!r} in another", path,
                    "write the schema as one object (without allOf, or without keywords "
                    "beside $ref)")
        return merged

    # -- one schema ----------------------------------------------------------------------

    def build(self, schema: dict[str, Any], name: str, path: str) -> Param:
        for key, hint in _UNSUPPORTED.items():
            if key in schema and not (key == "uniqueItems" and schema[key] is False):
                raise self.unsupported(f"{key!r} is not supported", f"{path}.{key}", hint)
        if "anyOf" in schema and "oneOf" in schema:
            raise self.unsupported("anyOf and oneOf side by side", f"{path}.oneOf",
                                   "keep one list of alternatives")
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return self.build_union(schema, key, name, path)

        fields: dict[str, Any] = {"name": name}
        description = schema.get("description")
        if description is not None:
            fields["description"] = (description if isinstance(description, str)
                                     else str(description)).strip()
        if "default" in schema:
            fields["default"] = schema["default"]
        if "x-produced-by" in schema:
            from .dataflow import parse_produced_by
            fields["produced_by"] = parse_produced_by(schema["x-produced-by"], tool=self.tool,
                                                      path=f"{path}.x-produced-by").text
        if schema.get("writeOnly") is True or schema.get("format") == "password":
            fields["sensitive"] = True
        nullable = schema.get("nullable") is True

        kind, nullable_type, extra = self.read_type(schema, path)
        nullable = nullable or nullable_type
        fields.update(extra)

        self.read_bounds(schema, fields, path)
        fmt = schema.get("format")
        if fmt is not None:
            if not isinstance(fmt, str):
                raise self.malformed(f"format must be a string, got {fmt!r}", f"{path}.format",
                                     'write a format such as "date"')
            untyped_text = kind is None and "enum" not in schema and "const" not in schema
            if fmt == "date" and (kind == "string" or untyped_text):
                kind = "date"
            else:
                fields["format"] = fmt
        if kind is None:
            kind = _infer_type(schema)

        if kind == "array":
            self.read_items(schema, fields, path)
        if kind == "object":
            self.read_properties(schema, fields, path)

        values = self.read_enum(schema, path)
        if kind == "null":
            kind, values, nullable = "enum", [None], True
        if values is not None:
            kind, values, nullable = self.fit_enum(kind, values, nullable, fields, path)
            if kind == "enum":
                # The values are all that is known: an array's items or an object's
                # properties no longer apply.
                for key in ("items", "properties", "additional_properties"):
                    fields.pop(key, None)
        if values is not None and "default" in fields:
            values = self.default_among(values, fields["default"], kind, name, path)
        fields["type"] = kind
        fields["nullable"] = nullable
        if values is not None:
            fields["enum"] = tuple(values)
        return Param(**fields)

    def default_among(self, values: list[Any], default: Any, kind: str, name: str,
                      path: str) -> list[Any]:
        """The enum with the tool's own default among its values.

        A default outside the enum is still a value the tool accepts (it takes it when
        the argument is left out), so a plan that leaves the default must not be refused
        for it: the default joins the values, and the load says so.
        """
        if default is None or any(_same_value(default, v) for v in values):
            return values
        if kind not in ("string", "integer", "number", "boolean", "date") \
                or not _fits(default, kind):
            return values
        _log.warning("tool %r, %s: the default %r is not among the enum values; it is "
                     "read as one more value the tool accepts", self.tool, path, default)
        return [*values, default]

    def build_union(self, schema: dict[str, Any], key: str, name: str, path: str) -> Param:
        members = schema[key]
        if not isinstance(members, list) or not members:
            raise self.malformed(f"{key} must be a non-empty list of schemas", f"{path}.{key}",
                                 f"write {key} as [schema, ...]")
        outer = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}
        options: list[tuple[int, dict[str, Any], list[str]]] = []
        nullable = False
        for index, member in enumerate(members):
            flat, refs = self.flatten(member, f"{path}.{key}[{index}]")
            if flat.get("type") == "null" and not (set(flat) - _ANNOTATIONS - {"type"}):
                nullable = True
            else:
                options.append((index, flat, refs))
        if not options:
            return self.build({**outer, "type": "null"}, name, path)
        if len(options) == 1:
            index, flat, refs = options[0]
            inner_path = f"{path}.{key}[{index}]"
            combined = self.merge(outer, flat, inner_path)
            param = self.within(refs, inner_path,
                                lambda: self.build(combined, name, inner_path))
            return _with_null(param) if nullable else param
        return self.build_alternatives(outer, options, key, nullable, name, path)

    def build_alternatives(self, outer: dict[str, Any],
                           options: list[tuple[int, dict[str, Any], list[str]]], key: str,
                           nullable: bool, name: str, path: str) -> Param:
        """Several non-null alternatives: only enums (values) or integer|number merge."""
        params = [self.within(refs, f"{path}.{key}[{index}]",
                              lambda flat=flat, index=index: self.build(
                                  flat, name, f"{path}.{key}[{index}]"))
                  for index, flat, refs in options]
        base = self.build(outer, name, path) if outer else Param(name=name)
        if all(_only_values(p) for p in params):
            values: list[Any] = []
            for p in params:
                values.extend(p.enum or ())
            values = _distinct(values)
            kinds = {p.type for p in params}
            kind = kinds.pop() if len(kinds) == 1 else "enum"
            null = nullable or any(p.nullable for p in params)
            kind, fitted, null = self.fit_enum(kind, values, null, {}, path)
            return base.with_(type=kind, enum=None if fitted is None else tuple(fitted),
                              nullable=null)
        if {p.type for p in params} <= {"integer", "number"} and all(_bare(p) for p in params):
            return base.with_(type="number", nullable=nullable)
        kinds = ", ".join(dict.fromkeys(_describe_type(p) for p in params))
        raise self.unsupported(
            f"{key} with {len(params)} different alternatives ({kinds})", f"{path}.{key}",
            "give the parameter one type (Optional[X] is fine), or split the tool into one "
            "tool per alternative")

    def read_type(self, schema: dict[str, Any],
                  path: str) -> tuple[str | None, bool, dict[str, Any]]:
        """The declared type (None when absent), whether null is allowed, extra fields."""
        if "type" not in schema:
            return None, False, {}
        declared = schema["type"]
        names = declared if isinstance(declared, list) else [declared]
        if not names or not all(isinstance(n, str) for n in names):
            raise self.malformed(f"type must be a name or a list of names, got {declared!r}",
                                 f"{path}.type", 'write a type such as "string"')
        extra: dict[str, Any] = {}
        kinds: list[str] = []
        for raw in names:
            kind = self.type_name(raw, f"{path}.type")
            if raw.lower() in ("char", "character") and self.dialect == "bfcl":
                extra.update(min_length=1, max_length=1)
            if kind not in kinds:
                kinds.append(kind)
        nullable = "null" in kinds and len(kinds) > 1
        if nullable:
            kinds.remove("null")
        if len(kinds) == 1:
            return kinds[0], nullable, extra
        if set(kinds) == {"integer", "number"}:
            return "number", nullable, extra
        raise self.unsupported(f"type lists {len(kinds)} different types ({', '.join(kinds)})",
                               f"{path}.type",
                               "give the parameter one type (a nullable one is fine)")

    def type_name(self, raw: str, path: str) -> str:
        if self.dialect == "bfcl":
            kind = _BFCL_TYPES.get(raw.strip().lower())
            if kind is not None:
                return kind
        elif raw in _JSON_TYPES:
            return raw
        hint = "use one of: " + ", ".join(sorted(_JSON_TYPES))
        if self.dialect != "bfcl" and raw.strip().lower() in _BFCL_TYPES:
            hint = (f"{raw!r} is a BFCL type name: load BFCL docs with ToolSet.from_bfcl, "
                    "or use JSON Schema's " + ", ".join(sorted(_JSON_TYPES)))
        raise self.unsupported(f"unknown type {raw!r}", path, hint)

    def read_bounds(self, schema: dict[str, Any], fields: dict[str, Any], path: str) -> None:
        self.read_limits(schema, fields, path)
        self.check_bounds(fields, path)

    def read_limits(self, schema: dict[str, Any], fields: dict[str, Any], path: str) -> None:
        for key, field in (("minimum", "minimum"), ("maximum", "maximum")):
            if key in schema:
                fields[field] = self.number(schema[key], f"{path}.{key}")
        for key, field, plain in (("exclusiveMinimum", "exclusive_minimum", "minimum"),
                                  ("exclusiveMaximum", "exclusive_maximum", "maximum")):
            if key not in schema:
                continue
            value = schema[key]
            if isinstance(value, bool):
                # Draft 4: a flag that makes minimum/maximum exclusive.
                if value:
                    if plain not in fields:
                        raise self.malformed(f"{key}: true needs {plain} beside it",
                                             f"{path}.{key}",
                                             f"give {plain}, or write {key} as a number")
                    fields[field] = fields.pop(plain)
            else:
                fields[field] = self.number(value, f"{path}.{key}")
        for key, field in (("minLength", "min_length"), ("maxLength", "max_length"),
                           ("minItems", "min_items"), ("maxItems", "max_items")):
            if key in schema:
                fields[field] = self.count(schema[key], f"{path}.{key}")
        if "pattern" in schema:
            pattern = schema["pattern"]
            if not isinstance(pattern, str):
                raise self.malformed(f"pattern must be a string, got {pattern!r}",
                                     f"{path}.pattern", "write the pattern as a regex string")
            try:
                compile_pattern(pattern)
            except PatternRefused as err:
                raise self.unsupported(
                    f"pattern {pattern[:80]!r} cannot be checked in linear time: {err}",
                    f"{path}.pattern",
                    "write the pattern without backreferences, lookarounds or counts above "
                    "1000 (RE2 syntax)") from None
            fields["pattern"] = pattern

    def check_bounds(self, fields: dict[str, Any], path: str) -> None:
        """Refuse bounds that admit no value: ``minimum: 5, maximum: 1``, ``minLength``
        above ``maxLength``, an exclusive bound at or past the other one."""
        low = [(k, fields[k]) for k in ("minimum", "exclusive_minimum") if k in fields]
        high = [(k, fields[k]) for k in ("maximum", "exclusive_maximum") if k in fields]
        for low_key, lo in low:
            for high_key, hi in high:
                strict = low_key.startswith("exclusive") or high_key.startswith("exclusive")
                if lo > hi or (strict and lo >= hi):
                    raise self.unsupported(
                        f"no number fits: {_keyword(low_key)} is {lo!r} and "
                        f"{_keyword(high_key)} is {hi!r}", path,
                        f"make {_keyword(low_key)} at most {_keyword(high_key)}")
        for low_key, high_key in (("min_length", "max_length"), ("min_items", "max_items")):
            if low_key in fields and high_key in fields and fields[low_key] > fields[high_key]:
                raise self.unsupported(
                    f"nothing fits: {_keyword(low_key)} is {fields[low_key]} and "
                    f"{_keyword(high_key)} is {fields[high_key]}", path,
                    f"make {_keyword(low_key)} at most {_keyword(high_key)}")

    def number(self, value: object, path: str) -> int | float:
        if not _is_number(value):
            raise self.malformed(f"expected a number, got {value!r:.60}", path,
                                 "write a number")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.malformed(f"expected a finite number, got {value!r}", path,
                                 "write a number (leave the bound out for no bound)")
        return value  # type: ignore[return-value]

    def count(self, value: object, path: str) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.malformed(f"expected a non-negative integer, got {value!r:.60}", path,
                                 "write a count such as 0 or 3")
        if value > MAX_COUNT:
            raise self.unsupported(f"{value} is more than the {MAX_COUNT} neurosym can "
                                   "write or check", path,
                                   f"give a count of at most {MAX_COUNT}, or leave it out")
        return value

    def read_items(self, schema: dict[str, Any], fields: dict[str, Any], path: str) -> None:
        items = schema.get("items")
        prefix_key = "prefixItems" if "prefixItems" in schema else None
        prefix = schema.get("prefixItems")
        if isinstance(items, list):
            # Draft 4 writes a tuple as a list of item schemas.
            prefix_key, prefix, items = "items", items, schema.get("additionalItems", False)
        if prefix is not None:
            if not isinstance(prefix, list) or not prefix:
                raise self.malformed(f"{prefix_key} must be a non-empty list of schemas",
                                     f"{path}.{prefix_key}", "write it as [schema, ...]")
            members = [self.param(s, name="item", path=f"{path}.{prefix_key}[{i}]")
                       for i, s in enumerate(prefix)]
            if any(m != members[0] for m in members[1:]):
                raise self.unsupported(
                    f"a tuple whose {len(members)} positions have different types",
                    f"{path}.{prefix_key}",
                    "use a list of one type, or an object (a dataclass) with named fields")
            if items not in (None, False) and self.param(
                    items, name="item", path=f"{path}.items") != members[0]:
                raise self.unsupported("a tuple whose extra items differ from its positions",
                                       f"{path}.items", "use a list of one type")
            fields["items"] = members[0]
            if items in (None, False):
                fields.setdefault("min_items", len(members))
                fields.setdefault("max_items", len(members))
            return
        if items is not None:
            fields["items"] = self.param(items, name="item", path=f"{path}.items")

    def read_properties(self, schema: dict[str, Any], fields: dict[str, Any], path: str) -> None:
        props = schema.get("properties", {})
        if props is None:
            props = {}
        if not isinstance(props, Mapping):
            raise self.malformed(f"properties must be an object, got {type(props).__name__}",
                                 f"{path}.properties",
                                 'write properties as {"name": {"type": ...}, ...}')
        required = schema.get("required", [])
        if required is None:
            required = []
        if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
            raise self.malformed(f"required must be a list of property names, got {required!r}",
                                 f"{path}.required", 'write required as ["name", ...]')
        params: list[Param] = []
        for prop, sub in props.items():
            param = self.param(sub, name=str(prop), path=f"{path}.properties.{prop}")
            listed = prop in required
            optional = self.dialect != "bfcl" and param.default is not None
            params.append(param.with_(required=listed and not optional))
        for prop in required:
            if prop not in props:
                # Required but undescribed: JSON Schema still demands the key, of any value.
                params.append(Param(name=prop, type="any"))
        fields["properties"] = tuple(params)
        extra = schema.get("additionalProperties", True)
        if extra is False:
            fields["additional_properties"] = False
        elif extra is not True:
            fields["items"] = self.param(extra, name="item", path=f"{path}.additionalProperties")

    def read_enum(self, schema: dict[str, Any], path: str) -> list[Any] | None:
        if "const" in schema:
            values = [schema["const"]]
            if "enum" in schema:
                if not isinstance(schema["enum"], list) \
                        or not any(_same_value(values[0], v) for v in schema["enum"]):
                    raise self.unsupported("const is not among the enum values", f"{path}.const",
                                           "keep const or enum, not both")
            return values
        if "enum" not in schema:
            return None
        values = schema["enum"]
        if not isinstance(values, list) or not values:
            raise self.malformed(f"enum must be a non-empty list, got {values!r:.80}",
                                 f"{path}.enum", 'write enum as ["a", "b", ...]')
        for index, value in enumerate(values):
            if isinstance(value, float) and not math.isfinite(value):
                raise self.malformed(f"enum value {value!r} is not a JSON number",
                                     f"{path}.enum[{index}]",
                                     "write finite numbers (NaN equals nothing, so it can "
                                     "never be chosen)")
        return _distinct(values)

    def fit_enum(self, kind: str, values: list[Any], nullable: bool, fields: dict[str, Any],
                 path: str) -> tuple[str, list[Any] | None, bool]:
        """Make the enum agree with the type: typed values, or type "enum" when they differ.

        Returns the type, the values (None when they moved to the items) and nullability.
        """
        if any(v is None for v in values):
            nullable = True
        concrete = [v for v in values if v is not None]
        if kind == "array" and concrete and not any(isinstance(v, list) for v in concrete):
            # An enum of scalars on an array lists what its items may be (BFCL writes this).
            item = fields.get("items") or Param(name="item")
            if item.enum is None:
                item_kind, item_values, item_null = self.fit_enum(
                    item.type, concrete, item.nullable, {}, f"{path}.enum")
                fields["items"] = item.with_(
                    type=item_kind, nullable=item_null,
                    enum=None if item_values is None else tuple(item_values))
                return kind, None, nullable
        if not concrete or kind in ("any", "enum"):
            return "enum", _with_none(concrete, nullable), nullable
        if all(_fits(v, kind) for v in concrete):
            return kind, concrete, nullable
        if kind in ("integer", "number"):
            parsed = [_parse_number(v, kind) for v in concrete]
            if all(p is not None and not (isinstance(p, float) and not math.isfinite(p))
                   for p in parsed):
                # 0 and "0" read as the same number: each value once.
                return kind, _distinct(parsed), nullable
        # The values are the concrete truth when they disagree with the declared type.
        return "enum", _with_none(concrete, nullable), nullable


def _with_null(param: Param) -> Param:
    if param.type == "enum":
        values = tuple(param.enum or ())
        if not any(v is None for v in values):
            values += (None,)
        return param.with_(nullable=True, enum=values)
    return param.with_(nullable=True)


def _with_none(values: list[Any], nullable: bool) -> list[Any]:
    return [*values, None] if nullable else list(values)


def _only_values(param: Param) -> bool:
    """True when a union member is a bare list of values (enum/const, no other constraint)."""
    if param.enum is None or param.items is not None or param.properties:
        return False
    return all(v is None for v in (
        param.minimum, param.maximum, param.exclusive_minimum, param.exclusive_maximum,
        param.pattern, param.min_length, param.max_length, param.min_items, param.max_items,
        param.format))


def _bare(param: Param) -> bool:
    return not param.has_constraints and not param.nullable


def _infer_type(schema: Mapping[str, Any]) -> str:
    if "enum" in schema or "const" in schema:
        return "enum"
    if any(k in schema for k in ("properties", "additionalProperties", "required")):
        return "object"
    if any(k in schema for k in ("items", "prefixItems", "minItems", "maxItems")):
        return "array"
    if any(k in schema for k in ("pattern", "minLength", "maxLength", "format")):
        return "string"
    if any(k in schema for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")):
        return "number"
    return "any"


def _fits(value: object, kind: str) -> bool:
    if kind in ("string", "date"):
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return _is_number(value)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, Mapping)
    return True


def _parse_number(value: object, kind: str) -> int | float | None:
    if _fits(value, kind):
        return value  # type: ignore[return-value]
    if not isinstance(value, str):
        return None
    try:
        return int(value) if kind == "integer" else float(value)
    except ValueError:
        return None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _value_key(value: object) -> object:
    """A hashable key equal for two values exactly when :func:`_same_value` holds at the
    top level: numbers by value (1 and 1.0 alike), everything else by type and value."""
    if _is_number(value):
        return ("number", value)
    try:
        hash(value)
    except TypeError:
        try:
            text = json.dumps(value, sort_keys=True, default=repr)
        except (TypeError, ValueError, RecursionError):
            text = repr(value)
        return (type(value).__name__, text)
    return (type(value).__name__, value)


def _distinct(values: Iterable[Any]) -> list[Any]:
    """Each value once, first occurrence first, in linear time."""
    seen: set[object] = set()
    out: list[Any] = []
    for value in values:
        key = _value_key(value)
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


def _ref_key(schema: object) -> tuple[str, str] | None:
    """The memo key of a reference with at most annotations beside it, or None."""
    if not isinstance(schema, Mapping) or not isinstance(schema.get("$ref"), str):
        return None
    rest = {k: v for k, v in schema.items() if k != "$ref"}
    if set(rest) - _ANNOTATIONS:
        return None
    try:
        return schema["$ref"], json.dumps(rest, sort_keys=True)
    except (TypeError, ValueError, RecursionError):
        return None


def _keyword(field: str) -> str:
    head, *rest = field.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _same_value(a: object, b: object) -> bool:
    # 1 == True in Python, but they are different JSON values.
    return type(a) is type(b) and a == b or _is_number(a) and _is_number(b) and a == b


def _describe_type(param: Param) -> str:
    return f"nullable {param.type}" if param.nullable else param.type
