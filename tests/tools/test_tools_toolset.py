"""ToolSet: an immutable, ordered, uniquely named collection, and every way to make one."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

import neurosym as ns
from neurosym.errors import ToolDefinitionError, UnknownToolError
from neurosym.tools import Param, Tool, ToolSet


@ns.tool
def search_hotels(city: str, max_price: float = 200.0) -> list[str]:
    """Find hotels in a city."""
    return [f"{city} Inn"]


def book_hotel(hotel: str, nights: int) -> str:
    """Book a hotel."""
    return f"{hotel} x{nights}"


OPENAI_ECHO = {"type": "function", "function": {
    "name": "echo", "parameters": {"type": "object",
                                   "properties": {"text": {"type": "string"}},
                                   "required": ["text"]}}}
BFCL_FACTORIAL = {"name": "math.factorial", "description": "n!", "parameters": {
    "type": "dict", "properties": {"number": {"type": "integer"}}, "required": ["number"]}}


@pytest.fixture
def tools() -> ToolSet:
    return ToolSet.coerce([search_hotels, book_hotel, OPENAI_ECHO, BFCL_FACTORIAL])


def test_collection_protocol(tools: ToolSet) -> None:
    assert len(tools) == 4
    assert tools.names == ("search_hotels", "book_hotel", "echo", "math.factorial")
    assert [t.name for t in tools] == list(tools.names)
    assert tools[0] is search_hotels and tools[-1].name == "math.factorial"
    assert tools["echo"].params == (Param("text", "string"),)
    assert isinstance(tools[1:3], ToolSet) and tools[1:3].names == ("book_hotel", "echo")
    assert "echo" in tools and search_hotels in tools and "nope" not in tools
    assert Tool(name="echo") not in tools  # same name, different tool
    assert tools.get("math.factorial") is tools[3] and tools.get("nope") is None
    assert tools.index(tools["echo"]) == 2
    assert repr(tools) == "ToolSet(['search_hotels', 'book_hotel', 'echo', 'math.factorial'])"


def test_tools_stay_callable(tools: ToolSet) -> None:
    assert tools["book_hotel"](hotel="Ritz", nights=2) == "Ritz x2"
    assert tools["search_hotels"](city="Paris") == ["Paris Inn"]


def test_immutable(tools: ToolSet) -> None:
    with pytest.raises(AttributeError):
        tools._tools = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        tools[0] = search_hotels  # type: ignore[index]


def test_subset_without_and_plus(tools: ToolSet) -> None:
    assert tools.subset(["echo", "search_hotels"]).names == ("echo", "search_hotels")
    assert tools.without(["echo", "book_hotel"]).names == ("search_hotels", "math.factorial")
    assert tools.subset("echo").names == ("echo",)
    more = tools.without(["echo"]) + [OPENAI_ECHO]
    assert more.names == ("search_hotels", "book_hotel", "math.factorial", "echo")
    assert more == tools.without(["echo"]) + ToolSet.from_openai([OPENAI_ECHO])


@pytest.mark.parametrize("action", [
    lambda ts: ts["nope"], lambda ts: ts.subset(["echo", "nope"]), lambda ts: ts.without(["nope"])],
    ids=["getitem", "subset", "without"])
def test_unknown_names(tools: ToolSet, action: Any) -> None:
    with pytest.raises(UnknownToolError) as caught:
        action(tools)
    assert isinstance(caught.value, KeyError)
    assert "'nope'" in str(caught.value) and "search_hotels" in (caught.value.hint or "")


def test_duplicates_are_refused() -> None:
    with pytest.raises(ToolDefinitionError) as caught:
        ToolSet.coerce([search_hotels, OPENAI_ECHO, search_hotels])
    assert caught.value.tool == "search_hotels" and caught.value.path == "tools[2]"
    with pytest.raises(ToolDefinitionError):
        ToolSet.coerce([search_hotels]) + [search_hotels]


def test_hand_made_tools_are_checked() -> None:
    with pytest.raises(ToolDefinitionError, match="reserved"):
        ToolSet([Tool(name="none")])
    with pytest.raises(ToolDefinitionError, match="defined twice"):
        ToolSet([Tool(name="t", params=(Param("a"), Param("a")))])
    with pytest.raises(ToolDefinitionError, match="expected a Tool"):
        ToolSet(["t"])  # type: ignore[list-item]


def test_constructors_agree() -> None:
    assert ToolSet.from_functions([book_hotel]) == ToolSet.coerce(book_hotel)
    assert ToolSet.from_openai([OPENAI_ECHO]) == ToolSet.coerce(json.dumps([OPENAI_ECHO]))
    assert ToolSet.from_bfcl([BFCL_FACTORIAL]) == ToolSet.coerce(BFCL_FACTORIAL)
    schema = OPENAI_ECHO["function"]["parameters"]
    assert ToolSet.from_json_schema("echo", schema) == ToolSet.from_openai([OPENAI_ECHO])
    assert ToolSet.coerce(None) == ToolSet()
    same = ToolSet.coerce([search_hotels])
    assert ToolSet.coerce(same) is same


def test_bare_function_doc_dialect_is_detected() -> None:
    # A bare {"name", "parameters"} with BFCL type names anywhere reads as BFCL.
    doc = {"name": "f", "parameters": {"type": "object", "properties": {
        "xs": {"type": "array", "items": {"type": "float"}}}}}
    assert ToolSet.coerce(doc)["f"].params[0].items == Param("item", "number")


@pytest.mark.parametrize("bad,needle", [
    (42, "cannot make tools of a int"),
    ([42], "cannot make tools of a int"),
    (["echo"], "cannot be a string"),
    ({"description": "no name"}, "neither an OpenAI tool nor a BFCL"),
    ("{not json", "not valid JSON"),
])
def test_coerce_refuses(bad: Any, needle: str) -> None:
    with pytest.raises(ToolDefinitionError, match=needle) as caught:
        ToolSet.coerce(bad)
    assert caught.value.hint


def test_renderings(tools: ToolSet) -> None:
    rendered = tools.to_openai()
    assert [entry["function"]["name"] for entry in rendered] == list(tools.names)
    assert rendered[0]["function"]["parameters"] == {
        "type": "object",
        "properties": {"city": {"type": "string"},
                       "max_price": {"type": "number", "default": 200.0}},
        "required": ["city"]}
    # OpenAI's format has no return types; everything else comes back.
    assert ToolSet.from_openai(json.dumps(rendered)) == ToolSet(
        t.with_(returns=None) for t in tools)
    assert tools.to_bfcl()[3]["parameters"]["type"] == "dict"


# -- load: the CLI's --tools FILE_OR_MODULE ----------------------------------------------

TOOLS_MODULE = '''
import neurosym as ns

@ns.tool
def first(x: int) -> int:
    """First tool."""
    return x

@ns.tool(effect="write")
def second(y: str) -> str:
    """Second tool."""
    return y

def helper(z: int) -> int:
    return z
'''


def _write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text))
    return path


def test_load_json_openai_and_bfcl(tmp_path: Path) -> None:
    openai = _write(tmp_path / "tools.json", json.dumps({"tools": [OPENAI_ECHO]}))
    bfcl = _write(tmp_path / "bfcl.json", json.dumps([BFCL_FACTORIAL]))
    assert ToolSet.load(openai).names == ("echo",)
    assert ToolSet.load(str(bfcl)).names == ("math.factorial",)


def test_load_python_file(tmp_path: Path) -> None:
    module = _write(tmp_path / "my_tools.py", TOOLS_MODULE)
    loaded = ToolSet.load(module)
    assert loaded.names == ("first", "second")
    assert loaded["second"].effect == "write" and loaded["first"](x=3) == 3
    listed = _write(tmp_path / "listed.py", TOOLS_MODULE + "\nTOOLS = [helper, second]\n")
    assert ToolSet.load(listed).names == ("helper", "second")


def test_load_module_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "nstoolpkg"
    package.mkdir()
    _write(package / "travel.py", TOOLS_MODULE + "\nPICKED = [first]\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)  # a package directory beside us is still a module name
    _write(package / "__init__.py", "from .travel import first\n")
    assert ToolSet.load("nstoolpkg").names == ("first",)
    assert ToolSet.load("nstoolpkg.travel").names == ("first", "second")
    assert ToolSet.load("nstoolpkg.travel:PICKED").names == ("first",)


@pytest.mark.parametrize("spec,needle", [
    ("missing.json", "no tools file"),
    ("no_such_module_for_neurosym", "no module named"),
    ("bad name!", "is not a file or a module name"),
    ("json:nothing_here", "has no attribute"),
    ("json", "no tools in"),
])
def test_load_refuses(spec: str, needle: str, tmp_path: Path,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ToolDefinitionError, match=needle) as caught:
        ToolSet.load(spec)
    assert caught.value.hint


def test_load_reports_errors_in_the_file(tmp_path: Path) -> None:
    broken = _write(tmp_path / "broken.py", "import neurosym as ns\nraise RuntimeError('boom')\n")
    with pytest.raises(ToolDefinitionError, match="RuntimeError: boom"):
        ToolSet.load(broken)
    bad_tool = _write(tmp_path / "bad_tool.py",
                      "import neurosym as ns\n@ns.tool\ndef f(*args): pass\n")
    with pytest.raises(ToolDefinitionError, match=r"\*args"):
        ToolSet.load(bad_tool)
    bad_json = _write(tmp_path / "bad.json", '[{"type": "function", "function": {}}]')
    with pytest.raises(ToolDefinitionError, match="no name"):
        ToolSet.load(bad_json)
    not_json = _write(tmp_path / "notes.txt", "hello")
    with pytest.raises(ToolDefinitionError, match="cannot read tools"):
        ToolSet.load(not_json)
