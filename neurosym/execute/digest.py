"""Stable digests of call arguments: for the audit log and for idempotency keys.

>>> argument_digest({"b": 2, "a": 1}) == argument_digest({"a": 1, "b": 2})
True
>>> len(idempotency_key(3, "transfer", {"amount": 5}))
32
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from ..graph._plain import canonical_json

__all__ = ["argument_digest", "idempotency_key"]


def argument_digest(args: Mapping[str, Any]) -> str:
    """The sha256 (hex) of the arguments' canonical JSON: equal arguments, equal digest."""
    return hashlib.sha256(canonical_json(args).encode("utf-8")).hexdigest()


def idempotency_key(step: int, tool: str, args: Mapping[str, Any]) -> str:
    """A key that names one call of one plan step: the same step with the same arguments
    gets the same key, so a tool can recognise a retry and not act twice."""
    text = canonical_json({"step": step, "tool": tool, "args": args})
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
