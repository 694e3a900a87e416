"""Benchmark results in a notebook: the tables of ``bench/results/*.json`` and plots of them.

The files are written by ``neurosym bench``: each holds a ``suite`` name, the
``environment`` of the latest run and a list of ``rows``. They are read defensively: a
missing folder, an unreadable file or rows of an unexpected shape are reported in the
output, and whatever can be shown is shown.

>>> report = show_benchmarks("no/such/folder")
>>> report.suites, "no benchmark results" in report._repr_html_()
((), True)
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._svg import escape

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["BenchmarkSuite", "BenchmarkReport", "flatten_document", "load_benchmarks",
           "show_benchmarks", "fields_figure", "figure_svg"]

# fields stamped on every row by the writer: shown once above the table, not per row
_STAMP = ("model_bytes", "cpu", "cores", "neurosym_version")
# fields that name what a row measured (the rest are measures)
_KEYS = ("suite", "category", "mode", "case", "scenario", "name", "benchmark", "model",
         "kind", "size")
# preferred measures to plot, in order
_PLOTTED = ("accuracy", "well_formed_rate", "well_formed", "success_rate", "pass_rate",
            "tokens_per_second", "latency_median_s", "latency_s", "ms_per_token",
            "median_ms", "mean_ms", "p50_ms")
_MODE_COLOURS = {"free": "#90a4ae", "grammar": "#42a5f5", "solver": "#7e57c2", "search1": "#66bb6a",
                 "search4": "#2e7d32", "search8": "#1b5e20", "peer": "#ef6c00"}


@dataclass(frozen=True)
class BenchmarkSuite:
    """One results file: its ``rows`` (a table), or else its ``fields`` (a document of
    nested measures, flattened to dotted names), and ``problem`` when it could not be read."""

    name: str
    path: Path
    rows: tuple[dict[str, Any], ...] = ()
    environment: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None
    fields: tuple[tuple[str, Any], ...] = ()

    @property
    def columns(self) -> list[str]:
        """Every field of the rows, in first-seen order, without the per-row stamps."""
        seen: list[str] = []
        for row in self.rows:
            seen.extend(k for k in row if k not in seen and k not in _STAMP)
        return seen

    @property
    def key_columns(self) -> list[str]:
        return [c for c in self.columns if c in _KEYS or
                all(isinstance(r.get(c), str) or r.get(c) is None for r in self.rows)
                and c != "date"]

    @property
    def measures(self) -> list[str]:
        """Numeric fields (booleans and counts of the environment aside)."""
        out = []
        for column in self.columns:
            values = [r.get(column) for r in self.rows if r.get(column) is not None]
            if values and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                              for v in values):
                out.append(column)
        return out

    def __repr__(self) -> str:
        size = f"{len(self.rows)} rows" if self.rows or not self.fields else \
            f"{len(self.fields)} values"
        problem = f", problem={self.problem!r}" if self.problem else ""
        return f"BenchmarkSuite({self.name!r}, {self.path.name!r}, {size}{problem})"

    def row_label(self, row: Mapping[str, Any]) -> str:
        parts = [str(row[c]) for c in self.key_columns if c != "model" and row.get(c) is not None]
        return " / ".join(parts) or "row"


def _read_suite(path: Path) -> BenchmarkSuite:
    name = path.stem
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        return BenchmarkSuite(name, path, problem=f"cannot read {path.name}: {err}")
    if isinstance(document, list):
        document = {"rows": document}
    if not isinstance(document, dict):
        return BenchmarkSuite(name, path, problem=f"{path.name} holds a "
                              f"{type(document).__name__}, not a results document")
    rows = document.get("rows")
    if rows is None:
        # a document of measures rather than a table: show every value under its path
        environment = {k: document[k] for k in _ENVIRONMENT if k in document}
        fields = tuple((k, v) for k, v in flatten_document(document)
                       if re.split(r"[.\[]", k)[0] not in (*_ENVIRONMENT, "suite"))
        problem = None if fields else f"{path.name} holds no measures"
        return BenchmarkSuite(str(document.get("suite") or name), path, (), environment,
                              problem, fields)
    if not isinstance(rows, list):
        return BenchmarkSuite(name, path, problem=f"{path.name} has no list of rows")
    good = tuple(dict(r) for r in rows if isinstance(r, dict))
    problem = None
    if len(good) != len(rows):
        problem = f"{len(rows) - len(good)} rows of {path.name} are not objects and were skipped"
    environment = document.get("environment")
    return BenchmarkSuite(str(document.get("suite") or name), path, good,
                          dict(environment) if isinstance(environment, dict) else {}, problem)


_ENVIRONMENT = ("model", "model_bytes", "cpu", "cores", "threads", "date", "neurosym_version",
                "load_average")


def flatten_document(document: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Every leaf of a nested document under its dotted path (lists of plain values stay whole).

    >>> for path, value in flatten_document({"decoding": {"tokens_per_s": {"free": 125.0}},
    ...                                      "peak_mb": 349, "cases": ["a", "b"]}):
    ...     print(path, value)
    decoding.tokens_per_s.free 125.0
    peak_mb 349
    cases ['a', 'b']
    """
    if isinstance(document, Mapping):
        out: list[tuple[str, Any]] = []
        for key, value in document.items():
            out.extend(flatten_document(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(document, list) and any(isinstance(v, (Mapping, list)) for v in document):
        out = []
        for i, value in enumerate(document):
            out.extend(flatten_document(value, f"{prefix}[{i}]"))
        return out
    return [(prefix or "value", document)]


def _default_directory() -> Path:
    try:
        from ..bench.report import results_dir
        return results_dir()
    except ImportError:
        return Path.cwd() / "bench" / "results"


def load_benchmarks(directory: str | Path | None = None) -> tuple[BenchmarkSuite, ...]:
    """Every ``*.json`` results file of ``directory`` (default ``bench/results``), by name."""
    folder = Path(directory) if directory is not None else _default_directory()
    if not folder.is_dir():
        return ()
    return tuple(_read_suite(p) for p in sorted(folder.glob("*.json")))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def _fields_html(suite: BenchmarkSuite, limit: int = 200) -> str:
    rows = "".join(f"<tr><td style='padding:1px 8px;font-family:monospace;text-align:left'>"
                   f"{escape(k)}</td>"
                   f"<td style='padding:1px 8px;text-align:right'>{escape(_cell(v))}</td></tr>"
                   for k, v in suite.fields[:limit])
    more = (f"<p><i>{len(suite.fields) - limit} more values in {escape(suite.path.name)}</i></p>"
            if len(suite.fields) > limit else "")
    return (f"<div style='overflow-x:auto'><table style='border-collapse:collapse;"
            f"font-size:12px'>{rows}</table></div>{more}")


def _table_html(suite: BenchmarkSuite, limit: int = 200) -> str:
    if suite.fields and not suite.rows:
        return _fields_html(suite, limit)
    columns = suite.columns
    if not columns:
        return "<p><i>no rows</i></p>"
    head = "".join(f"<th style='text-align:left;padding:2px 8px'>{escape(c)}</th>"
                   for c in columns)
    body = []
    for row in suite.rows[:limit]:
        cells = "".join(
            f"<td style='padding:2px 8px;text-align:{'right' if c in suite.measures else 'left'}'>"
            f"{escape(_cell(row.get(c)))}</td>" for c in columns)
        body.append(f"<tr>{cells}</tr>")
    more = (f"<p><i>{len(suite.rows) - limit} more rows in {escape(suite.path.name)}</i></p>"
            if len(suite.rows) > limit else "")
    return (f"<div style='overflow-x:auto'><table style='border-collapse:collapse;"
            f"font-size:12px'><thead><tr style='border-bottom:1px solid #999'>{head}</tr>"
            f"</thead><tbody>{''.join(body)}</tbody></table></div>{more}")


def _environment_html(env: Mapping[str, Any]) -> str:
    if not env:
        return ""
    parts = []
    if env.get("model"):
        size = env.get("model_bytes")
        parts.append(f"model {env['model']}" + (f" ({size / 1e6:.1f} MB)"
                                                if isinstance(size, (int, float)) else ""))
    if env.get("cpu"):
        parts.append(f"{env['cpu']} ({env.get('cores', '?')} cores)")
    if env.get("date"):
        parts.append(f"latest run {env['date']}")
    return f"<p style='color:#555;font-size:12px'>{escape(' · '.join(parts))}</p>"


@dataclass(frozen=True)
class BenchmarkReport:
    """Tables and plots of the results found; shows itself in a notebook."""

    directory: Path
    suites: tuple[BenchmarkSuite, ...]
    plot: bool = True

    def __repr__(self) -> str:
        return f"BenchmarkReport({str(self.directory)!r}, suites={[s.name for s in self.suites]})"

    def suite(self, name: str) -> BenchmarkSuite | None:
        return next((s for s in self.suites if s.name == name or s.path.stem == name), None)

    def figure(self, name: str) -> Figure | None:
        """A matplotlib figure of one suite (None when it has nothing to plot)."""
        suite = self.suite(name)
        if suite is None:
            return None
        if not suite.rows:
            return fields_figure(suite) if suite.fields else None
        if {"category", "mode", "accuracy"} <= set(suite.columns):
            return _bfcl_figure(suite)
        return _measures_figure(suite)

    def _repr_html_(self) -> str:
        if not self.suites:
            return (f"<p>There are no benchmark results in <code>{escape(self.directory)}"
                    "</code> yet: <code>make bench</code> (or <code>neurosym bench all "
                    "--limit 20</code>) writes them.</p>")
        parts = []
        for suite in self.suites:
            parts.append(f"<h4 style='margin:12px 0 4px'>{escape(suite.name)} "
                         f"<span style='font-weight:normal;color:#777;font-size:12px'>"
                         f"{escape(suite.path.name)} · "
                         + (f"{len(suite.rows)} rows" if suite.rows or not suite.fields
                            else f"{len(suite.fields)} values") + "</span></h4>")
            if suite.problem:
                parts.append(f"<p style='color:#b71c1c'>{escape(suite.problem)}</p>")
            parts.append(_environment_html(suite.environment))
            if suite.rows or suite.fields:
                parts.append(_table_html(suite))
                if self.plot:
                    parts.append(figure_svg(self.figure(suite.name)))
        return "".join(parts)


def show_benchmarks(directory: str | Path | None = None, *, suites: Sequence[str] | None = None,
                    plot: bool = True) -> BenchmarkReport:
    """The results in ``directory`` (default ``bench/results``) as tables, with plots.

    ``suites`` keeps only the named ones (``["bfcl"]``); ``plot=False`` leaves out the
    plots (and matplotlib).
    """
    folder = Path(directory) if directory is not None else _default_directory()
    found = load_benchmarks(folder)
    if suites is not None:
        wanted = set(suites)
        found = tuple(s for s in found if s.name in wanted or s.path.stem in wanted)
    return BenchmarkReport(folder, found, plot)


def figure_svg(figure: Figure | None) -> str:
    if figure is None:
        return ""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    start = text.find("<svg")
    if start < 0:
        return ""
    # scaled down to the output's width (its viewBox keeps the proportions), never cut off
    svg = text[start:].replace("<svg ", '<svg style="max-width:100%;height:auto" ', 1)
    return f"<div>{svg}</div>"


def _bfcl_figure(suite: BenchmarkSuite) -> Figure:
    """Accuracy by category, a bar per mode, with the yardstick as a tick where known."""
    from matplotlib.figure import Figure
    try:
        from ..bench.report import YARDSTICK, YARDSTICK_MODEL
    except ImportError:
        YARDSTICK, YARDSTICK_MODEL = {}, ""
    categories = list(dict.fromkeys(str(r.get("category")) for r in suite.rows))
    modes = list(dict.fromkeys(str(r.get("mode")) for r in suite.rows))
    figure = Figure(figsize=(max(5.0, 1.1 * len(categories) + 2.5), 3.2), dpi=100)
    ax = figure.add_subplot(1, 1, 1)
    width = 0.8 / max(len(modes), 1)
    for m, mode in enumerate(modes):
        xs, ys = [], []
        for c, category in enumerate(categories):
            row = next((r for r in suite.rows if str(r.get("category")) == category
                        and str(r.get("mode")) == mode), None)
            value = row.get("accuracy") if row else None
            if isinstance(value, (int, float)):
                xs.append(c - 0.4 + width * (m + 0.5))
                ys.append(100.0 * float(value))
        ax.bar(xs, ys, width=width * 0.92, label=mode, color=_MODE_COLOURS.get(mode))
    marks = [(c, YARDSTICK[cat]) for c, cat in enumerate(categories) if cat in YARDSTICK]
    if marks:
        ax.scatter([c for c, _ in marks], [v for _, v in marks], marker="_", s=600,
                   color="#212121", label=f"{YARDSTICK_MODEL} (leaderboard)", zorder=3)
    ax.set_xticks(range(len(categories)))
    ax.set_xticklabels(categories, rotation=20, ha="right", fontsize=8)
    ax.set_ylabel("accuracy %")
    ax.set_ylim(0, 100)
    ax.set_title(f"{suite.name}: accuracy by category and mode", fontsize=10)
    ax.legend(fontsize=7, ncols=2)
    figure.tight_layout()
    return figure


def _measures_figure(suite: BenchmarkSuite) -> Figure | None:
    """Up to three measures, one horizontal bar chart each, a bar per row."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator
    measures = suite.measures
    chosen = [m for m in _PLOTTED if m in measures]
    chosen += [m for m in measures if m not in chosen and m not in ("n", "limit", "correct")]
    chosen = chosen[:3]
    if not chosen:
        return None
    rows = suite.rows[:30]
    labels = [suite.row_label(r) for r in rows]
    figure = Figure(figsize=(3.6 * len(chosen) + 1.5, 0.28 * len(rows) + 1.4), dpi=100)
    for i, measure in enumerate(chosen):
        ax = figure.add_subplot(1, len(chosen), i + 1)
        values = [float(r[measure]) if isinstance(r.get(measure), (int, float)) else 0.0
                  for r in rows]
        ax.barh(range(len(rows)), values, color="#42a5f5")
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels(labels if i == 0 else [""] * len(rows), fontsize=8)
        ax.invert_yaxis()
        ax.set_title(measure, fontsize=9)
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.tick_params(axis="x", labelsize=8)
    figure.suptitle(suite.name, fontsize=10)
    figure.tight_layout()
    return figure


def _unit(name: str) -> str:
    """The unit a measure's name ends in, or "" for a plain number.

    >>> [_unit(n) for n in ("median_ms", "total_s", "peak_mb", "samples", "tokens_per_s", "rate")]
    ['ms', 's', 'MB', 'count', 'per s', '']
    """
    lowered = name.lower()
    if lowered.endswith("_per_s") or lowered.endswith("per_second"):
        return "per s"
    for suffix, unit in (("_ms", "ms"), ("_s", "s"), ("_mb", "MB"), ("_bytes", "bytes")):
        if lowered.endswith(suffix) or lowered == suffix[1:]:
            return unit
    if lowered in ("n", "samples", "count", "runs", "calls", "checks") or lowered.endswith(
            ("_count", "_samples", "_calls")):
        return "count"
    return ""


def fields_figure(suite: BenchmarkSuite) -> Figure | None:
    """Numbers that share a parent and a unit (``decoding.tokens_per_s.*``): a bar chart
    per group."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator
    groups: dict[str, list[tuple[str, float]]] = {}
    for key, value in suite.fields:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and "." in key:
            parent, leaf = key.rsplit(".", 1)
            # one axis, one unit: milliseconds never share a chart with a count
            unit = _unit(leaf)
            groups.setdefault(f"{parent} ({unit})" if unit else parent, []).append(
                (leaf, float(value)))
    chosen = [(p, items) for p, items in groups.items() if len(items) >= 2][:4]
    if not chosen:
        return None
    figure = Figure(figsize=(3.4 * len(chosen) + 1.0, 0.3 * max(len(i) for _, i in chosen) + 1.6),
                    dpi=100)
    for n, (parent, items) in enumerate(chosen):
        ax = figure.add_subplot(1, len(chosen), n + 1)
        ax.barh(range(len(items)), [v for _, v in items], color="#42a5f5")
        ax.set_yticks(range(len(items)), [k for k, _ in items], fontsize=8)
        ax.invert_yaxis()
        ax.set_title(parent, fontsize=9)
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.tick_params(axis="x", labelsize=8)
    figure.suptitle(suite.name, fontsize=10)
    figure.tight_layout()
    return figure
