"""No module of the package grows past ``LONG`` lines without saying why in its docstring.

A long module is sometimes the right shape (one state machine, one recursive reader);
then its docstring says so in a paragraph that starts "Why one module:". Anything else
that long is a module to split.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "neurosym"
LONG = 500


def _long_modules() -> dict[str, int]:
    return {str(path.relative_to(PACKAGE_DIR)): n for path in sorted(PACKAGE_DIR.rglob("*.py"))
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > LONG}


def test_every_long_module_says_why_it_is_one_module() -> None:
    unexplained = []
    for name in _long_modules():
        doc = ast.get_docstring(ast.parse((PACKAGE_DIR / name).read_text(encoding="utf-8"))) or ""
        reason = doc.split("Why one module:", 1)[1].strip() if "Why one module:" in doc else ""
        if len(reason.split()) < 8:
            unexplained.append(name)
    assert unexplained == [], f"split these modules, or say why in their docstring: {unexplained}"


def test_no_module_is_far_beyond_the_limit() -> None:
    # A reason covers a module somewhat over the limit; twice the limit is a module to split.
    assert {n: k for n, k in _long_modules().items() if k > 2 * LONG} == {}
