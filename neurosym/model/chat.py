"""Chat messages rendered to one prompt string with the model's own template.

The template comes from the GGUF metadata (``tokenizer.chat_template``) and runs in a
sandboxed Jinja environment with a budget (:mod:`neurosym.model._template`): a model
file is data, and its template may not touch anything but the messages, nor loop or
grow without bound. Without a template a plain ``role: content`` layout is used.

>>> render_chat(None, [{"role": "user", "content": "hi"}])
'user: hi\\n\\nassistant:'
>>> template = "{% for m in messages %}<{{ m.role }}>{{ m.content }}{% endfor %}"
>>> render_chat(template + "{% if add_generation_prompt %}<assistant>{% endif %}",
...             [{"role": "user", "content": "hi"}])
'<user>hi<assistant>'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from ..errors import ModelFormatError

__all__ = ["ChatMessage", "render_chat", "normalise_messages"]

ChatMessage = Mapping[str, Any]
_ROLES = ("system", "user", "assistant", "tool")


def normalise_messages(messages: str | Sequence[ChatMessage]) -> list[dict[str, str]]:
    """A request as a list of ``{"role", "content"}`` dicts (a bare string is one user turn).

    >>> normalise_messages("Book a room")
    [{'role': 'user', 'content': 'Book a room'}]
    """
    if isinstance(messages, str):
        return [{"role": "user", "content": messages}]
    out: list[dict[str, str]] = []
    for index, message in enumerate(messages):
        if not isinstance(message, Mapping) or "role" not in message:
            raise ValueError(f"message {index} is not a mapping with a 'role'")
        role = str(message["role"])
        content = message.get("content")
        out.append({"role": role if role in _ROLES else "user",
                    "content": "" if content is None else str(content)})
    return out


def render_chat(template: str | None, messages: Sequence[ChatMessage], *,
                add_generation_prompt: bool = True, bos_token: str = "",
                eos_token: str = "") -> str:
    """The prompt text for ``messages``, ending where the assistant's reply starts."""
    if not template:
        return _render_plain(messages, add_generation_prompt)
    try:
        env, compiled = _compile(template)
        return env.render(compiled, {"messages": list(messages),
                                     "add_generation_prompt": add_generation_prompt,
                                     "bos_token": bos_token, "eos_token": eos_token,
                                     "tools": None})
    except ModelFormatError:
        raise
    except RecursionError as exc:
        raise ModelFormatError("the model's chat template recurses without end",
                               hint="use a model whose GGUF carries a working chat template"
                               ) from exc
    except Exception as exc:  # a template is foreign code: any failure is the file's
        raise ModelFormatError(f"the model's chat template failed: {exc}",
                               hint="use a model whose GGUF carries a working chat template"
                               ) from exc


def _render_plain(messages: Sequence[ChatMessage], add_generation_prompt: bool) -> str:
    text = "".join(f"{m['role']}: {m['content']}\n\n" for m in messages)
    return text + "assistant:" if add_generation_prompt else text.rstrip("\n")


@lru_cache(maxsize=8)
def _compile(template: str) -> Any:
    from jinja2.exceptions import TemplateError

    from ._template import BoundedEnvironment

    def raise_exception(message: str) -> None:
        raise ModelFormatError(f"the model's chat template refused the messages: {message}",
                               hint="check the roles and their order")

    env = BoundedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.globals["raise_exception"] = raise_exception
    try:
        return env, env.from_string(template)
    except RecursionError as exc:
        raise ModelFormatError("the model's chat template nests too deeply to compile",
                               hint="use a model whose GGUF carries a working chat template"
                               ) from exc
    except TemplateError as exc:
        raise ModelFormatError(f"the model's chat template does not compile: {exc}",
                               hint="use a model whose GGUF carries a working chat template"
                               ) from exc
