"""Writes need grounds: where each required value of a write call comes from.

A plan the model wrote may hold values nobody gave it: asked to delete an account, a
small model can reach for ``transfer(to="42", amount=10)``. Before a write runs in an
agent run, each of its required values must come from the request (its text, or for
a number its value, occurs there), from an observation (a reference to an earlier
result, or a value an earlier result shows) or from an approval. The check reads no
wording, so it holds in any language.

>>> from neurosym.plan.ast import Literal, Ref
>>> from neurosym.tools.tool import Param, Tool
>>> transfer = Tool("transfer", params=(Param("to", "string"), Param("amount", "number")),
...                 effect="write")
>>> grounds_of(transfer, {"to": Literal("42"), "amount": Ref("bal")}, {"to": "42", "amount": 9},
...            "Delete my account", {})
{'to': 'ungrounded', 'amount': 'observation (bal)'}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..plan.ast import Call, Ref, Value
from ..tools.tool import Tool

__all__ = ["grounds_of", "ungrounded", "UNGROUNDED"]

UNGROUNDED = "ungrounded"


def grounds_of(tool: Tool, written: Mapping[str, Value], resolved: Mapping[str, Any],
               request: str, observed: Mapping[str, Any]) -> dict[str, str]:
    """The source of each required value of the call: ``request``,
    ``observation (<where>)`` or ``ungrounded``. ``written`` are the values as the plan
    wrote them, ``resolved`` as they will be sent, ``observed`` the results seen so far
    (by name)."""
    from ..verdict import RequestEvidence
    asked = RequestEvidence.of(request)
    seen = {name: RequestEvidence.of(_text(value)) for name, value in observed.items()}
    out: dict[str, str] = {}
    for param in tool.required_params:
        if param.name not in resolved:
            continue
        value = written.get(param.name)
        if isinstance(value, (Ref, Call)):
            where = value.text if isinstance(value, Ref) else f"{value.tool}(...)"
            out[param.name] = f"observation ({where})"
            continue
        plain = resolved[param.name]
        if asked.states(plain):
            out[param.name] = "request"
            continue
        found = next((name for name, evidence in seen.items() if evidence.states(plain)), None)
        out[param.name] = f"observation ({found})" if found is not None else UNGROUNDED
    return out


def ungrounded(sources: Mapping[str, str]) -> list[str]:
    """The parameters whose values have no grounds."""
    return [name for name, source in sources.items() if source == UNGROUNDED]


def _text(value: Any) -> str:
    from ..graph.plain import to_jsonable
    try:
        return json.dumps(to_jsonable(value), ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)
