"""Leaks: values of the planner prompt's worked examples that turn up in an answer.

The planner shows the model a few worked requests (``neurosym.model.prompt.EXAMPLES``)
before the real one (and the chaining example when the tools' data flow links two of
them, which BFCL's tools rarely do: pass ``values`` to check its values too). A small model sometimes copies their values into a plan for
another request (a ``city="Tokyo"`` where the user named no Tokyo). An answer leaks
when its text holds an example value that the entry's question does not.

Values are matched as whole words, ignoring case, so ``Lima`` is not found in
``climate`` nor ``3`` in ``30`` or ``2.3``. A number the question spells out in words
(``three``) is not seen there, so such an answer counts as a leak.

>>> leaks('r1 = get_weather(city="Tokyo")', "What is the weather in Paris?")
True
>>> leaks('r1 = get_weather(city="Tokyo")', "What is the weather in Tokyo?")
False
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model.prompt import Example

__all__ = ["ExampleValue", "example_values", "value_pattern", "leaked_values", "leaks"]

ExampleValue = str | int | float


def example_values(examples: Sequence[Example] | None = None) -> tuple[ExampleValue, ...]:
    """The literal strings and numbers of the examples' replies, in written order, each
    once (``examples`` defaults to the planner prompt's ``EXAMPLES``).

    Booleans, ``None`` and empty strings say nothing about where a value came from, and
    are left out.

    >>> example_values()
    ('Tokyo', 'Lima', 'Ursula K. Le Guin', 1969, 3)
    """
    if examples is None:
        return _default_example_values()
    return _values_of(example.reply for example in examples)


@lru_cache(maxsize=1)
def _default_example_values() -> tuple[ExampleValue, ...]:
    from ..model.prompt import EXAMPLES
    return _values_of(example.reply for example in EXAMPLES)


def _values_of(replies: Iterable[str]) -> tuple[ExampleValue, ...]:
    from ..plan import Literal, parse_plan, walk_values
    found: list[ExampleValue] = []
    for reply in replies:
        for call in parse_plan(reply).calls:
            for _, argument in call.args:
                for value in walk_values(argument):
                    if not isinstance(value, Literal) or isinstance(value.value, bool):
                        continue
                    literal = value.value
                    if isinstance(literal, (int, float)) or (isinstance(literal, str)
                                                              and literal.strip()):
                        if literal not in found:
                            found.append(literal)
    return tuple(found)


def value_pattern(value: ExampleValue) -> re.Pattern[str]:
    """How ``value`` is looked for in a text: as a whole word (a number also not as part
    of a longer number), ignoring case and the width of spaces.

    >>> [bool(value_pattern(3).search(t)) for t in ("limit=3)", "30", "2.3", "3.5", "x3")]
    [True, False, False, False, False]
    >>> [bool(value_pattern("Le Guin").search(t)) for t in ("le  guin", "Le Guinness")]
    [True, False]
    """
    return _pattern(str(value).strip(), isinstance(value, str))


@lru_cache(maxsize=256)
def _pattern(text: str, is_string: bool) -> re.Pattern[str]:
    body = r"\s+".join(re.escape(word) for word in text.split())
    if is_string:
        # A value that starts or ends with a non-word character needs no word boundary.
        start = r"(?<!\w)" if re.match(r"\w", text) else ""
        end = r"(?!\w)" if re.search(r"\w$", text) else ""
        return re.compile(start + body + end, re.IGNORECASE)
    return re.compile(r"(?<![\w.])" + body + r"(?!\w|\.\d)")


def leaked_values(plan_text: str, question_text: str,
                  values: Sequence[ExampleValue] | None = None) -> tuple[ExampleValue, ...]:
    """The example ``values`` (default: ``example_values()``) that ``plan_text`` holds
    and ``question_text`` does not.

    >>> leaked_values('[search(author="Le Guin", limit=3)]', "Three books by Le Guin",
    ...               ["Le Guin", 3, 1969])
    (3,)
    """
    chosen = example_values() if values is None else values
    return tuple(value for value in chosen
                 if value_pattern(value).search(plan_text)
                 and not value_pattern(value).search(question_text))


def leaks(plan_text: str, question_text: str) -> bool:
    """Whether ``plan_text`` holds a value of the prompt's worked examples that
    ``question_text`` does not.

    >>> leaks("r1 = search_books(author='Tolkien', year=1969)", "Tolkien's books")
    True
    >>> leaks("r1 = convert(amount=1969.5)", "Convert 1969.5 euros")
    False
    """
    return bool(leaked_values(plan_text, question_text))
