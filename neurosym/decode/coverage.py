"""How many calls a request needs, judged by the values it names.

A request names the values its calls need: numbers, quoted text, proper names
("Play Taylor Swift for 20 minutes and Maroon 5 for 15"). A small model often stops
after the first call although the request names values no call has used yet, or adds a
call that uses nothing the request asked for ("What is the capital of Brazil?" answered
with the capital *and* the population). :class:`CoverageHooks` steers both ends:

- when the model wants to end the plan while a value of the request is still unused, it
  must write one more call;
- a call after the first that uses no value left unused before it (and no earlier
  result) is taken back, and the plan ends before it.

A value counts as used when an argument holds it (a number equal to it, a string that
contains it) or when the called tool's name or description mentions it ("Spotify" is
used by ``spotify.play``).

>>> values = request_values("Play songs by Taylor Swift and Maroon 5 for 20 and 15 minutes.")
>>> [v.text for v in values]
['Taylor', 'Swift', 'Maroon', '5', '20', '15']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from ..plan.ast import Call, DictValue, ListValue, Literal, Ref, Step, Value
from ..tools.tool import Tool
from .boundary import Boundary
from .hooks import CONTINUE, Decision, DecodeState, Hooks, Reject, end_before_step

__all__ = ["RequestValue", "request_values", "CoverageHooks"]

_NUMBER = re.compile(r"(?<![\w.^²³/])-?\d+(?:,\d{3})*(?:\.\d+)?(?![\w²³])")
_QUOTED = re.compile(r"'([^'\n]{1,80})'(?!\w)|\"([^\"\n]{1,80})\"")
_WORD = re.compile(r"[A-Za-z](?:[A-Za-z0-9&-]|'(?=[A-Za-z]))*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n)\s*[\"'(]*$")
#: Capitalised words that are not values even in mid-sentence.
_NOT_NAMES = frozenset({"I", "I'm", "I'd", "I've", "I'll", "Also", "And", "Then", "Please",
                        "What", "Which", "Who", "How", "When", "Where", "Can", "Could"})


@dataclass(frozen=True)
class RequestValue:
    """One value the request names: a number, or a word of a name or of quoted text."""

    text: str
    number: float | None = None

    def used_by(self, strings: Sequence[str], numbers: Sequence[float]) -> bool:
        if self.number is not None:
            if any(abs(n - self.number) <= 1e-9 * max(1.0, abs(n)) for n in numbers):
                return True
        needle = self.text.lower()
        return any(needle in s for s in strings)


def request_values(request: str) -> list[RequestValue]:
    """The values ``request`` names, in order: capitalised words outside a sentence's
    start, words in quotes, then numbers (exponents such as the 2 of ``m/s^2`` are
    units, not values)."""
    found: list[RequestValue] = []
    seen: set[str] = set()

    def add(value: RequestValue) -> None:
        if value.text.lower() not in seen:
            seen.add(value.text.lower())
            found.append(value)

    for match in _QUOTED.finditer(request):
        for word in _WORD.findall(match.group(1) or match.group(2)):
            add(RequestValue(word))
    for match in _WORD.finditer(request):
        word = match.group()
        if not word[0].isupper() or word in _NOT_NAMES:
            continue
        if _SENTENCE_START.search(request[:match.start()]):
            continue
        add(RequestValue(word))
    for match in _NUMBER.finditer(request):
        text = match.group()
        add(RequestValue(text, float(text.replace(",", ""))))
    return found


def _leaves(value: Value) -> Iterator[Literal | Ref]:
    if isinstance(value, (Literal, Ref)):
        yield value
    elif isinstance(value, ListValue):
        for item in value.items:
            yield from _leaves(item)
    elif isinstance(value, DictValue):
        for _, item in value.items:
            yield from _leaves(item)
    elif isinstance(value, Call):
        for _, item in value.args:
            yield from _leaves(item)


def _uses_results(call: Call) -> bool:
    return any(isinstance(leaf, Ref) for _, value in call.args for leaf in _leaves(value))


class CoverageHooks(Hooks):
    """Hooks that keep the number of calls to the values the request names (see the
    module). ``max_steps`` bounds the calls the rule may ask for. ``retract=False`` keeps
    every call the model writes (the planner turns taking back off when constraints may
    need calls the request does not name)."""

    def __init__(self, request: str, tools: Iterable[Tool] = (), *, max_steps: int = 8,
                 retract: bool = True) -> None:
        self.values = request_values(request)
        self.tools: Mapping[str, Tool] = {t.name: t for t in tools}
        self.max_steps = max_steps
        self.retract = retract
        # Offsets where one more call was asked for: asked once, since coming back there
        # means that call was taken back.
        self._pushed: set[int] = set()
        self._given_up: set[int] = set()    # offsets where the plan may end after all

    def _used(self, steps: Sequence[Step]) -> set[int]:
        """Indexes of the request's values the calls in ``steps`` use."""
        strings: list[str] = []
        numbers: list[float] = []
        for step in steps:
            tool = self.tools.get(step.call.tool)
            strings.append(step.call.tool.lower().replace("_", " ").replace(".", " "))
            if tool is not None and tool.description:
                strings.append(tool.description.lower())
            for _, value in step.call.args:
                for leaf in _leaves(value):
                    if isinstance(leaf, Ref):
                        continue
                    item = leaf.value
                    if isinstance(item, bool) or item is None:
                        continue
                    if isinstance(item, (int, float)):
                        numbers.append(float(item))
                        strings.append(repr(item))
                    else:
                        strings.append(str(item).lower())
        return {i for i, v in enumerate(self.values) if v.used_by(strings, numbers)}

    def on_boundary(self, event: Boundary, state: DecodeState) -> Decision:
        if not self.values:
            return CONTINUE
        if event.kind == "plan_end":
            steps = [s for s in state.steps if isinstance(s, Step)]
            return self._at_end(event, state, steps)
        index = event.step_index
        if event.kind == "step_end" and isinstance(event.step, Step) and index and self.retract:
            before = [s for s in state.steps[:index] if isinstance(s, Step)]
            return self._at_step(state, before, event.step, index)
        return CONTINUE

    def _at_end(self, event: Boundary, state: DecodeState, steps: list[Step]) -> Decision:
        if (not steps or len(steps) != len(state.steps) or len(steps) >= self.max_steps
                or event.offset in self._pushed or event.offset in self._given_up
                or event.checkpoint is None):
            return CONTINUE
        if len(self._used(steps)) == len(self.values):
            return CONTINUE
        self._pushed.add(event.offset)
        return Reject(event.checkpoint, reason="the request names values no call uses yet")

    def _at_step(self, state: DecodeState, before: list[Step], step: Step,
                 index: int) -> Decision:
        if _uses_results(step.call):
            return CONTINUE
        if self._used([*before, step]) - self._used(before):
            return CONTINUE
        decision = end_before_step(
            state, index, f"step {index + 1} uses no value of the request that the steps "
                          "before it left unused")
        if decision is None:
            return CONTINUE
        self._given_up.add(decision.rollback_to.offset)
        return decision
