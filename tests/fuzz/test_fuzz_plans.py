"""Plan texts, from random text to near-valid plans over real tools: parsing and
verification end in a plan or a NeurosymError, never another exception or a hang."""

from __future__ import annotations

from hypothesis import strategies as st

from neurosym.execute import verify
from neurosym.plan import parse_plan
from neurosym.tools import Param, Tool, ToolSet
from tests.fuzz.harness import fuzz_tests
from tests.fuzz.strategies import HOSTILE_PATTERNS, mutated, plan_texts_over
from tests.plan.plan_strategies import plans

TOOLS = ToolSet([
    Tool("search", params=(Param("city", "string", pattern="^(a+)+$"),
                           Param("when", "date", required=False)),
         returns=Param("result", "array", items=Param("item", "object", properties=(
             Param("id", "string"), Param("price", "number"))))),
    Tool("book", params=(Param("id", "string", pattern=r"^(\w+\s?)*$"),
                         Param("n", "integer", minimum=1, maximum=9),
                         Param("kind", "enum", enum=("a", "b", None), required=False),
                         Param("email", "string", format="email", required=False)),
         effect="write"),
    Tool("tag", params=(Param("tags", "array", items=Param("item", "string",
                                                          pattern="^(a|aa)+$"),
                              max_items=3),)),
])
_SIGNATURES = {t.name: [p.name for p in t.params] for t in TOOLS}
assert set(HOSTILE_PATTERNS) >= {"^(a+)+$", r"^(\w+\s?)*$", "^(a|aa)+$"}

texts = st.one_of(
    st.text(max_size=80),
    plans().map(lambda plan: plan.text).flatmap(mutated),
    plan_texts_over(_SIGNATURES),
)


def parse_and_verify(text: str) -> object:
    return verify(parse_plan(text), TOOLS)


test_plan_text_quick, test_plan_text_wide = fuzz_tests(
    "plan text", texts, parse_and_verify, quick=250, wide=6000)
