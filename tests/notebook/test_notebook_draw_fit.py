"""Drawings that fit the page: they scale down to their output, long labels are elided
with the full text on hover, the text is readable, and writes are drawn as ordered."""

from __future__ import annotations

import re
from pathlib import Path

from neurosym.notebook import draw_plan
from neurosym.notebook.benchmarks import BenchmarkSuite, fields_figure, figure_svg
from neurosym.plan import parse_plan
from neurosym.tools import Param, Tool

NOTE = Tool("note", params=(Param("text", "string"),), effect="write")
SEND = Tool("send", params=(Param("to", "string"),), effect="write")
FIND = Tool("find", params=(Param("q", "string"),))


def test_a_drawing_scales_down_to_its_output() -> None:
    svg = draw_plan(parse_plan('r1 = find(q="x")'), [FIND]).svg
    root = svg[:svg.index(">")]
    assert 'style="max-width:100%;height:auto"' in root
    width, height = re.search(r'width="([\d.]+)" height="([\d.]+)"', root).groups()
    assert f'viewBox="0 0 {width} {height}"' in root


def test_a_long_value_is_elided_with_the_full_text_on_hover() -> None:
    long = "a very long note that no box is wide enough to hold in one line of text"
    svg = draw_plan(parse_plan(f'r1 = note(text="{long}")'), [NOTE, SEND]).svg
    assert "…" in svg
    assert f'<title>text = &quot;{long}&quot;</title>' in svg


def test_writes_of_one_batch_are_drawn_in_order_not_in_parallel() -> None:
    drawing = draw_plan(parse_plan('r1 = note(text="a")\nr2 = send(to="b")\nr3 = find(q="c")'),
                        [NOTE, SEND, FIND])
    assert drawing.batches == [[0, 1, 2]]
    texts = re.findall(r">([^<>]+)</text>", drawing.svg)
    assert "2 writes in order" in " ".join(texts) or "1 write" in " ".join(texts)
    assert not any(t.endswith("3 in parallel") for t in texts)
    assert any("write 1 of 2" in t for t in texts) and any("write 2 of 2" in t for t in texts)


def test_text_is_set_at_readable_sizes() -> None:
    svg = draw_plan(parse_plan('r1 = find(q="x")\nr2 = note(text=r1.id)'), [FIND, NOTE]).svg
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
    assert sizes and min(sizes) >= 10


def test_a_benchmark_chart_keeps_one_unit_on_an_axis() -> None:
    suite = BenchmarkSuite("decoder", Path("decoder.json"), fields=(
        ("decoding.plan.median_ms", 12.0), ("decoding.plan.p90_ms", 20.0),
        ("decoding.plan.samples", 400.0), ("decoding.plan.runs", 5.0)))
    figure = fields_figure(suite)
    titles = [ax.get_title() for ax in figure.axes]
    assert titles == ["decoding.plan (ms)", "decoding.plan (count)"]
    assert figure_svg(figure).startswith('<div><svg style="max-width:100%;height:auto" ')
