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
        from .explorer import Explorer
        return Explorer
    raise AttributeError(f"module 'neurosym.notebook' has no attribute {name!r}")
