"""Chat templates: the model's own (sandboxed), and the plain fallback."""

from __future__ import annotations

import pytest

from neurosym.errors import ModelFormatError
from neurosym.model import normalise_messages, render_chat

CHATML = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
          "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")


@pytest.mark.parametrize("template, expected", [
    (CHATML, "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"),
    (None, "user: hi\n\nassistant:"),
    ("", "user: hi\n\nassistant:"),
    ("{{ bos_token }}{{ messages[0].content }}", "<s>hi"),
])
def test_templates_render_the_messages(template: str | None, expected: str) -> None:
    assert render_chat(template, [{"role": "user", "content": "hi"}], bos_token="<s>") == expected


def test_without_the_generation_prompt(template: str = CHATML) -> None:
    text = render_chat(template, [{"role": "user", "content": "hi"}], add_generation_prompt=False)
    assert not text.endswith("assistant\n")


@pytest.mark.parametrize("template, fragment", [
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "chat template"),
    ("{% for %}", "does not compile"),
    ("{{ raise_exception('roles must alternate') }}", "roles must alternate"),
])
def test_a_hostile_or_broken_template_is_a_format_error(template: str, fragment: str) -> None:
    with pytest.raises(ModelFormatError) as caught:
        render_chat(template, [{"role": "user", "content": "hi"}])
    assert fragment in str(caught.value) and caught.value.hint


@pytest.mark.parametrize("given, expected", [
    ("hello", [{"role": "user", "content": "hello"}]),
    ([{"role": "system", "content": None}], [{"role": "system", "content": ""}]),
    ([{"role": "function", "content": "x"}], [{"role": "user", "content": "x"}]),
])
def test_requests_normalise_to_messages(given, expected) -> None:
    assert normalise_messages(given) == expected


def test_a_message_without_a_role_is_refused() -> None:
    with pytest.raises(ValueError):
        normalise_messages([{"content": "x"}])
