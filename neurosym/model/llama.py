"""The llama.cpp model behind the planner: loading, tokens, chat prompts and the KV cache.

:class:`Model` wraps ``llama_cpp.Llama`` and keeps one fact the wrapper does not: the
list of tokens whose keys and values are in the KV cache, so a new prompt evaluates only
what follows the longest prefix it shares with the previous one, and the decoder can
roll the cache back by truncating that list. Loads are cached per process by path and
context size, so every planner (and every test) shares one copy of the weights.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import (AdapterError, ContextOverflowError, ContextSizeError, ModelFormatError,
                      ModelTooLargeError)
from ._gguf import read_header, trained_context
from .system import available_memory, cpu_count, quiet_stderr
from .chat import ChatMessage, render_chat
from .locate import find_model

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Model", "load_model", "check_adapter", "GGUF_MAGIC", "N_SEQUENCES", "clear_model_cache", "default_threads"]

GGUF_MAGIC = b"GGUF"
# Weights are memory-mapped, but the pages are touched on the first evaluation: ask for
# the file plus a fifth and room for the KV cache and the runtime.
_MEMORY_FACTOR = 1.2
_MEMORY_MARGIN = 128 * 1024 * 1024

_CACHE: dict[tuple[str, int, str | None], Model] = {}
_CACHE_LOCK = threading.Lock()


class Model:
    """A loaded GGUF model: tokenizer, chat template, evaluation and the KV-cache prefix.

    Not safe for concurrent decoding: a decoder holds :attr:`lock` while it uses the
    KV cache.
    """

    def __init__(self, llama: Any, path: Path, *, n_ctx: int, n_threads: int,
                 adapter: Path | None = None) -> None:
        self.llama = llama
        self.path = path
        #: The LoRA adapter applied to the weights, if any.
        self.adapter = adapter
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.n_vocab: int = llama.n_vocab()
        self.lock = threading.RLock()
        metadata: dict[str, str] = dict(llama.metadata or {})
        self.metadata = metadata
        self.name: str = path.stem if adapter is None else f"{path.stem}+{adapter.stem}"
        self.chat_template: str | None = metadata.get("tokenizer.chat_template") or None
        eos = {int(llama.token_eos())}
        for key in ("tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"):
            if key in metadata:
                eos.add(int(metadata[key]))
        self.eos: frozenset[int] = frozenset(t for t in eos if 0 <= t < self.n_vocab)
        self.bos: int = int(llama.token_bos())
        self.add_bos: bool = str(metadata.get("tokenizer.ggml.add_bos_token", "false")).lower() == "true"
        self._kv: list[int] = []
        self._logits_at = -1
        self._memo: dict[str, Any] = {}
        self._memo_lock = threading.Lock()

    def __repr__(self) -> str:
        extra = "" if self.adapter is None else f", adapter={str(self.adapter)!r}"
        return f"Model({self.name!r}, path={str(self.path)!r}, n_ctx={self.n_ctx}{extra})"

    # -- tokens ---------------------------------------------------------------------
    def tokenize(self, text: str | bytes, *, special: bool = False, add_bos: bool = False) -> list[int]:
        """Tokens of ``text``; ``special=True`` maps control-token texts to their ids."""
        data = text.encode("utf-8") if isinstance(text, str) else text
        if not data:
            return [self.bos] if add_bos and self.add_bos else []
        return list(self.llama.tokenize(data, add_bos=add_bos and self.add_bos, special=special))

    def detokenize(self, tokens: Sequence[int]) -> str:
        """The text of ``tokens`` (control tokens render as nothing)."""
        return b"".join(self.token_bytes[t] for t in tokens).decode("utf-8", errors="replace")

    @property
    def token_bytes(self) -> tuple[bytes, ...]:
        """Every token's bytes, indexed by token id (control tokens are empty)."""
        return self.memo("token_bytes", self._build_token_bytes)

    @property
    def token_text(self) -> tuple[str, ...]:
        """Every token's text, indexed by token id (a partial UTF-8 character shows as U+FFFD)."""
        return self.memo("token_text", lambda: tuple(
            b.decode("utf-8", errors="replace") for b in self.token_bytes))

    def _build_token_bytes(self) -> tuple[bytes, ...]:
        import ctypes

        import llama_cpp
        vocab = self.llama._model.vocab
        buffer = ctypes.create_string_buffer(1024)
        table: list[bytes] = []
        for token in range(self.n_vocab):
            n = llama_cpp.llama_token_to_piece(vocab, token, buffer, len(buffer), 0, False)
            table.append(bytes(buffer[:n]) if n > 0 else b"")
        return tuple(table)

    @property
    def lltokenizer(self) -> Any:
        """The llguidance tokenizer for this vocabulary (built once, ~0.2 s)."""
        def build() -> Any:
            import warnings

            from llguidance.llamacpp import lltokenizer_from_vocab
            with warnings.catch_warnings():
                # llguidance reads token attributes through a name llama.cpp deprecated
                warnings.simplefilter("ignore", DeprecationWarning)
                return lltokenizer_from_vocab(self.llama._model.vocab, eos_token=sorted(self.eos))
        return self.memo("lltokenizer", build)

    def memo(self, key: str, factory: Callable[[], Any]) -> Any:
        """A per-model artefact built once on first use (tables, indexes, tokenizers)."""
        value = self._memo.get(key)
        if value is None:
            with self._memo_lock:
                value = self._memo.get(key)
                if value is None:
                    value = factory()
                    self._memo[key] = value
        return value

    # -- prompts --------------------------------------------------------------------
    def render_chat(self, messages: Sequence[ChatMessage], *, add_generation_prompt: bool = True) -> str:
        """The prompt for ``messages`` in the model's own chat template."""
        return render_chat(self.chat_template, messages, add_generation_prompt=add_generation_prompt,
                           bos_token=self._piece(self.bos), eos_token=self._piece(min(self.eos)))

    def tokenize_prompt(self, prompt: str, *, reserve: int = 0) -> list[int]:
        """Prompt tokens, checked to leave ``reserve`` tokens of context for the reply."""
        tokens = self.tokenize(prompt, special=True, add_bos=True)
        self.check_fits(len(tokens), reserve=reserve)
        return tokens

    def check_fits(self, n_prompt: int, *, reserve: int = 0) -> None:
        """Raise :class:`ContextOverflowError` unless ``n_prompt + reserve`` fit the context."""
        if n_prompt + reserve > self.n_ctx:
            raise ContextOverflowError(
                f"the prompt has {n_prompt} tokens and the reply may need {reserve} more, "
                f"but the context holds {self.n_ctx}",
                tokens=n_prompt + reserve, limit=self.n_ctx,
                hint="shorten the request, offer fewer tools, lower max_tokens, or load the "
                     "model with a larger n_ctx")

    def _piece(self, token: int) -> str:
        try:
            return self.llama._model.token_get_text(token)
        except Exception:
            return ""

    # -- evaluation and the KV cache ------------------------------------------------
    @property
    def kv_tokens(self) -> tuple[int, ...]:
        """The tokens whose keys and values are in the cache, in order."""
        return tuple(self._kv)

    def sync(self, tokens: Sequence[int]) -> int:
        """Make the cache hold exactly ``tokens`` with fresh logits for the last one.

        Only what follows the longest common prefix with the cache is evaluated; returns
        how many tokens were evaluated.
        """
        if not tokens:
            raise ValueError("cannot evaluate an empty token list")
        if self.llama.n_tokens != len(self._kv):
            # llama.cpp was driven directly since our last call: what we know is stale.
            self.reset()
        kv = self._kv
        common = 0
        limit = min(len(kv), len(tokens))
        while common < limit and kv[common] == tokens[common]:
            common += 1
        if common == len(tokens) == len(kv) and self._logits_at == len(kv):
            return 0
        if common == len(tokens):
            common -= 1  # the last token is evaluated again for its logits
        self.truncate(common)
        self.eval(tokens[common:])
        return len(tokens) - common

    def truncate(self, n: int) -> None:
        """Forget every cached token after the first ``n``."""
        if n < len(self._kv):
            del self._kv[n:]
            self.llama.n_tokens = n
            if self._logits_at > n:
                self._logits_at = -1

    def eval(self, tokens: Sequence[int]) -> None:
        """Evaluate ``tokens`` after the cached ones (logits only for the last)."""
        if not tokens:
            return
        if len(self._kv) + len(tokens) > self.n_ctx:
            self.check_fits(len(self._kv) + len(tokens))
        self.llama.n_tokens = len(self._kv)
        try:
            self.llama.eval(list(tokens))
        except Exception:
            # A failed decode leaves the cache in an unknown state: start afresh next time.
            self.reset()
            raise
        self._kv.extend(int(t) for t in tokens)
        self._logits_at = len(self._kv)

    # -- the prompt sequence's state, for the prompt cache on disk --------------------
    def sequence_state(self) -> bytes:
        """The KV cells of the cached tokens (llama.cpp's sequence 0) as bytes."""
        import ctypes

        import llama_cpp
        ctx = self.llama._ctx.ctx
        size = llama_cpp.llama_state_seq_get_size(ctx, 0)
        if size <= 0:
            return b""
        buffer = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_seq_get_data(ctx, buffer, size, 0)
        return bytes(buffer[:written]) if 0 < written <= size else b""

    def restore_sequence(self, data: bytes, tokens: Sequence[int]) -> bool:
        """Replace the cache by cells saved with :meth:`sequence_state` for ``tokens``;
        False (and an empty cache) when llama.cpp refuses them."""
        import ctypes

        import llama_cpp
        ctx = self.llama._ctx.ctx
        self.reset()
        llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(ctx), True)
        buffer = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        if llama_cpp.llama_state_seq_set_data(ctx, buffer, len(data), 0) == 0:
            self.reset()
            return False
        self._kv = [int(t) for t in tokens]
        self._logits_at = -1
        self.llama.n_tokens = len(self._kv)
        self.llama.input_ids[:len(self._kv)] = self._kv
        return True

    def truncate_sequences(self, n: int) -> None:
        """Forget every cached token after the first ``n`` and drop their cells now
        (:meth:`truncate` leaves them to the next evaluation)."""
        import llama_cpp
        self.truncate(n)
        llama_cpp.llama_memory_seq_rm(llama_cpp.llama_get_memory(self.llama._ctx.ctx), -1, n, -1)
        self._logits_at = -1

    def forget_logits(self) -> None:
        """The logits buffer was overwritten by a decode this class did not make (the
        search's batches): the next :meth:`sync` evaluates the last token again."""
        self._logits_at = -1

    @property
    def has_logits(self) -> bool:
        """Whether :meth:`logits` belongs to the last cached token."""
        return bool(self._kv) and self._logits_at == len(self._kv)

    def reset(self) -> None:
        """Empty the KV cache."""
        self._kv.clear()
        self._logits_at = -1
        self.llama.reset()

    def logits(self) -> np.ndarray:
        """The logits after the last evaluated token: a view valid until the next eval."""
        import llama_cpp
        import numpy as np
        if self._logits_at != len(self._kv) or not self._kv:
            raise RuntimeError("no fresh logits: evaluate a token first")
        pointer = llama_cpp.llama_get_logits_ith(self.llama._ctx.ctx, -1)
        return np.ctypeslib.as_array(pointer, shape=(self.n_vocab,))


def load_model(model: str | os.PathLike[str] | Model | None = None, *, n_ctx: int = 4096,
               n_threads: int | None = None, seed: int = 0,
               adapter: str | os.PathLike[str] | None = None) -> Model:
    """Load a GGUF model (or return the cached one for the same file, context size and
    adapter).

    ``model`` is a path, a :class:`Model` (returned as is) or None for the default
    search (see :func:`neurosym.model.find_model`). ``adapter`` is a GGUF LoRA adapter
    (``neurosym tune`` writes them) applied to the weights; one that does not fit the
    model is refused with :class:`~neurosym.errors.AdapterError`.
    """
    if isinstance(model, Model):
        return model
    path = find_model(model).resolve()
    adapter_path = None if adapter is None else check_adapter(path, Path(adapter)).resolve()
    key = (str(path), int(n_ctx), None if adapter_path is None else str(adapter_path))
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
        loaded = _load(path, n_ctx=n_ctx, n_threads=n_threads or default_threads(), seed=seed,
                       adapter=adapter_path)
        if not _CACHE:
            atexit.register(_close_all)
        _CACHE[key] = loaded
        return loaded


def _close_all() -> None:
    """Free the models while the interpreter is whole (llama.cpp's own finaliser fails
    when it runs after the modules it needs are torn down)."""
    with _CACHE_LOCK:
        models = list(_CACHE.values())
        _CACHE.clear()
    for loaded in models:
        try:
            loaded.llama.close()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass
    try:
        from llama_cpp import _utils
        for name in ("outnull_file", "errnull_file"):
            handle = getattr(_utils, name, None)
            if handle is not None and not handle.closed:
                handle.close()
    except ImportError:
        pass


def default_threads() -> int:
    """Threads for llama.cpp: half the CPUs (one per physical core on most machines).

    llama.cpp's threads wait for each other at every layer; on a machine whose cores are
    busy, more threads than free cores make decoding many times slower, not faster. The
    mask worker thread also needs a core.
    """
    return max(1, cpu_count() // 2)


def clear_model_cache() -> None:
    """Drop every cached model (their memory is freed when no planner holds them)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def check_adapter(model: Path, adapter: Path) -> Path:
    """``adapter`` when it is a LoRA adapter that fits ``model``: a GGUF file of type
    ``adapter``, for the model's architecture, whose every tensor pair adapts a tensor the
    model has with the shapes that tensor needs. Otherwise an :class:`AdapterError`
    naming what does not fit (llama.cpp itself would only print it and fail)."""
    adapter = adapter.expanduser()
    hint = "give an adapter that neurosym tune wrote for this model file"
    if not adapter.is_file():
        raise AdapterError(f"adapter file not found: {adapter}", hint=hint)
    header = read_header(adapter)
    if header is None:
        raise AdapterError(f"{adapter.name} is not a GGUF file", hint=hint)
    kind = header.text("general.type")
    if kind != "adapter" or header.text("adapter.type") != "lora":
        raise AdapterError(f"{adapter.name} is not a LoRA adapter (its type is "
                           f"{kind or 'not given'})", hint="a model file is given with model=, "
                                                           "an adapter with adapter=")
    base = read_header(model)
    if base is None:
        raise ModelFormatError(f"{model.name} is not a GGUF file",
                               hint="pass a .gguf model file")
    arch, base_arch = header.text("general.architecture"), base.text("general.architecture")
    if arch != base_arch:
        raise AdapterError(f"{adapter.name} adapts a {arch} model, but {model.name} is a "
                           f"{base_arch} model", hint=hint)
    pairs: dict[str, dict[str, tuple[int, ...]]] = {}
    for name, shape in header.tensors.items():
        stem, _, part = name.rpartition(".")
        if part not in ("lora_a", "lora_b"):
            raise AdapterError(f"{adapter.name} holds {name}, which is no LoRA tensor", hint=hint)
        pairs.setdefault(stem, {})[part] = shape
    if not pairs:
        raise AdapterError(f"{adapter.name} holds no LoRA tensors", hint=hint)
    for stem, pair in sorted(pairs.items()):
        target = base.tensors.get(stem)
        if target is None:
            raise AdapterError(f"{adapter.name} adapts {stem}, which {model.name} does not "
                               "have", hint=hint)
        a, b = pair.get("lora_a"), pair.get("lora_b")
        if a is None or b is None:
            raise AdapterError(f"{adapter.name} has only half of the pair for {stem}", hint=hint)
        if len(a) != 2 or len(b) != 2 or a[0] != target[0] or b[1] != target[1] or a[1] != b[0]:
            raise AdapterError(
                f"{adapter.name} does not fit {model.name}: {stem} is {list(target)}, the "
                f"adapter's pair is {list(a)} and {list(b)}", hint=hint)
    return adapter


def _load(path: Path, *, n_ctx: int, n_threads: int, seed: int,
          adapter: Path | None = None) -> Model:
    _check_gguf(path)
    _check_context(path, n_ctx)
    _check_memory(path)
    try:
        import llama_cpp
    except ImportError as exc:
        from ..errors import ModelError
        raise ModelError("llama-cpp-python is not installed",
                         hint='install the model extra: pip install "neurosym[model]"') from exc
    import logging
    try:
        with quiet_stderr(), _sequences_in_context(llama_cpp):
            llama = llama_cpp.Llama(str(path), n_ctx=n_ctx, n_threads=n_threads,
                                    n_threads_batch=n_threads, seed=seed, verbose=False,
                                    lora_path=None if adapter is None else str(adapter))
    except (ValueError, RuntimeError, OSError) as exc:
        raise ModelFormatError(f"llama.cpp could not load {path.name}: {exc}",
                               hint="the file may be truncated or use an architecture this "
                                    "llama.cpp build does not know; try another GGUF") from exc
    except Exception as exc:
        # llama-cpp-python compiles the file's chat template with Jinja while it loads.
        from jinja2.exceptions import TemplateError
        if not isinstance(exc, TemplateError):
            raise
        raise ModelFormatError(f"the chat template inside {path.name} does not compile: {exc}",
                               hint="use a GGUF whose chat template works, or fix the "
                                    "tokenizer.chat_template entry of this one") from exc
    # llama-cpp-python prints llama.cpp's errors unless its logger is above ERROR.
    logging.getLogger("llama-cpp-python").setLevel(logging.CRITICAL)
    return Model(llama, path, n_ctx=n_ctx, n_threads=n_threads, adapter=adapter)


#: Sequences one context holds: the prompt's (0) and one per beam of the search
#: (:mod:`neurosym.model.sequences`). They share one KV buffer of ``n_ctx`` cells.
N_SEQUENCES = 32

_PARAMS_LOCK = threading.Lock()


@contextlib.contextmanager
def _sequences_in_context(llama_cpp: Any) -> Iterator[None]:
    """Contexts created meanwhile hold ``N_SEQUENCES`` sequences in a unified KV cache.

    ``llama_cpp.Llama`` takes neither setting as an argument; it reads the defaults from
    ``llama_context_default_params``, so this wraps that function for one construction.
    """
    module = llama_cpp.llama_cpp
    with _PARAMS_LOCK:
        original = module.llama_context_default_params

        def defaults() -> Any:
            params = original()
            params.n_seq_max = N_SEQUENCES
            params.kv_unified = True
            return params

        module.llama_context_default_params = defaults
        try:
            yield
        finally:
            module.llama_context_default_params = original


def _check_gguf(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise ModelFormatError(f"cannot read {path}: {exc.strerror}",
                               hint="check the file's permissions") from exc
    if magic != GGUF_MAGIC:
        raise ModelFormatError(
            f"{path.name} is not a GGUF file (it starts with {magic!r}, not b'GGUF')",
            hint="convert the model to GGUF (llama.cpp's convert_hf_to_gguf.py) or pass a .gguf file")


def _check_context(path: Path, n_ctx: int) -> None:
    """Refuse a context the model cannot use before llama.cpp allocates it (a context of
    a million cells would take minutes and gigabytes, for positions never trained)."""
    if not isinstance(n_ctx, int) or isinstance(n_ctx, bool) or n_ctx < 1:
        raise ContextSizeError(f"n_ctx must be a whole number >= 1, not {n_ctx!r}",
                               hint="n_ctx=4096 is the default")
    trained = trained_context(path)
    if trained is not None and n_ctx > trained:
        raise ContextSizeError(
            f"n_ctx={n_ctx} is more than the {trained} tokens {path.name} was trained with",
            asked=n_ctx, trained=trained,
            hint=f"give n_ctx at most {trained}, or use a model trained on longer contexts")


def _check_memory(path: Path) -> None:
    size = path.stat().st_size
    free = available_memory()
    needed = int(size * _MEMORY_FACTOR) + _MEMORY_MARGIN
    if free is not None and needed > free:
        raise ModelTooLargeError(
            f"{path.name} needs about {needed / 2**30:.1f} GiB but only {free / 2**30:.1f} GiB "
            "of memory is available",
            hint="use a smaller or more quantised model (e.g. Q4), or free memory")
