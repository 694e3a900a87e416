"""Patterns in Z3 match exactly the strings Python's re.search (ASCII) finds a match in.

JSON Schema's ``$`` is the very end of the text, which Python spells ``\\Z``; the oracle
below uses that spelling.
"""

from __future__ import annotations

import re

import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from neurosym.constraints.regex import parse_pattern
from neurosym.solver._z3regex import pattern_to_z3

PATTERNS = [
    "^[A-Z]{3}$", "a|^b", "\\d+", "^\\w+@\\w+\\.com$", "[^@\\s]+", "^(ab)*$", "x{2,}",
    "^.$", "^[\\]a-]$", "colou?r", "^a{1,2}b?$", "(?:ab|cd)+e", "^\\D\\S\\W$", "b$",
    "^[a-c-]+$", "^(?P<n>a)(b|)c*?$", "\\.\\*", "^$",
]
ALPHABET = "abcdexyzAB.*@ -]\n0129_"


def python_search(pattern: str, text: str) -> bool:
    strict = re.sub(r"\$(?=\||\)|$)", r"\\Z", pattern)
    return re.search(strict, text, re.ASCII) is not None


def matches_in_z3(pattern: str, text: str) -> bool:
    solver = z3.Solver()
    solver.add(z3.InRe(z3.StringVal(text), pattern_to_z3(parse_pattern(pattern))))
    return solver.check() == z3.sat


@pytest.mark.parametrize("pattern", PATTERNS)
@settings(max_examples=40, deadline=None)
@given(text=st.text(alphabet=ALPHABET, max_size=7))
def test_z3_membership_is_python_search(pattern: str, text: str) -> None:
    assert matches_in_z3(pattern, text) == python_search(pattern, text)


@pytest.mark.parametrize(("pattern", "text", "expected"), [
    ("^[A-Z]{3}$", "ABC", True), ("^[A-Z]{3}$", "ABCD", False), ("a|^b", "bx", True),
    ("a|^b", "xb", False), ("^.$", "\n", False), ("^.$", "é", True), ("^a$", "a\n", False),
])
def test_hand_picked_cases(pattern: str, text: str, expected: bool) -> None:
    assert matches_in_z3(pattern, text) is expected
