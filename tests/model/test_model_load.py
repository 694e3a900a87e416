"""Loading GGUF files with llama.cpp: the cache, tokens, the KV-cache prefix, and bad input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from neurosym.errors import ContextOverflowError, ModelFormatError, ModelTooLargeError
from neurosym.model import load_model
from neurosym.model.llama import GGUF_MAGIC

pytestmark = pytest.mark.model


def test_loads_are_cached_per_file_and_context(model) -> None:
    assert load_model() is model
    assert load_model(model.path) is model
    assert load_model(model) is model
    assert model.n_ctx == 4096 and model.n_vocab == len(model.token_bytes)


def test_tokens_round_trip_and_the_eos_is_known(model) -> None:
    text = 'plan = book(city="Zürich", nights=3)'
    assert model.detokenize(model.tokenize(text)) == text
    assert model.eos and all(model.token_bytes[t] == b"" for t in model.eos)


def test_the_chat_template_comes_from_the_gguf(model) -> None:
    assert model.chat_template and "im_start" in model.chat_template
    prompt = model.render_chat([{"role": "system", "content": "S"}, {"role": "user", "content": "U"}])
    assert prompt == "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n"
    tokens = model.tokenize_prompt(prompt)
    assert tokens[0] != model.tokenize("<|im_start|>")[0]  # special tokens, not their text


def test_sync_evaluates_only_what_follows_the_shared_prefix(model) -> None:
    first = model.tokenize_prompt(model.render_chat([{"role": "user", "content": "Hello there"}]))
    second = model.tokenize_prompt(model.render_chat([{"role": "user", "content": "Hello you"}]))
    model.sync(first)
    shared = next(i for i, (a, b) in enumerate(zip(first, second)) if a != b)
    assert model.sync(second) == len(second) - shared
    assert model.kv_tokens == tuple(second)
    assert model.sync(second) == 0              # nothing new: the logits are still fresh
    logits = model.logits().copy()
    model.truncate(len(second) - 1)
    assert model.sync(second) == 1              # the last token again, for its logits
    assert abs(model.logits() - logits).max() < 1e-3


@pytest.mark.parametrize("content", [b"", b"GGU", b"PK\x03\x04zipfile", b"\x00" * 64])
def test_a_file_that_is_not_gguf_is_a_format_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "model.gguf"
    path.write_bytes(content)
    with pytest.raises(ModelFormatError) as caught:
        load_model(path)
    assert "not a GGUF file" in str(caught.value) and caught.value.hint


def test_a_gguf_llama_cpp_cannot_load_is_a_format_error(tmp_path: Path, capfd) -> None:
    path = tmp_path / "broken.gguf"
    path.write_bytes(GGUF_MAGIC + b"\x03\x00\x00\x00" + os.urandom(256))
    with pytest.raises(ModelFormatError) as caught:
        load_model(path)
    assert "could not load" in str(caught.value)
    assert "llama_model_load" not in capfd.readouterr().err  # llama.cpp's noise stays quiet


def test_a_model_larger_than_free_memory_is_refused_before_loading(tmp_path: Path) -> None:
    from neurosym.model.system import available_memory
    free = available_memory()
    assert free is not None
    path = tmp_path / "huge.gguf"
    with path.open("wb") as handle:            # sparse: takes no disk space
        handle.write(GGUF_MAGIC)
        handle.truncate(free * 2)
    with pytest.raises(ModelTooLargeError) as caught:
        load_model(path)
    assert "GiB" in str(caught.value) and caught.value.hint


def test_a_prompt_longer_than_the_context_is_an_overflow_with_counts(model) -> None:
    prompt = model.render_chat([{"role": "user", "content": "plan " * 5000}])
    with pytest.raises(ContextOverflowError) as caught:
        model.tokenize_prompt(prompt, reserve=64)
    err = caught.value
    assert err.limit == model.n_ctx and err.tokens > model.n_ctx
    assert str(err.tokens - 64) in str(err) and err.hint
