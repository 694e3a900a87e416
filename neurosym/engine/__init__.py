"""Engines that plans are written through: this process's llama.cpp, llama.cpp servers, vLLM.

Importing this package is light: the local engine loads llama.cpp on first use, and the
remote ones only speak HTTP.
"""

from .base import Engine, LocalEngine
from .remote import ChatTemplate, LlamaServerEngine, RemoteEngine
from .server import LlamaServer, start_llama_server
from .vllm import VLLMEngine

__all__ = ["Engine", "LocalEngine", "RemoteEngine", "LlamaServerEngine", "VLLMEngine",
           "ChatTemplate", "LlamaServer", "start_llama_server"]
