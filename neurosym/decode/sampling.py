"""How the next token is picked among those the masks allow: greedy, or sampled with a seed."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Sampling", "GREEDY"]


@dataclass(frozen=True)
class Sampling:
    """``temperature == 0`` is greedy (the default); otherwise nucleus sampling with ``top_p``.

    >>> Sampling().greedy, Sampling(temperature=0.7, seed=1).greedy
    (True, False)
    """

    temperature: float = 0.0
    top_p: float = 1.0
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.temperature < 0:
            raise ValueError("temperature must be >= 0")
        if not 0 < self.top_p <= 1:
            raise ValueError("top_p must be in (0, 1]")

    @property
    def greedy(self) -> bool:
        return self.temperature == 0


GREEDY = Sampling()
