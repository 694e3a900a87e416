"""The search over whole plans as a tree: the pieces the branches share, where they part,
the plans that ended with their weights, and the branches a potential refused.

Each plan text (every finished candidate of :class:`~neurosym.search.SearchOutcome`,
every partial plan of a ``refuse`` event) is cut into pieces: a call's head
(``r1 = search_flights(``), each argument (``origin="SFO"``) and the end. Texts that
begin with the same pieces share those nodes, so the tree forks exactly where the
search kept more than one way. A finished plan's leaf says its weight and the model's
log-probability; the chosen one is marked; a refused branch ends in a red leaf with
the potential's reason.

>>> from neurosym.search import SearchOutcome, SearchEvent
>>> from neurosym.search.beam import Candidate
>>> outcome = SearchOutcome(
...     candidates=(Candidate('r1 = f(x=1)', -1.0, (), True, -2.0),
...                 Candidate('r1 = f(x=2)', -3.0, (), True, -2.5)),
...     events=(SearchEvent("refuse", 'r1 = f(x=9, ', -4.0, "solver: x <= 5"),),
...     stop="complete", prompt_tokens=10, reused_tokens=0, evaluated_tokens=12,
...     decode_calls=4, refusals=(), seconds=0.1, prompt_seconds=0.05)
>>> tree = beam_tree(outcome, chosen='r1 = f(x=1)')
>>> [(n.label, n.status, n.parent) for n in tree.nodes]
[('search', 'root', None), ('r1 = f(', 'accepted', 0), ('x=1', 'accepted', 1), ('end', 'accepted', 2), ('x=2', 'accepted', 1), ('end', 'accepted', 4), ('x=9', 'rejected', 1)]
>>> tree.nodes[3].detail
'chosen · weight -1.00 · log p -2.00'
"""

from __future__ import annotations

import re
from typing import Any

from .search import SearchNode, SearchTree

__all__ = ["beam_tree", "plan_pieces"]

# A step's head, an argument (a string value may hold commas and brackets), a call's
# close, a terminal form.
_PIECE = re.compile(r'''
    (?P<head>[A-Za-z_]\w*\s*=\s*[A-Za-z_][\w.]*\()          # r1 = tool(
  | (?P<arg>[A-Za-z_]\w*=(?:"(?:[^"\\]|\\.)*"|[^,()"\n]*(?:\([^()\n]*\))?[^,()"\n]*))
  | (?P<terminal>(?:none|ask|answer)\((?:"(?:[^"\\]|\\.)*")?\))
''', re.VERBOSE)


def plan_pieces(text: str) -> list[str]:
    """The pieces of a plan text in order; an argument whose value is not yet written
    (the end of a partial plan) is left out.

    >>> plan_pieces('r1 = f(a="x, y", b=2)\\nr2 = g(c=r1.id)')
    ['r1 = f(', 'a="x, y"', 'b=2', 'r2 = g(', 'c=r1.id']
    >>> plan_pieces('r1 = f(a=1, b=')
    ['r1 = f(', 'a=1']
    """
    pieces = (m.group(0).strip() for m in _PIECE.finditer(text))
    return [p for p in pieces if p and not p.endswith("=")]


def beam_tree(trace: Any, *, chosen: str | None = None, max_refused: int = 40) -> SearchTree:
    """The tree of a search outcome, or of a plan result that holds one (``result.search``).

    ``chosen`` is the plan text the verdict took (read from a plan result when not
    given); ``max_refused`` bounds how many refused branches are drawn.
    """
    outcome = getattr(trace, "search", None) or trace
    if chosen is None:
        plan = getattr(trace, "plan", None)
        chosen = getattr(trace, "text", None) if plan is not None else None
    nodes: list[SearchNode] = [SearchNode(0, "other", "search", "", "root", None)]
    children: dict[tuple[int, str], int] = {}

    def walk(pieces: list[str]) -> int:
        at = 0
        for piece in pieces:
            key = (at, piece)
            if key not in children:
                children[key] = len(nodes)
                kind = "call" if piece.endswith("(") else "value"
                nodes.append(SearchNode(len(nodes), kind, piece, "", "accepted", at))
            at = children[key]
        return at

    for candidate in getattr(outcome, "candidates", ()):
        parent = walk(plan_pieces(candidate.text))
        mark = "chosen · " if chosen is not None and candidate.text == chosen else ""
        nodes.append(SearchNode(len(nodes), "end", "end", "", "accepted", parent,
                                detail=f"{mark}weight {candidate.score:.2f} · "
                                       f"log p {candidate.logprob:.2f}",
                                text=candidate.text))
    refused = [e for e in getattr(outcome, "events", ()) if e.kind == "refuse"]
    drawn: set[tuple[int, str]] = set()
    for event in refused[:max_refused]:
        pieces = plan_pieces(event.text)
        if not pieces:
            continue
        parent = walk(pieces[:-1])
        if (parent, pieces[-1]) in drawn or (parent, pieces[-1]) in children:
            continue  # the same branch refused again, or a piece another branch kept
        drawn.add((parent, pieces[-1]))
        nodes.append(SearchNode(len(nodes), "value", pieces[-1], "", "rejected", parent,
                                reason=event.reason, text=event.text))
    notes = ()
    if len(refused) > max_refused:
        notes = (f"{len(refused) - max_refused} more refused branches not drawn",)
    return SearchTree(tuple(nodes), (), notes)
