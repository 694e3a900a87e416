"""A line on stderr while a model loads, so a command that waits seconds says why.

The line is written only when the planner's model is not loaded yet, and it is ended
with the time the load took; a model file that is not there is said before it, as the
error alone.

>>> import io
>>> class Loaded:
...     _model = object()
>>> out = io.StringIO()
>>> with loading(Loaded(), stream=out):
...     pass
>>> out.getvalue()
''
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

__all__ = ["loading", "load_with_progress"]


def _model_label(planner: Any) -> str:
    """The file about to load; a missing one raises here, before any progress is shown."""
    spec = getattr(planner, "_model_spec", None)
    from .locate import find_model
    return find_model(spec).name


@contextmanager
def loading(planner: Any, *, stream: IO[str] | None = None) -> Iterator[None]:
    """Say on ``stream`` (stderr) that ``planner``'s model is loading, and how long it took."""
    if getattr(planner, "_model", None) is not None:
        yield
        return
    out = stream if stream is not None else sys.stderr
    out.write(f"loading {_model_label(planner)} ...")
    out.flush()
    started = time.perf_counter()
    try:
        yield
    except BaseException:
        out.write("\n")
        out.flush()
        raise
    out.write(f" ready in {time.perf_counter() - started:.1f} s\n")
    out.flush()


def load_with_progress(planner: Any, *, stream: IO[str] | None = None) -> Any:
    """``planner.model``, loaded with a progress line on stderr when it is not loaded yet."""
    with loading(planner, stream=stream):
        return planner.model
