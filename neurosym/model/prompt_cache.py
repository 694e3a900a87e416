"""A prompt cache that survives the process: the KV state of the shared prompt, on disk.

Every plan's prompt starts with the same text for a given tool set: the instructions, the
tool signatures and the worked examples, up to where the user's request begins. On a
laptop CPU evaluating it costs most of a cold ``neurosym plan`` (600-700 tokens at
100-200 tokens/s). :class:`PromptCache` saves the KV cells of that shared prefix (the
prompt sequence of llama.cpp's context, ``llama_state_seq_get_data``) in a file, and the
next process restores them (``llama_state_seq_set_data``) instead of evaluating them.

An entry's key is the model file (resolved path, size and modification time), the
context size and sequence count, the llama-cpp-python version (the state's layout) and
the prefix's tokens; a change to any of them is another key, so a stale entry is never
read. The folder is bounded in bytes: the least recently used entries go first.

The folder is ``$NEUROSYM_CACHE_DIR``, else ``$XDG_CACHE_HOME/neurosym/prompts``, else
``~/.cache/neurosym/prompts``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigurationError

if TYPE_CHECKING:
    from .llama import Model

__all__ = ["PromptCache", "PromptCacheStats", "CACHE_DIR_ENV", "PROMPT_CACHE_ENV",
           "default_cache_dir", "resolve_prompt_cache", "shared_prefix", "warm_prompt"]

#: Overrides the folder the entries are kept in.
CACHE_DIR_ENV = "NEUROSYM_CACHE_DIR"
#: ``0``/``off`` turns the cache off wherever it would be on by default; ``1``/``on``
#: turns it on for every planner that does not say otherwise.
PROMPT_CACHE_ENV = "NEUROSYM_PROMPT_CACHE"
#: Bytes the folder may hold (about 30 prompts of 700 tokens with the embedded model).
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
#: Prefixes shorter than this are evaluated, not cached: reading a file costs more.
DEFAULT_MIN_TOKENS = 32

_MAGIC = b"NEUROSYM-KV 1\n"
_SUFFIX = ".kv"


def default_cache_dir() -> Path:
    """Where entries are kept: ``$NEUROSYM_CACHE_DIR``, else the XDG cache folder."""
    explicit = os.environ.get(CACHE_DIR_ENV)
    if explicit:
        return Path(explicit).expanduser()
    from .locate import cache_root
    return cache_root() / "prompts"


@dataclass(frozen=True)
class PromptCacheStats:
    """What the cache did in this process: entries read and written, prompt tokens
    restored from disk instead of evaluated, and those evaluated to write an entry."""

    hits: int = 0
    misses: int = 0
    writes: int = 0
    restored_tokens: int = 0
    evaluated_tokens: int = 0
    evicted: int = 0


class PromptCache:
    """KV states of shared prompt prefixes, one file each, in ``folder``.

    ``max_bytes`` bounds the folder (least recently used entries are removed first);
    prefixes shorter than ``min_tokens`` are not cached. Safe to share between threads
    and processes: an entry is written to a temporary file and renamed into place.
    """

    def __init__(self, folder: str | os.PathLike[str] | None = None, *,
                 max_bytes: int = DEFAULT_MAX_BYTES, min_tokens: int = DEFAULT_MIN_TOKENS) -> None:
        if max_bytes <= 0:
            raise ConfigurationError(f"max_bytes must be positive, not {max_bytes!r}",
                                     hint="the cache folder needs room for at least one prompt")
        self.folder = Path(folder).expanduser() if folder is not None else default_cache_dir()
        self.max_bytes = int(max_bytes)
        self.min_tokens = int(min_tokens)
        self._lock = threading.Lock()
        self._stats = PromptCacheStats()

    def __repr__(self) -> str:
        return f"PromptCache({str(self.folder)!r}, max_bytes={self.max_bytes})"

    @property
    def stats(self) -> PromptCacheStats:
        return self._stats

    # -- keys and files ---------------------------------------------------------------
    def key(self, model: Model, prefix: Sequence[int]) -> str:
        """The entry's name: a digest of the model file (and adapter), the context and the
        tokens."""
        import llama_cpp

        from .llama import N_SEQUENCES
        stat = model.path.stat()
        parts = {"model": str(model.path.resolve()), "size": stat.st_size,
                 "mtime_ns": stat.st_mtime_ns, "n_ctx": model.n_ctx, "n_seq": N_SEQUENCES,
                 "llama_cpp": getattr(llama_cpp, "__version__", "?"),
                 "tokens": [int(t) for t in prefix]}
        adapter_path = getattr(model, "adapter", None)
        if adapter_path is not None:
            # An adapter changes every cell: its file is part of the key like the model's.
            adapter = adapter_path.stat()
            parts["adapter"] = [str(adapter_path), adapter.st_size, adapter.st_mtime_ns]
        digest = hashlib.sha256(json.dumps(parts, separators=(",", ":")).encode())
        return digest.hexdigest()[:40]

    def path_for(self, key: str) -> Path:
        return self.folder / f"{key}{_SUFFIX}"

    def entries(self) -> list[Path]:
        """The entry files, least recently used first."""
        if not self.folder.is_dir():
            return []
        found = []
        for path in self.folder.glob(f"*{_SUFFIX}"):
            try:
                found.append((path.stat().st_mtime_ns, path))
            except OSError:
                continue    # removed by another process meanwhile
        return [p for _, p in sorted(found)]

    def size(self) -> int:
        """Bytes the entries take."""
        total = 0
        for path in self.entries():
            try:
                total += path.stat().st_size
            except OSError:
                pass
        return total

    def clear(self) -> None:
        """Remove every entry."""
        for path in self.entries():
            path.unlink(missing_ok=True)

    # -- use ----------------------------------------------------------------------------
    def prepare(self, model: Model, prompt: Sequence[int], shared: int) -> int:
        """Make the model's KV cache start with ``prompt[:shared]``, from disk when an
        entry holds it, saving one otherwise. Returns the tokens restored from disk.

        Nothing happens when the cache already holds the prefix (the model planned with
        the same tools in this process) and an entry for it exists. Hold ``model.lock``.
        """
        prefix = [int(t) for t in prompt[:shared]]
        if len(prefix) < self.min_tokens:
            return 0
        key = self.key(model, prefix)
        path = self.path_for(key)
        warm = tuple(model.kv_tokens[:len(prefix)]) == tuple(prefix)
        if warm:
            if not path.exists():
                # The prefix is in memory but not on disk (the cache was turned on late).
                model.truncate_sequences(len(prefix))
                self._save(model, prefix, path)
            return 0
        restored = self._load(model, prefix, path)
        if restored:
            return restored
        self._count(evaluated_tokens=model.sync(prefix))
        self._save(model, prefix, path)
        return 0

    def _load(self, model: Model, prefix: list[int], path: Path) -> int:
        try:
            with path.open("rb") as handle:
                if handle.readline() != _MAGIC:
                    raise ValueError("not an entry")
                header = json.loads(handle.readline())
                data = handle.read()
        except FileNotFoundError:
            self._count(misses=1)
            return 0
        except (OSError, ValueError):
            path.unlink(missing_ok=True)    # unreadable: evaluate and write it again
            self._count(misses=1)
            return 0
        if header.get("tokens") != prefix or header.get("bytes") != len(data):
            path.unlink(missing_ok=True)
            self._count(misses=1)
            return 0
        if not model.restore_sequence(data, prefix):
            path.unlink(missing_ok=True)
            self._count(misses=1)
            return 0
        try:
            os.utime(path)      # most recently used
        except OSError:
            pass
        self._count(hits=1, restored_tokens=len(prefix))
        return len(prefix)

    def _save(self, model: Model, prefix: list[int], path: Path) -> None:
        data = model.sequence_state()
        if not data:
            return
        header = json.dumps({"tokens": prefix, "bytes": len(data), "model": str(model.path),
                             "n_ctx": model.n_ctx}).encode()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
            with temporary.open("wb") as handle:
                handle.write(_MAGIC)
                handle.write(header + b"\n")
                handle.write(data)
            os.replace(temporary, path)
        except OSError as exc:
            # A cache that cannot be written costs speed, never a plan.
            print(f"neurosym: prompt cache not written to {self.folder}: {exc.strerror}",
                  file=sys.stderr)
            return
        self._count(writes=1)
        self._evict(keep=path)

    def _evict(self, keep: Path) -> None:
        entries = self.entries()
        sizes = {}
        for entry in entries:
            try:
                sizes[entry] = entry.stat().st_size
            except OSError:
                sizes[entry] = 0
        total = sum(sizes.values())
        evicted = 0
        for entry in entries:
            if total <= self.max_bytes:
                break
            if entry == keep:
                continue
            entry.unlink(missing_ok=True)
            total -= sizes[entry]
            evicted += 1
        if evicted:
            self._count(evicted=evicted)

    def _count(self, **changes: int) -> None:
        with self._lock:
            now = self._stats
            self._stats = PromptCacheStats(**{name: getattr(now, name) + changes.get(name, 0)
                                              for name in PromptCacheStats.__dataclass_fields__})


def shared_prefix(prompt: Sequence[int], empty: Sequence[int]) -> int:
    """How many of ``prompt``'s tokens come before the user's request: those it shares
    with ``empty``, the same prompt for an empty request (its last token is never shared,
    so the prompt always has a token left to evaluate for its logits)."""
    common = 0
    limit = min(len(empty), len(prompt) - 1)
    while common < limit and empty[common] == prompt[common]:
        common += 1
    return common


def resolve_prompt_cache(spec: PromptCache | bool | str | os.PathLike[str] | None, *,
                         default_on: bool = False) -> PromptCache | None:
    """The cache a planner uses for ``spec``: a cache as given, True (the default folder),
    a folder, False (none), or None: the default, which is on inside a Jupyter kernel and
    where ``default_on`` (the CLI), off elsewhere, either way unless
    ``NEUROSYM_PROMPT_CACHE`` says otherwise."""
    if isinstance(spec, PromptCache):
        return spec
    if spec is False:
        return None
    if spec is True:
        return PromptCache()
    if spec is not None:
        return PromptCache(spec)
    setting = os.environ.get(PROMPT_CACHE_ENV, "").strip().lower()
    if setting in {"0", "off", "false", "no"}:
        return None
    if setting in {"1", "on", "true", "yes"} or default_on or "ipykernel" in sys.modules:
        return PromptCache()
    return None


def warm_prompt(cache: PromptCache, model: Model, prompt: str, empty: str) -> int:
    """Give ``model`` the shared part of ``prompt`` from ``cache`` before it is evaluated;
    ``empty`` is the same prompt rendered for an empty request. Returns the tokens
    restored from disk."""
    with model.lock:
        tokens = model.tokenize(prompt, special=True, add_bos=True)
        shared = shared_prefix(tokens, model.tokenize(empty, special=True, add_bos=True))
        return cache.prepare(model, tokens, shared)
