"""neurosym: a small local model proposes tool-call plans, a Z3 solver disposes.

The public names are imported lazily, so ``import neurosym`` loads neither llama.cpp,
Z3 nor Jupyter until something needs them.
"""

from __future__ import annotations

import importlib
from typing import Any

from .errors import *  # noqa: F403  (errors are light and always wanted)
from .errors import __all__ as _error_names

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    # tools
    "Tool": "neurosym.tools",
    "Param": "neurosym.tools",
    "ToolSet": "neurosym.tools",
    "tool": "neurosym.tools",
    "Range": "neurosym.tools",
    "Pattern": "neurosym.tools",
    "Length": "neurosym.tools",
    "ProducedBy": "neurosym.tools",
    "Sensitive": "neurosym.tools",
    # plans
    "Plan": "neurosym.plan",
    "Step": "neurosym.plan",
    "Call": "neurosym.plan",
    "Ref": "neurosym.plan",
    "Literal": "neurosym.plan",
    "parse_plan": "neurosym.plan",
    # graph and execution
    "plan_graph": "neurosym.graph",
    "validate_plan": "neurosym.graph",
    "Executor": "neurosym.execute",
    "Policy": "neurosym.execute",
    "verify": "neurosym.execute",
    "Secrets": "neurosym.redact",
    # planner
    "Planner": "neurosym.planner",
    "PlanResult": "neurosym.planner",
    # the OpenAI shape
    "create_chat_completion": "neurosym.serve",
}

__all__ = sorted([*_LAZY, *_error_names, "__version__"])


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'neurosym' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
