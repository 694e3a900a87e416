"""Patterns (:mod:`neurosym.constraints.regex`) as Z3 regular expressions, with search semantics."""

from __future__ import annotations

import z3

from ..constraints import regex as rx


def _re(text: str, ctx: z3.Context | None) -> z3.ReRef:
    return z3.Re(z3.StringVal(text, ctx))


def _charset(node: rx.CharSet, ctx: z3.Context | None) -> z3.ReRef:
    parts = []
    for lo, hi in node.ranges:
        hi = min(hi, rx.MAX_CHAR)
        if lo > hi:
            continue
        if lo == hi:
            parts.append(_re(chr(lo), ctx))
        else:
            parts.append(z3.Range(chr(lo), chr(hi), ctx))
    if not parts:
        return z3.Empty(z3.ReSort(z3.StringSort(ctx)))
    return parts[0] if len(parts) == 1 else z3.Union(*parts)


def _node(node: rx.RegexNode, ctx: z3.Context | None) -> z3.ReRef:
    if isinstance(node, rx.Literal):
        return _re(node.text, ctx)
    if isinstance(node, rx.CharSet):
        return _charset(node, ctx)
    if isinstance(node, rx.Concat):
        items: list[z3.ReRef] = []
        run = ""
        for item in node.items:
            if isinstance(item, rx.Literal):
                run += item.text  # consecutive literals become one string
                continue
            if run:
                items.append(_re(run, ctx))
                run = ""
            items.append(_node(item, ctx))
        if run:
            items.append(_re(run, ctx))
        if not items:
            return _re("", ctx)
        return items[0] if len(items) == 1 else z3.Concat(*items)
    if isinstance(node, rx.Alternation):
        options = [_node(o, ctx) for o in node.options]
        return options[0] if len(options) == 1 else z3.Union(*options)
    if isinstance(node, rx.Repeat):
        inner = _node(node.item, ctx)
        if node.max is None:
            if node.min == 0:
                return z3.Star(inner)
            if node.min == 1:
                return z3.Plus(inner)
            return z3.Concat(z3.Loop(inner, node.min, node.min), z3.Star(inner))
        if node.min == 0 and node.max == 1:
            return z3.Option(inner)
        if node.max == 0:
            return _re("", ctx)
        return z3.Loop(inner, node.min, node.max)
    raise TypeError(node)  # pragma: no cover


def pattern_to_z3(pattern: rx.Pattern, ctx: z3.Context | None = None) -> z3.ReRef:
    """The strings containing a match of ``pattern`` (the whole string where anchored)."""
    anything = z3.Star(z3.AllChar(z3.ReSort(z3.StringSort(ctx))))
    branches = []
    for branch in pattern.branches:
        parts = []
        if not branch.anchored_start:
            parts.append(anything)
        parts.append(_node(branch.node, ctx))
        if not branch.anchored_end:
            parts.append(anything)
        branches.append(parts[0] if len(parts) == 1 else z3.Concat(*parts))
    return branches[0] if len(branches) == 1 else z3.Union(*branches)
