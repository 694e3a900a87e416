"""A finished plan leaves nothing for the garbage collector: its decode, hooks and Z3
context are freed as soon as the result is dropped, so a program that plans many
requests does not grow until the collector happens to run."""

from __future__ import annotations

import gc

import pytest

import neurosym as ns


@pytest.mark.model
def test_a_plan_frees_its_decode_and_solver_without_the_collector(model) -> None:
    from neurosym.tools.tool import Param, Tool
    tool = Tool("convert", "Convert an amount between currencies.",
                (Param("amount", "number"), Param("currency", "string", required=False)))
    planner = ns.Planner([tool], model=model, constraints=["convert.amount <= 100"])
    planner.plan("Convert 50 dollars to euros.")  # warm: caches that live on
    gc.collect()
    gc.disable()
    try:
        result = planner.plan("Convert 20 dollars to yen.")
        assert result.ok, result.explanation
        del result
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        kinds = {f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.garbage}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    # Only llama-cpp-python's ctypes types may be left: they are cyclic by nature.
    ours = {k for k in kinds if k.startswith(("neurosym.", "z3.", "llguidance"))}
    assert not ours and "builtins.cell" not in kinds, kinds
