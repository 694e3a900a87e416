"""Where the grammar files live: inside the installed package, or at the top of the repository.

The wheel maps the package ``neurosym.grammars`` onto the repository's top-level
``grammars/`` directory, so an installed copy finds ``neurosym/grammars/plan.lark``
while a checkout finds ``grammars/plan.lark`` beside the package.

>>> grammar_path("plan").name
'plan.lark'
>>> read_grammar("plan").lstrip().startswith("//")
True
"""

from __future__ import annotations

import functools
from pathlib import Path

from ..errors import GrammarError

__all__ = ["grammar_path", "read_grammar"]

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent
_CANDIDATES = (_PACKAGE_ROOT / "grammars", _PACKAGE_ROOT.parent / "grammars")


def grammar_path(name: str) -> Path:
    """The path of a shipped grammar, by name (``"plan"`` or ``"plan.lark"``)."""
    filename = name if name.endswith(".lark") else f"{name}.lark"
    if Path(filename).name != filename:
        raise GrammarError(f"grammar name {name!r} must be a bare file name",
                           hint="pass a name such as 'plan' or 'constraints.lark'")
    for directory in _CANDIDATES:
        path = directory / filename
        if path.is_file():
            return path
    searched = ", ".join(str(d) for d in _CANDIDATES)
    raise GrammarError(f"grammar {filename!r} not found (looked in {searched})",
                       hint="reinstall neurosym, or run from a checkout that has grammars/")


@functools.lru_cache(maxsize=None)
def read_grammar(name: str) -> str:
    """The text of a shipped grammar, read once and cached."""
    return grammar_path(name).read_text(encoding="utf-8")
