"""The OpenAI-compatible HTTP server: ``/v1/chat/completions`` and ``/v1/models``.

A Starlette application over :class:`~neurosym.serve.chat.ChatCompletions`; uvicorn
serves it (``neurosym serve``). Bad requests are answered as OpenAI answers them: a
status code and ``{"error": {"message", "type", "param", "code"}}``. Streams are
server-sent events, one ``data: {chunk}`` per chunk and ``data: [DONE]`` last.

Planning holds the model, so requests are planned one at a time, each in a worker
thread, while the event loop keeps answering.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator, Generator
from typing import Any

from ..errors import NeurosymError
from ._history import ChatRequestError
from .chat import ChatCompletions

__all__ = ["build_app", "error_body"]

#: Request fields the server reads; others OpenAI defines are accepted and ignored.
_FIELDS = ("messages", "tools", "tool_choice", "temperature", "seed", "max_tokens",
           "max_completion_tokens", "parallel_tool_calls", "stream", "stream_options", "model")
_UNSUPPORTED = {"n": lambda v: v not in (None, 1),
                "functions": lambda v: v is not None,
                "response_format": lambda v: v not in (None, {"type": "text"})}


def error_body(message: str, *, kind: str = "invalid_request_error", param: str | None = None,
               code: str | None = None) -> dict[str, Any]:
    """OpenAI's error object."""
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def build_app(completions: ChatCompletions) -> Any:
    """The ASGI application serving ``completions``."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.exceptions import HTTPException
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response, StreamingResponse
    from starlette.routing import Route

    planning = threading.Lock()
    started = int(time.time())

    def failure(status: int, message: str, **fields: Any) -> JSONResponse:
        return JSONResponse(error_body(message, **fields), status_code=status)

    def refused(err: NeurosymError) -> JSONResponse:
        text = err.message + (f" ({err.hint})" if err.hint else "")
        if isinstance(err, ChatRequestError):
            return failure(400, text, param=err.param, code=err.code)
        return failure(500, text, kind="server_error", code=type(err).__name__)

    async def models(request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [
            {"id": completions.model_id, "object": "model", "created": started,
             "owned_by": "neurosym"}]})

    async def chat(request: Request) -> Response:
        try:
            body = json.loads(await request.body())
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            return failure(400, f"the request body is not JSON: {err}", code="invalid_json")
        if not isinstance(body, dict):
            return failure(400, "the request body must be a JSON object", code="invalid_json")
        if "messages" not in body:
            return failure(400, "messages is required", param="messages",
                           code="missing_required_parameter")
        for name, bad in _UNSUPPORTED.items():
            if bad(body.get(name)):
                return failure(400, f"{name} is not supported by this server", param=name,
                               code="unsupported_parameter")
        options = {k: body[k] for k in _FIELDS if k in body and k != "max_completion_tokens"}
        if body.get("max_completion_tokens") is not None:
            options["max_tokens"] = body["max_completion_tokens"]
        if options.get("parallel_tool_calls") is None:
            options.pop("parallel_tool_calls", None)
        stream = bool(options.pop("stream", False))
        messages = options.pop("messages")

        if not stream:
            def complete() -> Any:
                with planning:
                    return completions.create(messages, **options)
            try:
                return JSONResponse(await run_in_threadpool(complete))
            except NeurosymError as err:
                return refused(err)
        try:
            # Bad input is refused here, with a status code, before the stream opens.
            chunks = completions.create(messages, stream=True, **options)
        except NeurosymError as err:
            return refused(err)
        assert isinstance(chunks, Generator)

        def following() -> dict[str, Any] | None:
            # The next chunk, the moment the planner has it (None: the stream is over).
            try:
                return next(chunks, None)
            except NeurosymError as err:
                # The stream is open: the error is its last event.
                return error_body(err.message, kind="server_error",
                                  param=getattr(err, "param", None),
                                  code=getattr(err, "code", None) or type(err).__name__)

        async def send() -> AsyncIterator[str]:
            yield _event(next(chunks))   # the role, at once
            # One plan at a time holds the model: the lock is taken before planning starts
            # and let go once the last chunk is sent, or the client has gone.
            await run_in_threadpool(planning.acquire)
            try:
                while True:
                    item = await run_in_threadpool(following)
                    if item is None:
                        break
                    yield _event(item)
                    if "error" in item:
                        break
            finally:
                chunks.close()
                planning.release()
            yield "data: [DONE]\n\n"

        return StreamingResponse(send(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache"})

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        if status == 405:
            return failure(405, f"{request.method} is not allowed on {request.url.path}",
                           code="method_not_allowed")
        if status == 404:
            return failure(404, f"no route {request.url.path}; this server has "
                                "/v1/chat/completions and /v1/models", code="not_found")
        return failure(status, str(getattr(exc, "detail", exc)), kind="server_error")

    routes = [Route("/v1/chat/completions", chat, methods=["POST"]),
              Route("/v1/models", models, methods=["GET"]),
              Route("/chat/completions", chat, methods=["POST"]),
              Route("/models", models, methods=["GET"])]
    return Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})


def _event(chunk: dict[str, Any]) -> str:
    return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"
