"""The constraint language: parsing, resolving against tools, and typed terms for the solver.

>>> from neurosym.tools.tool import Param, Tool
>>> transfer = Tool("transfer", params=(Param("amount", "number", minimum=0),))
>>> cs = compile_constraints(["count(transfer) <= 3"], [transfer])
>>> cs[0].source
'count(transfer) <= 3'
"""

from .compile import Constraint, ConstraintSet, compile_constraints
from .schema import ParamRule, Schema, build_schema
from .syntax import grammar_path, grammar_text, parse_constraint

__all__ = ["Constraint", "ConstraintSet", "ParamRule", "Schema", "build_schema",
           "compile_constraints", "grammar_path", "grammar_text", "parse_constraint"]
