"""Stable digests of call arguments: for the audit log and for idempotency keys.

>>> argument_digest({"b": 2, "a": 1}) == argument_digest({"a": 1, "b": 2})
True
>>> len(idempotency_key(3, "transfer", {"amount": 5}))
32
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from ..graph.plain import canonical_json

__all__ = ["argument_digest", "idempotency_key"]


def argument_digest(args: Mapping[str, Any], key: bytes | None = None) -> str:
    """The digest (hex) of the arguments' canonical JSON: equal arguments, equal digest.

    With a ``key`` it is an HMAC-SHA256: a short secret (a PIN, a code) cannot be found
    again by hashing every candidate, as it can from a plain SHA-256, by anyone without
    the key; the same key gives equal calls equal digests.
    """
    text = canonical_json(args).encode("utf-8")
    if key is None:
        return hashlib.sha256(text).hexdigest()
    return hmac.new(key, text, hashlib.sha256).hexdigest()


def idempotency_key(step: int, tool: str, args: Mapping[str, Any]) -> str:
    """A key that names one call of one plan step: the same step with the same arguments
    gets the same key, so a tool can recognise a retry and not act twice."""
    text = canonical_json({"step": step, "tool": tool, "args": args})
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
