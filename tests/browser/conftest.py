"""Browser tests run only when asked for (``pytest -m browser``, as ``make test-browser`` does):
they start JupyterLab and a headless Chromium, which takes a minute and a Debian package."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives JupyterLab in a headless Chromium "
                                       "(run with -m browser)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "browser" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="browser test: run it with `make test-browser` "
                                   "(pytest -m browser)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)
