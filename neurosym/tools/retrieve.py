"""Choosing the few tools a request needs, so a small model's prompt stays short.

Tool selection degrades as the catalogue grows; the retriever ranks tools by the words
they share with the request (names, descriptions, parameter names), crudely stemmed, and
keeps the best ``k``. The grammar is then built over that subset, so the model still
cannot write a tool that does not exist.

>>> from neurosym.tools.tool import Tool
>>> tools = [Tool("get_balance", "Read the balance of a bank account."),
...          Tool("search_flights", "Search flights between two airports."),
...          Tool("book_hotel", "Book a hotel room.")]
>>> [t.name for t in select_tools(tools, "What is the balance of my checking account?", k=1)]
['get_balance']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .tool import Tool

__all__ = ["select_tools", "tool_scores", "tool_words"]

_STOP = frozenset("""a an and are as at be by can do does for from get give how i in is it
me my of on or please the their this to what when where which who will with you your""".split())


def _stem(word: str) -> str:
    word = word.lower()
    for suffix in ("ings", "ing", "ies", "es", "s", "ed"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _words(text: str) -> list[str]:
    parts = re.findall(r"[A-Za-z][a-z]+|[A-Z]+(?![a-z])|\d+", text)
    return [_stem(p) for p in parts if p.lower() not in _STOP and len(p) > 2]


def tool_words(tool: Tool) -> dict[str, float]:
    """The words of a tool with weights: its name counts most, then parameters, then doc."""
    weights: dict[str, float] = {}
    for word in _words(tool.description):
        weights[word] = max(weights.get(word, 0.0), 1.0)
    for param in tool.params:
        for word in _words(param.name.replace("_", " ")):
            weights[word] = max(weights.get(word, 0.0), 1.5)
    for word in _words(tool.name.replace("_", " ").replace(".", " ")):
        weights[word] = max(weights.get(word, 0.0), 3.0)
    return weights


def tool_scores(request: str, tools: Iterable[Tool]) -> dict[str, float]:
    """Each tool's score for ``request``: the weights of the words they share."""
    asked = set(_words(request))
    return {tool.name: sum(tool_words(tool).get(word, 0.0) for word in asked)
            for tool in tools}


def select_tools(tools: Iterable[Tool], request: str, *, k: int = 6,
                 keep: Sequence[str] = ()) -> list[Tool]:
    """The ``k`` tools that best match ``request`` (in their original order), plus ``keep``.

    Only tools that share a word with the request are kept when any does; ties keep the
    catalogue's order; a request that matches nothing keeps the first ``k``.
    """
    catalogue = list(tools)
    scores = tool_scores(request, catalogue)
    scored = [(-scores[tool.name], index, tool) for index, tool in enumerate(catalogue)]
    best = sorted(scored)[:k]
    if best and best[0][0] < 0:  # something matched: only the tools that did
        best = [entry for entry in best if entry[0] < 0]
    chosen = {index for _, index, _ in best} | {i for i, t in enumerate(catalogue)
                                                if t.name in keep}
    return [tool for index, tool in enumerate(catalogue) if index in chosen]
