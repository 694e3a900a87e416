"""Observations cut to fit a small model's prompt, with the full value kept by handle.

A search can return hundreds of rows; a 135M model's context cannot take them. The
shaped text keeps the structure (the first items of long lists, the start of long
strings, a count of what was left out), and the :class:`ObservationStore` keeps the
whole value, so nothing is lost for the steps that follow.

>>> store = ObservationStore()
>>> shaped = shape_observation(list(range(100)), budget_chars=60, store=store)
>>> shaped.text
'[0, 1, 2, 3, 4, "... 95 more items"] [full: obs-1]'
>>> shaped.truncated, len(store.get(shaped.handle))
(True, 100)
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass
from typing import Any

from ..errors import ExecutionError
from ..graph.plain import to_jsonable

__all__ = ["ShapedObservation", "ObservationStore", "shape_observation"]

# (items kept per list or dict, characters kept per string), from generous to terse
_LEVELS = [(50, 400), (20, 200), (10, 120), (5, 80), (3, 40), (2, 24), (1, 16)]


@dataclass(frozen=True)
class ShapedObservation:
    """The text to show a model, the handle of the full value (if stored), and whether
    the text leaves something out."""

    text: str
    handle: str | None
    truncated: bool


class ObservationStore:
    """Full observation values by handle (``obs-1``, ``obs-2``, ...). Thread-safe."""

    def __init__(self) -> None:
        self._values: dict[str, Any] = {}
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def put(self, value: Any) -> str:
        with self._lock:
            handle = f"obs-{next(self._counter)}"
            self._values[handle] = value
        return handle

    def get(self, handle: str) -> Any:
        with self._lock:
            if handle in self._values:
                return self._values[handle]
            known = ", ".join(list(self._values)[-5:]) or "none yet"
        raise ExecutionError(f"no observation has the handle {handle!r}",
                             hint=f"use a handle this store gave out (latest: {known})")

    def __contains__(self, handle: object) -> bool:
        with self._lock:
            return handle in self._values

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _shrink(value: Any, items: int, chars: int) -> Any:
    if isinstance(value, str):
        return value if len(value) <= chars else value[:chars] + "..."
    if isinstance(value, list):
        kept = [_shrink(v, items, chars) for v in value[:items]]
        if len(value) > items:
            kept.append(f"... {len(value) - items} more items")
        return kept
    if isinstance(value, dict):
        keys = list(value)
        kept_dict = {k: _shrink(value[k], items, chars) for k in keys[:max(items, 8)]}
        if len(keys) > max(items, 8):
            kept_dict["..."] = f"{len(keys) - max(items, 8)} more fields"
        return kept_dict
    return value


def shape_observation(value: Any, budget_chars: int = 800, *,
                      store: ObservationStore | None = None) -> ShapedObservation:
    """``value`` as JSON-like text of at most ``budget_chars`` characters.

    With a ``store`` the full value is kept there and its handle given (and named in a
    truncated text, so a reader knows more exists).
    """
    if budget_chars < 16:
        raise ExecutionError(f"budget_chars must be at least 16 (got {budget_chars})",
                             hint="give the observation room for a little text")
    handle = store.put(value) if store is not None else None
    plain = to_jsonable(value)
    text = plain if isinstance(plain, str) else _dump(plain)
    if len(text) <= budget_chars:
        return ShapedObservation(text, handle, False)
    suffix = f" [full: {handle}]" if handle else ""
    if budget_chars - len(suffix) < 8:  # too tight to name the handle: it is still returned
        suffix = ""
    room = budget_chars - len(suffix)
    for items, chars in _LEVELS:
        shrunk = _shrink(plain, items, chars)
        candidate = shrunk if isinstance(shrunk, str) else _dump(shrunk)
        if len(candidate) <= room:
            return ShapedObservation(candidate + suffix, handle, True)
    return ShapedObservation(text[:room - 3] + "..." + suffix, handle, True)
