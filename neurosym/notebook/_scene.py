"""A drawing as a list of primitive shapes, so one layout renders as SVG or as a matplotlib figure.

Coordinates are pixels, origin at the top left, y growing downwards (as in SVG).
Paths are SVG-like command lists (``M``, ``L``, ``C``), which matplotlib's Path can
also follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

__all__ = ["Rect", "Text", "Curve", "Label", "Shape", "Scene", "Command"]

Command = tuple[str, tuple[float, ...]]


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str
    stroke: str
    radius: float = 6.0
    stroke_width: float = 1.2
    dash: str | None = None
    role: str = ""
    tooltip: str = ""


@dataclass(frozen=True)
class Text:
    """One line of text; ``x`` is its start, middle or end per ``anchor``, ``y`` its baseline."""

    x: float
    y: float
    text: str
    size: float = 12.0
    color: str = "#222222"
    anchor: str = "start"
    weight: str = "normal"
    italic: bool = False
    role: str = ""
    #: The full text when ``text`` is cut short: shown on hover.
    tooltip: str = ""


@dataclass(frozen=True)
class Curve:
    commands: tuple[Command, ...]
    stroke: str
    width: float = 1.4
    dash: str | None = None
    arrow: bool = True
    role: str = ""
    tooltip: str = ""


@dataclass(frozen=True)
class Label:
    """Text centred at (x, y) on an opaque plate (edge labels)."""

    x: float
    y: float
    text: str
    size: float = 10.5
    color: str = "#444444"
    background: str = "#ffffff"
    role: str = ""


Shape = Union[Rect, Text, Curve, Label]


@dataclass
class Scene:
    """Shapes in drawing order (later ones on top), with the drawing's size and title."""

    width: float
    height: float
    title: str = ""
    shapes: list[Shape] = field(default_factory=list)
    #: groups of shape indices that make one thing (a node: its box and its lines)
    groups: list[tuple[str, str, int, int]] = field(default_factory=list)

    def add(self, shape: Shape) -> None:
        self.shapes.append(shape)

    def begin(self) -> int:
        return len(self.shapes)

    def close(self, start: int, role: str, tooltip: str = "") -> None:
        """Mark the shapes added since ``start`` as one group (a ``<g>`` in SVG)."""
        self.groups.append((role, tooltip, start, len(self.shapes)))
