"""Drawings and widgets for notebooks: the plan graph, the search tree, the Explorer.

Only notebooks import this package (``import neurosym`` does not): the drawings need
networkx alone, the Explorer ipywidgets, and the benchmark plots matplotlib.
"""

from __future__ import annotations

from typing import Any

from .benchmarks import show_benchmarks
from .draw import draw_plan, draw_search

__all__ = ["Explorer", "draw_plan", "draw_search", "show_benchmarks"]


def __getattr__(name: str) -> Any:
    # the Explorer pulls in ipywidgets; the drawings work without it
    if name == "Explorer":
        try:
            from .explorer import Explorer
        except ImportError as exc:
            if exc.name not in ("ipywidgets", "IPython"):
                raise
            from ..errors import ConfigurationError
            raise ConfigurationError(f"the Explorer needs {exc.name}, which is not installed",
                                     hint='install the notebook extra: '
                                          'pip install "neurosym[notebook]"') from None
        return Explorer
    raise AttributeError(f"module 'neurosym.notebook' has no attribute {name!r}")
