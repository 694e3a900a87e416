"""Incremental checking of partial plans with Z3: verdicts, unsat cores, feasible values.

>>> from neurosym.tools.tool import Param, Tool
>>> transfer = Tool("transfer", params=(Param("amount", "number", minimum=0),))
>>> checker = PlanChecker([transfer], ["count(transfer) >= 2"])
>>> checker.begin_call(0, "transfer")
>>> checker.check().ok, checker.check(final=True).ok
(True, False)
"""

from .check import check_plan, feed_plan
from .checker import PlanChecker
from .verdict import CoreItem, Feasible, Verdict, explain

__all__ = ["CoreItem", "Feasible", "PlanChecker", "Verdict", "check_plan", "explain",
           "feed_plan"]
