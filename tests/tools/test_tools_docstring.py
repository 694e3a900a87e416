"""Docstrings: the summary and per-parameter texts in Google, NumPy and reST styles."""

from __future__ import annotations

import pytest

from neurosym.tools._docstring import parse_docstring

CASES: list[tuple[str, str | None, str, dict[str, str], str]] = [
    ("none", None, "", {}, ""),
    ("one line", "Find hotels.", "Find hotels.", {}, ""),
    ("summary spans lines", "Find hotels\nin a city.\n\nMore.", "Find hotels in a city.", {}, ""),
    ("google", """Find hotels.

        Args:
            city (str): The city.
            nights: How many
                nights.
            *rest: Ignored.

        Returns:
            list[str]: Hotel names.

        Raises:
            ValueError: never.
        """, "Find hotels.",
     {"city": "The city.", "nights": "How many nights.", "rest": "Ignored."},
     "Hotel names."),
    ("google text on the next line", """Find.

        Args:
            city:
                The city.
        """, "Find.", {"city": "The city."}, ""),
    ("numpy", """Find hotels.

        Parameters
        ----------
        city : str
            The city.
        nights : int, optional
            How many.

        Returns
        -------
        list of str
            Hotel names.
        """, "Find hotels.", {"city": "The city.", "nights": "How many."}, "Hotel names."),
    ("rest", """Find hotels.

        :param city: The city.
        :param int nights: How many
            nights.
        :returns: Hotel names.
        """, "Find hotels.", {"city": "The city.", "nights": "How many nights."},
     "Hotel names."),
    ("section right after summary", "Find.\nArgs:\n    x: X.", "Find.", {"x": "X."}, ""),
    ("rest field aliases", """Find hotels.

        :arg city: The city.
        :parameter nights: How many.
        :type nights: int
        :return: Hotel names.
        """, "Find hotels.", {"city": "The city.", "nights": "How many."}, "Hotel names."),
    ("epydoc", """Find hotels.

        @param city: The city.
        @type city: str
        @param nights: How many.
        @return: Hotel names.
        """, "Find hotels.", {"city": "The city.", "nights": "How many."}, "Hotel names."),
    ("google keyword args", """Find hotels.

        Keyword Args:
            city: The city.
            nights (int): How many.
        """, "Find hotels.", {"city": "The city.", "nights": "How many."}, ""),
]


@pytest.mark.parametrize("doc,summary,params,returns", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_parse_docstring(doc: str | None, summary: str, params: dict[str, str],
                         returns: str) -> None:
    parsed = parse_docstring(doc)
    assert (parsed.summary, parsed.params, parsed.returns) == (summary, params, returns)
