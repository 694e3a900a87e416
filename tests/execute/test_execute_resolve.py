"""Following references into real results: dicts, lists, dataclasses, pydantic, objects."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pydantic import BaseModel

from neurosym.execute.resolve import ResolutionError, resolve_value
from neurosym.plan import DictValue, ListValue, Literal, Ref


@dataclass
class Seat:
    row: int
    letter: str

    def label(self) -> str:
        return f"{self.row}{self.letter}"


class Ticket(BaseModel):
    id: str
    seats: list[Seat]


class Plain:
    def __init__(self) -> None:
        self.code = "X1"
        self._secret = "hidden"


RESULTS = {
    "d": {"a": [{"b": 1}], 3: "three"},
    "t": Ticket(id="T1", seats=[Seat(12, "A"), Seat(12, "B")]),
    "p": Plain(),
    "n": 5,
}


@pytest.mark.parametrize(("ref", "value"), [
    (Ref("d", ("a", 0, "b")), 1),
    (Ref("d", (3,)), "three"),
    (Ref("t", ("id",)), "T1"),
    (Ref("t", ("seats", 1, "letter")), "B"),
    (Ref("t", ("seats", -1, "row")), 12),
    (Ref("p", ("code",)), "X1"),
    (Ref("n"), 5),
])
def test_references_follow_every_kind_of_value(ref: Ref, value: object) -> None:
    assert resolve_value(ref, RESULTS) == value


@pytest.mark.parametrize(("ref", "words"), [
    (Ref("zz"), "'zz' has no result"),
    (Ref("d", ("x",)), "d has no field 'x' (its fields: a, 3)"),
    (Ref("d", ("a", 4)), "d.a has 1 item, so [4] is out of range"),
    (Ref("t", ("seats", 0, "colour")),
     "t.seats[0] has no field 'colour' (its fields: row, letter)"),
    (Ref("t", ("seats", 0, "label")), "has no field 'label'"),  # a method is not a field
    (Ref("p", ("_secret",)), "has no field '_secret'"),  # private names are never reached
    (Ref("p", ("__class__",)), "has no field '__class__'"),
    (Ref("n", (0,)), "n is int 5, which cannot be indexed"),
    (Ref("d", ("a", 0, "b", "c")), "d.a[0].b has no field 'c'"),
])
def test_broken_references_say_where_they_broke(ref: Ref, words: str) -> None:
    with pytest.raises(ResolutionError) as info:
        resolve_value(ref, RESULTS)
    assert words in str(info.value)


def test_lists_and_dicts_resolve_inside() -> None:
    value = DictValue((("ids", ListValue((Ref("t", ("id",)), Literal("x")))),))
    assert resolve_value(value, RESULTS) == {"ids": ["T1", "x"]}
