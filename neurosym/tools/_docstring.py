"""What a docstring says about a tool: its summary, each parameter, the return value.

The styles are read by ``docstring-parser``: Google (``Args:``), NumPy (``Parameters``
underlined), reStructuredText (``:param name:``, ``:arg name:``, ``:type:``) and Epydoc
(``@param name:``). What it leaves out (a Google ``Keyword Args:`` section, a type line
it cannot place) is read by this module's own section reader, which never overrides it.

>>> doc = parse_docstring('''Book a hotel room.
...
... More detail here.
...
... Args:
...     city (str): Where to stay,
...         in full.
...     nights: How many nights.
...
... Returns:
...     The booking.
... ''')
>>> doc.summary
'Book a hotel room.'
>>> doc.params
{'city': 'Where to stay, in full.', 'nights': 'How many nights.'}
>>> doc.returns
'The booking.'
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

__all__ = ["Docstring", "parse_docstring"]

_PARAM_SECTIONS = {"args", "arguments", "parameters", "params", "keyword args",
                   "keyword arguments", "other parameters"}
_RETURN_SECTIONS = {"returns", "return", "yields"}
_OTHER_SECTIONS = {"raises", "examples", "example", "note", "notes", "see also",
                   "warning", "warnings", "references", "attributes", "todo"}
_ALL_SECTIONS = _PARAM_SECTIONS | _RETURN_SECTIONS | _OTHER_SECTIONS

# Google: "name: text" or "name (type): text"; NumPy: "name : type" or a bare "name".
_GOOGLE_ITEM = re.compile(r"^\*{0,2}(?P<name>\w+)(\s*\([^)]*\))?:\s*(?P<text>.*)$")
_NUMPY_ITEM = re.compile(r"^\*{0,2}(?P<name>\w+)(\s+:.*)?$")
_REST_PARAM = re.compile(r"^:param\s+(?:[^:]*\s)?(?P<name>\w+)\s*:\s*(?P<text>.*)$")
_REST_RETURN = re.compile(r"^:returns?\s*:\s*(?P<text>.*)$")


@dataclass(frozen=True)
class Docstring:
    summary: str = ""
    params: dict[str, str] = field(default_factory=dict)
    returns: str = ""


def parse_docstring(doc: str | None) -> Docstring:
    """The summary (first paragraph, one line), parameter texts and return text."""
    if not doc:
        return Docstring()
    own = _read_sections(doc)
    import docstring_parser
    try:
        parsed = docstring_parser.parse(inspect.cleandoc(doc))
    except docstring_parser.ParseError:
        return own
    params = {p.arg_name.lstrip("*"): " ".join(p.description.split())
              for p in parsed.params if p.description and p.arg_name}
    returns = parsed.returns.description if parsed.returns is not None else None
    return Docstring(own.summary, {**own.params, **params},
                     " ".join(returns.split()) if returns else own.returns)


def _read_sections(doc: str) -> Docstring:
    """The module's own reader: the summary, and the sections it knows, in any style."""
    lines = inspect.cleandoc(doc).splitlines()
    summary: list[str] = []
    for index, line in enumerate(lines):
        if not line.strip() or _header(lines, index) or line.lstrip().startswith(":"):
            break
        summary.append(line.strip())
    params: dict[str, str] = {}
    returns: list[str] = []
    index = 0
    while index < len(lines):
        stripped = lines[index].strip()
        match = _REST_PARAM.match(stripped)
        if match:
            index = _collect(lines, index, match["text"], params, match["name"])
            continue
        match = _REST_RETURN.match(stripped)
        if match:
            holder: dict[str, str] = {}
            index = _collect(lines, index, match["text"], holder, "r")
            returns.append(holder["r"])
            continue
        section = _header(lines, index)
        if section is None:
            index += 1
            continue
        title, body_start = section
        underlined = body_start == index + 2
        body, index = _section_body(lines, body_start)
        if title in _PARAM_SECTIONS:
            params.update(_items(body))
        elif title in _RETURN_SECTIONS:
            returns.append(_returns_text(body, underlined))
    return Docstring(" ".join(summary), params, " ".join(r for r in returns if r))


def _header(lines: list[str], index: int) -> tuple[str, int] | None:
    """(section title, index of its first body line) when a section starts at ``index``."""
    stripped = lines[index].strip()
    if stripped.endswith(":") and stripped[:-1].strip().lower() in _ALL_SECTIONS:
        return stripped[:-1].strip().lower(), index + 1
    if (stripped.lower() in _ALL_SECTIONS and index + 1 < len(lines)
            and re.fullmatch(r"-{3,}", lines[index + 1].strip())):
        return stripped.lower(), index + 2
    return None


def _section_body(lines: list[str], start: int) -> tuple[list[str], int]:
    """The lines of a section, up to the next section header or the end."""
    end = start
    while end < len(lines) and _header(lines, end) is None:
        end += 1
    body = lines[start:end]
    while body and not body[-1].strip():
        body.pop()
    return body, end


def _items(body: list[str]) -> dict[str, str]:
    """Parameter entries: the least-indented lines start items, deeper lines continue them."""
    entries = [line for line in body if line.strip()]
    if not entries:
        return {}
    margin = min(_indent(line) for line in entries)
    items: dict[str, list[str]] = {}
    current: str | None = None
    for line in entries:
        text = line.strip()
        if _indent(line) == margin:
            match = _NUMPY_ITEM.match(text)
            if match:
                current = match["name"]
                items[current] = []
                continue
            match = _GOOGLE_ITEM.match(text)
            if match:
                current = match["name"]
                items[current] = [match["text"].strip()] if match["text"].strip() else []
                continue
            current = None
        elif current is not None:
            items[current].append(text)
    return {name: " ".join(words) for name, words in items.items()}


def _returns_text(body: list[str], underlined: bool) -> str:
    entries = [line for line in body if line.strip()]
    if underlined and entries:
        # NumPy: a type line ("list of str", "name : type"), then the text indented below.
        margin = min(_indent(line) for line in entries)
        deeper = [line for line in entries if _indent(line) > margin]
        if deeper:
            entries = deeper
    return " ".join(line.strip() for line in entries)


def _collect(lines: list[str], index: int, first: str, into: dict[str, str], key: str) -> int:
    """A reST field and its indented continuation lines; returns the next line's index."""
    words = [first.strip()] if first.strip() else []
    base = _indent(lines[index])
    index += 1
    while index < len(lines) and lines[index].strip() and _indent(lines[index]) > base:
        words.append(lines[index].strip())
        index += 1
    into[key] = " ".join(words)
    return index


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())
