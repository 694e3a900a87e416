"""How many calls a request needs, judged by the values it names.

A request names the values its calls need: numbers, quoted text, proper names
("Play Taylor Swift for 20 minutes and Maroon 5 for 15"). A small model often stops
after the first call although the request names values no call has used yet, or adds a
call that uses nothing the request asked for ("What is the capital of Brazil?" answered
with the capital *and* the population). :class:`CoverageHooks` steers both ends:

- when the model wants to end the plan while a value of the request is still unused, it
  must write one more call;
- a call after the first that uses no value left unused before it (and no earlier
  result) is taken back, and the plan ends before it;
- a number the request names only as negative ("c = -4") is written with its sign;
- an optional argument whose value the request does not name (``permeability=0.5``
  for "the field of a loop carrying 5 A") is left out: the model writes ``None`` there,
  which leaves the tool's default.

In a later call the model goes on to write by itself (not one asked for: a request
often names values a single call has no place for), an argument that copies an
earlier call's value of the same tool is written again when the call has used nothing
new so far and no parameter after it could take a value still unused: the call would
add nothing ("EMF for 5 T, 2 m² and 4 s, then again with 10 s": a second call that
copies ``d_time=4`` is made to choose again among the unused values, while its field
and area, copied with ``d_time`` still to come, stay). Each argument is written again
at most ``max_rewrites`` times.

The call asked for binds a fresh name: rebinding a name would end the plan (see
``neurosym.decode.structure``), and small models often start a second call of a tool
with the first one's name. Where another hook has ended the plan after a step, the
end stands: asking for a call there would leave the model no way forward.

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
from ..tools.tool import Param, Tool
from .boundary import Boundary
from .checkpoint import Checkpoint
from .hooks import (CONTINUE, Decision, DecodeState, Hooks, Reject, ValueGrammars,
                    checkpoint_at, end_before_step)
from .structure import fresh_name_line_grammar

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
        if match.start() and request[match.start() - 1].isdigit():
            continue  # a unit written onto its number: 298K, 5C, 100mL
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


def _blank(value: object) -> bool:
    return value is None or isinstance(value, bool) or value == ""


def _holds(param: Param, value: RequestValue) -> bool:
    """Whether ``param`` could take ``value`` (a number fits numbers and text, a word
    text only; lists, objects and untyped parameters take anything)."""
    if param.enum:
        return any(value.text.lower() in str(option).lower() for option in param.enum)
    if param.type in ("integer", "number"):
        return value.number is not None
    return param.type != "boolean"


_PHRASE = re.compile(r"[A-Z][\w&'.-]*(?:\s+(?:of\s+|de\s+)?[A-Z][\w&'.-]*)*")


def _phrases(request: str, value: RequestValue) -> list[str]:
    """The texts of ``request`` a string argument may take for ``value``: each run of
    capitalised words holding it ("Los Angeles" for "Angeles"), each quoted text holding
    it, and the value itself.

    >>> _phrases("Fetch Los Angeles and 'The Office'", RequestValue("Angeles"))
    ['Los Angeles', 'Angeles']
    """
    found = []
    for match in _PHRASE.finditer(request):
        words = match.group().rstrip(".").split()
        if _SENTENCE_START.search(request[:match.start()]):
            words = words[1:]  # a sentence's first word is capitalised anyway
        if words:
            found.append(" ".join(words))
    found += [m.group(1) or m.group(2) for m in _QUOTED.finditer(request)]
    return [*dict.fromkeys([p for p in found if value.text in p.split()] + [value.text])]


def _number_text(number: float) -> str:
    return str(int(number)) if number == int(number) else repr(number)


def _values_grammar(param: Param, values: Sequence[RequestValue],
                    request: str = "") -> str | None:
    """A value grammar admitting only ``param`` values that are one of ``values`` (a
    string: a phrase of ``request`` holding it), or None when ``param`` can take none.

    >>> print(_values_grammar(Param("t", "integer"), [RequestValue("10", 10.0)]))
    start: /-?(?:10)/
    >>> print(_values_grammar(Param("city", "string"), [RequestValue("Portland")],
    ...                       "Tax in Chicago and Portland, Oregon"))
    start: /"(?:Portland)"/
    """
    fitting = [v for v in values if _holds(param, v)]
    if param.type in ("integer", "number"):
        numbers = [v.number for v in fitting if v.number is not None
                   and (param.type == "number" or v.number == int(v.number))]
        if not numbers:
            return None
        options = "|".join(re.escape(_number_text(abs(n))) for n in dict.fromkeys(numbers))
        return f"start: /-?(?:{options})/"
    if (param.type == "string" and not param.enum and param.pattern is None
            and param.format is None and param.min_length is None):
        texts = [text for v in fitting for text in _phrases(request, v)
                 if '"' not in text and "\\" not in text]
        if not texts:
            return None
        return "start: /\"(?:" + "|".join(re.escape(t) for t in dict.fromkeys(texts)) + ")\"/"
    return None


_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20,
                 "thirty": 30, "hundred": 100, "thousand": 1000, "dozen": 12, "once": 1,
                 "twice": 2, "double": 2, "half": 0.5}


def _request_numbers(request: str) -> list[float]:
    """Every number written in ``request``, units glued on or not (298K, 5%), and the
    number words."""
    found = [float(text.replace(",", ""))
             for text in re.findall(r"\d+(?:,\d{3})*(?:\.\d+)?", request)]
    words = re.findall(r"[a-z]+", request.lower())
    return found + [float(_NUMBER_WORDS[w]) for w in words if w in _NUMBER_WORDS]


def _stems(text: str) -> set[str]:
    return {token[:4] for token in re.findall(r"[a-z0-9]+", text.lower()) if len(token) > 1}


def _named(value: object, request_stems: set[str], numbers: Sequence[float]) -> bool:
    """Whether the request names ``value``: an equal number (or its percentage), or a
    text sharing a word with it (by its first four letters). Flags and None count as
    named: the model may set a switch the request implies.

    >>> _named(0.05, set(), [5.0]), _named(0.5, set(), [5.0]), _named("km/h", {"km"}, [])
    (True, False, True)
    """
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, (int, float)):
        size = abs(float(value))
        return any(abs(size - n) <= 1e-9 * max(1.0, n) or abs(size * 100 - n) <= 1e-6
                   for n in numbers)
    if isinstance(value, str):
        return not value.strip() or bool(_stems(value) & request_stems)
    return True


def _ended_here(state: DecodeState, offset: int) -> bool:
    """Whether a hook has ended the plan after the step that ends at ``offset``."""
    return any(c.kind == "step_end" and c.offset == offset and "\n" in state.blocked(c)
               for c in state.checkpoints)


def _uses_results(call: Call) -> bool:
    return any(isinstance(leaf, Ref) for _, value in call.args for leaf in _leaves(value))


class CoverageHooks(Hooks):
    """Hooks that keep the number of calls to the values the request names (see the
    module). ``max_steps`` bounds the calls the rule may ask for. ``retract=False`` keeps
    every call the model writes (the planner turns taking back off when constraints may
    need calls the request does not name)."""

    def __init__(self, request: str, tools: Iterable[Tool] = (), *, max_steps: int = 8,
                 retract: bool = True, max_rewrites: int = 2) -> None:
        self.request = request
        self.values = request_values(request)
        self._stems = _stems(request)
        self._numbers = _request_numbers(request)
        self.tools: Mapping[str, Tool] = {t.name: t for t in tools}
        self.max_steps = max_steps
        self.retract = retract
        self.max_rewrites = max_rewrites
        # The arguments of the open step so far, as (offset, step, name, value), and how
        # often each (step, parameter) was written again.
        self._args: list[tuple[int, int, str, Value]] = []
        self._rewrites: dict[tuple[int, str], int] = {}
        # Value grammars of arguments written again: the value must be an unused one.
        self._narrowed: dict[int, str] = {}
        # Offsets where one more call was asked for: asked once, since coming back there
        # means that call was taken back.
        self._pushed: set[int] = set()
        self._given_up: set[int] = set()    # offsets where the plan may end after all

    def _used(self, steps: Sequence[Step]) -> set[int]:
        """Indexes of the request's values the calls in ``steps`` use."""
        return self._used_by_calls([step.call for step in steps])

    def _used_by_calls(self, calls: Sequence[Call]) -> set[int]:
        strings: list[str] = []
        numbers: list[float] = []
        for call in calls:
            tool = self.tools.get(call.tool)
            strings.append(call.tool.lower().replace("_", " ").replace(".", " "))
            if tool is not None and tool.description:
                strings.append(tool.description.lower())
            for _, value in call.args:
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

    def on_rollback(self, target: Checkpoint, state: DecodeState) -> None:
        self._args = [arg for arg in self._args if arg[0] < target.offset]
        self._narrowed = {offset: grammar for offset, grammar in self._narrowed.items()
                          if offset <= target.offset}

    def on_boundary(self, event: Boundary, state: DecodeState) -> Decision:
        if event.kind == "value_end" and isinstance(event.value, Literal):
            unnamed = self._unnamed_option(event, state)
            if unnamed is not None:
                return unnamed
        if not self.values:
            return CONTINUE
        if event.kind == "value_end" and isinstance(event.value, Literal):
            sign = self._sign(event, state)
            if sign is not None:
                return sign
            if len(event.path) == 3 and self.retract and event.step_index:
                return self._at_value(event, state)
        if event.kind == "plan_end":
            steps = [s for s in state.steps if isinstance(s, Step)]
            return self._at_end(event, state, steps)
        index = event.step_index
        if event.kind == "step_end" and isinstance(event.step, Step) and index and self.retract:
            before = [s for s in state.steps[:index] if isinstance(s, Step)]
            return self._at_step(state, before, event.step, index)
        return CONTINUE

    def value_constraint(self, event: Boundary, state: DecodeState) -> ValueGrammars:
        if event.kind == "value_start":
            return self._narrowed.get(event.offset)
        if event.kind != "step_start" or not self._follows_push(state, event.offset):
            return None
        bound = {s.bind for s in state.steps if isinstance(s, Step) and s.bind}
        return fresh_name_line_grammar(self.tools, bound) if bound else None

    def _unnamed_option(self, event: Boundary, state: DecodeState) -> Reject | None:
        """Leave out an optional argument whose value the request does not name: the
        model writes ``None`` instead, and the tool's default applies."""
        if len(event.path) != 3 or not self.retract or event.text in (None, "None"):
            return None
        tool = self.tools.get(str(event.path[1]))
        param = tool.param(str(event.path[2])) if tool is not None else None
        value = event.value.value if isinstance(event.value, Literal) else None
        if param is None or param.required or _named(value, self._stems, self._numbers):
            return None
        checkpoint = checkpoint_at(state, "value_start", event.path)
        if checkpoint is None or checkpoint.offset in self._narrowed:
            return None
        self._narrowed[checkpoint.offset] = 'start: "None"'
        return Reject(checkpoint, block=event.text,
                      reason=f"the request does not name {param.name}={event.text}: "
                             "it is left out")

    def _sign(self, event: Boundary, state: DecodeState) -> Reject | None:
        """Write a number again with its minus sign when the request names it negative
        only ("c = -4" written ``c=4``): small models drop the sign."""
        number = event.value.value if isinstance(event.value, Literal) else None
        if isinstance(number, bool) or not isinstance(number, (int, float)) or number <= 0:
            return None
        named = [v.number for v in self.values if v.number is not None]
        if -number not in named or number in named:
            return None
        checkpoint = checkpoint_at(state, "value_start", event.path)
        if checkpoint is None or event.text is None or checkpoint.offset in self._narrowed:
            return None
        self._narrowed[checkpoint.offset] = f"start: /-{re.escape(event.text)}/"
        return Reject(checkpoint, block=event.text,
                      reason=f"the request names -{event.text}, not {event.text}")

    def _at_value(self, event: Boundary, state: DecodeState) -> Decision:
        """Write an argument again when it copies an earlier call's value, the call has
        used no new value so far, and no parameter left could take one (see the module)."""
        index, tool_name, name = event.path
        assert isinstance(index, int) and isinstance(name, str) and event.value is not None
        value = event.value
        start = event.offset - len(event.text or "")
        self._args = [arg for arg in self._args if arg[0] < start and arg[1] == index]
        self._args.append((start, index, name, value))
        tool = self.tools.get(str(tool_name))
        if tool is None or not isinstance(value, Literal) or _blank(value.value):
            return CONTINUE
        earlier = [s.call for s in state.steps[:index]
                   if isinstance(s, Step) and s.call.tool == tool_name]
        if not any(dict(call.args).get(name) == value for call in earlier):
            return CONTINUE
        key = (index, name)
        if self._rewrites.get(key, 0) >= self.max_rewrites or self._was_asked_for(state, index):
            return CONTINUE
        before = [s.call for s in state.steps[:index] if isinstance(s, Step)]
        written = Call(str(tool_name), tuple((n, v) for _, _, n, v in self._args))
        used_before = self._used_by_calls(before)
        used_now = self._used_by_calls([*before, written])
        if used_now != used_before:
            return CONTINUE  # the step adds a value already
        unused = [v for i, v in enumerate(self.values) if i not in used_now]
        names = [p.name for p in tool.params]
        after = tool.params[names.index(name) + 1:] if name in names else ()
        written_names = {n for _, _, n, _ in self._args}
        room = [p for p in after if p.name not in written_names]
        if not unused or any(_holds(p, v) for p in room for v in unused):
            return CONTINUE
        checkpoint = checkpoint_at(state, "value_start", event.path)
        param = tool.param(name)
        grammar = _values_grammar(param, unused, self.request) if param is not None else None
        if checkpoint is None or event.text is None or grammar is None:
            return CONTINUE
        self._rewrites[key] = self._rewrites.get(key, 0) + 1
        self._narrowed[checkpoint.offset] = grammar
        return Reject(checkpoint, block=event.text,
                      reason=f"{name}={event.text} copies an earlier call, and no parameter "
                             "left could take " + ", ".join(v.text for v in unused))

    def _follows_push(self, state: DecodeState, offset: int) -> bool:
        """Whether a step starting at ``offset`` comes right after a plan end this hook
        refused."""
        return len(state.text[:offset].rstrip()) in self._pushed

    def _was_asked_for(self, state: DecodeState, index: int) -> bool:
        """Whether step ``index`` was written because this hook refused to end the plan
        (rather than because the model went on by itself)."""
        start = checkpoint_at(state, "step_start", (index,))
        return start is not None and self._follows_push(state, start.offset)

    def _at_end(self, event: Boundary, state: DecodeState, steps: list[Step]) -> Decision:
        if (not steps or len(steps) != len(state.steps) or len(steps) >= self.max_steps
                or event.offset in self._pushed or event.offset in self._given_up
                or event.checkpoint is None or _ended_here(state, event.offset)):
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
