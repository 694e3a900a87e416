"""Benchmark results as files: one JSON and one markdown table per suite, under ``bench/results``.

New rows replace the rows with the same key and leave the others, so a quick run of
one category does not erase the rest. Every row records the model, the machine and
the date it was measured on; the top of each file names those of the latest run.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Generic, TypeVar

from ..errors import BenchmarkError

__all__ = ["Environment", "environment", "results_dir", "merge_rows", "write_results", "EntryLog",
           "write_bfcl_results", "write_run_time", "bfcl_markdown", "BFCL_KEY", "YARDSTICK",
           "YARDSTICK_MODEL"]

#: BFCL leaderboard accuracy (%) of a reference model of similar size, by category.
YARDSTICK_MODEL = "Qwen2.5-0.5B-Instruct"
YARDSTICK: dict[str, float] = {
    "simple_python": 81.5, "multiple": 78.0, "parallel": 60.0, "parallel_multiple": 50.0,
}
#: The fields that identify a BFCL row (with the model): the rows of two halves, or of
#: a half and a whole category, are kept apart.
BFCL_KEY: tuple[str, ...] = ("category", "mode", "half")
_MODE_ORDER = ("free", "grammar", "solver", "search1", "search4", "search8", "server", "peer")
_HALF_ORDER = ("dev", "test", None)


@dataclass(frozen=True)
class Environment:
    """What a measurement was taken with: model file, CPU, date, versions."""

    model: str | None
    model_bytes: int | None
    cpu: str
    cores: int
    date: str
    neurosym_version: str
    bfcl_version: str | None = None

    @property
    def model_label(self) -> str:
        if self.model is None:
            return "no model"
        if self.model_bytes is None:
            return self.model
        return f"{self.model} ({self.model_bytes / 1e6:.1f} MB)"


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def environment(model: str | Path | None = None) -> Environment:
    """The environment of a run now, with ``model`` the GGUF file used (if any)."""
    from .. import __version__
    from ._checker import bfcl_version
    name = size = None
    if model is not None:
        path = Path(model)
        name = path.name
        size = path.stat().st_size if path.is_file() else None
    return Environment(model=name, model_bytes=size, cpu=_cpu_name(), cores=os.cpu_count() or 1,
                       date=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                       neurosym_version=__version__, bfcl_version=bfcl_version())


def results_dir() -> Path:
    """``bench/results`` at the top of the repository (of the working folder when
    neurosym runs from an installed wheel)."""
    top = Path(__file__).resolve().parents[2]
    if not (top / "pyproject.toml").is_file():
        top = Path.cwd()
    return top / "bench" / "results"


def merge_rows(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]],
               key: Sequence[str]) -> list[dict[str, Any]]:
    """``old`` with each row of ``new`` replacing the old row of the same key (or added).

    >>> merge_rows([{"c": "a", "v": 1}, {"c": "b", "v": 2}], [{"c": "b", "v": 3}], ["c"])
    [{'c': 'a', 'v': 1}, {'c': 'b', 'v': 3}]
    """
    def ident(row: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(row.get(k) for k in key)

    merged = {ident(row): dict(row) for row in old}
    for row in new:
        merged[ident(row)] = dict(row)
    return list(merged.values())


def _read_document(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise BenchmarkError(f"cannot read the existing results in {path}: {err}",
                             hint="move the file away to start a fresh one") from err
    if not isinstance(document, dict) or not isinstance(document.get("rows"), list):
        raise BenchmarkError(f"{path} is not a neurosym results file",
                             hint="move the file away to start a fresh one")
    return document


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _plain_markdown(document: Mapping[str, Any]) -> str:
    rows = document["rows"]
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    lines = [f"# {document['suite']} results", "", _environment_line(document["environment"]), ""]
    if rows:
        lines.append("| " + " | ".join(columns) + " |")
        lines.append("|" + "---|" * len(columns))
        for row in rows:
            lines.append("| " + " | ".join(_cell(row.get(c)) for c in columns) + " |")
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return str(value).replace("|", "\\|")


def _environment_line(env: Mapping[str, Any]) -> str:
    model = env.get("model") or "no model"
    if env.get("model_bytes"):
        model += f" ({env['model_bytes'] / 1e6:.1f} MB)"
    parts = [f"Model: {model}", f"CPU: {env.get('cpu')} ({env.get('cores')} cores)",
             f"neurosym {env.get('neurosym_version')}"]
    if env.get("bfcl_version"):
        parts.append(f"bfcl-eval {env['bfcl_version']}")
    parts.append(f"latest run {env.get('date')}")
    return " · ".join(parts)


def write_results(suite: str, rows: Sequence[Mapping[str, Any]], *, key: Sequence[str],
                  env: Environment, directory: Path | None = None,
                  render: Callable[[Mapping[str, Any]], str] | None = None) -> tuple[Path, Path]:
    """Merge ``rows`` into ``<directory>/<suite>.json`` and rewrite ``<suite>.md``.

    Each row is stamped with the model, machine and date of ``env``; ``key`` names the
    fields that identify a row (with the model, so two models keep separate rows).
    Returns the JSON and markdown paths.
    """
    directory = directory if directory is not None else results_dir()
    json_path = directory / f"{suite}.json"
    md_path = directory / f"{suite}.md"
    stamp = {"model": env.model, "model_bytes": env.model_bytes, "cpu": env.cpu,
             "cores": env.cores, "date": env.date, "neurosym_version": env.neurosym_version}
    stamped = [{**row, **stamp} for row in rows]
    existing = _read_document(json_path)
    old_rows = existing["rows"] if existing else []
    document = {"suite": suite, "environment": asdict(env),
                "rows": merge_rows(old_rows, stamped, [*key, "model"])}
    _write_atomically(json_path, json.dumps(document, indent=2, sort_keys=False) + "\n")
    _write_atomically(md_path, (render or _plain_markdown)(document))
    return json_path, md_path


Record = TypeVar("Record")


class EntryLog(Generic[Record]):
    """A suite's readings, one JSON line per entry under ``out_dir``, so an interrupted run
    goes on where it stopped. ``record`` is the reading's dataclass and ``key`` what
    names one reading (an entry in a half and a mode); ``fresh`` starts the log over.
    Use as a context manager: :meth:`add` writes and flushes each new reading."""

    def __init__(self, out_dir: str | Path, name: str, record: type[Record],
                 key: Callable[[Record], tuple[Any, ...]], *, fresh: bool = False) -> None:
        directory = Path(out_dir)
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / name
        if fresh and self.path.exists():
            self.path.unlink()
        self._key = key
        lines = self.path.read_text().splitlines() if self.path.is_file() else []
        try:
            self.seen: dict[tuple[Any, ...], Record] = {
                key(item): item for item in (record(**json.loads(line)) for line in lines if line)}
        except (ValueError, TypeError) as err:
            raise BenchmarkError(f"{self.path} holds a line that is not a {record.__name__}: {err}",
                                 hint="delete the file, or run the suite with --fresh") from err
        self._sink: Any = None

    def __enter__(self) -> EntryLog[Record]:
        self._sink = self.path.open("a")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._sink is not None:
            self._sink.close()
            self._sink = None

    def get(self, *key: Any) -> Record | None:
        """The reading already logged under ``key``, if any."""
        return self.seen.get(tuple(key))

    def add(self, item: Record) -> Record:
        """Log a new reading."""
        if self._sink is None:
            raise BenchmarkError("the entry log is not open", hint="use it in a with block")
        self._sink.write(json.dumps(asdict(item)) + "\n")  # type: ignore[call-overload]
        self._sink.flush()
        self.seen[self._key(item)] = item
        return item


def write_run_time(seconds: float, *, model: str | Path | None, jobs: int,
                   limit: int | None, half: str | None = None, directory: Path | None = None,
                   target_s: int = 3600) -> tuple[Path, Path]:
    """Record how long a whole ``neurosym bench all`` took (whole seconds) on ``half``
    (``dev``, ``test`` or ``both``), against its target."""
    row = {"run": "bench all", "half": half, "limit": limit, "jobs": jobs,
           "seconds": round(seconds), "target_seconds": target_s,
           "within_target": seconds <= target_s}
    return write_results("runs", [row], key=("run", "half", "limit"), env=environment(model),
                         directory=directory)


def _bfcl_order(row: Mapping[str, Any]) -> tuple[Any, ...]:
    from .bfcl import AST_CATEGORIES
    category, mode, half = row.get("category"), row.get("mode"), row.get("half")
    cat_rank = AST_CATEGORIES.index(category) if category in AST_CATEGORIES else len(AST_CATEGORIES)
    half_rank = _HALF_ORDER.index(half) if half in _HALF_ORDER else len(_HALF_ORDER)
    mode_rank = _MODE_ORDER.index(mode) if mode in _MODE_ORDER else len(_MODE_ORDER)
    return (cat_rank, str(category), half_rank, str(half), mode_rank, str(mode),
            str(row.get("model")))


def bfcl_markdown(document: Mapping[str, Any]) -> str:
    """The BFCL results as a markdown table, with the yardstick and the gap to it."""
    from .modes import FREE_MAX_TOKENS, PEER_MAX_TOKENS
    lines = [
        "# BFCL results", "",
        _environment_line(document["environment"]), "",
        "Accuracy is judged by BFCL's own AST checker (the `bfcl-eval` package). Each "
        "category is split in two: the `dev` half (entries with an even number) is the one "
        "settings are tuned on, the `test` half (odd numbers) the one to report; live "
        "categories are run whole. Every mode of a half answers the same entries.", "",
        "Modes: `free` the model prompted as BFCL prompts chat models, its text read by "
        "neurosym's parser; `grammar` neurosym's planner decoding greedily, held to the "
        "tool grammar; `solver` the grammar and the Z3 solver, with the token-by-token "
        "decoder that retracts values the solver refutes; `search1`, `search4` and "
        "`search8` the grammar and the solver with the search over whole plans, keeping "
        "1, 4 or 8 partial plans at once (1 is greedy); `server` the grammar and the solver "
        "with each plan written on a llama.cpp server a piece at a time (greedy, no "
        "contrast: a server takes no per-token masks); `peer` llama-cpp-python's "
        "chatml-function-calling handler (JSON Schema grammar). From `grammar` to "
        "`search1` only the solver is added, from `search1` to `search8` only the width "
        "grows, and `solver` differs from `search1` only in its decoder.", "",
        "Leaks % is the share of answers whose text holds a value of the planner prompt's "
        "worked examples (`neurosym.bench.leaks`) that the entry's question does not. "
        "Latency is the mean in seconds per entry; evaluated tokens are the tokens the "
        "model evaluated after the prompt, per entry, over every branch a search tried. "
        "Peak MB is the answering process's peak resident memory when the row's unit "
        "ended (a process may have answered other units before it). "
        f"The yardstick is {YARDSTICK_MODEL} on BFCL's leaderboard (whole categories); "
        "the gap is accuracy minus yardstick, in points.", "",
        "Every reply is bounded. `free` replies end at a blank line, at the end of the line "
        "on which the outer `]` of a call list closes (BFCL's prompt-based answers are that "
        "one line; decoding is greedy, so only trailing text after it is left out), as "
        "soon as their start cannot be read as calls (prose: the verdict is the same, and "
        "the output tokens count what was written until then), or "
        f"after {FREE_MAX_TOKENS} tokens. `peer` replies get {PEER_MAX_TOKENS} generated "
        "tokens over all the handler's completions (the handler sets no limit of its own on "
        "arguments); a reply cut short is malformed. The planner modes keep the planner's "
        "own token budget.", "",
        "| category | half | mode | n | accuracy % | yardstick % | gap | well-formed % "
        "| leaks % | mean s | evaluated tok | prompt tok | peak MB | errors | model | date |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for row in sorted(document["rows"], key=_bfcl_order):
        accuracy = 100.0 * float(row.get("accuracy", 0.0))
        yardstick = YARDSTICK.get(str(row.get("category")))
        gap = "" if yardstick is None else f"{accuracy - yardstick:+.1f}"
        n = str(row.get("n", ""))
        if row.get("limit") is not None:
            n += " (limited)"
        errors = row.get("errors") or {}
        error_text = ", ".join(f"{kind} {count}" for kind, count in
                               sorted(errors.items(), key=lambda item: -item[1]))
        cells = [
            str(row.get("category")), str(row.get("half") or "whole"), str(row.get("mode")),
            n, f"{accuracy:.1f}", "" if yardstick is None else f"{yardstick:.1f}", gap,
            f"{100.0 * float(row.get('well_formed_rate', 0.0)):.1f}",
            _percent(row.get("leak_rate")),
            _seconds(row.get("latency_mean_s")),
            _tokens(row.get("evaluated_tokens_mean")),
            _tokens(row.get("prompt_tokens_mean")),
            _megabytes(row.get("peak_memory_mb")),
            error_text, str(row.get("model") or ""), str(row.get("date") or ""),
        ]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    lines.extend(_limited_note(document["rows"]))
    return "\n".join(lines) + "\n"


# Rows written before a figure was measured lack it: their cell stays empty.
def _megabytes(value: Any) -> str:
    return "" if value is None else f"{float(value):.0f}"


def _percent(share: Any) -> str:
    return "" if share is None else f"{100.0 * float(share):.1f}"


def _seconds(value: Any) -> str:
    return "" if value is None else f"{float(value):.2f}"


def _tokens(value: Any) -> str:
    return "" if value is None else f"{float(value):.0f}"


def _limited_note(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """A note under the table naming the rows that answered only part of a half."""
    modes_by_limit: dict[int, set[str]] = {}
    for row in rows:
        if row.get("limit") is not None:
            modes_by_limit.setdefault(int(row["limit"]), set()).add(str(row.get("mode")))
    if not modes_by_limit:
        return []

    def rank(mode: str) -> tuple[int, str]:
        return (_MODE_ORDER.index(mode) if mode in _MODE_ORDER else len(_MODE_ORDER), mode)

    parts = []
    for limit, modes in sorted(modes_by_limit.items()):
        names = [f"`{mode}`" for mode in sorted(modes, key=rank)]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        parts.append(f"{listed} on the first {limit}")
    text = ("Rows marked (limited) answered only the first entries of their half (or "
            f"category), in BFCL's order: {'; '.join(parts)}.")
    return ["", text]


def write_bfcl_results(results: Sequence[Any], *, model: str | Path | None,
                       directory: Path | None = None,
                       timing: Mapping[str, float] | None = None) -> tuple[Path, Path]:
    """Write ``RunResult`` rows to ``bfcl.json`` and ``bfcl.md`` (merging with earlier
    rows of the same ``BFCL_KEY`` and model).

    ``timing`` (say the wall and CPU seconds a unit took) is added to every row written.
    """
    rows = [{**result.summary(), **(timing or {})} for result in results]
    return write_results("bfcl", rows, key=BFCL_KEY, env=environment(model),
                         directory=directory, render=bfcl_markdown)
