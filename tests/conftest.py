"""Session-wide fixtures: the embedded model, loaded once for every test that needs it.

Tests that use the real model carry ``@pytest.mark.model``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import TYPE_CHECKING

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


@pytest.fixture(scope="session")
def tokenizer_of_model(model: Model) -> object:
    """llguidance's tokenizer for the embedded model's vocabulary."""
    return model.lltokenizer


@pytest.fixture(scope="session")
def chat_prompt(model: Model) -> Callable[..., str]:
    """Render a chat prompt with the model's own template: ``chat_prompt(user, system=None)``."""
    def render(user: str, system: str | None = None) -> str:
        messages = [{"role": "system", "content": system}] if system else []
        messages.append({"role": "user", "content": user})
        return model.render_chat(messages)
    return render
