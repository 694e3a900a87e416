"""``neurosym bench``: BFCL by category and mode, or every suite at once.

    neurosym bench bfcl --category simple_python [--limit N] [--mode full] [--model GGUF]
    neurosym bench all [--limit N] [--model GGUF]

Results go to ``bench/results/<suite>.json`` and ``.md`` (see ``neurosym.bench.report``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from ..errors import NeurosymError

__all__ = ["add_arguments", "main", "NON_LIVE_CATEGORIES", "EXTRA_SUITES"]

#: The categories ``neurosym bench all`` runs (BFCL's non-live AST categories).
NON_LIVE_CATEGORIES: tuple[str, ...] = (
    "simple_python", "simple_java", "simple_javascript", "multiple", "parallel",
    "parallel_multiple", "irrelevance",
)
#: The project's other suites, run by ``neurosym bench all`` when they are installed:
#: (name, module, function called with no arguments).
EXTRA_SUITES: tuple[tuple[str, str, str], ...] = (
    ("performance", "neurosym.bench.perf", "run_all"),
    ("constraints", "neurosym.bench.constraints", "run_all"),
    ("solver", "neurosym.solver.bench", "run_all"),
)
_MODE_CHOICES = ("free", "grammar", "full", "peer", "all")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=_positive, default=None, metavar="N",
                        help="answer only the first N entries of each category")
    parser.add_argument("--model", default=None, metavar="GGUF",
                        help="the GGUF model file (default: $NEUROSYM_MODEL, models/, "
                             "then the embedded SmolLM2)")
    parser.add_argument("--results-dir", type=Path, default=None, metavar="DIR",
                        help="where the result files go (default: bench/results)")
    parser.add_argument("--no-progress", action="store_true",
                        help="do not draw the progress line on stderr")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``bench`` sub-commands (``bfcl``, ``all``) to ``parser``."""
    suites = parser.add_subparsers(dest="bench_suite", metavar="SUITE", required=True)
    bfcl = suites.add_parser("bfcl", help="BFCL categories, scored by BFCL's own checker",
                             description="Run BFCL categories in one or all modes.")
    bfcl.add_argument("--category", action="append", required=True, metavar="NAME",
                      help="a BFCL category (repeat it, or separate names by commas)")
    bfcl.add_argument("--mode", choices=_MODE_CHOICES, default="full",
                      help="how the model answers (default: full)")
    _common(bfcl)
    every = suites.add_parser("all", help="BFCL's non-live categories in every mode, "
                                          "then the project's own suites",
                              description="Run every benchmark suite.")
    _common(every)


def _modes(choice: str) -> list[str]:
    from .modes import MODES
    return list(MODES) if choice == "all" else [choice]


def _categories(values: Sequence[str]) -> list[str]:
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    from .bfcl import categories
    known = categories()
    unknown = [name for name in names if name not in known]
    if unknown:
        from ..errors import BenchmarkError
        raise BenchmarkError(f"unknown BFCL categor{'y' if len(unknown) == 1 else 'ies'}: "
                             + ", ".join(unknown), hint="choose from: " + ", ".join(known))
    return names


def run_bfcl(category_names: Sequence[str], modes: Sequence[str], *, limit: int | None,
             model: str | None, results_dir: Path | None, progress: bool, out: TextIO,
             skip_unavailable: bool = False) -> list[Any]:
    """Run each category in each mode, write the results, print a summary line each.

    With ``skip_unavailable`` a mode whose machinery is missing (say the planner is not
    installed) is skipped with a message instead of ending the run.
    """
    from ..errors import BenchmarkError
    from .bfcl import run_category
    from .modes import answer_function, resolve_model
    from .report import write_bfcl_results
    model_path = resolve_model(model)
    results = []
    written: tuple[Path, Path] | None = None
    for mode in modes:
        try:
            answer = answer_function(mode, model_path)
        except BenchmarkError as err:
            if not skip_unavailable:
                raise
            out.write(f"bfcl {mode}: skipped ({err.message})\n")
            continue
        for name in category_names:
            result = run_category(name, answer, limit=limit, mode=mode, progress=progress)
            results.append(result)
            out.write(f"{name:24} {mode:8} {result.correct:4}/{result.n:<4} "
                      f"{100 * result.accuracy:5.1f}%  well-formed "
                      f"{100 * result.well_formed_rate:5.1f}%  "
                      f"p50 {result.latency_median_s:.2f}s\n")
            out.flush()
            # Written after every run, so an interrupted long run keeps what it measured.
            written = write_bfcl_results([result], model=model_path, directory=results_dir)
    if written is not None:
        out.write(f"results: {written[0]} and {written[1]}\n")
    return results


def _extra_suites(out: TextIO) -> int:
    failures = 0
    for name, module_name, function_name in EXTRA_SUITES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            if err.name is None or not module_name.startswith(err.name):
                raise
            out.write(f"{name}: skipped ({module_name} is not available)\n")
            continue
        entry: Callable[[], Any] | None = getattr(module, function_name, None)
        if entry is None:
            out.write(f"{name}: skipped ({module_name} has no {function_name}())\n")
            continue
        out.write(f"{name}: running {module_name}.{function_name}()\n")
        outcome = entry()
        if isinstance(outcome, int) and not isinstance(outcome, bool) and outcome != 0:
            failures += 1
    return failures


def main(args: argparse.Namespace) -> int:
    """Run what ``args`` (parsed with ``add_arguments``) asks for; 0 on success."""
    out = sys.stdout
    progress = not getattr(args, "no_progress", False)
    try:
        if args.bench_suite == "bfcl":
            run_bfcl(_categories(args.category), _modes(args.mode), limit=args.limit,
                     model=args.model, results_dir=args.results_dir, progress=progress, out=out)
            return 0
        if args.bench_suite == "all":
            run_bfcl(NON_LIVE_CATEGORIES, _modes("all"), limit=args.limit, model=args.model,
                     results_dir=args.results_dir, progress=progress, out=out,
                     skip_unavailable=True)
            return 1 if _extra_suites(out) else 0
    except NeurosymError as err:
        sys.stderr.write(f"error: {err}\n")
        return 1
    sys.stderr.write(f"error: unknown bench suite {args.bench_suite!r}\n")
    return 2
