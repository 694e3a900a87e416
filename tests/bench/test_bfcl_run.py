"""Running a category end to end with answer functions that need no model."""

from __future__ import annotations

import pytest
from tests.bench.bench_helpers import first_possible_answer

from neurosym.bench.bfcl import Answer, BfclEntry, RunResult, run_category
from neurosym.errors import DecodeError, ModelNotFoundError


def _oracle(entry: BfclEntry) -> Answer:
    """BFCL's own first possible answer, as if a model had written it."""
    return Answer(first_possible_answer(entry), "oracle", True, prompt_tokens=100,
                  output_tokens=len(entry.id), latency_s=len(entry.id) / 100)


def _abstain(entry: BfclEntry) -> Answer:
    return Answer([], "none()", True, prompt_tokens=10, output_tokens=2, latency_s=0.01)


@pytest.mark.parametrize("name", ["simple_python", "multiple", "parallel", "parallel_multiple"])
def test_oracle_answers_score_full_marks(name: str) -> None:
    result = run_category(name, _oracle, limit=8, mode="oracle", progress=False)
    assert (result.n, result.correct, result.accuracy) == (8, 8, 1.0)
    assert result.error_counts == {} and result.well_formed_rate == 1.0


def test_abstaining_is_right_on_irrelevance_and_wrong_elsewhere() -> None:
    assert run_category("irrelevance", _abstain, limit=5, progress=False).accuracy == 1.0
    simple = run_category("simple_python", _abstain, limit=5, progress=False)
    assert simple.accuracy == 0.0 and simple.error_counts == {"wrong_count": 5}


def test_summary_figures() -> None:
    result = run_category("simple_python", _oracle, limit=10, mode="oracle", progress=False)
    latencies = sorted(e.latency_s for e in result.entries)
    summary = result.summary()
    assert summary["category"] == "simple_python" and summary["mode"] == "oracle"
    assert summary["n"] == 10 and summary["limit"] == 10 and summary["accuracy"] == 1.0
    assert summary["prompt_tokens_mean"] == 100.0
    assert summary["output_tokens_mean"] == pytest.approx(
        sum(len(e.id) for e in result.entries) / 10, abs=0.05)
    assert result.latency_median_s == pytest.approx((latencies[4] + latencies[5]) / 2)
    assert result.latency_p90_s == latencies[8]


def test_an_entry_error_counts_against_the_entry_and_the_run_goes_on() -> None:
    def flaky(entry: BfclEntry) -> Answer:
        if entry.id.endswith("_1"):
            raise DecodeError("no token is allowed here", hint="retry")
        return _oracle(entry)

    result = run_category("simple_python", flaky, limit=3, progress=False)
    assert [e.score.correct for e in result.entries] == [True, False, True]
    failed = result.entries[1]
    assert not failed.well_formed and failed.score.error_type == "malformed"
    assert "DecodeError" in failed.note
    assert result.entry_errors == {"DecodeError": 1}
    assert result.summary()["entry_errors"] == {"DecodeError": 1}


def test_a_setup_error_ends_the_run() -> None:
    def no_model(entry: BfclEntry) -> Answer:
        raise ModelNotFoundError("no GGUF model found", hint="pass --model")

    with pytest.raises(ModelNotFoundError):
        run_category("simple_python", no_model, limit=2, progress=False)


def test_progress_is_drawn_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    run_category("simple_python", _oracle, limit=3, mode="oracle", progress=True)
    err = capsys.readouterr().err
    assert "bfcl simple_python [oracle] 3/3" in err and "acc 100.0%" in err


def test_empty_run_has_zero_figures() -> None:
    result = RunResult("simple_python", "free")
    figures = (result.n, result.accuracy, result.latency_median_s, result.latency_p90_s)
    assert figures == (0, 0, 0, 0)
