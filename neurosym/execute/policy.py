"""Which tools a run may use, and which need a person's yes before each call.

A :class:`Policy` acts twice. The planner asks :meth:`Policy.filter_tools` for the tool
set to build its grammar from, so a denied tool cannot even be written; the executor
asks again right before every call, so a plan from elsewhere cannot slip one through.

>>> from neurosym.tools.tool import Tool
>>> policy = Policy(deny=["transfer"], require_approval=["book_flight"])
>>> [t.name for t in policy.filter_tools([Tool("get_balance"), Tool("transfer")])]
['get_balance']
>>> policy.approve(ToolCall(0, "book_flight", {}), Tool("book_flight"))
Traceback (most recent call last):
...
neurosym.errors.PolicyError: book_flight needs approval and no approver was given
hint: pass Policy(approver=...) to confirm calls, or run without this tool
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import PolicyError
from ..graph.tool_index import ToolsLike, index_tools
from ..tools.tool import Tool

__all__ = ["Policy", "ToolCall", "Approver"]


@dataclass(frozen=True)
class ToolCall:
    """A call about to be made: what an approver is shown (arguments already resolved)."""

    step: int
    tool: str
    args: Mapping[str, Any]
    bind: str | None = None
    #: Where each required value came from (``request``, ``observation (r1)``,
    #: ``ungrounded``): what an approver is asked to confirm.
    sources: Mapping[str, str] = field(default_factory=dict)
    #: The run's sensitive values: :meth:`describe` shows none of them.
    secrets: Any = field(default=None, compare=False, repr=False)

    def describe(self) -> str:
        """The call with each value's source, for an approver to read (sensitive values
        redacted)."""
        from ._render import render_resolved_call
        sources = ", ".join(f"{k}: {v}" for k, v in self.sources.items())
        text = render_resolved_call(self.tool, dict(self.args)) + (f"  [{sources}]" if sources
                                                                   else "")
        return text if self.secrets is None else self.secrets.redact(text)


Approver = Callable[[ToolCall], bool]


def _names(value: Iterable[str] | str | None) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return frozenset({value})
    return frozenset(value)


@dataclass(frozen=True)
class Policy:
    """Allow and deny lists for one run, and the tools whose calls need approval.

    ``allow=None`` allows every tool not denied. A tool needs approval when it is
    flagged ``requires_approval`` or listed in ``require_approval``; ``approver(call)``
    must then return True, and without an approver the call is refused.

    ``ground_writes`` (on by default): in an agent run a write runs only when each of
    its required values comes from the request, an observation or an approval; an
    ungrounded one goes to the approver (who sees ``call.sources``) and without one is
    refused. ``ground_writes=False`` lets the model's own values through.

    ``sensitive`` names parameters whose values are secrets, as ``tool.param`` (a
    property inside an object as ``tool.param.field``), where ``*`` matches any run of
    characters: ``{"login.password", "*.api_key"}``. They are redacted like parameters
    marked ``Sensitive`` in their tool's definition.
    """

    allow: frozenset[str] | None = None
    deny: frozenset[str] = frozenset()
    require_approval: frozenset[str] = frozenset()
    approver: Approver | None = field(default=None, compare=False)
    ground_writes: bool = True
    sensitive: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "allow", _names(self.allow))
        object.__setattr__(self, "deny", _names(self.deny) or frozenset())
        object.__setattr__(self, "require_approval", _names(self.require_approval) or frozenset())
        sensitive = _names(self.sensitive) or frozenset()
        for name in sensitive:
            if not isinstance(name, str) or "." not in name.strip(".") or " " in name:
                raise PolicyError(f"Policy(sensitive=...) entry {name!r} names no parameter",
                                  hint='write tool.param, e.g. "login.password", or '
                                       '"*.api_key" for that parameter of every tool')
        object.__setattr__(self, "sensitive", sensitive)

    def is_sensitive(self, tool: str, path: str) -> bool:
        """Whether the value at ``path`` (``password``, ``auth.token``) of a call of
        ``tool`` is named sensitive by this policy."""
        if not self.sensitive:
            return False
        full = f"{tool}.{path}"
        return any(fnmatch.fnmatchcase(full, pattern) for pattern in self.sensitive)

    def denial(self, name: str) -> str | None:
        """Why the tool ``name`` may not run at all, or None when it may."""
        if name in self.deny:
            return f"{name} is on the policy's deny list"
        if self.allow is not None and name not in self.allow:
            return f"{name} is not on the policy's allow list"
        return None

    def permits(self, name: str) -> bool:
        return self.denial(name) is None

    def filter_tools(self, tools: ToolsLike) -> list[Tool]:
        """The tools this policy lets a plan use, in their given order."""
        return [tool for tool in index_tools(tools).values() if self.permits(tool.name)]

    def needs_approval(self, tool: Tool) -> bool:
        return tool.requires_approval or tool.name in self.require_approval

    def check(self, tool: Tool) -> None:
        """Raise :class:`PolicyError` when the tool may not run at all."""
        reason = self.denial(tool.name)
        if reason:
            raise PolicyError(reason, hint="remove the step, or change the policy to allow "
                                           "the tool")

    def approve(self, call: ToolCall, tool: Tool) -> None:
        """Raise :class:`PolicyError` unless the call is allowed and, if it must be, approved."""
        self.check(tool)
        if not self.needs_approval(tool):
            return
        if self.approver is None:
            raise PolicyError(f"{tool.name} needs approval and no approver was given",
                              hint="pass Policy(approver=...) to confirm calls, or run "
                                   "without this tool")
        try:
            approved = self.approver(call)
        except Exception as exc:  # an approver that fails has not approved
            raise PolicyError(f"the approver failed on {tool.name}: {type(exc).__name__}: "
                              f"{exc}", hint="fix the approver function") from exc
        if approved is not True:
            raise PolicyError(f"the approver refused {tool.name}",
                              hint="change the request, or approve the call")

    def ground(self, call: ToolCall, tool: Tool, missing: Iterable[str]) -> None:
        """Raise :class:`PolicyError` for a write whose values ``missing`` have no grounds,
        unless the policy lets such writes through or the approver confirms the call."""
        missing = list(missing)
        if not missing or not self.ground_writes or tool.effect != "write":
            return
        values = ", ".join(f"{name}={call.args.get(name)!r}" for name in missing)
        if self.approver is not None:
            try:
                approved = self.approver(call)
            except Exception as exc:  # an approver that fails has not approved
                raise PolicyError(f"the approver failed on {tool.name}: {type(exc).__name__}: "
                                  f"{exc}", hint="fix the approver function") from exc
            if approved is True:
                return
            raise PolicyError(f"the approver refused {tool.name} with ungrounded values "
                              f"({values})", hint="change the request, or approve the call")
        raise PolicyError(f"{tool.name} is ungrounded: {values} "
                          f"{'comes' if len(missing) == 1 else 'come'} from neither the "
                          "request, an observation nor an approval",
                          hint="state the values in the request, give an approver, or use "
                               "Policy(ground_writes=False) to let the model choose them")
