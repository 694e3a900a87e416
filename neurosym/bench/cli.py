"""``neurosym bench``: BFCL by category, mode and half, or every suite at once.

    neurosym bench bfcl --category simple_python [--mode search4] [--half dev] [--limit N]
    neurosym bench chains [--half dev|test|both] [--limit N] [--mode search4|peer|all]
    neurosym bench abstain [--limit N]
    neurosym bench all [--half test|dev|both] [--mode M ...] [--limit N] [--jobs J]
    neurosym bench subtasks [--results-dir DIR]

The benchmark is an experiment: each BFCL category is split into a dev half, to tune
on, and a test half, to report (``neurosym.bench.bfcl.entry_half``); the live
categories are run whole. ``bench bfcl`` answers the dev half unless told otherwise,
``bench all`` the test half, in every mode but ``free`` (the planner's ablations and
the peer, all on the same entries), then runs the project's own suites.

Each (category, mode, half) is a unit of work. With ``--jobs`` above 1 the units run in
that many worker processes side by side, each model on its share of the cores, the
longest units first; only this process writes the results, merged into
``bench/results/<suite>.json`` and ``.md`` (see ``neurosym.bench.report``) as each unit
ends. ``--limit`` bounds every unit (the first N entries of its half) and the suites'
question counts too, for a quick run of everything.

Why one module: the sub-commands share the unit planner, the worker pool and the
argument reader; the suites themselves live in their own modules.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import inspect
import os
import sys
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ..arguments import positive_int as _positive
from ..errors import NeurosymError
from .bfcl import HALVES, has_halves, unit_name
from .modes import DEFAULT_MODES, MODES, answer_function

__all__ = ["add_arguments", "main", "run_bfcl", "run_units", "plan_units", "BfclUnit",
           "default_jobs", "halves_of", "NON_LIVE_CATEGORIES", "EXTRA_SUITES",
           "longest_first", "suite_options"]

#: The categories ``neurosym bench all`` runs (BFCL's non-live AST categories).
NON_LIVE_CATEGORIES: tuple[str, ...] = (
    "simple_python", "simple_java", "simple_javascript", "multiple", "parallel",
    "parallel_multiple", "irrelevance",
)
#: The project's other suites, run by ``neurosym bench all`` when they are installed:
#: (name, module, function). The function is given ``out_dir``, ``questions`` and
#: ``model`` when it takes them and the command line sets them.
EXTRA_SUITES: tuple[tuple[str, str, str], ...] = (
    ("performance", "neurosym.bench.perf", "run_all"),
    ("constraints", "neurosym.bench.constraints", "run_all"),
    ("solver", "neurosym.solver.bench", "run_all"),
    ("chains", "neurosym.bench.chains", "run_all"),
    ("search errors", "neurosym.bench.search_errors", "run_all"),
)
_MODE_CHOICES = (*MODES, "all")
_HALF_CHOICES = (*HALVES, "both")
#: CPU seconds per entry of each mode with the embedded model on a 2-core machine (rough
#: figures from a few entries of ``multiple``): the longest units start first, so that
#: no long unit is left to run alone at the end. Only their order matters.
_SECONDS_PER_ENTRY: Mapping[str, float] = {
    "free": 1.1, "grammar": 32.0, "solver": 2.3, "search1": 32.0, "search4": 36.0,
    "search8": 40.0, "decisions4": 36.0, "values4": 36.0, "choices4": 36.0, "ranked4": 36.0,
    "server": 10.0, "peer": 4.3,
}

AnswerFactory = Callable[..., Any]
"""Makes a mode's answer function: ``factory(mode, model_path, n_threads=...)``, like
``neurosym.bench.modes.answer_function``. Worker processes import it by name, so it must
be a module-level function."""


def default_jobs() -> int:
    """Worker processes by default: one per CPU, at most two (each model wants a core).

    >>> 1 <= default_jobs() <= 2
    True
    """
    return max(1, min(os.cpu_count() or 1, 2))


@dataclass(frozen=True)
class BfclUnit:
    """One BFCL category answered in one mode: one half of it (all of it when ``half``
    is None), its first ``limit`` entries if set."""

    category: str
    mode: str
    limit: int | None = None
    half: str | None = None

    @property
    def label(self) -> str:
        """How progress and summary lines name the unit.

        >>> BfclUnit("parallel", "peer", 20, "test").label
        'parallel:test [peer]'
        """
        return f"{unit_name(self.category, self.half)} [{self.mode}]"


def halves_of(choice: str | None) -> tuple[str | None, ...]:
    """The halves a ``--half`` choice runs (None: whole categories).

    >>> halves_of("test"), halves_of("both"), halves_of(None)
    (('test',), ('dev', 'test'), (None,))
    """
    if choice is None:
        return (None,)
    return HALVES if choice == "both" else (choice,)


def plan_units(category_names: Sequence[str], modes: Sequence[str], *,
               limit: int | None = None,
               halves: Sequence[str | None] = (None,)) -> list[BfclUnit]:
    """Every (category, mode, half) unit, in mode, half, then category order.

    ``limit`` bounds every unit alike, so every mode answers the same entries. A
    category without halves (a live one, see ``has_halves``) gets one unit per mode,
    of all its entries.

    >>> [(u.category, u.mode, u.half) for u in plan_units(["parallel", "live_simple"],
    ...  ["peer"], halves=["dev", "test"])]
    [('parallel', 'peer', 'dev'), ('live_simple', 'peer', None), ('parallel', 'peer', 'test')]
    """
    units: list[BfclUnit] = []
    for mode in modes:
        for half in halves:
            for name in category_names:
                unit = BfclUnit(name, mode, limit, half if has_halves(name) else None)
                if unit not in units:
                    units.append(unit)
    return units


def _expected_seconds(unit: BfclUnit, sizes: Mapping[tuple[str, str | None], int]) -> float:
    entries = sizes.get((unit.category, unit.half), 0)
    if unit.limit is not None:
        entries = min(entries, unit.limit)
    return entries * _SECONDS_PER_ENTRY.get(unit.mode, 1.0)


def longest_first(units: Sequence[BfclUnit]) -> list[BfclUnit]:
    from .bfcl import load_category
    parts = {(unit.category, unit.half) for unit in units}
    sizes = {(name, half): len(load_category(name, half=half))  # type: ignore[arg-type]
             for name, half in parts}
    return sorted(units, key=lambda unit: -_expected_seconds(unit, sizes))


class _PlainLines:
    """A text stream that never claims to be a terminal, so each worker's progress comes
    as whole lines (a redrawn line would be overwritten by the other workers')."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return False


@dataclass(frozen=True)
class _UnitFailure:
    """A set-up error inside a worker, carried back as text (exceptions with keyword
    fields do not survive pickling whole)."""

    kind: str
    message: str
    hint: str | None


class _Worker:
    """What a process needs to run units: how to make answer functions, and those made."""

    def __init__(self, factory: AnswerFactory, model: Path, n_threads: int | None,
                 progress: bool, stream: TextIO | None) -> None:
        self.factory = factory
        self.model = model
        self.n_threads = n_threads
        self.progress = progress
        self.stream = stream
        self.answers: dict[str, Any] = {}

    def run(self, unit: BfclUnit) -> Any:
        from .bfcl import run_category
        if unit.mode not in self.answers:
            self.answers[unit.mode] = self.factory(unit.mode, self.model,
                                                   n_threads=self.n_threads)
        return run_category(unit.category, self.answers[unit.mode], limit=unit.limit,
                            mode=unit.mode, progress=self.progress,
                            progress_stream=self.stream,
                            half=unit.half)  # type: ignore[arg-type]


_WORKER: _Worker | None = None


def _start_worker(factory: AnswerFactory, model: str, n_threads: int | None,
                  progress: bool) -> None:
    global _WORKER
    _WORKER = _Worker(factory, Path(model), n_threads, progress, _PlainLines(sys.stderr))


def _timed_run(worker: _Worker, unit: BfclUnit) -> tuple[Any, float, float, float]:
    """The unit's ``RunResult`` (or ``_UnitFailure``), the seconds it took, the CPU
    seconds of all the process's threads meanwhile (which, unlike the wall time, hardly
    depend on what else the machine runs), and the process's peak resident memory in MB
    so far (the units a process ran before count too: an upper bound for this one)."""
    start, cpu_start = time.perf_counter(), time.process_time()
    try:
        outcome = worker.run(unit)
    except NeurosymError as err:
        outcome = _UnitFailure(type(err).__name__, err.message, err.hint)
    return (outcome, time.perf_counter() - start, time.process_time() - cpu_start,
            _peak_memory_mb())


def _peak_memory_mb() -> float:
    """This process's peak resident memory, in MB (0 where the platform does not say)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Linux or macOS
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux gives kilobytes, macOS bytes.
    return peak / (2**20 if sys.platform == "darwin" else 1024)


def _run_in_worker(unit: BfclUnit) -> tuple[Any, float, float, float]:
    assert _WORKER is not None, "the pool's initializer sets up the worker"
    return _timed_run(_WORKER, unit)


def _results_of(units: Sequence[BfclUnit], worker: _Worker | None, jobs: int,
                initargs: tuple[Any, ...]
                ) -> Generator[tuple[BfclUnit, Any, float, float, float], None, None]:
    """Each unit with its result (or ``_UnitFailure``), wall and CPU seconds and peak
    memory, as they end."""
    if worker is not None:
        for unit in units:
            yield (unit, *_timed_run(worker, unit))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    from ..errors import BenchmarkError
    # Spawned, not forked: llama.cpp's threads and a forked copy of them do not mix.
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=initargs)
    finished = False
    before = set(multiprocessing.active_children())
    workers: list[Any] = []
    try:
        futures = {pool.submit(_run_in_worker, unit): unit for unit in units}
        workers = [process for process in multiprocessing.active_children()
                   if process not in before]
        for future in as_completed(futures):
            try:
                outcome = future.result()
            except BrokenProcessPool as err:
                raise BenchmarkError(
                    f"a worker process ended abruptly ({err}); {futures[future].label} and "
                    "the units still running did not finish",
                    hint="run it again with --jobs 1 to see the error in this process") from err
            yield (futures[future], *outcome)
        finished = True
    finally:
        if not finished:
            # A failed unit or an interrupt: the units still running are not waited for.
            for process in workers:
                process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)


def run_units(units: Sequence[BfclUnit], *, model: Path, jobs: int = 1,
              n_threads: int | None = None, progress: bool = True, out: TextIO,
              results_dir: Path | None = None,
              answer_factory: AnswerFactory | None = None) -> list[Any]:
    """Run ``units`` in ``jobs`` worker processes (in this one when ``jobs`` is 1) and
    merge each ``RunResult`` into the result files as it arrives; a line per unit on
    ``out``. Returns the results in the order of ``units``.

    ``n_threads`` is each model's llama.cpp threads (default: the CPUs shared out among
    the jobs). A set-up error in any unit (no model, no data) ends the run with a
    ``BenchmarkError`` naming the unit; the units finished before it stay written.
    """
    from ..errors import BenchmarkError
    from .modes import answer_function
    from .report import write_bfcl_results
    factory = answer_factory or answer_function
    jobs = max(1, min(jobs, len(units)))
    if n_threads is None and jobs > 1:
        n_threads = max(1, (os.cpu_count() or 1) // jobs)
    ordered = longest_first(units) if jobs > 1 else list(units)
    worker = (_Worker(factory, model, n_threads, progress, None) if jobs == 1 else None)
    done: dict[BfclUnit, Any] = {}
    written: tuple[Path, Path] | None = None
    results = _results_of(ordered, worker, jobs, (factory, str(model), n_threads, progress))
    with closing(results):
        for unit, outcome, seconds, cpu_seconds, peak_mb in results:
            if isinstance(outcome, _UnitFailure):
                raise BenchmarkError(f"{unit.label}: {outcome.kind}: {outcome.message}",
                                     hint=outcome.hint)
            done[unit] = outcome
            out.write(f"{unit_name(unit.category, unit.half):28} {unit.mode:8} "
                      f"{outcome.correct:4}/{outcome.n:<4} "
                      f"{100 * outcome.accuracy:5.1f}%  well-formed "
                      f"{100 * outcome.well_formed_rate:5.1f}%  "
                      f"leaks {100 * outcome.leak_rate:4.1f}%  "
                      f"mean {outcome.latency_mean_s:.2f}s  in {seconds:.1f}s "
                      f"(CPU {cpu_seconds:.1f}s)\n")
            out.flush()
            # Written after every unit, so an interrupted long run keeps what it measured.
            written = write_bfcl_results(
                [outcome], model=model, directory=results_dir,
                timing={"seconds": round(seconds, 1), "cpu_seconds": round(cpu_seconds, 1),
                        "peak_memory_mb": round(peak_mb, 1)})
    if written is not None:
        out.write(f"results: {written[0]} and {written[1]}\n")
    return [done[unit] for unit in units]


def run_bfcl(category_names: Sequence[str], modes: Sequence[str], *, limit: int | None,
             model: str | None, results_dir: Path | None, progress: bool, out: TextIO,
             skip_unavailable: bool = False, jobs: int = 1,
             halves: Sequence[str | None] = (None,),
             answer_factory: AnswerFactory | None = None) -> list[Any]:
    """Run each category in each mode, on each of ``halves`` (None: whole categories;
    see ``plan_units`` and ``run_units``), and write the results.

    With ``skip_unavailable`` a mode whose machinery is missing (say the planner is not
    installed) is skipped with a message instead of ending the run.
    """
    from ..errors import BenchmarkError
    from .modes import answer_function, resolve_model
    factory = answer_factory or answer_function
    model_path = resolve_model(model)
    usable = []
    for mode in modes:
        try:
            factory(mode, model_path)  # set-up only: no model is loaded yet
        except BenchmarkError as err:
            if not skip_unavailable:
                raise
            out.write(f"bfcl {mode}: skipped ({err.message})\n")
            continue
        usable.append(mode)
    units = plan_units(category_names, usable, limit=limit, halves=halves)
    return run_units(units, model=model_path, jobs=jobs, progress=progress, out=out,
                     results_dir=results_dir, answer_factory=factory)


def _common(parser: argparse.ArgumentParser, *, default_half: str,
            limit_help: str = "answer only the first N entries of each category's half"
            ) -> None:
    parser.add_argument("--half", choices=_HALF_CHOICES, default=default_half,
                        help="which half of each category to answer: dev (to tune on), "
                             "test (to report) or both, as separate rows; live "
                             f"categories are answered whole (default: {default_half})")
    parser.add_argument("--limit", type=_positive, default=None, metavar="N", help=limit_help)
    parser.add_argument("--jobs", type=_positive, default=default_jobs(), metavar="J",
                        help="worker processes running (category, mode, half) units side "
                             f"by side (default: {default_jobs()}, the CPUs up to 2)")
    parser.add_argument("--model", default=None, metavar="GGUF",
                        help="the GGUF model file (default: $NEUROSYM_MODEL, models/, "
                             "then the embedded SmolLM2)")
    parser.add_argument("--results-dir", type=Path, default=None, metavar="DIR",
                        help="where the result files go (default: bench/results)")
    parser.add_argument("--no-progress", action="store_true",
                        help="do not draw the progress line on stderr")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``bench`` sub-commands (``bfcl``, ``chains``, ``abstain``, ``search``, ``tune``,
    ``subtasks``, ``all``) to ``parser``."""
    suites = parser.add_subparsers(dest="bench_suite", metavar="SUITE", required=True)
    bfcl = suites.add_parser("bfcl", help="BFCL categories, scored by BFCL's own checker",
                             description="Run BFCL categories in one or all modes.")
    bfcl.add_argument("--category", action="append", required=True, metavar="NAME",
                      help="a BFCL category (repeat it, or separate names by commas)")
    bfcl.add_argument("--mode", choices=_MODE_CHOICES, default="search4",
                      help="how the model answers; all: every mode but free "
                           "(default: search4)")
    bfcl.add_argument("--server", default=None, metavar="URL",
                      help="with --mode server: the llama.cpp server the plans are written "
                           "on (python -m llama_cpp.server, or llama-server)")
    _common(bfcl, default_half="dev")
    chains = suites.add_parser("chains", help="the project's chaining suite: plans whose "
                                              "calls feed each other's results",
                               description="Run the chaining suite (neurosym.bench.chains).")
    chains.add_argument("--half", choices=_HALF_CHOICES, default="dev",
                        help="dev (to tune on), test (to report) or both (default: dev)")
    chains.add_argument("--limit", type=_positive, default=None, metavar="N",
                        help="answer only the first N requests of each half")
    chains.add_argument("--mode", choices=("search4", "peer", "all"), default="all",
                        help="neurosym's planner (search4), the peer, or both (default: all)")
    chains.add_argument("--model", default=None, metavar="GGUF",
                        help="the GGUF model file (default: $NEUROSYM_MODEL, models/, "
                             "then the embedded SmolLM2)")
    chains.add_argument("--results-dir", type=Path, default=None, metavar="DIR",
                        help="where the result files go (default: bench/results)")
    abstain = suites.add_parser("abstain", help="when to abstain: the plan rule and the "
                                                "head rule, fitted on dev, on the same answers",
                                description="Run the abstain suite (neurosym.bench.abstain).")
    abstain.add_argument("--limit", type=_positive, default=16, metavar="N",
                         help="entries of each half of each category (default 16)")
    abstain.add_argument("--model", default=None, metavar="GGUF",
                         help="the GGUF model file (default: the embedded SmolLM2)")
    abstain.add_argument("--results-dir", type=Path, default=None, metavar="DIR",
                         help="where the result files go (default: bench/results)")
    search = suites.add_parser("search", help="search errors: whether the search finds "
                                              "the plans its own weight prefers",
                               description="Run the search-error suite "
                                           "(neurosym.bench.search_errors).")
    search.add_argument("--limit", type=_positive, default=12, metavar="N",
                        help="entries of each half of each category (default 12)")
    search.add_argument("--mode", action="append", default=None, metavar="MODE",
                        help="a search mode (repeat it): search1, search4, search8 or open4 "
                             "(default: search4)")
    search.add_argument("--half", choices=_HALF_CHOICES, default="both",
                        help="dev, test or both (default: both)")
    search.add_argument("--fresh", action="store_true",
                        help="answer every entry again instead of reading the log")
    search.add_argument("--model", default=None, metavar="GGUF",
                        help="the GGUF model file (default: the embedded SmolLM2)")
    search.add_argument("--results-dir", type=Path, default=None, metavar="DIR",
                        help="where the result files go (default: bench/results)")
    tune = suites.add_parser("tune", help="an adapter against its base model on the same "
                                          "entries",
                             description="Answer BFCL entries and everyday requests with and "
                                         "without an adapter (neurosym.bench.adapters).")
    tune.add_argument("--adapter", required=True, type=Path, metavar="GGUF",
                      help="the adapter (neurosym tune writes it as adapter.gguf)")
    tune.add_argument("--half", choices=("dev", "test"), default="dev",
                      help="dev (to tune on) or test (to report) (default: dev)")
    tune.add_argument("--limit", type=_positive, default=16, metavar="N",
                      help="entries of each category's half (default 16)")
    tune.add_argument("--model", default=None, metavar="GGUF",
                      help="the base model (default: the embedded SmolLM2)")
    tune.add_argument("--abstain-bias", type=float, action="append", default=[], metavar="NATS",
                      help="also answer with the adapter at this abstain bias (repeatable)")
    tune.add_argument("--plain-bias", type=float, action="append", default=[], metavar="X",
                      help="also answer with the adapter weighing plans by their likelihood "
                           "alone (no contrast), at this abstain bias (repeatable)")
    tune.add_argument("--other-model", action="append", default=[], metavar="MODEL",
                      help="also answer on this model without an adapter, in the same run: a "
                           ".gguf path or a known model's name, e.g. gemma3-270m (repeatable)")
    tune.add_argument("--results-dir", type=Path, default=None, metavar="DIR",
                      help="where the result files go (default: bench/results)")
    subtasks = suites.add_parser("subtasks", help="the seven function-calling sub-tasks, "
                                                  "read from the results the suites wrote",
                                 description="Write subtasks.json and .md from bfcl.json, "
                                             "chains.json and bfcl_multi_turn.json "
                                             "(neurosym.bench.subtasks); runs no model.")
    subtasks.add_argument("--results-dir", type=Path, default=None, metavar="DIR",
                          help="where the result files are read and written "
                               "(default: bench/results)")
    every = suites.add_parser("all", help="BFCL's non-live categories in every mode but "
                                          "free, then the project's own suites",
                              description="Run every benchmark suite.")
    every.add_argument("--mode", choices=MODES, action="append", default=None,
                       help="a mode to answer in (repeat it; default: "
                            + ", ".join(DEFAULT_MODES) + ")")
    _common(every, default_half="test",
            limit_help="answer only the first N entries of each category's half, and give "
                       "the project's own suites N questions (a quick run of everything)")


def _modes(choice: str) -> list[str]:
    return list(DEFAULT_MODES) if choice == "all" else [choice]


def _multi_turn(values: Sequence[str]) -> list[str]:
    """The names when every one is a BFCL multi-turn category (run by the agent loop)."""
    from .multi_turn import MULTI_TURN_CATEGORIES
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    return names if names and all(n in MULTI_TURN_CATEGORIES for n in names) else []


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


def suite_options(function: Callable[..., Any], *, results_dir: Path | None,
                   limit: int | None, model: str | None) -> dict[str, Any]:
    """The options of a suite's entry point that the command line sets and it takes."""
    wanted = {"out_dir": results_dir, "questions": limit, "model": model}
    try:
        accepted = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return {}
    return {name: value for name, value in wanted.items()
            if value is not None and name in accepted}


def _extra_suites_process(results_dir: Path | None, limit: int | None,
                          model: str | None) -> None:
    failed = _extra_suites(sys.stdout, results_dir=results_dir, limit=limit, model=model)
    sys.stdout.flush()
    sys.exit(1 if failed else 0)


def _start_extra_suites(*, results_dir: Path | None, limit: int | None,
                        model: str | None) -> Any:
    """``EXTRA_SUITES`` in a process of their own, side by side with the BFCL workers.

    Run after BFCL they would leave a core idle for their whole run; their speed figures
    are ratios of methods measured in the same process, so sharing the machine changes
    their absolute times, not the ratios.
    """
    import multiprocessing
    process = multiprocessing.get_context("spawn").Process(
        target=_extra_suites_process, args=(results_dir, limit, model),
        name="neurosym-bench-suites")
    process.start()
    return process


def _extra_suites(out: TextIO, *, results_dir: Path | None = None, limit: int | None = None,
                  model: str | None = None) -> int:
    """Run ``EXTRA_SUITES`` one after the other; how many of them failed."""
    failures = 0
    for name, module_name, function_name in EXTRA_SUITES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            if err.name is None or not module_name.startswith(err.name):
                raise
            out.write(f"{name}: skipped ({module_name} is not available)\n")
            continue
        entry: Callable[..., Any] | None = getattr(module, function_name, None)
        if entry is None:
            out.write(f"{name}: skipped ({module_name} has no {function_name}())\n")
            continue
        options = suite_options(entry, results_dir=results_dir, limit=limit, model=model)
        shown = ", ".join(f"{key}={value}" for key, value in options.items())
        out.write(f"{name}: running {module_name}.{function_name}({shown})\n")
        out.flush()
        start = time.perf_counter()
        try:
            outcome = entry(**options)
        except NeurosymError as err:
            # One suite's failure does not cost the others their run.
            out.write(f"{name}: failed after {time.perf_counter() - start:.0f}s: "
                      f"{type(err).__name__}: {err}\n")
            failures += 1
            continue
        out.write(f"{name}: done in {time.perf_counter() - start:.0f}s\n")
        if isinstance(outcome, int) and not isinstance(outcome, bool) and outcome != 0:
            failures += 1
    return failures


def main(args: argparse.Namespace) -> int:
    """Run what ``args`` (parsed with ``add_arguments``) asks for; 0 on success."""
    out = sys.stdout
    progress = not getattr(args, "no_progress", False)
    jobs = getattr(args, "jobs", 1)
    try:
        if args.bench_suite == "bfcl" and _multi_turn(args.category):
            from .multi_turn import run_multi_turn
            run_multi_turn(_multi_turn(args.category), limit=args.limit, model=args.model,
                           results_dir=args.results_dir, out=out)
            return 0
        if args.bench_suite == "bfcl":
            if args.server is not None and "server" not in _modes(args.mode):
                from ..errors import BenchmarkError
                raise BenchmarkError("--server is where the server mode plans; the other "
                                     "modes answer in this process",
                                     hint="add --mode server")
            factory = (None if args.server is None
                       else functools.partial(answer_function, server=args.server))
            run_bfcl(_categories(args.category), _modes(args.mode), limit=args.limit,
                     model=args.model, results_dir=args.results_dir, progress=progress,
                     out=out, jobs=jobs, halves=halves_of(args.half), answer_factory=factory)
            return 0
        if args.bench_suite == "chains":
            from .chains import CHAIN_MODES, run_chains
            run_chains(half=args.half, limit=args.limit,
                       modes=CHAIN_MODES if args.mode == "all" else (args.mode,),
                       model=args.model, out_dir=args.results_dir or "bench/results", out=out)
            return 0
        if args.bench_suite == "abstain":
            from .abstain import run_abstain
            run_abstain(limit=args.limit, model=args.model,
                        out_dir=args.results_dir or "bench/results")
            return 0
        if args.bench_suite == "search":
            from .search_errors import run_search_errors
            run_search_errors(limit=args.limit, modes=args.mode or ("search4",),
                              halves=("dev", "test") if args.half == "both" else (args.half,),
                              model=args.model, fresh=args.fresh,
                              out_dir=args.results_dir or "bench/results")
            return 0
        if args.bench_suite == "tune":
            from .adapters import run_adapter_bench
            run_adapter_bench(args.adapter, model=args.model, half=args.half, limit=args.limit,
                              abstain_biases=args.abstain_bias,
                              plain_biases=args.plain_bias,
                              other_models=args.other_model, out_dir=args.results_dir)
            return 0
        if args.bench_suite == "subtasks":
            from .subtasks import run_subtasks
            run_subtasks(args.results_dir)
            return 0
        if args.bench_suite == "all":
            start = time.perf_counter()
            extras = _start_extra_suites(results_dir=args.results_dir, limit=args.limit,
                                         model=args.model) if jobs > 1 else None
            try:
                run_bfcl(NON_LIVE_CATEGORIES, args.mode or list(DEFAULT_MODES),
                         limit=args.limit, model=args.model, results_dir=args.results_dir,
                         progress=progress, out=out, skip_unavailable=True, jobs=jobs,
                         halves=halves_of(args.half))
            finally:
                if extras is not None:
                    extras.join()
            if extras is None:
                failed = _extra_suites(out, results_dir=args.results_dir, limit=args.limit,
                                       model=args.model)
            else:
                failed = extras.exitcode != 0
            from .subtasks import run_subtasks
            run_subtasks(args.results_dir)
            seconds = time.perf_counter() - start
            out.write(f"bench all: {seconds:.0f}s\n")
            from .modes import resolve_model
            from .report import write_run_time
            write_run_time(seconds, model=resolve_model(args.model), jobs=jobs,
                           limit=args.limit, half=args.half, directory=args.results_dir)
            return 1 if failed else 0
    except NeurosymError as err:
        sys.stderr.write(f"error: {err}\n")
        return 1
    sys.stderr.write(f"error: unknown bench suite {args.bench_suite!r}\n")
    return 2
