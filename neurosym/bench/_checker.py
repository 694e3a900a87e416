"""Loading BFCL's own AST checker from the ``bfcl-eval`` package without its heavy extras.

The checker module imports ``bfcl_eval.constants.model_config`` only to ask whether a
model rewrites dots in function names; the real module imports every vendor SDK BFCL
supports. A small stand-in module answers that one question for neurosym, so the
checker loads with nothing but the standard library. BFCL's text decoders are never
imported: neurosym's own parser turns model output into the checker's shape.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import sys
import tempfile
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BenchmarkError

__all__ = ["CHECKER_MODEL_NAME", "BFCL_PACKAGE", "bfcl_data_dir", "bfcl_version", "load_checker"]

#: The model name neurosym gives BFCL's checker (it looks it up in the model mapping).
CHECKER_MODEL_NAME = "neurosym"
BFCL_PACKAGE = "bfcl_eval"
_MODEL_CONFIG_MODULE = "bfcl_eval.constants.model_config"
_INSTALL_HINT = 'install BFCL\'s data and checker: pip install --no-deps "bfcl-eval==2026.3.23"'


@dataclass(frozen=True)
class _CheckerModelConfig:
    """The one field of BFCL's model config its AST checker reads."""

    underscore_to_dot: bool = False


def _package_dir() -> Path:
    spec = importlib.util.find_spec(BFCL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise BenchmarkError("the bfcl-eval package is not installed", hint=_INSTALL_HINT)
    return Path(next(iter(spec.submodule_search_locations)))


def bfcl_data_dir() -> Path:
    """The folder of BFCL's question files (``BFCL_v4_<category>.json``)."""
    data = _package_dir() / "data"
    if not data.is_dir():
        raise BenchmarkError(f"bfcl-eval has no data folder at {data}", hint=_INSTALL_HINT)
    return data


def bfcl_version() -> str | None:
    """The installed bfcl-eval version, or None when its metadata is missing."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("bfcl-eval")
    except PackageNotFoundError:
        return None


def _register_model_config() -> None:
    """Make ``bfcl_eval.constants.model_config`` importable and aware of neurosym."""
    key = CHECKER_MODEL_NAME.replace("_", "/")  # the checker looks names up this way
    existing = sys.modules.get(_MODEL_CONFIG_MODULE)
    if existing is not None:
        mapping = getattr(existing, "MODEL_CONFIG_MAPPING", None)
        if isinstance(mapping, dict):
            mapping.setdefault(key, _CheckerModelConfig())
            return
    stub = types.ModuleType(_MODEL_CONFIG_MODULE)
    stub.__doc__ = "neurosym's stand-in for BFCL's model registry: only what the AST checker reads."
    stub.MODEL_CONFIG_MAPPING = {key: _CheckerModelConfig()}  # type: ignore[attr-defined]
    sys.modules[_MODEL_CONFIG_MODULE] = stub


@functools.cache
def load_checker() -> tuple[Callable[..., dict[str, Any]], Any]:
    """BFCL's ``ast_checker`` function and its ``Language`` enum, imported once.

    >>> checker, language = load_checker()
    >>> checker.__module__, language.PYTHON.value
    ('bfcl_eval.eval_checker.ast_eval.ast_checker', 'python')
    """
    _package_dir()
    # BFCL's config module creates result folders under its project root when imported;
    # keep anything of the kind in a scratch folder, never next to site-packages.
    if "BFCL_PROJECT_ROOT" not in os.environ:
        scratch = Path(tempfile.gettempdir()) / "neurosym-bfcl"
        scratch.mkdir(parents=True, exist_ok=True)
        os.environ["BFCL_PROJECT_ROOT"] = str(scratch)
    _register_model_config()
    try:
        checker_module = importlib.import_module("bfcl_eval.eval_checker.ast_eval.ast_checker")
        enums = importlib.import_module("bfcl_eval.constants.enums")
    except ImportError as err:
        raise BenchmarkError(
            f"BFCL's AST checker could not be imported: {err}",
            hint="install the bfcl-eval version neurosym is tested with: "
                 'pip install --no-deps "bfcl-eval==2026.3.23"') from err
    return checker_module.ast_checker, enums.Language
