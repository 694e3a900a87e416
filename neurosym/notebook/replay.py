"""Replaying a decode event by event: the plan text as it stood after each token, check, rollback.

>>> from neurosym.decode.checkpoint import Checkpoint
>>> from neurosym.decode.events import RollbackEvent, TokenEvent
>>> start = Checkpoint(1, "value_start", 2, 2, 1, b"", (0, "f", "x"))
>>> frames = replay([TokenEvent(1, "x=", False, 0.0), TokenEvent(2, "20", False, 0.1),
...                  RollbackEvent(start, "20", "20", "too many", 0.2),
...                  TokenEvent(3, "14", False, 0.3)])
>>> [(f.kind, f.text) for f in frames]
[('token', 'x='), ('token', 'x=20'), ('rollback', 'x='), ('token', 'x=14')]
>>> frames[2].dropped, frames[2].summary
('20', "rollback to value_start @2, took back '20': too many")
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._svg import escape, truncate
from ._trace import (core_lines, decision_reason, decision_rejects, event_kind,
                     in_decode_order, path_text, trace_events)

__all__ = ["Frame", "replay", "frame_html", "KIND_COLOURS"]

#: The colour each kind of event is shown in.
KIND_COLOURS: dict[str, str] = {
    "token": "#455a64", "checkpoint": "#90a4ae", "check": "#2e7d32", "reject": "#c62828",
    "rollback": "#ef6c00", "value": "#1565c0", "call": "#6a1b9a", "constraint": "#00838f",
}


@dataclass(frozen=True)
class Frame:
    """The state after one event: the plan text so far, and what the event did.

    ``dropped`` is the text a rollback took back; ``span`` the (start, end) offsets of
    the value or call the event is about; ``status`` is ``ok`` or ``rejected`` for checks.
    ``notable`` marks what a person stepping through wants to stop at: rejections,
    rollbacks, completed values and calls, the plan's end, and the search's own events.
    """

    index: int
    kind: str
    summary: str
    text: str
    t: float = 0.0
    dropped: str = ""
    span: tuple[int, int] | None = None
    status: str = ""
    forced: bool = False
    notable: bool = False


def _summary(event: Any, kind: str) -> tuple[str, tuple[int, int] | None, str]:
    if kind == "token":
        how = "forced by the grammar" if event.forced else "chosen by the model"
        return f"token {event.text!r} ({how})", None, ""
    if kind == "checkpoint":
        cp = event.checkpoint
        return f"checkpoint {cp.id}: {cp.kind} @{cp.offset} ({path_text(cp.path)})", None, ""
    if kind == "check":
        boundary, decision = event.boundary, event.decision
        what = boundary.kind.replace("_", " ")
        if boundary.text is not None:
            what += f" {boundary.text}"
        elif boundary.tool:
            what += f" {boundary.tool}"
        span = None
        if boundary.text is not None:
            span = (boundary.offset - len(boundary.text), boundary.offset)
        if decision_rejects(decision):
            reason = decision_reason(decision) or "; ".join(core_lines(decision))
            return f"check {what} at {path_text(boundary.path)}: rejected ({reason})", span, \
                "rejected"
        return f"check {what} at {path_text(boundary.path)}: ok", span, "ok"
    if kind == "rollback":
        target = event.target
        text = f"rollback to {target.kind} @{target.offset}, took back {event.dropped!r}"
        if event.reason:
            text += f": {event.reason}"
        return text, None, ""
    if kind == "value":
        return f"value {event.text} complete at {path_text(event.path)}", None, ""
    if kind == "call":
        return f"call {event.call.tool} complete at {path_text(event.path)}", None, ""
    if kind == "constraint":
        state = "narrows" if event.applied else "could not narrow"
        return (f"value grammar {state} {path_text(event.path)}: "
                f"{truncate(event.grammar, 60)}"), None, ""
    if _is_branch_event(event):
        what = f"{kind} (weight {event.score:+.2f})"
        return (f"{what}: {event.reason}" if event.reason else what), None, \
            "rejected" if kind in ("refuse", "cut") else ""
    # an event of the search: it may describe itself; the core is added when it does not
    lines = core_lines(event)
    describe = getattr(event, "describe", None)
    if callable(describe):
        text = str(describe())
    else:
        detail = (getattr(event, "detail", None) or getattr(event, "reason", None)
                  or getattr(event, "text", None) or "")
        where = getattr(event, "path", None)
        text = kind.replace("_", " ")
        if where is not None:
            text += f" at {path_text(tuple(where))}"
        if detail:
            text += f": {detail}"
    missing = [line for line in lines if line not in text]
    if missing:
        text += " — core: " + "; ".join(missing)
    return text, None, "rejected" if kind in ("reject", "ban", "unsat") else ""


_NOTABLE_CHECKS = ("value_end", "ref_end", "call_end", "plan_end", "dead_end")


def _notable(event: Any, kind: str, status: str) -> bool:
    if kind in ("token", "checkpoint", "value", "call", "constraint", "accept"):
        return False
    if kind == "check":
        return status == "rejected" or event.boundary.kind in _NOTABLE_CHECKS
    return True


def replay(trace: Any) -> tuple[Frame, ...]:
    """One frame per event of ``trace`` (a plan result, a decode result, or its events).

    The text is rebuilt from the events alone: tokens append, a rollback cuts the text
    back to its checkpoint's offset. The search's events are shown where they happened
    in the decode (see :func:`~neurosym.notebook._trace.in_decode_order`).
    """
    frames: list[Frame] = []
    text = ""
    for index, event in enumerate(in_decode_order(trace_events(trace))):
        kind = event_kind(event)
        dropped = ""
        if kind == "token":
            text += event.text
        elif kind == "rollback":
            dropped = event.dropped
            text = text[:event.target.offset]
        elif _is_branch_event(event):
            # The whole-plan search reports each branch by its text.
            text = event.text
        summary, span, status = _summary(event, kind)
        if kind == "value":
            span = (len(text) - len(event.text), len(text)) if text.endswith(event.text) else None
        frames.append(Frame(index=index, kind=kind, summary=summary, text=text,
                            t=float(getattr(event, "t", 0.0) or 0.0), dropped=dropped, span=span,
                            status=status, forced=bool(getattr(event, "forced", False)),
                            notable=_notable(event, kind, status)))
    return tuple(frames)


def _is_branch_event(event: Any) -> bool:
    from ..search import SearchEvent
    return isinstance(event, SearchEvent)


def frame_html(frame: Frame | None, total: int = 0) -> str:
    """A frame as HTML: the event on top, then the plan text with the event's part marked."""
    if frame is None:
        return "<div style='color:#666'>no events to replay</div>"
    colour = KIND_COLOURS["reject"] if frame.status == "rejected" else \
        KIND_COLOURS.get(frame.kind, "#37474f")
    head = (f"<div style='font-family:monospace;margin-bottom:4px'>"
            f"<span style='color:#fff;background:{colour};padding:1px 6px;border-radius:3px'>"
            f"{escape(frame.kind)}</span> "
            f"<span style='color:#666'>#{frame.index + 1}{f' of {total}' if total else ''}"
            f" · {frame.t * 1000:.0f} ms</span><br>{escape(frame.summary)}</div>")
    text = frame.text
    if frame.span and frame.span[1] > frame.span[0] and frame.span[1] <= len(text):
        a, b = frame.span
        mark = "#ffcdd2" if frame.status == "rejected" else "#c8e6c9"
        body = (escape(text[:a]) + f"<span style='background:{mark}'>" + escape(text[a:b])
                + "</span>" + escape(text[b:]))
    else:
        body = escape(text)
    if frame.dropped:
        body += (f"<span style='color:{KIND_COLOURS['reject']};text-decoration:line-through'>"
                 f"{escape(frame.dropped)}</span>")
    body += "<span style='color:#1565c0'>▌</span>"
    return (head + "<pre style='margin:0;padding:6px;background:#f7f7f7;border:1px solid #ddd;"
            f"white-space:pre-wrap;font-size:12px'>{body}</pre>")
