"""The four tool sources (Python callables, OpenAI JSON, BFCL docs, JSON Schema) fed
anything: a ToolSet whose grammar builds, or a NeurosymError, never another exception."""

from __future__ import annotations

import dataclasses
import datetime
import enum
from collections.abc import Callable
from typing import Annotated, Any, Literal, Optional, Union

from hypothesis import strategies as st
from pydantic import Field

import neurosym as ns
from neurosym.grammar import build_grammar
from neurosym.tools import ToolSet
from tests.fuzz.harness import fuzz_tests
from tests.fuzz.strategies import (bfcl_docs, json_schemas, openai_texts, parameters_schemas,
                                   python_sources)


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


@dataclasses.dataclass
class Point:
    x: int
    y: float = 0.0


@dataclasses.dataclass
class Tree:
    label: str
    children: list[Tree] = dataclasses.field(default_factory=list)


_NAMESPACE: dict[str, object] = {
    "ns": ns, "Annotated": Annotated, "Any": Any, "Literal": Literal, "Optional": Optional,
    "Union": Union, "Callable": Callable, "Field": Field, "datetime": datetime, "Color": Color,
    "Point": Point, "Tree": Tree,
}


def _with_grammar(tools: ToolSet) -> ToolSet:
    # A tool set that loads must also give a grammar: that is where it is used next.
    build_grammar(tools)
    return tools


def from_python(source: str) -> object:
    namespace = dict(_NAMESPACE)
    exec(compile(source, "<fuzzed tool>", "exec"), namespace)  # noqa: S102 - test input
    func = next(v for k, v in namespace.items()
                if callable(v) and k not in _NAMESPACE and not k.startswith("__"))
    return _with_grammar(ToolSet.from_functions([func]))


def from_openai(spec: object) -> object:
    return _with_grammar(ToolSet.from_openai(spec))  # type: ignore[arg-type]


def from_bfcl(docs: object) -> object:
    return _with_grammar(ToolSet.from_bfcl(docs))  # type: ignore[arg-type]


def from_json_schema(schema: object) -> object:
    return _with_grammar(ToolSet.from_json_schema("tool", schema))  # type: ignore[arg-type]


test_python_quick, test_python_wide = fuzz_tests(
    "python callables", python_sources(), from_python, quick=150, wide=2500)
test_openai_quick, test_openai_wide = fuzz_tests(
    "openai json", openai_texts(), from_openai, quick=120, wide=3000)
test_bfcl_quick, test_bfcl_wide = fuzz_tests(
    "bfcl docs", bfcl_docs(), from_bfcl, quick=120, wide=3000)
test_json_schema_quick, test_json_schema_wide = fuzz_tests(
    "json schema", st.one_of(parameters_schemas(), json_schemas()), from_json_schema,
    quick=150, wide=3000)
