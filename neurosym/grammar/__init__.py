"""Grammars for the plan language: the shipped files, and grammars specialised to a tool set.

The engines (:mod:`neurosym.grammar.engines`: lark and llguidance) are imported on use
only, so importing this package loads neither.
"""

from ..plan.grammar_file import grammar_path, read_grammar
from .specialise import SpecialisedGrammar, build_grammar
from .values import integer_range_regex, value_grammar

__all__ = ["SpecialisedGrammar", "build_grammar", "grammar_path", "integer_range_regex",
           "read_grammar", "value_grammar"]
