"""The search with the real embedded model, the real grammar and the real Z3."""

from __future__ import annotations

import numpy as np
import pytest

from neurosym.grammar.engines import llguidance_matcher
from neurosym.grammar import build_grammar
from neurosym.model import build_messages
from neurosym.model.sequences import log_softmax
from neurosym.planner import Planner
from neurosym.search import BeamSearch
from neurosym.solver import check_plan

pytestmark = pytest.mark.model

REQUESTS = ("Turn the living room lights to 40 percent.",
            "Translate 'good morning' into Italian.",
            "Book a table for 4 at Luigi's at 8pm.")


def _greedy_reference(model, matcher, prompt: list[int], max_tokens: int = 128) -> str:
    """Greedy decoding under the grammar, written independently of the search: the
    model's most likely allowed token each time, the grammar's forced tokens after it,
    every token evaluated alone through the model's own prefix cache."""
    matcher = matcher.deep_copy()
    matcher.reset()
    tokens: list[int] = []
    words = (model.n_vocab + 31) // 32
    mask = np.zeros(words, dtype=np.int32)
    with model.lock:
        model.reset()
        model.sync(prompt)
        while len(tokens) < max_tokens and not matcher.is_stopped():
            matcher.unsafe_compute_mask_ptr(mask.ctypes.data, mask.nbytes)
            allowed = np.unpackbits(mask.view(np.uint8), bitorder="little")[:model.n_vocab].astype(bool)
            scores = np.where(allowed, log_softmax(model.logits()), -np.inf)
            token = int(np.argmax(scores))
            if token in model.eos:
                break
            assert matcher.consume_token(token)
            new = [token, *matcher.compute_ff_tokens()]
            assert matcher.consume_tokens(new[1:])
            tokens.extend(new)
            model.eval(new)
    return model.detokenize(tokens)


def _setup(model, tools, request: str):
    grammar = build_grammar(tools, max_steps=8)
    matcher = llguidance_matcher(grammar.lark, model.lltokenizer)
    prompt = model.render_chat(build_messages(tools, request))
    return matcher, prompt, model.tokenize_prompt(prompt)


@pytest.mark.parametrize("request_text", REQUESTS)
def test_width_one_is_greedy_decoding(model, home_tools, request_text: str) -> None:
    matcher, _, tokens = _setup(model, home_tools, request_text)
    with model.lock:
        outcome = BeamSearch(model, matcher, width=1, canonical=False, max_tokens=128).search(tokens)
    # A plan the budget cuts is compared where it was cut: both stop after 128 tokens.
    text = outcome.candidates[0].text if outcome.candidates else outcome.cut_text
    assert text and text == _greedy_reference(model, matcher, tokens)


def _sequential_parts(model, prompt: list[int], text: str) -> tuple[float, np.ndarray]:
    """log p(text | prompt), each token evaluated alone, the text split canonically; and
    the log-probabilities of the next token after it."""
    total = 0.0
    with model.lock:
        model.reset()
        model.sync(prompt)
        for token in model.tokenize(text):
            total += float(log_softmax(model.logits())[token])
            model.eval([token])
        return total, log_softmax(model.logits())


def _sequential_logprob(model, prompt: list[int], text: str) -> float:
    """log p(text, end | prompt), each token evaluated alone, the text split canonically."""
    body, after = _sequential_parts(model, prompt, text)
    return body + max(float(after[e]) for e in model.eos)


def test_scores_are_the_models_log_probability_of_each_plan(model, home_tools) -> None:
    planner = Planner(home_tools, model=model, width=4, contrast_weight=0.0, end_weight=0.0,
                      abstain_bias=0.0)
    result = planner.plan(REQUESTS[2])
    assert result.ok and result.alternatives
    prompt = model.tokenize_prompt(model.render_chat(planner.messages(REQUESTS[2])))
    for scored in (result, *result.alternatives):
        expected = _sequential_logprob(model, prompt, scored.text)
        # llama.cpp's batched and one-token evaluations differ in rounding only.
        assert scored.score == pytest.approx(expected, abs=0.05 + 0.01 * abs(expected))
    ranked = [result.score, *(a.score for a in result.alternatives)]
    assert ranked == sorted(ranked, reverse=True)


@pytest.mark.parametrize("end_weight", [None, 1.0])
def test_the_contrast_is_the_log_probability_after_an_empty_request(model, home_tools,
                                                                     end_weight) -> None:
    planner = Planner(home_tools, model=model, width=2, contrast_weight=0.5,
                      end_weight=end_weight)
    result = planner.plan(REQUESTS[0])
    assert result.ok
    prompt = model.tokenize_prompt(model.render_chat(planner.messages(REQUESTS[0])))
    empty = model.tokenize_prompt(model.render_chat(planner.messages("")))
    body, after = _sequential_parts(model, prompt, result.text)
    end = max(model.eos, key=lambda e: float(after[e]))
    contrast_body, contrast_after = _sequential_parts(model, empty, result.text)
    # The end token the request makes likeliest, weighed after both prompts; the end's
    # contrast at end_weight (None: the contrast's own scale).
    scale = 0.5 if end_weight is None else end_weight
    expected = (body + float(after[end])
                - 0.5 * contrast_body - scale * float(contrast_after[end]))
    assert result.score == pytest.approx(expected, abs=0.05 + 0.01 * abs(expected))


def test_planned_tokens_are_the_tokenizers_own_split(model, home_tools) -> None:
    planner = Planner(home_tools, model=model)
    for request in REQUESTS:
        result = planner.plan(request)
        assert result.ok and result.search is not None
        best = next(c for c in result.search.candidates if c.text == result.text)
        assert list(best.tokens) == model.tokenize(best.text)
        assert best.canonical


def test_the_search_never_returns_a_plan_the_final_check_rejects(model) -> None:
    from neurosym.tools.tool import Param, Tool
    hotel = Tool("book_hotel", "Book a hotel room.", (
        Param("city", "string"), Param("nights", "integer", minimum=1, maximum=14),
        Param("price", "number")))
    constraints = ["sum(book_hotel.price) <= 500", "book_hotel.nights <= 3"]
    planner = Planner([hotel], constraints, model=model, width=4)
    for request in ("Book a hotel in Paris for 2 nights at 300 euros.",
                    "Book a hotel in Rome for 5 nights at 900 euros.",
                    "Book two hotels, one in Oslo and one in Bergen, 200 euros each."):
        result = planner.plan(request)
        for plan in [result.plan] * result.ok + [a.plan for a in result.alternatives]:
            verdict = check_plan(plan, [hotel], planner.constraint_set)
            assert not verdict.refuted, (request, plan.text, verdict.explanation)


def test_at_the_choices_the_beam_and_given_plans_weigh_alike(model, home_tools) -> None:
    """``contrast_scope="choices"``: the beam finds the chosen positions as it decodes
    (tokens the grammar does not force, at a choice); ``GivenPlans`` finds them by
    walking a finished text. Both give one plan one weight."""
    from neurosym.search import GivenPlans
    options = {"contrast_scope": "choices", "steer": "all", "abstain_bias": 0.0}
    searched = Planner(home_tools, model=model, width=4, **options).plan(REQUESTS[2])
    assert searched.ok and searched.alternatives
    texts = [searched.text, *(a.text for a in searched.alternatives)]
    given = Planner(home_tools, model=model, search=GivenPlans(texts), **options).plan(REQUESTS[2])
    # What the contrast takes off, per plan: llama.cpp's batched evaluations round
    # differently by batch (tenths of a nat); one choice weighed or not is whole nats.
    searched_credit = {c.text: c.score - c.logprob for c in searched.search.candidates}
    given_credit = {c.text: c.score - c.logprob for c in given.search.candidates}
    assert set(given_credit) == set(texts)
    for text in texts:
        assert searched_credit[text] == pytest.approx(given_credit[text], abs=0.5)


def test_at_the_choices_a_copied_stretch_gains_nothing_from_its_length(model, home_tools) -> None:
    """Over every token, copying the request into a string gains the copy's whole
    surprise under the empty request; at the choices, only the value's first token
    is contrasted, so the copy costs its plain likelihood like any other text."""
    from neurosym.search import GivenPlans
    short = "r1 = book_table(restaurant=\"Luigi's\", people=4, time=\"8pm\")"
    copied = "r1 = book_table(restaurant=\"Book a table for 4 at Luigi's\", people=4, time=\"8pm\")"

    def credit(scope: str) -> dict[str, float]:
        planner = Planner(home_tools, model=model, search=GivenPlans([short, copied]),
                          contrast_scope=scope, abstain_bias=0.0)
        result = planner.plan(REQUESTS[2])
        return {c.text: c.score - c.logprob for c in result.search.candidates}

    every, choices = credit("all"), credit("choices")
    assert every[copied] - every[short] > 5.0
    assert abs(choices[copied] - choices[short]) < 3.0


def test_an_unknown_contrast_scope_is_refused(home_tools) -> None:
    from neurosym.errors import ConfigurationError
    with pytest.raises(ConfigurationError, match="contrast_scope"):
        Planner(home_tools, contrast_scope="some")


def test_no_branch_writes_a_reference_to_a_step_not_yet_written(model) -> None:
    # The model likes a reference for an object-typed value even in the first step, where
    # none can stand: those tokens leave before they are written, and the search goes on
    # with the values it can write (the dict), instead of spending its budget on paths
    # such as `budget=r2.get_property_value_by_...` that are refused only when they end.
    from neurosym.bench.bfcl import load_category
    from neurosym.tools import ToolSet
    # BFCL multiple_8 (a dev entry): its two functions and its question.
    entry = next(e for e in load_category("multiple", 5, half="dev") if e.id == "multiple_8")
    tools = ToolSet.from_bfcl(entry.shown_functions())
    events = []
    planner = Planner(tools, model=model, width=4)
    result = planner.plan([dict(m) for m in entry.messages], on_event=events.append)
    first_lines = [event.text.split("\n", 1)[0] for event in events
                   if isinstance(getattr(event, "text", None), str)]
    assert first_lines
    import re
    referring = re.compile(r"[(,] ?[A-Za-z_][A-Za-z0-9_]*=r[0-9]")
    assert not [line for line in first_lines if referring.search(line)], first_lines
    calls = [c for c in result.search.candidates if c.text.startswith("r1 = realestate")]
    assert calls and all('budget={' in c.text for c in calls)


def test_a_branch_that_repeats_itself_is_cut_before_the_token_budget(model) -> None:
    # BFCL multiple_10 (dev): branches list the same column over and over; they leave as
    # soon as the stretch has come back three times, not when the budget runs out.
    from neurosym.bench.bfcl import load_category
    from neurosym.search import SearchEvent
    from neurosym.tools import ToolSet
    entry = next(e for e in load_category("multiple", 6, half="dev") if e.id == "multiple_10")
    events: list[SearchEvent] = []
    planner = Planner(ToolSet.from_bfcl(entry.shown_functions()), model=model, width=4)
    result = planner.plan([dict(m) for m in entry.messages], on_event=events.append)
    cuts = [e for e in events if isinstance(e, SearchEvent) and e.kind == "cut"]
    assert cuts and all(e.reason == "the plan repeats itself" for e in cuts)
    assert result.search.stop == "complete"
    assert any(c.text.startswith("r1 = database.") for c in result.search.candidates)
