"""The OpenAI shape of the planner: chat completions, and the server that answers them.

:func:`create_chat_completion` needs nothing beyond neurosym itself; the HTTP server
(:mod:`neurosym.serve.app`, ``neurosym serve``) needs the ``serve`` extra (Starlette and
uvicorn), imported only when it starts.
"""

from ._history import ChatRequestError
from .chat import ChatCompletions, create_chat_completion

__all__ = ["ChatCompletions", "ChatRequestError", "create_chat_completion"]
