"""Which tool a plan starts with, judged by the words the request shares with each tool.

A small model picks among similar tools poorly: asked to "find properties in Austin" it
may open with ``property_valuation`` when ``property_search`` is offered. The words a
request shares with a tool's name, parameters and description (weighed as
``neurosym.tools.retrieve`` weighs them) rank the tools well, though not well enough to
choose for the model. :class:`ToolChoiceHooks` lets the model choose the first step's
tool only among those that score at least ``ratio`` of the best score; later steps may
call any tool, since a plan's later calls serve what the first one found.

>>> from neurosym.tools.tool import Tool
>>> tools = [Tool("property_search", "Search properties for sale in a city."),
...          Tool("property_valuation", "Estimate the value of a property."),
...          Tool("weather", "Today's weather in a city.")]
>>> ToolChoiceHooks("Find properties for sale in Austin", tools).favoured
('property_search',)
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..tools.retrieve import tool_scores
from ..tools.tool import Tool
from .boundary import Boundary
from .hooks import DecodeState, Hooks, ValueGrammars

__all__ = ["ToolChoiceHooks"]


class ToolChoiceHooks(Hooks):
    """Hooks that narrow the first step's tool to the best-matching ones (see the module).

    ``favoured`` holds the tools the first step may call; it is every tool when the
    request shares no word with any of them.
    """

    def __init__(self, request: str, tools: Iterable[Tool], *, ratio: float = 0.5) -> None:
        catalogue = list(tools)
        scores = tool_scores(request, catalogue)
        best = max(scores.values(), default=0.0)
        self.favoured = tuple(t.name for t in catalogue
                              if best <= 0 or scores[t.name] >= ratio * best)
        self._narrow = len(self.favoured) < len(catalogue)

    def value_constraint(self, event: Boundary, state: DecodeState) -> ValueGrammars:
        if event.kind != "step_start" or event.step_index != 0 or not self._narrow:
            return None
        names = "|".join(re.escape(name) for name in
                         sorted(self.favoured) + ["ask", "answer", "none"])
        return (rf"start: /[A-Za-z_][A-Za-z0-9_]* = (?:{names})\([^\n]*/"
                rf" | /(?:{names})\([^\n]*/")
