"""What importing costs: ``import neurosym`` loads no Jupyter, the drawings no widgets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("ipywidgets", "IPython", "matplotlib", "ipykernel", "nbformat")


def loaded_after(code: str) -> set[str]:
    probe = (code + "\nimport sys\nprint(' '.join(sorted({m.split('.')[0] "
             "for m in sys.modules})))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)
    return set(done.stdout.split())


@pytest.mark.parametrize("code", [
    "import neurosym",
    "import neurosym as ns; ns.NeurosymError; ns.tool; ns.parse_plan",
])
def test_importing_neurosym_loads_no_notebook_machinery(code: str) -> None:
    loaded = loaded_after(code)
    assert "neurosym" in loaded
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_drawing_needs_neither_widgets_nor_matplotlib() -> None:
    loaded = loaded_after("from neurosym.notebook import draw_plan\n"
                          "draw_plan('x = f(a=1)\\ny = g(b=x)')")
    assert not loaded & {"ipywidgets", "matplotlib"}


def test_the_notebook_package_offers_its_four_names() -> None:
    import neurosym.notebook as nb
    assert sorted(nb.__all__) == ["Explorer", "draw_plan", "draw_search", "show_benchmarks"]
    from neurosym.notebook.explorer import Explorer
    assert nb.Explorer is Explorer
    with pytest.raises(AttributeError):
        nb.Explorers  # noqa: B018
