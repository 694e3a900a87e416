"""Rendering a scene with matplotlib, for those who want a Figure (to save as PNG or PDF).

matplotlib is imported here only, when a figure is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._scene import Curve, Label, Rect, Scene, Text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["scene_figure"]

_DPI = 100.0
_CODES = {"M": 1, "L": 2, "C": 4}  # matplotlib.path.Path MOVETO, LINETO, CURVE4


def _dashes(dash: str | None) -> Any:
    if not dash:
        return "solid"
    numbers = tuple(float(x) for x in dash.replace(",", " ").split())
    return (0, numbers)


def scene_figure(scene: Scene, ax: Any = None) -> Figure:
    """The scene drawn on ``ax`` (a new figure of the scene's size when None)."""
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, PathPatch
    from matplotlib.path import Path

    if ax is None:
        figure = Figure(figsize=(max(scene.width, 1) / _DPI, max(scene.height, 1) / _DPI),
                        dpi=_DPI)
        ax = figure.add_axes((0, 0, 1, 1))
    else:
        figure = ax.figure
    ax.set_xlim(0, scene.width)
    ax.set_ylim(scene.height, 0)
    ax.set_aspect("equal")
    ax.axis("off")
    points_per_pixel = 72.0 / _DPI
    for z, shape in enumerate(scene.shapes):
        if isinstance(shape, Rect):
            if shape.stroke == "none" and shape.fill in ("none", ""):
                continue
            pad = min(shape.radius, shape.w / 2, shape.h / 2)
            patch = FancyBboxPatch(
                (shape.x + pad, shape.y + pad), max(shape.w - 2 * pad, 0.0),
                max(shape.h - 2 * pad, 0.0), boxstyle=f"round,pad={pad}",
                facecolor=shape.fill, edgecolor=None if shape.stroke == "none" else shape.stroke,
                linewidth=0 if shape.stroke == "none" else shape.stroke_width * points_per_pixel,
                linestyle=_dashes(shape.dash), zorder=z)
            ax.add_patch(patch)
        elif isinstance(shape, Text):
            ax.text(shape.x, shape.y, shape.text, fontsize=shape.size * points_per_pixel,
                    color=shape.color, family="monospace", weight=shape.weight,
                    style="italic" if shape.italic else "normal",
                    ha={"start": "left", "middle": "center", "end": "right"}[shape.anchor],
                    va="baseline", zorder=z)
        elif isinstance(shape, Curve):
            vertices: list[tuple[float, float]] = []
            codes: list[int] = []
            for op, values in shape.commands:
                pairs = [(values[i], values[i + 1]) for i in range(0, len(values), 2)]
                vertices.extend(pairs)
                codes.extend([_CODES[op]] * len(pairs))
            path = Path(vertices, codes)
            style = dict(edgecolor=shape.stroke, linewidth=shape.width * points_per_pixel,
                         linestyle=_dashes(shape.dash), zorder=z)
            if shape.arrow:
                ax.add_patch(FancyArrowPatch(path=path, arrowstyle="-|>", mutation_scale=10,
                                             facecolor=shape.stroke, **style))
            else:
                ax.add_patch(PathPatch(path, facecolor="none", **style))
        elif isinstance(shape, Label):
            ax.text(shape.x, shape.y, shape.text, fontsize=shape.size * points_per_pixel,
                    color=shape.color, family="monospace", ha="center", va="center",
                    bbox=dict(facecolor=shape.background, edgecolor="none", pad=1.5),
                    zorder=z)
    if scene.title:
        ax.set_title(scene.title, fontsize=10)
    return figure
