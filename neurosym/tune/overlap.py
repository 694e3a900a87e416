"""Training data kept apart from the benchmarks the project reports.

The recipe's data must hold nothing of BFCL: no request that shares a run of words with
a BFCL question, no tool named as a BFCL function, and no plan value that is one of its
answers' longer values. :func:`benchmark_overlap` reads every data file the installed
``bfcl-eval`` ships (single and multi-turn, questions and possible answers) and lists
each overlap it finds; the tests hold it to none.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .data import Example

__all__ = ["BenchmarkText", "benchmark_overlap", "read_bfcl_texts", "shingles"]

_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, n: int) -> set[tuple[str, ...]]:
    """Every run of ``n`` consecutive words of ``text``, lower-cased.

    >>> sorted(shingles("Set the hall lights", 3))
    [('set', 'the', 'hall'), ('the', 'hall', 'lights')]
    """
    words = [w.lower() for w in _WORD.findall(text)]
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


@dataclass(frozen=True)
class BenchmarkText:
    """What the benchmark holds: its questions' texts, its functions' names, and the
    string values of its possible answers."""

    questions: tuple[str, ...]
    functions: frozenset[str]
    answers: frozenset[str]


def _walk(node: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) of the dicts nested anywhere in ``node``."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield k, v
            yield from _walk(v)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield k
            yield from _strings(v)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def read_bfcl_texts(data: Path | None = None) -> BenchmarkText:
    """Every question, function name and answer value of the installed BFCL data."""
    if data is None:
        from ..bench.bfcl import bfcl_data_dir
        data = bfcl_data_dir()
    questions: list[str] = []
    functions: set[str] = set()
    answers: set[str] = set()
    for path in sorted(data.rglob("*.json")):
        is_answer = "possible_answer" in path.parts
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if is_answer:
                answers.update(s for s in _strings(row.get("ground_truth")) if isinstance(s, str))
                continue
            for key, value in _walk(row):
                if key == "content" and isinstance(value, str):
                    questions.append(value)
                elif key == "name" and isinstance(value, str):
                    functions.add(value)
                    functions.add(value.rsplit(".", 1)[-1])
    return BenchmarkText(tuple(questions), frozenset(functions), frozenset(answers))


def _plan_strings(example: Example) -> Iterator[str]:
    for _, args in example.calls:
        for value in args.values():
            if isinstance(value, str):
                yield value


def benchmark_overlap(examples: Sequence[Example], tools: Iterable[str], *,
                      bench: BenchmarkText | None = None, words: int = 8) -> list[str]:
    """Each overlap of ``examples`` and the tool names ``tools`` with BFCL: a request
    sharing ``words`` consecutive words with a question, a tool named as a function, a
    plan value of two words or more that is an answer's value. Empty when there is none."""
    bench = bench or read_bfcl_texts()
    found: list[str] = []
    seen: set[tuple[str, ...]] = set()
    for question in bench.questions:
        seen |= shingles(question, words)
    for example in examples:
        shared = shingles(example.request, words) & seen
        if shared:
            found.append(f"request {example.request!r} shares {' '.join(min(shared))!r}")
        for value in _plan_strings(example):
            if len(value.split()) >= 2 and value in bench.answers:
                found.append(f"plan value {value!r} is a BFCL answer")
    found.extend(f"tool {name} is a BFCL function" for name in tools if name in bench.functions)
    return found
