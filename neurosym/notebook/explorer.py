"""The Explorer: a small ipywidgets app to plan (and run) requests and watch the search.

Type a request, pick a tool set, write constraints one per line, press Plan: the plan,
its dependency graph, the search tree, the timings, and a replay of the decode event by
event appear below. Run also executes the plan (against the demo world for its tools)
and shows what was observed. Errors (a constraint that does not parse, an unknown tool,
a request that cannot be satisfied) are shown with their hint, never as a traceback.

>>> explorer = Explorer(request="Book the hotel H-PAR-2 for 3 nights.")
>>> explorer.tool_set_names[:2], explorer.request
(['demo: travel', 'demo: hotels'], 'Book the hotel H-PAR-2 for 3 nights.')

Why one module: the Explorer is one widget app; its HTML renderers are used by it and by
the notebooks' error display only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from ..decode.events import RollbackEvent, TokenEvent
from ..errors import NeurosymError
from ._svg import escape
from .draw import draw_plan, draw_search
from .replay import Frame, frame_html, replay

__all__ = ["Explorer", "DEMO_TOOL_SETS", "error_html", "verdict_html"]

#: The demo world's tools in the sets the chooser offers.
DEMO_TOOL_SETS: dict[str, tuple[str, ...]] = {
    "demo: travel": ("search_flights", "book_flight", "search_hotels", "book_hotel"),
    "demo: hotels": ("search_hotels", "book_hotel"),
    "demo: bank": ("get_balance", "transfer"),
    "demo: calendar": ("list_events", "create_event"),
    "demo: everything": ("search_flights", "book_flight", "search_hotels", "book_hotel",
                         "get_balance", "transfer", "list_events", "create_event"),
}
_GIVEN = "your tools"
_BOX = ("border:1px solid {b};background:{f};padding:6px 10px;border-radius:4px;"
        "font-size:13px;margin:4px 0")


def error_html(err: BaseException) -> str:
    """An error as a red box: the message (with its context lines) and the hint apart.

    >>> from neurosym.errors import ConstraintReferenceError
    >>> box = error_html(ConstraintReferenceError("no tool 'book_hotle'",
    ...                  constraint="book_hotle.nights <= 3", hint="did you mean book_hotel?"))
    >>> "book_hotle" in box and "did you mean book_hotel?" in box and "Traceback" not in box
    True
    """
    hint = getattr(err, "hint", None)
    text = str(err)
    suffix = f"\nhint: {hint}" if hint else ""
    if suffix and text.endswith(suffix):
        text = text[:-len(suffix)]
    name = type(err).__name__
    if not isinstance(err, NeurosymError):
        name = f"unexpected {name}"
    out = (f"<div class='ns-error' style='{_BOX.format(b='#c62828', f='#ffebee')}'>"
           f"<b style='color:#b71c1c'>{escape(name)}</b>"
           f"<pre style='white-space:pre-wrap;margin:4px 0;font-size:12px'>{escape(text)}</pre>")
    if hint:
        out += f"<div><b>hint:</b> {escape(hint)}</div>"
    return out + "</div>"


def _note_html(text: str, tone: str = "info") -> str:
    colours = {"info": ("#90a4ae", "#f5f7f8"), "ok": ("#2e7d32", "#e8f5e9"),
               "warn": ("#ef6c00", "#fff3e0")}
    b, f = colours.get(tone, colours["info"])
    return f"<div style='{_BOX.format(b=b, f=f)}'>{text}</div>"


#: How each verdict is shown: a tone and a sentence (never a bare tick).
_VERDICT_WORDS = {
    "faithful": ("ok", "faithful: every value comes from the request, an observation or a "
                       "default"),
    "adjusted": ("warn", "adjusted: the constraints changed values (listed below)"),
    "uncertain": ("warn", "uncertain: the model chose values the request does not state"),
    "unsatisfiable": ("warn", "unsatisfiable"),
    "abstained": ("info", "abstained: the plan makes no call"),
}
_SOURCE_COLOURS = {"request": "#2e7d32", "observation": "#1565c0", "default": "#607d8b",
                   "model": "#ef6c00", "solver": "#c62828", "approval": "#6a1b9a"}


def verdict_html(judgement: Any, verdict: str | None = None, *, explain: bool = True) -> str:
    """The verdict as a coloured note, and a table of each value with its source
    (``explain``: with the reason when the verdict refuses the plan or abstains)."""
    kind = verdict or (str(judgement.verdict) if judgement is not None else "uncertain")
    tone, words = _VERDICT_WORDS.get(kind, ("info", kind))
    explanation = getattr(judgement, "explanation", "") if judgement is not None else ""
    if kind in ("unsatisfiable", "abstained") and explanation and explain:
        words = f"{kind}: {explanation}"
    out = [_note_html(f"<b class='ns-verdict'>{escape(words)}</b>", tone)]
    sources = tuple(getattr(judgement, "sources", ()) or ())
    if sources:
        rows = []
        for s in sources:
            colour = _SOURCE_COLOURS.get(s.kind, "#555")
            detail = ""
            if s.kind == "solver":
                detail = f"was {s.proposed}; {s.constraint}"
            elif s.reference:
                detail = s.reference
            rows.append(f"<tr><td style='padding:1px 8px'>{escape(f'{s.tool}.{s.param}')}</td>"
                        f"<td style='padding:1px 8px;font-family:monospace'>{escape(s.value)}</td>"
                        f"<td style='padding:1px 8px;color:{colour}'>{escape(s.kind)}</td>"
                        f"<td style='padding:1px 8px'>{escape(detail)}</td></tr>")
        out.append("<table class='ns-sources' style='font-size:12px'><tr><th>value</th>"
                   "<th>as written</th><th>source</th><th></th></tr>" + "".join(rows)
                   + "</table>")
    padded = tuple(getattr(judgement, "padded", ()) or ())
    if padded:
        items = "".join(f"<li><code>{escape(p)}</code></li>" for p in padded)
        out.append(f"<div>calls the request did not ask for:<ul style='margin:2px 0'>{items}"
                   "</ul></div>")
    return "".join(out)


def _describe(item: Any) -> str:
    describe = getattr(item, "describe", None)
    if callable(describe):
        return str(describe())
    return str(item)


def _timings_html(timings: Mapping[str, Any], wall: float | None) -> str:
    rows = []
    for name, value in timings.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            shown = f"{value * 1000:.1f} ms" if name.endswith("_s") else f"{value:g}"
        else:
            shown = str(value)
        rows.append(f"<tr><td style='padding:1px 10px'>{escape(name)}</td>"
                    f"<td style='padding:1px 10px;text-align:right'>{escape(shown)}</td></tr>")
    if wall is not None:
        rows.append("<tr style='border-top:1px solid #ccc'><td style='padding:1px 10px'>"
                    f"wall clock (this widget)</td><td style='padding:1px 10px;"
                    f"text-align:right'>{wall * 1000:.1f} ms</td></tr>")
    if not rows:
        return "<i>no timings</i>"
    return f"<table style='font-family:monospace;font-size:12px'>{''.join(rows)}</table>"


@dataclass
class _Progress:
    """What the progress line shows while the model writes."""

    started: float
    tokens: int = 0
    rollbacks: int = 0
    text: str = ""
    shown: float = 0.0


def _short(value: Any, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


class Explorer:
    """Plan requests with a tool set and constraints, and look inside the search.

    Args:
        tools: tools of your own (any form a ToolSet takes); offered first in the chooser.
        constraints: the constraints the editor starts with.
        model: a GGUF path or a loaded model (None: the embedded default).
        request: the request the box starts with.
        tool_sets: more named tool sets for the chooser.
        background: plan in a thread (the notebook stays responsive and shows progress);
            ``False`` plans inside the button's callback.
    """

    def __init__(self, tools: Any = None, constraints: Sequence[str] | str = (),
                 model: Any = None, *, request: str = "",
                 tool_sets: Mapping[str, Any] | None = None, background: bool = True) -> None:
        from ..execute.demo_world import make_world
        from ..tools.toolset import ToolSet

        self.model = model
        self.background = background
        self.world, self.demo_tools = make_world()
        self._tool_sets: dict[str, Any] = {}
        if tools is not None:
            self._tool_sets[_GIVEN] = ToolSet.coerce(tools)
        for name, given in (tool_sets or {}).items():
            self._tool_sets[name] = ToolSet.coerce(given)
        for name, names in DEMO_TOOL_SETS.items():
            self._tool_sets[name] = ToolSet([self.demo_tools[n] for n in names])
        self._planners: dict[tuple[str, tuple[str, ...]], Any] = {}
        self._thread: threading.Thread | None = None
        self.result: Any = None
        self.run_result: Any = None
        self.error: BaseException | None = None
        self.frames: tuple[Frame, ...] = ()
        self.elapsed: float | None = None
        if isinstance(constraints, str):
            constraints = [constraints]

        layout = widgets.Layout
        self.request_box = widgets.Textarea(
            value=request, placeholder="What should be done? e.g. Book the hotel H-PAR-2 "
                                       "in Paris for 3 nights.",
            description="Request", layout=layout(width="98%", height="52px"))
        self.tool_chooser = widgets.Dropdown(options=list(self._tool_sets), description="Tools",
                                             layout=layout(width="320px"))
        self.constraints_box = widgets.Textarea(
            value="\n".join(constraints), placeholder="one constraint per line, e.g. "
                                                      "sum(book_hotel.nights) <= 5",
            description="Constraints", layout=layout(width="98%", height="64px"))
        self.plan_button = widgets.Button(description="Plan", button_style="primary",
                                          icon="sitemap", tooltip="plan the request")
        self.run_button = widgets.Button(description="Run", button_style="success", icon="play",
                                         tooltip="plan, execute, observe")
        self.status = widgets.HTML(value="")
        self.message = widgets.HTML(value="")
        self.plan_view = widgets.HTML(value="<i>no plan yet: press Plan</i>")
        self.graph_view = widgets.HTML(value="")
        self.search_view = widgets.HTML(value="<i>the search tree appears after planning</i>")
        self.timings_view = widgets.HTML(value="")
        self.run_view = widgets.HTML(value="<i>press Run to execute a plan and see what it "
                                           "observes</i>")
        self.slider = widgets.IntSlider(value=0, min=0, max=0, description="Event",
                                        continuous_update=True, layout=layout(width="60%"))
        self.play = widgets.Play(value=0, min=0, max=0, interval=120, description="play")
        widgets.jslink((self.play, "value"), (self.slider, "value"))
        def nav(icon: str, tooltip: str, description: str = "", width: str = "44px") -> Any:
            # Font Awesome icons: the media glyphs are missing from many system fonts
            return widgets.Button(description=description, icon=icon, tooltip=tooltip,
                                  layout=layout(width=width))

        self.first_button = nav("fast-backward", "first event")
        self.prev_check_button = nav("backward", "previous rejection, rollback or checked value",
                                     "check", "92px")
        self.prev_button = nav("step-backward", "previous event")
        self.next_button = nav("step-forward", "next event")
        self.next_check_button = nav("forward", "next rejection, rollback or checked value",
                                     "check", "92px")
        self.last_button = nav("fast-forward", "last event")
        self.frame_view = widgets.HTML(value="<i>the decode is replayed here after planning</i>")

        self.plan_button.on_click(lambda _: self._start(self._plan))
        self.run_button.on_click(lambda _: self._start(self._run))
        self.slider.observe(self._show_frame, names="value")
        self.first_button.on_click(lambda _: self.step_to(0))
        self.last_button.on_click(lambda _: self.step_to(len(self.frames) - 1))
        self.prev_button.on_click(lambda _: self.step(-1))
        self.next_button.on_click(lambda _: self.step(1))
        self.prev_check_button.on_click(lambda _: self.step(-1, skip_quiet=True))
        self.next_check_button.on_click(lambda _: self.step(1, skip_quiet=True))

        replay_box = widgets.VBox([
            widgets.HBox([self.play, self.slider]),
            widgets.HBox([self.first_button, self.prev_check_button, self.prev_button,
                          self.next_button, self.next_check_button, self.last_button]),
            self.frame_view])
        self.tabs = widgets.Tab(children=[
            widgets.VBox([self.plan_view, self.graph_view]),
            self.search_view, replay_box, self.timings_view, self.run_view])
        for i, title in enumerate(("Plan", "Search tree", "Replay", "Timings", "Run")):
            self.tabs.set_title(i, title)
        self.widget = widgets.VBox([
            widgets.HTML("<b>neurosym explorer</b> <span style='color:#777'>a small model "
                         "proposes, the solver disposes</span>"),
            self.request_box,
            widgets.HBox([self.tool_chooser, self.plan_button, self.run_button]),
            self.constraints_box, self.status, self.message, self.tabs,
        ])
        self.widget.add_class("neurosym-explorer")

    # -- display -------------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    # -- what the user set ---------------------------------------------------------------
    @property
    def request(self) -> str:
        return self.request_box.value.strip()

    @request.setter
    def request(self, text: str) -> None:
        self.request_box.value = text

    @property
    def constraints(self) -> list[str]:
        """The editor's constraints: one per non-empty line (``#`` starts a comment line)."""
        lines = (line.strip() for line in self.constraints_box.value.splitlines())
        return [line for line in lines if line and not line.startswith("#")]

    @constraints.setter
    def constraints(self, items: Iterable[str]) -> None:
        self.constraints_box.value = "\n".join(items)

    @property
    def tools(self) -> Any:
        """The chosen tool set."""
        return self._tool_sets[self.tool_chooser.value]

    @property
    def tool_set_names(self) -> list[str]:
        return list(self._tool_sets)

    def choose_tools(self, name: str) -> None:
        if name not in self._tool_sets:
            raise NeurosymError(f"no tool set named {name!r}",
                                hint="choose one of " + ", ".join(self._tool_sets))
        self.tool_chooser.value = name

    # -- working -------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the planning in progress; True when it is done."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def _start(self, job: Callable[[], None]) -> None:
        if self.busy:
            self.status.value = _note_html("still working on the last request…", "warn")
            return
        self.plan_button.disabled = self.run_button.disabled = True
        if self.background:
            self._thread = threading.Thread(target=self._guarded, args=(job,), daemon=True,
                                            name="neurosym-explorer")
            self._thread.start()
        else:
            self._guarded(job)

    def _guarded(self, job: Callable[[], None]) -> None:
        self.error = None
        self.message.value = ""
        started = time.perf_counter()
        try:
            job()
        except Exception as err:  # shown in the widget: a notebook user never sees a traceback
            self.error = err
            self.message.value = error_html(err)
            self.status.value = ""
        finally:
            self.plan_button.disabled = self.run_button.disabled = False
            self.elapsed = time.perf_counter() - started

    def _planner(self) -> Any:
        from ..constraints import compile_constraints
        from ..planner import Planner

        key = (self.tool_chooser.value, tuple(self.constraints))
        planner = self._planners.get(key)
        if planner is None:
            if key[1]:
                # every constraint is parsed and resolved against the tools up front, so a
                # typo is reported before the model is asked anything
                compile_constraints(list(key[1]), self.tools)
            planner = Planner(tools=self.tools, constraints=list(key[1]), model=self.model)
            self._planners[key] = planner
        return planner

    def _checked_request(self) -> str:
        request = self.request
        if not request:
            raise NeurosymError("the request is empty", hint="type what should be done in "
                                "the Request box, then press Plan")
        return request

    def _progress(self, what: str) -> tuple[Callable[[Any], None], Callable[[], None]]:
        """A streaming callback showing tokens and rollbacks, and a function to stop it."""
        progress = _Progress(time.perf_counter())
        done = threading.Event()
        lock = threading.Lock()

        def show() -> None:
            with lock:
                if done.is_set():
                    return
                elapsed = time.perf_counter() - progress.started
                self.status.value = _note_html(
                    f"⏳ {escape(what)}… {elapsed:.1f} s · {progress.tokens} tokens · "
                    f"{progress.rollbacks} rollbacks<pre style='margin:2px 0;white-space:"
                    f"pre-wrap'>{escape(progress.text[-240:])}▌</pre>")

        def on_event(event: Any) -> None:
            if isinstance(event, TokenEvent):
                progress.tokens += 1
                progress.text += event.text
            elif isinstance(event, RollbackEvent):
                progress.rollbacks += 1
                progress.text = progress.text[:event.target.offset]
            now = time.perf_counter()
            if now - progress.shown > 0.15:
                progress.shown = now
                show()

        def tick() -> None:
            # the model may think a while before its first token: keep the clock moving
            show()
            while not done.wait(0.5):
                show()

        ticker = threading.Thread(target=tick, daemon=True, name="neurosym-explorer-clock")
        ticker.start()

        def stop() -> None:
            with lock:
                done.set()
            ticker.join(timeout=2.0)

        return on_event, stop

    def _call(self, method: Callable[..., Any], request: str, what: str, **options: Any) -> Any:
        """``method(request)``, streaming events to the progress line when it can."""
        import inspect

        on_event, stop = self._progress(what)
        try:
            try:
                accepted = set(inspect.signature(method).parameters)
            except (TypeError, ValueError):
                accepted = set()
            if "on_event" in accepted:
                options["on_event"] = on_event
            return method(request, **{k: v for k, v in options.items() if k in accepted})
        finally:
            stop()

    def _plan(self) -> None:
        request = self._checked_request()
        self.status.value = _note_html("⏳ preparing the planner (grammar, solver, model)…")
        planner = self._planner()
        started = time.perf_counter()
        result = self._call(planner.plan, request, "planning")
        self.show_result(result, wall=time.perf_counter() - started)

    def _run(self) -> None:
        request = self._checked_request()
        self.status.value = _note_html("⏳ preparing the planner (grammar, solver, model)…")
        planner = self._planner()
        started = time.perf_counter()
        from ..execute import Executor
        run = self._call(planner.run, request, "planning and running",
                         executor=Executor(self.tools, policy=planner.policy))
        self.show_run(run, wall=time.perf_counter() - started)

    # -- showing results -----------------------------------------------------------------
    def show_result(self, result: Any, wall: float | None = None) -> None:
        """Fill the views from a plan result (``ok``, ``plan``, ``trace``, ``timings``...)."""
        self.result = result
        ok = bool(getattr(result, "ok", False))
        plan = getattr(result, "plan", None)
        parts = []
        judgement = getattr(result, "judgement", None)
        verdict = getattr(result, "verdict", None)
        if judgement is not None or verdict is not None:
            parts.append(verdict_html(judgement, verdict, explain=ok))
        if not ok:
            error = getattr(result, "error", None)
            if isinstance(error, BaseException):
                parts.append(error_html(error))
            else:
                explanation = getattr(result, "explanation", None) or "no plan was found"
                parts.append(f"<div class='ns-error' style='{_BOX.format(b='#c62828', f='#ffebee')}"
                             f"'><b style='color:#b71c1c'>no plan</b><pre style='white-space:"
                             f"pre-wrap;margin:4px 0'>{escape(explanation)}</pre></div>")
        text = plan.text if plan is not None else getattr(result, "text", "")
        if text:
            parts.append("<pre class='ns-plan' style='background:#f7f7f7;border:1px solid #ddd;"
                         f"padding:8px;font-size:13px'>{escape(text)}</pre>")
        adjustments = tuple(getattr(result, "adjustments", ()) or ())
        if adjustments:
            items = "".join(f"<li>{escape(_describe(a))}</li>" for a in adjustments)
            parts.append("<div><b>Adjusted by the constraints</b> (the model's first choice "
                         f"was changed):<ul style='margin:2px 0'>{items}</ul></div>")
        self.plan_view.value = "".join(parts)
        self.graph_view.value = ""
        if plan is not None and (plan.steps or plan.terminal is not None):
            try:
                self.graph_view.value = (
                    "<div class='ns-graph' style='overflow:auto'>"
                    + draw_plan(plan, self.tools).svg + "</div>")
            except NeurosymError as err:
                self.graph_view.value = error_html(err)
        self._show_trace(getattr(result, "trace", None) or (),
                         getattr(result, "adjustments", ()) or (), result)
        self.timings_view.value = _timings_html(dict(getattr(result, "timings", {}) or {}), wall)
        self.status.value = ""
        self.tabs.selected_index = 0

    def _show_trace(self, trace: Any, adjustments: Sequence[Any] = (),
                    result: Any = None) -> None:
        self.frames = replay(trace)
        if self.frames:
            # A searched plan draws the beam's branches; a decoded one its retractions.
            searched = result if getattr(result, "search", None) is not None else trace
            drawing = draw_search(searched, adjustments=tuple(adjustments))
            tree = drawing.tree
            summary = ""
            if tree is not None:
                summary = (f"<div style='color:#555;font-size:12px'>{tree.count('accepted')} "
                           f"accepted · {tree.count('rejected')} rejected · "
                           f"{len(tree.backjumps)} backjumps · {len(self.frames)} events</div>")
            self.search_view.value = (summary + "<div class='ns-search' style='overflow:auto'>"
                                      + drawing.svg + "</div>")
        else:
            self.search_view.value = "<i>this result carries no trace</i>"
        last = max(len(self.frames) - 1, 0)
        self.play.max = self.slider.max = last
        if self.slider.value == last:
            self._show_frame()
        self.slider.value = last

    def show_run(self, run: Any, wall: float | None = None) -> None:
        """Fill the views from a run: its last plan (coloured by how each step went), what
        each turn observed, and how the run ended."""
        self.run_result = run
        turns = tuple(getattr(run, "turns", ()) or ())
        if turns:
            last = turns[-1]
            plan = last.plan
            self.plan_view.value = (f"<div style='color:#555'>the last of {len(turns)} "
                                    "plans the run tried:</div><pre class='ns-plan' "
                                    "style='background:#f7f7f7;border:1px solid #ddd;"
                                    f"padding:8px;font-size:13px'>{escape(plan.text)}</pre>")
            self.graph_view.value = ""
            if plan.steps:
                try:
                    drawing = draw_plan(plan, self.tools, execution=last.execution)
                    self.graph_view.value = ("<div class='ns-graph' style='overflow:auto'>"
                                             + drawing.svg + "</div>")
                except NeurosymError as err:
                    self.graph_view.value = error_html(err)
        trace = getattr(run, "trace", None)
        if trace:
            self._show_trace(trace, getattr(run, "adjustments", ()))
        self.timings_view.value = _timings_html(dict(getattr(run, "timings", {}) or {}), wall)
        self.run_view.value = self._run_html(run)
        self.status.value = ""
        self.tabs.selected_index = 4

    def _run_html(self, run: Any) -> str:
        parts = []
        status = getattr(run, "status", None)
        text = getattr(run, "text", None)
        ok = getattr(run, "ok", None)
        head = f"status <b>{escape(status)}</b>" if status else ("ok" if ok else "finished")
        if text:
            head += f": {escape(text)}"
        parts.append(_note_html(head, "ok" if ok or status in ("answer", "ask") else "warn"))
        for turn in tuple(getattr(run, "turns", ()) or ()):
            plan = getattr(turn, "plan", None)
            parts.append(f"<div style='margin-top:6px'><b>turn {getattr(turn, 'index', '')}"
                         "</b></div>")
            if getattr(turn, "judgement", None) is not None:
                parts.append(verdict_html(turn.judgement))
            if plan is not None:
                parts.append("<pre style='background:#f7f7f7;padding:4px;margin:2px 0'>"
                             f"{escape(plan.text)}</pre>")
            if getattr(turn, "error", None):
                parts.append(f"<div style='color:#b71c1c'>rejected: {escape(turn.error)}</div>")
            execution = getattr(turn, "execution", None)
            rows = []
            for step in tuple(getattr(execution, "steps", ()) or ()):
                colour = "#2e7d32" if step.status == "ok" else "#c62828"
                rows.append(f"<tr><td style='padding:1px 8px'>{escape(step.label)}</td>"
                            f"<td style='padding:1px 8px'>{escape(step.tool)}</td>"
                            f"<td style='padding:1px 8px;color:{colour}'>{escape(step.status)}</td>"
                            f"<td style='padding:1px 8px;font-family:monospace'>"
                            f"{escape(_short(step.observation))}</td></tr>")
            if rows:
                parts.append("<table style='font-size:12px'><tr><th>result</th><th>tool</th>"
                             "<th>status</th><th>observation</th></tr>" + "".join(rows)
                             + "</table>")
        observations = tuple(getattr(run, "observations", ()) or ())
        if observations and not getattr(run, "turns", None):
            items = "".join(f"<li><code>{escape(_short(o))}</code></li>" for o in observations)
            parts.append(f"<ul>{items}</ul>")
        if self.tool_chooser.value != _GIVEN:
            state = self.world.state()
            parts.append("<div style='margin-top:6px;color:#555;font-size:12px'>demo world "
                         f"now: balances {escape(state['balances'])}, "
                         f"{len(state['bookings'])} bookings, {len(state['transfers'])} "
                         f"transfers, {len(state['events'])} calendar events</div>")
        return "".join(parts)

    # -- the replay ----------------------------------------------------------------------
    def _show_frame(self, change: Any = None) -> None:
        index = self.slider.value
        frame = self.frames[index] if 0 <= index < len(self.frames) else None
        self.frame_view.value = frame_html(frame, len(self.frames))

    def step_to(self, index: int) -> None:
        """Show event ``index`` of the replay (clamped to the events there are)."""
        if self.frames:
            self.slider.value = min(max(index, 0), len(self.frames) - 1)

    def step(self, delta: int, *, skip_quiet: bool = False) -> None:
        """Move ``delta`` events; with ``skip_quiet``, only to notable ones (a rejection, a
        rollback, a value or call checked, the search's own events)."""
        if not self.frames:
            return
        index = self.slider.value
        direction = 1 if delta > 0 else -1
        moves = abs(delta)
        while moves:
            index += direction
            if not 0 <= index < len(self.frames):
                index -= direction
                break
            if skip_quiet and not self.frames[index].notable:
                continue
            moves -= 1
        self.step_to(index)

    @property
    def frame(self) -> Frame | None:
        """The event the replay shows."""
        index = self.slider.value
        return self.frames[index] if 0 <= index < len(self.frames) else None

    def __repr__(self) -> str:
        return (f"Explorer(tools={self.tool_chooser.value!r}, "
                f"constraints={self.constraints!r}, request={self.request!r})")
