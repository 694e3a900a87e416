"""The prompt cache on disk: the shared prompt's KV state restored instead of evaluated,
with the real model, and keys that change with everything the state depends on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from neurosym.errors import ConfigurationError
from neurosym.model.prompt_cache import (PromptCache, resolve_prompt_cache, shared_prefix,
                                         warm_prompt)

REPO = Path(__file__).resolve().parents[2]


def _prompt(model, tools_line: str, request: str) -> tuple[str, str]:
    def render(text: str) -> str:
        return model.render_chat([{"role": "system", "content": "You write tool calls."},
                                  {"role": "user", "content": f"Tools:\n{tools_line}\n\n"
                                                              f"Request: {text}"}])
    return render(request), render("")


@pytest.mark.model
def test_a_restored_prefix_gives_the_logits_of_an_evaluated_one(model, tmp_path: Path) -> None:
    cache = PromptCache(tmp_path, min_tokens=8)
    tools = "def get_weather(city: str, unit: Literal['C', 'F'] = 'C')  # Weather in a city."
    prompt, empty = _prompt(model, tools, "Weather in Oslo?")
    tokens = model.tokenize(prompt, special=True, add_bos=True)
    with model.lock:
        model.reset()
        assert warm_prompt(cache, model, prompt, empty) == 0      # a miss writes the entry
        shared = shared_prefix(tokens, model.tokenize(empty, special=True, add_bos=True))
        assert 8 <= shared < len(tokens)
        assert cache.stats.writes == 1 and cache.stats.evaluated_tokens == shared
        model.sync(tokens)
        evaluated = model.logits().copy()
        model.reset()
        assert warm_prompt(cache, model, prompt, empty) == shared  # a hit restores it
        assert model.kv_tokens == tuple(tokens[:shared])
        assert model.sync(tokens) == len(tokens) - shared         # only the request is evaluated
        restored = model.logits().copy()
    assert np.array_equal(evaluated, restored)
    assert cache.stats.hits == 1 and cache.stats.restored_tokens == shared


@pytest.mark.model
def test_another_prompt_misses_and_the_folder_keeps_its_bound(model, tmp_path: Path) -> None:
    cache = PromptCache(tmp_path, min_tokens=8)
    first, first_empty = _prompt(model, "def ping(host: str)  # Ping a host.", "Ping example.org")
    second, second_empty = _prompt(model, "def pong(port: int)  # Open a port.", "Open 80")
    with model.lock:
        model.reset()
        warm_prompt(cache, model, first, first_empty)
        one_entry = cache.size()
        model.reset()
        warm_prompt(cache, model, second, second_empty)
    assert cache.stats.misses == 2 and cache.stats.hits == 0
    assert len(cache.entries()) == 2
    bounded = PromptCache(tmp_path, max_bytes=one_entry + 1, min_tokens=8)
    with model.lock:
        model.reset()
        warm_prompt(bounded, model, first, first_empty)    # a hit, then the oldest goes
    assert bounded.stats.hits == 1
    assert len(bounded.entries()) == 2                      # nothing written, nothing evicted
    with model.lock:
        model.reset()
        third, third_empty = _prompt(model, "def pang(n: int)  # Count.", "Count to 3")
        warm_prompt(bounded, model, third, third_empty)
    assert bounded.stats.evicted == 2 and len(bounded.entries()) == 1


@pytest.mark.model
def test_a_damaged_entry_is_evaluated_again_and_rewritten(model, tmp_path: Path) -> None:
    cache = PromptCache(tmp_path, min_tokens=8)
    prompt, empty = _prompt(model, "def ping(host: str)  # Ping a host.", "Ping example.org")
    with model.lock:
        model.reset()
        warm_prompt(cache, model, prompt, empty)
    [entry] = cache.entries()
    entry.write_bytes(entry.read_bytes()[:200])             # truncated by a full disk
    with model.lock:
        model.reset()
        assert warm_prompt(cache, model, prompt, empty) == 0
    assert cache.stats.misses == 2 and cache.stats.writes == 2
    with model.lock:
        model.reset()
        assert warm_prompt(cache, model, prompt, empty) > 0


@dataclass
class _ModelFile:
    """What a key reads of a model: its file, its context size and its adapter."""

    path: Path
    n_ctx: int
    adapter: Path | None = None


def test_the_key_changes_with_the_model_file_the_context_and_the_prompt(tmp_path: Path) -> None:
    cache = PromptCache(tmp_path)
    weights = tmp_path / "model.gguf"
    weights.write_bytes(b"GGUF" + b"\0" * 64)
    model = _ModelFile(weights, 4096)
    base = cache.key(model, [1, 2, 3])
    assert cache.key(model, [1, 2, 3]) == base
    assert cache.key(model, [1, 2, 4]) != base
    assert cache.key(_ModelFile(weights, 2048), [1, 2, 3]) != base
    weights.write_bytes(b"GGUF" + b"\0" * 65)               # a new file: size and time
    assert cache.key(model, [1, 2, 3]) != base
    before = cache.key(model, [1, 2, 3])
    os.utime(weights, ns=(0, 10**9))                        # same size, another time
    assert cache.key(model, [1, 2, 3]) != before
    adapter = tmp_path / "adapter.gguf"
    adapter.write_bytes(b"GGUF" + b"\1" * 32)
    with_adapter = cache.key(_ModelFile(weights, 4096, adapter), [1, 2, 3])
    assert with_adapter != cache.key(model, [1, 2, 3])      # an adapter changes every cell
    adapter.write_bytes(b"GGUF" + b"\2" * 33)
    assert cache.key(_ModelFile(weights, 4096, adapter), [1, 2, 3]) != with_adapter


def test_the_settings_that_choose_a_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEUROSYM_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("NEUROSYM_PROMPT_CACHE", raising=False)
    assert resolve_prompt_cache(False) is None
    assert resolve_prompt_cache(True).folder == tmp_path
    assert resolve_prompt_cache(tmp_path / "x").folder == tmp_path / "x"
    assert resolve_prompt_cache(None, default_on=True).folder == tmp_path
    assert resolve_prompt_cache(None) is None                    # a library user's default
    import types
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    assert resolve_prompt_cache(None).folder == tmp_path         # inside a Jupyter kernel
    monkeypatch.setenv("NEUROSYM_PROMPT_CACHE", "off")
    assert resolve_prompt_cache(None, default_on=True) is None
    assert resolve_prompt_cache(None) is None
    with pytest.raises(ConfigurationError):
        PromptCache(tmp_path, max_bytes=0)


_PLAN_ONCE = textwrap.dedent("""
    import json, sys
    from neurosym import Planner
    from neurosym.model.prompt_cache import PromptCache
    from neurosym.tools import ToolSet
    tools = ToolSet.from_openai(json.loads(sys.argv[2]))
    planner = Planner(tools, prompt_cache=PromptCache(sys.argv[1]), width=1)
    result = planner.plan(sys.argv[3])
    stats = planner.prompt_cache.stats
    print(json.dumps({"plan": result.text, "ok": result.ok, "hits": stats.hits,
                      "restored": stats.restored_tokens, "evaluated": stats.evaluated_tokens,
                      "search_evaluated": result.prompt_tokens - result.search.reused_tokens}))
""")


def _tool(name: str) -> list[dict]:
    return [{"type": "function", "function": {
        "name": name, "description": "Current weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                       "required": ["city"]}}}]


def _plan_in_a_new_process(folder: Path, tools: list[dict], request: str) -> dict:
    done = subprocess.run([sys.executable, "-c", _PLAN_ONCE, str(folder), json.dumps(tools),
                           request], capture_output=True, text=True, timeout=600, cwd=REPO,
                          env={**os.environ, "NEUROSYM_PROMPT_CACHE": ""})
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.model
@pytest.mark.slow
def test_a_second_process_plans_the_same_from_the_cache(tmp_path: Path) -> None:
    first = _plan_in_a_new_process(tmp_path, _tool("get_weather"), "Weather in Oslo?")
    second = _plan_in_a_new_process(tmp_path, _tool("get_weather"), "Weather in Oslo?")
    assert first["ok"] and first["hits"] == 0 and first["evaluated"] > 0
    assert second["hits"] == 1 and second["restored"] == first["evaluated"]
    assert second["plan"] == first["plan"]
    # The second process evaluated only what follows the shared prompt.
    assert second["evaluated"] == 0
    assert second["search_evaluated"] == first["search_evaluated"]
    assert second["search_evaluated"] < first["search_evaluated"] + first["evaluated"]
    other = _plan_in_a_new_process(tmp_path, _tool("get_forecast"), "Weather in Oslo?")
    assert other["hits"] == 0 and other["evaluated"] > 0     # another tool: another prompt
