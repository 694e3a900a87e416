"""The README's example runs as written, with the real model and solver."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.model
def test_the_readme_example_runs() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "the README has no Python example"
    namespace: dict[str, object] = {"__name__": "readme_example"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(blocks[0], str(README), "exec"), namespace)  # the project's own text
    result = namespace["result"]
    assert result.ok, result.explanation  # type: ignore[attr-defined]
    first = out.getvalue().splitlines()[0]
    # Exactly the call asked for, as the README's comment says, and judged so.
    assert first == 'True r1 = book_hotel(city="Paris", nights=2, price=300)'
    assert result.verdict == "faithful"  # type: ignore[attr-defined]
    assert result.adjustments == ()  # type: ignore[attr-defined]
