"""The wide fuzz run (``-m fuzz``, as ``make fuzz`` asks) is left out of every other run;
at the end of a run with fuzz cases, their count, failures and hangs are reported."""

from __future__ import annotations

import pytest

from tests.fuzz.harness import COUNTS


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "fuzz" in (config.getoption("markexpr") or ""):
        return
    wide = [item for item in items if item.get_closest_marker("fuzz") is not None]
    if wide:
        config.hook.pytest_deselected(items=wide)
        items[:] = [item for item in items if item.get_closest_marker("fuzz") is None]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    surfaces = sorted({key.split(":")[0] for key in COUNTS})
    if not surfaces:
        return
    total = {kind: sum(COUNTS[f"{s}:{kind}"] for s in surfaces)
             for kind in ("cases", "failures", "hangs")}
    terminalreporter.write_sep("-", "fuzz cases")
    for surface in surfaces:
        terminalreporter.write_line(
            f"{surface:22s} {COUNTS[f'{surface}:cases']:7d} cases "
            f"({COUNTS[f'{surface}:results']} results, "
            f"{COUNTS[f'{surface}:errors']} NeurosymErrors), "
            f"{COUNTS[f'{surface}:failures']} failures, {COUNTS[f'{surface}:hangs']} hangs")
    terminalreporter.write_line(f"{'all':22s} {total['cases']:7d} cases, "
                                f"{total['failures']} failures, {total['hangs']} hangs")
