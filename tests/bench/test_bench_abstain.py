"""The abstain suite's arithmetic: which rule abstains, how right it is, and the bias a
dev half fits (no model: the observations are written out)."""

from __future__ import annotations

import math

from neurosym.bench.abstain import Observation, accuracy, decide, fit, summarise


def _obs(category: str, odds: float, none: float, call: float, call_right: bool,
         half: str = "dev", called: bool = True) -> Observation:
    return Observation(f"{category}_{odds}", category, half, odds, none, call, call_right,
                       "irrelevance" in category, called)


def test_each_rule_reads_its_own_margin() -> None:
    entry = _obs("simple_python", odds=-2.0, none=-5.0, call=-9.0, call_right=True)
    assert decide(entry, "plan", 0.0) and not decide(entry, "plan", -4.5)
    assert not decide(entry, "head", 0.0) and decide(entry, "head", 2.5)


def test_no_passing_call_abstains_and_no_reading_calls() -> None:
    refused = _obs("irrelevance", odds=-9.0, none=-1.0, call=-1.0, call_right=False,
                   called=False)
    assert decide(refused, "head", -100.0) and decide(refused, "plan", -100.0)
    unread = Observation("x_1", "multiple", "dev", None, None, None, True, False, True)
    assert not decide(unread, "head", 100.0) and not decide(unread, "plan", 100.0)


def test_all_counts_each_entry_and_balanced_weighs_irrelevance_as_the_rest() -> None:
    observations = [_obs("simple_python", -3.0, -9.0, -5.0, True),
                    _obs("multiple", -3.0, -9.0, -5.0, False),
                    _obs("irrelevance", -3.0, -9.0, -5.0, False)]
    shares = accuracy(observations, "head", 0.0)
    assert shares["simple_python"] == 1.0 and shares["irrelevance"] == 0.0
    assert math.isclose(shares["balanced"], (0.5 + 0.0) / 2)
    assert math.isclose(shares["all"], 1 / 3)


def test_the_fitted_bias_separates_what_the_odds_separate() -> None:
    observations = [_obs("simple_python", -4.0, -9.0, -5.0, True),
                    _obs("simple_python", -3.0, -9.0, -5.0, True),
                    _obs("irrelevance", -1.0, -9.0, -5.0, False),
                    _obs("irrelevance", -0.5, -9.0, -5.0, False)]
    bias = fit(observations, "head")
    assert 1.0 < bias < 3.0
    assert accuracy(observations, "head", bias)["all"] == 1.0
    rows = summarise(observations + [_obs("simple_python", -3.5, -9.0, -5.0, True, "test")])
    fitted = [r for r in rows["rows"] if r["rule"] == "head" and r["half"] == "test"
              and r["category"] == "all"]
    assert fitted and fitted[0]["accuracy"] == 1.0 and fitted[0]["abstained"] == 0
