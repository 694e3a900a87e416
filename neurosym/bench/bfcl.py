"""The Berkeley Function Calling Leaderboard: its questions, its own AST checker, and runs.

Questions and possible answers come from the ``bfcl-eval`` package; every answer is
scored by BFCL's ``ast_checker`` itself, so the numbers compare with its leaderboard.
Relevance categories follow BFCL's rule: on ``irrelevance`` an answer is right when it
makes no call (an unparsable answer makes none), on ``live_relevance`` when it makes one.

>>> entry = load_category("simple_python", limit=1)[0]
>>> entry.id, entry.functions[0]["name"]
('simple_python_0', 'calculate_triangle_area')
>>> score_entry(entry, [{"calculate_triangle_area": {"base": 10, "height": 5}}],
...             well_formed=True).correct
True
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TextIO

from ..errors import (BenchmarkError, BudgetExceeded, ContextOverflowError, DecodeError,
                      GrammarError, PlanSyntaxError, PlanValidationError, Unsatisfiable)
from ._checker import CHECKER_MODEL_NAME, bfcl_data_dir, load_checker
from ._convert import has_call, is_call_list, language_of, model_functions
from ._progress import Progress
from .leaks import leaks

__all__ = ["AST_CATEGORIES", "ERROR_TYPES", "ErrorType", "BfclEntry", "Answer", "Score",
           "EntryResult", "RunResult", "AnswerFn", "Half", "HALVES", "categories",
           "entry_half", "has_halves", "unit_name", "load_category", "score_entry",
           "classify_checker_error", "run_category", "bfcl_data_dir"]

#: Every single-turn category BFCL scores with its AST checker, in leaderboard order.
AST_CATEGORIES: tuple[str, ...] = (
    "simple_python", "simple_java", "simple_javascript", "multiple", "parallel",
    "parallel_multiple", "irrelevance", "live_simple", "live_multiple", "live_parallel",
    "live_parallel_multiple", "live_irrelevance", "live_relevance",
)

ErrorType = Literal["wrong_function", "wrong_value", "wrong_type", "missing_argument",
                    "extra_argument", "wrong_count", "malformed", "irrelevance_called",
                    "relevance_missed", "other"]
ERROR_TYPES: tuple[str, ...] = (
    "wrong_function", "wrong_value", "wrong_type", "missing_argument", "extra_argument",
    "wrong_count", "malformed", "irrelevance_called", "relevance_missed", "other",
)

Half = Literal["dev", "test"]
#: The halves of a category: ``dev`` to tune on, ``test`` to report (see ``entry_half``).
HALVES: tuple[str, ...] = ("dev", "test")

# Errors an answer function may raise for one entry without ending the run: the entry
# counts as an answer that is not well formed, with the error as its note.
_ENTRY_ERRORS = (ContextOverflowError, DecodeError, BudgetExceeded, Unsatisfiable,
                 PlanSyntaxError, PlanValidationError, GrammarError)


@dataclass(frozen=True)
class BfclEntry:
    """One BFCL question: the chat so far, the function docs offered, the possible answers.

    ``ground_truth`` is BFCL's list of ``{function: {param: [allowed values]}}``, or None
    for the relevance categories, which have none.
    """

    id: str
    category: str
    messages: tuple[dict[str, Any], ...]
    functions: tuple[dict[str, Any], ...]
    ground_truth: tuple[dict[str, Any], ...] | None = None

    @property
    def language(self) -> str:
        return language_of(self.category)

    def shown_functions(self) -> list[dict[str, Any]]:
        """The docs as a model is shown them (see ``model_functions``)."""
        return model_functions(self.functions, self.language)

    @property
    def question_text(self) -> str:
        """The text of every message of the chat, one after the other."""
        return "\n".join(str(message.get("content") or "") for message in self.messages)


@dataclass(frozen=True)
class Answer:
    """What an answer function made of one entry.

    ``calls`` is ``[{function: {arg: value}}]`` ready for the checker (None when no call
    list could be read); ``well_formed`` says whether the output parsed as a plan at all.
    ``evaluated_tokens`` counts the tokens the model evaluated after the prompt, over
    every branch a search tried (a single decode: its output tokens).
    """

    calls: list[dict[str, dict[str, Any]]] | None
    text: str
    well_formed: bool
    prompt_tokens: int = 0
    output_tokens: int = 0
    latency_s: float = 0.0
    note: str = ""
    evaluated_tokens: int = 0


AnswerFn = Callable[[BfclEntry], Answer]


@dataclass(frozen=True)
class Score:
    """BFCL's verdict on one answer, with its error sorted into one of ``ERROR_TYPES``."""

    correct: bool
    error_type: ErrorType | None = None
    detail: str = ""
    checker_error_type: str | None = None


@dataclass(frozen=True)
class EntryResult:
    """One entry's answer as scored: the verdict, the costs, and whether the answer's
    text leaked a value of the planner prompt's examples (see ``neurosym.bench.leaks``)."""

    id: str
    score: Score
    well_formed: bool
    prompt_tokens: int
    output_tokens: int
    latency_s: float
    text: str = ""
    note: str = ""
    evaluated_tokens: int = 0
    leaked: bool = False


def _percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (the value at or below which ``fraction`` of them lie)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(math.ceil(fraction * len(ordered)), 1)
    return ordered[rank - 1]


@dataclass(frozen=True)
class RunResult:
    """One category answered in one mode, entry by entry, with the summary figures.

    ``half`` is the half of the category answered (None: all of it).
    """

    category: str
    mode: str
    entries: tuple[EntryResult, ...] = field(default=())
    limit: int | None = None
    half: Half | None = None

    @property
    def n(self) -> int:
        return len(self.entries)

    @property
    def correct(self) -> int:
        return sum(e.score.correct for e in self.entries)

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0

    @property
    def well_formed_rate(self) -> float:
        return sum(e.well_formed for e in self.entries) / self.n if self.n else 0.0

    @property
    def error_counts(self) -> dict[str, int]:
        counts = Counter(e.score.error_type for e in self.entries if e.score.error_type)
        return {kind: counts[kind] for kind in ERROR_TYPES if counts[kind]}

    @property
    def entry_errors(self) -> dict[str, int]:
        """How many entries went unanswered for each kind of error (from their notes)."""
        counts = Counter(e.note.split(":", 1)[0] for e in self.entries
                         if e.note and not e.well_formed)
        return dict(sorted(counts.items()))

    @property
    def leak_rate(self) -> float:
        """The share of answers that leaked a value of the prompt's worked examples."""
        return sum(e.leaked for e in self.entries) / self.n if self.n else 0.0

    def _mean(self, field: str) -> float:
        """The mean of one figure over the entries (0 for no entries)."""
        return statistics.fmean(getattr(e, field) for e in self.entries) if self.n else 0.0

    @property
    def evaluated_tokens_mean(self) -> float:
        return self._mean("evaluated_tokens")

    @property
    def latency_mean_s(self) -> float:
        return self._mean("latency_s")

    @property
    def prompt_tokens_mean(self) -> float:
        return self._mean("prompt_tokens")

    @property
    def output_tokens_mean(self) -> float:
        return self._mean("output_tokens")

    @property
    def latency_median_s(self) -> float:
        return statistics.median(e.latency_s for e in self.entries) if self.n else 0.0

    @property
    def latency_p90_s(self) -> float:
        return _percentile([e.latency_s for e in self.entries], 0.9)

    def summary(self) -> dict[str, Any]:
        """The figures a report row holds."""
        return {
            "category": self.category, "mode": self.mode, "half": self.half, "n": self.n,
            "limit": self.limit, "correct": self.correct, "accuracy": round(self.accuracy, 4),
            "well_formed_rate": round(self.well_formed_rate, 4),
            "leak_rate": round(self.leak_rate, 4),
            "errors": self.error_counts, "entry_errors": self.entry_errors,
            "evaluated_tokens_mean": round(self.evaluated_tokens_mean, 1),
            "prompt_tokens_mean": round(self.prompt_tokens_mean, 1),
            "output_tokens_mean": round(self.output_tokens_mean, 1),
            "latency_mean_s": round(self.latency_mean_s, 3),
            "latency_median_s": round(self.latency_median_s, 3),
            "latency_p90_s": round(self.latency_p90_s, 3),
        }


def _read_lines(path: Path) -> list[dict[str, Any]]:
    try:
        with path.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]
    except (OSError, json.JSONDecodeError) as err:
        raise BenchmarkError(f"cannot read BFCL file {path}: {err}",
                             hint="reinstall bfcl-eval; its data files look damaged") from err


def _is_relevance(category: str) -> bool:
    return "relevance" in category  # covers irrelevance, live_irrelevance, live_relevance


def categories() -> list[str]:
    """The AST categories whose questions the installed bfcl-eval ships."""
    data = bfcl_data_dir()
    found = []
    for name in AST_CATEGORIES:
        answers = data / "possible_answer" / f"BFCL_v4_{name}.json"
        has_answers = _is_relevance(name) or answers.is_file()
        if (data / f"BFCL_v4_{name}.json").is_file() and has_answers:
            found.append(name)
    return found


def entry_half(entry_id: str) -> Half:
    """The half an entry belongs to: ``dev`` for an even number at the end of its id,
    ``test`` for an odd one. Tuning looks at the dev halves only; reports show both.

    A live id (``live_simple_12-3-0``: the entry's number, then its group's) is read by
    its first number, though the benchmark runs live categories whole (``has_halves``).

    >>> entry_half("simple_python_12"), entry_half("irrelevance_7")
    ('dev', 'test')
    >>> entry_half("live_multiple_5-2-0")
    'test'
    """
    tail = entry_id.rsplit("_", 1)[-1].split("-")[0]
    if not tail.isdigit():
        raise BenchmarkError(f"BFCL entry id {entry_id!r} does not end with a number",
                             hint="the dev/test split needs BFCL's numbered ids")
    return "dev" if int(tail) % 2 == 0 else "test"


def has_halves(category: str) -> bool:
    """Whether the benchmark splits ``category`` into a dev and a test half: the live
    categories (users' own requests, few of them in some categories) are run whole.

    >>> has_halves("parallel"), has_halves("live_simple")
    (True, False)
    """
    return not category.startswith("live_")


def unit_name(category: str, half: str | None) -> str:
    """How progress and summary lines name a category's half.

    >>> unit_name("parallel", "test"), unit_name("live_simple", None)
    ('parallel:test', 'live_simple')
    """
    return category if half is None else f"{category}:{half}"


def load_category(name: str, limit: int | None = None, *,
                  half: Half | None = None) -> list[BfclEntry]:
    """The entries of one category in BFCL's order (with ``half``, only that half's;
    the first ``limit`` of them)."""
    known = categories()
    if name not in known:
        raise BenchmarkError(f"unknown BFCL category {name!r}",
                             hint="choose one of: " + ", ".join(known))
    if limit is not None and limit < 1:
        raise BenchmarkError(f"limit must be at least 1, got {limit}",
                             hint="leave the limit out to run the whole category")
    data = bfcl_data_dir()
    questions = _read_lines(data / f"BFCL_v4_{name}.json")
    if half is not None:
        if half not in HALVES:
            raise BenchmarkError(f"unknown half {half!r}", hint="choose dev or test")
        questions = [row for row in questions if entry_half(row["id"]) == half]
    if limit is not None:
        questions = questions[:limit]
    answers: dict[str, Any] = {}
    if not _is_relevance(name):
        answers = {row["id"]: row["ground_truth"]
                   for row in _read_lines(data / "possible_answer" / f"BFCL_v4_{name}.json")}
    entries = []
    for row in questions:
        if not _is_relevance(name) and row["id"] not in answers:
            raise BenchmarkError(f"BFCL entry {row['id']} has no possible answer",
                                 hint="reinstall bfcl-eval; its data files disagree")
        truth = answers.get(row["id"])
        entries.append(BfclEntry(
            id=row["id"], category=name,
            messages=tuple(message for turn in row["question"] for message in turn),
            functions=tuple(row["function"]),
            ground_truth=tuple(truth) if truth is not None else None))
    return entries


_KIND_BY_SUFFIX: dict[str, ErrorType] = {
    "wrong_func_name": "wrong_function",
    "wrong_count": "wrong_count",
    "missing_required": "missing_argument",
    "missing_optional": "missing_argument",
    "unexpected_param": "extra_argument",
}


def _classify_kind(kind: str) -> ErrorType:
    family, _, suffix = kind.partition(":")
    if suffix in _KIND_BY_SUFFIX:
        return _KIND_BY_SUFFIX[suffix]
    if family == "type_error":
        return "wrong_type"
    if family in ("value_error", "dict_checker", "list_dict_checker"):
        return "wrong_value"
    return "other"


def _names(calls: Sequence[Mapping[str, Any]]) -> Counter[str]:
    return Counter(name for call in calls for name in call)


def classify_checker_error(result: Mapping[str, Any],
                           output: Sequence[Mapping[str, Any]] | None = None,
                           ground_truth: Sequence[Mapping[str, Any]] | None = None) -> ErrorType:
    """Sort a failed checker result into one of ``ERROR_TYPES`` by its own error type.

    When no call of a parallel answer matches an expected one, the checker lists why
    each candidate call failed. If the answer calls other functions than expected
    (given ``output`` and ``ground_truth``), the function is wrong; otherwise the reason
    of the first candidate that calls the expected function explains it best.

    >>> classify_checker_error({"valid": False, "error_type": "type_error:nested"})
    'wrong_type'
    """
    kind = str(result.get("error_type", ""))
    if not kind.endswith(":cannot_find_match"):
        return _classify_kind(kind)
    if output is not None and ground_truth is not None and _names(output) != _names(ground_truth):
        return "wrong_function"
    reasons = []
    for item in result.get("error", []):
        if isinstance(item, dict):
            for detail in item.values():
                if isinstance(detail, dict) and "sub_error_type" in detail:
                    reasons.append(str(detail["sub_error_type"]))
    closer = [r for r in reasons if not r.endswith(":wrong_func_name")]
    return _classify_kind(closer[0]) if closer else "wrong_function"


def _first_error(result: Mapping[str, Any]) -> str:
    errors = result.get("error") or []
    for item in errors:
        if isinstance(item, str):
            return item
    return json.dumps(errors, default=str)[:300] if errors else ""


def score_entry(entry: BfclEntry, output: list[dict[str, Any]] | None, *,
                well_formed: bool) -> Score:
    """BFCL's verdict on ``output`` (``[{function: {arg: value}}]``) for ``entry``.

    ``well_formed=False`` means the model's text could not be read as calls; BFCL then
    counts no call: wrong where a call was due, right on the irrelevance categories.
    """
    if _is_relevance(entry.category):
        called = well_formed and has_call(output)
        if "irrelevance" in entry.category:
            if called:
                return Score(False, "irrelevance_called", "a call was made where none fits")
            return Score(True)
        if called:
            return Score(True)
        return Score(False, "relevance_missed" if well_formed else "malformed",
                     "no call was made where one fits")
    if not well_formed or output is None:
        return Score(False, "malformed", "the answer could not be read as function calls")
    if not is_call_list(output):
        return Score(False, "malformed",
                     "the answer is not a list of {function: {argument: value}}")
    checker, language = load_checker()
    try:
        result = checker(list(entry.functions), output, list(entry.ground_truth or ()),
                         language(entry.language), entry.category, CHECKER_MODEL_NAME)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as err:
        # The checker assumes well-typed values; a value it cannot even compare is wrong.
        return Score(False, "other", f"BFCL's checker could not compare the answer: {err!r}")
    if result.get("valid"):
        return Score(True)
    kind = classify_checker_error(result, output, entry.ground_truth)
    return Score(False, kind, _first_error(result),
                 str(result.get("error_type", "")) or None)


def run_category(name: str, answer_fn: AnswerFn, *, limit: int | None = None,
                 mode: str = "custom", progress: bool = True,
                 progress_stream: TextIO | None = None, half: Half | None = None) -> RunResult:
    """Answer every entry of a category with ``answer_fn`` and score it with BFCL's checker.

    Errors of one entry that a model can cause (context overflow, an exhausted search
    budget, an unsatisfiable request, an unreadable plan) count against that entry;
    set-up errors (no model, no data) end the run. With ``half``, only that half of the
    category is answered (see ``entry_half``). The progress line, labelled with the
    category, half and mode, goes to ``progress_stream`` (default: stderr).
    """
    entries = load_category(name, limit, half=half)
    bar = Progress(f"bfcl {unit_name(name, half)} [{mode}]", len(entries),
                   stream=progress_stream, enabled=progress)
    results = []
    try:
        for entry in entries:
            start = time.perf_counter()
            try:
                answer = answer_fn(entry)
            except _ENTRY_ERRORS as err:
                answer = Answer(None, "", False, latency_s=time.perf_counter() - start,
                                note=f"{type(err).__name__}: {err.message}")
            score = score_entry(entry, answer.calls, well_formed=answer.well_formed)
            results.append(EntryResult(
                id=entry.id, score=score, well_formed=answer.well_formed,
                prompt_tokens=answer.prompt_tokens, output_tokens=answer.output_tokens,
                latency_s=answer.latency_s, text=answer.text, note=answer.note,
                evaluated_tokens=answer.evaluated_tokens,
                leaked=leaks(answer.text, entry.question_text)))
            bar.advance(correct=score.correct)
    finally:
        bar.close()
    return RunResult(category=name, mode=mode, entries=tuple(results), limit=limit, half=half)
