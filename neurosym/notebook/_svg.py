"""Writing a scene as SVG: shapes, text and arrows in one self-contained string.

The drawings carry no external styles, fonts or scripts, so the same string renders in
JupyterLab, in a notebook exported to HTML and in a browser opening the ``.svg`` file.
Text is set in a monospace font, which lets widths be estimated from character counts.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from ._scene import Command, Curve, Rect, Scene, Shape, Text

__all__ = ["FONT", "CHAR_WIDTH", "escape", "text_width", "is_cut", "truncate", "wrap",
           "drawing_key", "render_svg"]

FONT = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace"
#: Width of one character of the monospace font, as a fraction of its size.
CHAR_WIDTH = 0.62

# Characters XML 1.0 forbids (control characters other than tab, newline, return) and
# lone surrogates: a model may write anything, and one such character breaks the file.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: object) -> str:
    """``text`` made safe for SVG content and attribute values.

    >>> escape('a < b & "c"')
    'a &lt; b &amp; &quot;c&quot;'
    """
    clean = _FORBIDDEN.sub("\ufffd", str(text))
    return (clean.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def _cells(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def text_width(text: str, size: float) -> float:
    """The estimated width of ``text`` set at ``size`` in the monospace font.

    >>> text_width("abcd", 10.0)
    24.8
    """
    return round(sum(_cells(c) for c in text) * size * CHAR_WIDTH, 3)


def is_cut(text: str, limit: int) -> bool:
    """Whether :func:`truncate` would cut ``text`` at ``limit`` characters."""
    return len(" ".join(text.split())) > limit


def truncate(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis.

    >>> truncate("search_flights(origin='SFO')", 12)
    'search_fligh…'
    """
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


def wrap(text: str, width: int, max_lines: int = 4) -> list[str]:
    """``text`` broken into lines of at most ``width`` characters (long words are cut).

    >>> wrap("the plan ends here and no later call can help", 16)
    ['the plan ends', 'here and no', 'later call can', 'help']
    """
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = truncate(lines[-1], max(width - 1, 1))
        if not lines[-1].endswith("…"):
            lines[-1] += "…"
    return lines


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def drawing_key(content: str) -> str:
    """A short id prefix derived from what is drawn: stable from run to run, and different
    for different drawings, so several inlined in one page (a notebook exported to HTML)
    do not borrow each other's arrowheads.

    >>> drawing_key("a") == drawing_key("a") != drawing_key("b")
    True
    """
    return "ns" + hashlib.sha1(content.encode("utf-8", "replace")).hexdigest()[:10]


def _path_data(commands: tuple[Command, ...]) -> str:
    return " ".join(op + " " + " ".join(_num(v) for v in values) for op, values in commands)


def _role(role: str) -> str:
    return f' class="{escape(role)}"' if role else ""


def _shape(shape: Shape, markers: dict[str, str], key: str) -> str:
    if isinstance(shape, Rect):
        attrs = (f'x="{_num(shape.x)}" y="{_num(shape.y)}" width="{_num(shape.w)}" '
                 f'height="{_num(shape.h)}" rx="{_num(shape.radius)}" fill="{shape.fill}" '
                 f'stroke="{shape.stroke}" stroke-width="{_num(shape.stroke_width)}"')
        if shape.dash:
            attrs += f' stroke-dasharray="{shape.dash}"'
        attrs += _role(shape.role)
        if shape.tooltip:
            return f"<rect {attrs}><title>{escape(shape.tooltip)}</title></rect>"
        return f"<rect {attrs}/>"
    if isinstance(shape, Text):
        attrs = (f'x="{_num(shape.x)}" y="{_num(shape.y)}" font-family="{FONT}" '
                 f'font-size="{_num(shape.size)}" fill="{shape.color}" '
                 f'text-anchor="{shape.anchor}"')
        if shape.weight != "normal":
            attrs += f' font-weight="{shape.weight}"'
        if shape.italic:
            attrs += ' font-style="italic"'
        attrs += _role(shape.role)
        hover = f"<title>{escape(shape.tooltip)}</title>" if shape.tooltip else ""
        return f'<text {attrs} xml:space="preserve">{hover}{escape(shape.text)}</text>'
    if isinstance(shape, Curve):
        attrs = (f'd="{_path_data(shape.commands)}" fill="none" stroke="{shape.stroke}" '
                 f'stroke-width="{_num(shape.width)}"')
        if shape.dash:
            attrs += f' stroke-dasharray="{shape.dash}"'
        if shape.arrow:
            name = markers.setdefault(shape.stroke, f"{key}-arrow{len(markers)}")
            attrs += f' marker-end="url(#{name})"'
        attrs += _role(shape.role)
        if shape.tooltip:
            return f"<path {attrs}><title>{escape(shape.tooltip)}</title></path>"
        return f"<path {attrs}/>"
    w = text_width(shape.text, shape.size) + 8
    h = shape.size + 6
    plate = _shape(Rect(shape.x - w / 2, shape.y - h / 2, w, h, fill=shape.background,
                        stroke="none", radius=3, stroke_width=0), markers, key)
    text = _shape(Text(shape.x, shape.y + shape.size * 0.35, shape.text, size=shape.size,
                       color=shape.color, anchor="middle"), markers, key)
    return f"<g{_role(shape.role)}>{plate}{text}</g>"


def render_svg(scene: Scene) -> str:
    """The scene as one self-contained ``<svg>`` element."""
    markers: dict[str, str] = {}
    key = drawing_key(scene.title + repr(scene.shapes[:50]))
    parts = [_shape(shape, markers, key) for shape in scene.shapes]
    # groups wrap their shapes in <g>, innermost last so nesting stays balanced
    opens: dict[int, list[str]] = {}
    closes: dict[int, int] = {}
    for role, tooltip, start, end in scene.groups:
        if end <= start:
            continue
        title = f"<title>{escape(tooltip)}</title>" if tooltip else ""
        opens.setdefault(start, []).append(f"<g{_role(role)}>{title}")
        closes[end - 1] = closes.get(end - 1, 0) + 1
    body = []
    for i, part in enumerate(parts):
        body.extend(opens.get(i, ()))
        body.append(part)
        body.extend(["</g>"] * closes.get(i, 0))
    defs = "".join(
        f'<marker id="{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        f'fill="{color}"/></marker>' for color, name in markers.items())
    title = f"<title>{escape(scene.title)}</title>" if scene.title else ""
    w, h = _num(scene.width), _num(scene.height)
    # Its natural size, never wider than the page or output that holds it: scaled down
    # to fit (the viewBox keeps the proportions), never cut off on the right.
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
            f'viewBox="0 0 {w} {h}" preserveAspectRatio="xMinYMin meet" '
            f'style="max-width:100%;height:auto" role="img">{title}<defs>{defs}</defs>'
            f'<rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>'
            + "".join(body) + "</svg>")
