"""Checkpoints: enough to put tokens, KV cache, grammar matcher and tracker back exactly.

A boundary may fall inside a token (the token ``="`` holds both the ``=`` that ends an
argument's name and the quote that opens its value). A checkpoint then records the
tokens before that token plus the bytes from the token's start to the boundary; rolling
back re-tokenises those bytes and feeds them, so decoding resumes exactly at the boundary.
"""

from __future__ import annotations

from dataclasses import dataclass

from typing import Literal, Union

from .boundary import BoundaryKind, Path

__all__ = ["Checkpoint", "CheckpointKind"]

#: A boundary's kind, or ``"token"`` for the start of a token the decoder backs off
#: from by itself at a dead end.
CheckpointKind = Union[BoundaryKind, Literal["token"]]


@dataclass(frozen=True)
class Checkpoint:
    """A point of the decode one may roll back to.

    ``token_count`` generated tokens are kept, then ``prefix`` (bytes inside the next
    token, up to the boundary) is fed again; ``offset`` is the boundary's character
    offset in the plan text, ``byte_offset`` the same in UTF-8 bytes. ``id`` grows with
    every checkpoint of a decode; a rollback discards every checkpoint from its target on.
    """

    id: int
    kind: CheckpointKind
    offset: int
    byte_offset: int
    token_count: int
    prefix: bytes
    path: Path

    @property
    def aligned(self) -> bool:
        """True when the boundary falls between two tokens."""
        return not self.prefix
