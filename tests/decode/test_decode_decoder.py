"""The constrained decoder with the real model: masks, checkpoints, rollback, hooks, budgets."""

from __future__ import annotations

import pytest

from neurosym.decode import (Budgets, Checkpoint, CheckpointEvent, Continue, Decoder, DecodeState, Hooks, Reject,
                             RollbackEvent, Sampling, TokenEvent, ValueEvent)
from neurosym.decode.boundary import Boundary
from neurosym.errors import BudgetExceeded, DecodeError, GrammarError
from neurosym.grammar.engines import lark_accepts
from neurosym.model import build_messages
from neurosym.plan.render import render_value
from neurosym.tools.tool import Param, Tool

pytestmark = pytest.mark.model

GRAMMAR = r"""
start: step ("\n" step)?
step: NAME " = " call | call
call: weather | add
weather: "weather(" "city=" CITY (", unit=" UNIT)? ")"
add: "add(" "a=" INT ", b=" INT ")"
NAME: /[a-z][a-z_]{0,10}/
CITY: /"[A-Za-z ]{1,20}"/
UNIT: "\"C\"" | "\"F\""
INT: /-?[0-9]{1,4}/
"""

TOOLS = [Tool("weather", "The weather in a city.",
               (Param("city", "string"), Param("unit", "string", enum=("C", "F"), required=False))),
          Tool("add", "Add two numbers.", (Param("a", "integer"), Param("b", "integer")))]


@pytest.fixture(scope="module")
def decoder(model):
    return Decoder(model, GRAMMAR, budgets=Budgets(max_tokens=64))


def _prompt(model, request: str) -> str:
    return model.render_chat(build_messages(TOOLS, request))


@pytest.fixture(scope="module")
def prompt(model):
    return _prompt(model, "What is the weather in Paris in Celsius?")


@pytest.fixture(scope="module")
def baseline(decoder, prompt):
    return decoder.decode(prompt)


def test_output_follows_the_grammar_and_greedy_is_deterministic(decoder, prompt, baseline):
    assert lark_accepts(GRAMMAR, baseline.text), baseline.text
    assert baseline.stop in ("eos", "grammar")
    assert decoder.decode(prompt).text == baseline.text
    assert baseline.forced_tokens > 0            # the grammar's forced text came in batches
    assert baseline.timings["mask_s"] > 0 and baseline.tokens_per_second > 0


def test_masks_in_a_worker_thread_give_the_same_text_as_in_line(model, prompt, baseline):
    serial = Decoder(model, GRAMMAR, budgets=Budgets(max_tokens=64), overlap=False)
    assert serial.decode(prompt).text == baseline.text


def test_kv_prefix_reuse_gives_the_cold_output(model, decoder):
    first = _prompt(model, "What is the weather in Rome?")
    second = _prompt(model, "What is the weather in Oslo?")
    decoder.decode(first)
    warm = decoder.decode(second)
    assert warm.reused_tokens > warm.prompt_tokens // 2
    model.reset()
    cold = decoder.decode(second)
    assert cold.reused_tokens == 0
    assert cold.text == warm.text


def test_events_stream_tokens_values_and_calls(decoder, prompt, baseline):
    seen = []
    result = decoder.decode(prompt, on_event=seen.append)
    assert [e for e in seen if isinstance(e, TokenEvent)] == [
        e for e in result.events if isinstance(e, TokenEvent)]
    tokens = "".join(e.text for e in seen if isinstance(e, TokenEvent))
    assert tokens == result.text
    values = [e for e in seen if isinstance(e, ValueEvent)]
    assert values and values[0].text in result.text
    times = [e.t for e in seen]
    assert times == sorted(times)


class _RejectOnce(Hooks):
    """Rejects the first boundary of ``kind`` once, rolling back to a chosen checkpoint."""

    def __init__(self, kind: str, target: str, block: bool = False) -> None:
        self.kind, self.target, self.block = kind, target, block
        self.done = False
        self.rolled: list[tuple[Checkpoint, str]] = []

    def on_boundary(self, event: Boundary, state: DecodeState):
        if self.done or event.kind != self.kind:
            return Continue()
        self.done = True
        target = [c for c in state.checkpoints if c.kind == self.target][-1]
        return Reject(target, block=event.text if self.block else None, reason="test")

    def on_rollback(self, target: Checkpoint, state: DecodeState) -> None:
        self.rolled.append((target, state.text))


@pytest.mark.parametrize("kind, target", [("value_end", "value_start"),
                                          ("call_end", "step_start"),
                                          ("step_end", "call_start")])
def test_rollback_then_regenerate_gives_the_fresh_text(decoder, prompt, baseline, kind, target):
    hooks = _RejectOnce(kind, target)
    result = decoder.decode(prompt, hooks=hooks)
    assert result.rollbacks == 1
    assert result.text == baseline.text
    (checkpoint, text_then), = hooks.rolled
    assert text_then == baseline.text[:checkpoint.offset]


def test_a_boundary_inside_a_token_is_restored_exactly(decoder, prompt, baseline):
    inside = [e.checkpoint for e in baseline.events if isinstance(e, CheckpointEvent)
              and e.checkpoint.kind == "value_start" and not e.checkpoint.aligned]
    assert inside, "expected a value start inside a token (the token '=\"')"
    checkpoint = inside[0]
    assert checkpoint.prefix.decode() == baseline.text[
        checkpoint.offset - len(checkpoint.prefix):checkpoint.offset]

    class Back(Hooks):
        def __init__(self) -> None:
            self.text_after: str | None = None

        def on_boundary(self, event, state):
            if self.text_after is None and event.kind == "call_end":
                live = [c for c in state.checkpoints
                        if (c.kind, c.offset, c.path) == (checkpoint.kind, checkpoint.offset,
                                                          checkpoint.path)]
                return Reject(live[0], reason="back to a boundary inside a token")
            return Continue()

        def on_rollback(self, target, state):
            self.text_after = state.text

    hooks = Back()
    result = decoder.decode(prompt, hooks=hooks)
    assert hooks.text_after == baseline.text[:checkpoint.offset]
    after = result.events[[i for i, e in enumerate(result.events)
                           if isinstance(e, RollbackEvent)][0] + 1:]
    refed = [e for e in after if isinstance(e, TokenEvent)]
    assert refed[0].forced and checkpoint.prefix.decode().startswith(refed[0].text)
    assert result.text.startswith(baseline.text[:checkpoint.offset])
    assert lark_accepts(GRAMMAR, result.text)


class _Narrow(Hooks):
    def __init__(self, param: str, grammar: str) -> None:
        self.param, self.grammar = param, grammar

    def value_constraint(self, event, state):
        return self.grammar if event.param == self.param else None


def _value(result, param):
    """The value of ``param`` in the first call that has it, as the plan wrote it."""
    for step in result.steps:
        value = step.call.arg(param)
        if value is not None:
            return render_value(value)
    return None


def test_value_constraint_narrows_an_enum(decoder, prompt, baseline):
    assert _value(baseline, "unit") == '"C"'
    narrowed = decoder.decode(prompt, hooks=_Narrow("unit", 'start: "\\"F\\""'))
    assert _value(narrowed, "unit") == '"F"'
    assert lark_accepts(GRAMMAR, narrowed.text)


def test_value_constraint_narrows_an_integer_range(model, decoder):
    prompt = _prompt(model, "Add 2 and 3.")
    free = decoder.decode(prompt)
    assert _value(free, "a") == "2"
    narrowed = decoder.decode(prompt, hooks=_Narrow("a", "start: /1[0-9]/"))
    assert 10 <= int(_value(narrowed, "a")) <= 19


class _BlockValues(Hooks):
    """Rejects every value of ``param`` it has not seen, blocking it, up to ``limit``."""

    def __init__(self, param: str, limit: int) -> None:
        self.param, self.limit = param, limit
        self.blocked: list[str] = []
        self.kinds: list[str] = []

    def on_boundary(self, event, state):
        self.kinds.append(event.kind)
        if event.kind == "value_end" and event.param == self.param and len(self.blocked) < self.limit:
            start = [c for c in state.checkpoints if c.kind == "value_start"
                     and c.path == event.path][-1]
            assert event.text not in state.blocked(start)
            self.blocked.append(event.text)
            return Reject(start, block=event.text, reason="blocked for the test")
        return Continue()


def test_blocked_values_are_not_written_again(decoder, prompt, baseline):
    hooks = _BlockValues("city", 3)
    result = decoder.decode(prompt, hooks=hooks)
    assert hooks.blocked[0] == _value(baseline, "city")
    assert len(set(hooks.blocked)) == 3          # each rejection gave a new value
    assert _value(result, "city") not in hooks.blocked
    assert result.rollbacks == 3 and lark_accepts(GRAMMAR, result.text)


def test_a_value_with_no_choice_left_backs_off_to_an_earlier_choice(decoder, prompt, baseline):
    hooks = _BlockValues("unit", 2)              # both "C" and "F" blocked: a dead end
    result = decoder.decode(prompt, hooks=hooks)
    assert sorted(hooks.blocked) == ['"C"', '"F"']
    assert "dead_end" in hooks.kinds
    assert "unit=" not in result.text and lark_accepts(GRAMMAR, result.text)


def test_rejecting_the_end_makes_the_model_go_on(model, prompt):
    # four steps allowed: the model ends on its own (after three), before the grammar would
    decoder = Decoder(model, GRAMMAR.replace('("\\n" step)?',
                                             '("\\n" step ("\\n" step ("\\n" step)?)?)?'),
                      budgets=Budgets(max_tokens=128))
    baseline = decoder.decode(prompt)
    assert baseline.stop == "eos" and len(baseline.steps) < 4

    class KeepGoing(Hooks):
        def __init__(self) -> None:
            self.count = 0

        def on_boundary(self, event, state):
            if event.kind == "plan_end" and self.count == 0:
                self.count += 1
                return Reject(event.checkpoint, reason="one more step")
            return Continue()

    result = decoder.decode(prompt, hooks=KeepGoing())
    assert result.text.startswith(baseline.text + "\n")
    assert len(result.steps) > len(baseline.steps)


def test_sampling_with_a_seed_is_reproducible(model, prompt):
    sampler = Decoder(model, GRAMMAR, sampling=Sampling(temperature=1.0, seed=7),
                      budgets=Budgets(max_tokens=64))
    first = sampler.decode(prompt)
    assert sampler.decode(prompt).text == first.text
    assert lark_accepts(GRAMMAR, first.text)


def test_without_a_grammar_decoding_is_free_and_stops_at_its_length(model, prompt):
    free = Decoder(model, None, budgets=Budgets(max_tokens=12))
    result = free.decode(prompt)
    assert result.stop in ("length", "eos") and len(result.tokens) <= 12


@pytest.mark.parametrize("budgets, budget", [
    (Budgets(max_tokens=4), "max_tokens"),
    (Budgets(max_tokens=64, max_seconds=0.0), "max_seconds"),
])
def test_budgets_end_decoding_with_a_clear_error(model, prompt, budgets, budget):
    with pytest.raises(BudgetExceeded) as caught:
        Decoder(model, GRAMMAR, budgets=budgets).decode(prompt)
    assert caught.value.budget == budget and caught.value.hint


def test_endless_rejection_runs_out_of_rollbacks(model, prompt):
    class Never(Hooks):
        def on_boundary(self, event, state):
            if event.kind == "value_end":
                start = [c for c in state.checkpoints if c.kind == "value_start"][-1]
                return Reject(start, reason="never")
            return Continue()

    decoder = Decoder(model, GRAMMAR, budgets=Budgets(max_tokens=64, max_rollbacks=5))
    with pytest.raises(BudgetExceeded) as caught:
        decoder.decode(prompt, hooks=Never())
    assert caught.value.budget == "max_rollbacks"


def test_a_stale_checkpoint_is_refused(decoder, prompt):
    class Stale(Hooks):
        def __init__(self) -> None:
            self.kept: Checkpoint | None = None

        def on_boundary(self, event, state):
            if event.kind == "value_start" and self.kept is None:
                self.kept = event.checkpoint
                return Reject(state.checkpoints[0], reason="drop it")
            if self.kept is not None and event.kind == "value_end":
                return Reject(self.kept, reason="a checkpoint rolled away")
            return Continue()

    with pytest.raises(DecodeError, match="no longer live"):
        decoder.decode(prompt, hooks=Stale())


@pytest.mark.parametrize("grammar", ['start: "a" (', "start: undefined_rule"])
def test_a_grammar_llguidance_cannot_load_is_a_grammar_error(model, grammar):
    with pytest.raises(GrammarError) as caught:
        Decoder(model, grammar)
    assert caught.value.hint


def test_a_broken_value_grammar_is_a_grammar_error(decoder, prompt):
    with pytest.raises(GrammarError):
        decoder.decode(prompt, hooks=_Narrow("city", "start: ("))
