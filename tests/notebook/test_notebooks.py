"""Every notebook runs top to bottom, headless, with the embedded model, and is committed clean.

The kernel is this interpreter: a kernelspec written for the test points at
``sys.executable`` (the venv's python on a fresh machine after ``make install``), with the
repository on its path, so no kernel installed elsewhere is picked up by accident.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KERNEL = "neurosym-test"
CELL_TIMEOUT = 300


def test_the_three_notebooks_are_there() -> None:
    assert {p.name for p in NOTEBOOKS} >= {"quickstart.ipynb",
                                          "constraints_and_backtracking.ipynb",
                                          "benchmarks.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_are_committed_without_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


@pytest.fixture(scope="module")
def kernel_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Jupyter data folder holding one kernelspec: this python, the repository on its path."""
    home = tmp_path_factory.mktemp("jupyter")
    spec = home / "kernels" / KERNEL
    spec.mkdir(parents=True)
    python_path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "neurosym (test)", "language": "python",
        "env": {"PYTHONPATH": python_path},
    }), encoding="utf-8")
    return home


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path: Path, kernel_home: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    monkeypatch.setenv("JUPYTER_PATH", str(kernel_home))
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, kernel_name=KERNEL, timeout=CELL_TIMEOUT,
                            resources={"metadata": {"path": str(path.parent)}},
                            allow_errors=False)
    try:
        client.execute()
    except CellExecutionError as err:
        pytest.fail(f"{path.name} failed:\n{err}")
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"
              or (o.output_type == "stream" and o.name == "stderr" and "Traceback" in o.text)]
    assert not errors, errors
    ran = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in ran)
    _check_outputs(path.stem, notebook)
    _check_html_export(notebook)


def _check_html_export(notebook: nbformat.NotebookNode) -> None:
    """A plain HTML export keeps every drawing: each SVG output comes out inline (the
    drawings' HTML form, which scales to the page) or as an image."""
    from nbconvert import HTMLExporter

    exported, _ = HTMLExporter().from_notebook_node(notebook)
    drawings = [o["data"]["image/svg+xml"] for c in notebook.cells for o in c.get("outputs", [])
                if "image/svg+xml" in o.get("data", {})]
    # An inline drawing is re-serialised by the exporter's HTML parser (attribute names
    # lower-cased, empty elements closed): it counts when its texts come out whole.
    inline = [_svg_texts(m) for m in re.findall(r"<svg\b.*?</svg>", exported, flags=re.S)]
    for svg in drawings:
        encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        assert (svg in exported or f"data:image/svg+xml;base64,{encoded}" in exported
                or _svg_texts(svg) in inline), svg[:200]


def _svg_texts(svg: str) -> list[str]:
    """The text of a drawing, piece by piece, as a reader sees it."""
    return [html.unescape(t) for t in re.findall(r">([^<]+)<", svg) if t.strip()]


def _texts(cell: nbformat.NotebookNode) -> str:
    out = []
    for output in cell.outputs:
        if output.output_type == "stream":
            out.append(output.text)
        else:
            out.extend(str(v) for v in output.get("data", {}).values())
    return "\n".join(out)


def _check_outputs(stem: str, notebook: nbformat.NotebookNode) -> None:
    """What each notebook must show, beyond running without errors."""
    shown = [_texts(c) for c in notebook.cells if c.cell_type == "code"]
    everything = "\n".join(shown)
    svgs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs
            if "image/svg+xml" in o.get("data", {})]
    if stem == "quickstart":
        assert "ok: True" in everything
        assert len(svgs) >= 2 and 'class="node"' in svgs[0]["data"]["image/svg+xml"]
        widgets = [o for c in notebook.cells for o in c.get("outputs", [])
                   if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
        assert widgets, "the Explorer was not displayed"
    elif stem == "constraints_and_backtracking":
        # the solver refused a value, the decoder rolled it back, the tree shows it in red
        assert re.search(r"^ +\d+  reject ", everything, re.M), "no rejection was listed"
        assert re.search(r"^ +\d+  rollback ", everything, re.M), "no rollback was listed"
        assert any('class="node rejected"' in s["data"]["image/svg+xml"] for s in svgs)
        assert "the model wrote" in everything, "no adjustment was listed"
    elif stem == "benchmarks":
        images = [o for c in notebook.cells for o in c.get("outputs", [])
                  if "image/png" in o.get("data", {})]
        assert images, "the timing plot was not shown"
        assert "solver=True" in everything and "solver=False" in everything
