"""An undo log for the checker's Python-side state, rewound in step with Z3's scopes."""

from __future__ import annotations

from typing import Any

_MISSING = object()


class Trail:
    """Records every change made through it, so ``undo(mark)`` restores the earlier state.

    >>> trail, state = Trail(), {"a": 1}
    >>> mark = trail.mark()
    >>> trail.set(state, "a", 2); trail.set(state, "b", 3)
    >>> trail.undo(mark); state
    {'a': 1}
    """

    def __init__(self) -> None:
        self._log: list[tuple[dict[Any, Any], Any, Any]] = []

    def mark(self) -> int:
        return len(self._log)

    def set(self, table: dict[Any, Any], key: Any, value: Any) -> None:
        self._log.append((table, key, table.get(key, _MISSING)))
        table[key] = value

    def delete(self, table: dict[Any, Any], key: Any) -> None:
        if key in table:
            self._log.append((table, key, table[key]))
            del table[key]

    def undo(self, mark: int) -> None:
        log = self._log
        while len(log) > mark:
            table, key, old = log.pop()
            if old is _MISSING:
                table.pop(key, None)
            else:
                table[key] = old
