"""Limits that keep a decode finite: plan length, tokens in all, rollbacks, wall time."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Budgets"]


@dataclass(frozen=True)
class Budgets:
    """``max_tokens`` bounds the plan; ``max_total_tokens`` every token sampled, rollbacks
    included (None: four times ``max_tokens``); ``max_seconds`` the wall time."""

    max_tokens: int = 256
    max_total_tokens: int | None = None
    max_rollbacks: int = 64
    max_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.max_tokens < 1:
            raise ValueError("max_tokens must be >= 1")

    @property
    def total_tokens(self) -> int:
        return self.max_total_tokens if self.max_total_tokens is not None else 4 * self.max_tokens
