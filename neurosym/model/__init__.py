"""Loading GGUF models (the embedded default included), chat templates and planning prompts.

Importing this package is light: llama.cpp is loaded by :func:`load_model`.
"""

from ._gguf import GGUFHeader, read_header
from .chat import normalise_messages, render_chat
from .llama import Model, check_adapter, clear_model_cache, load_model
from .locate import embedded_model_path, find_model
from .prompt import PromptOptions, build_messages, render_signature, render_tools

__all__ = ["GGUFHeader", "Model", "PromptOptions", "build_messages", "check_adapter",
           "clear_model_cache", "embedded_model_path", "read_header",
           "find_model", "load_model", "normalise_messages", "render_chat", "render_signature",
           "render_tools"]
