"""A tiny adapter trained for a few steps with the real weights, written as GGUF, loaded
by llama.cpp, and checked against the trained network itself; and adapters that do not
fit their model refused with a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from neurosym.errors import AdapterError, NeurosymError
from neurosym.model import embedded_model_path, load_model
from neurosym.model import check_adapter

pytestmark = [pytest.mark.model, pytest.mark.slow]

torch = pytest.importorskip("torch")
pytest.importorskip("peft")
pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Six supervised steps of a rank-4 adapter on three requests, at a rate that moves
    the plan's likelihood; the network, its data and the written adapter."""
    from neurosym.tune import TuneSettings, encode, generate_examples
    from neurosym.tune.export import write_adapter
    from neurosym.tune.train import load_trainable, train_sft
    base = embedded_model_path()
    assert base is not None
    folder = tmp_path_factory.mktemp("tune")
    settings = TuneSettings(rank=4, alpha=8.0, batch=1, sft_lr=3e-3, checkpoint_every=3)
    examples = [e for e in generate_examples(40, seed=5) if e.kind == "single"][:3]
    tokenizer = load_model(base)
    data = [encode(tokenizer, e.tool_objects(), e.request, e.plan) for e in examples]
    net = load_trainable(base, settings)
    report = train_sft(net, data, 6, settings, folder)
    adapter = write_adapter(net, base, folder / "tiny.gguf")
    return {"net": net, "data": data, "report": report, "adapter": adapter, "base": base,
            "folder": folder, "examples": examples, "settings": settings}


def _llama_logprob(model, encoded) -> float:
    """log p(plan tokens, the end token included | prompt) under llama.cpp."""
    from neurosym.search.score import score_tokens
    prompt, body = list(encoded.ids[:encoded.start]), list(encoded.ids[encoded.start:])
    return score_tokens(model, prompt, body, end=False)


def test_training_lowers_the_loss_and_checkpoints(trained: dict) -> None:
    report = trained["report"]
    assert report.finished and report.steps == 6 and len(report.losses) == 6
    assert report.losses[-1] < report.losses[0]
    assert (trained["folder"] / "sft-checkpoint.pt").is_file()


def test_llama_cpp_with_the_adapter_agrees_with_the_trained_network(trained: dict) -> None:
    """The plan's log-probability under llama.cpp with the adapter matches the trained
    network's (the same weights, dequantised), and moved well away from the base model's:
    the file's tensor names, orientation and the query/key row order are right."""
    from neurosym.tune.train import sequence_logprob
    net = trained["net"]
    net.eval()
    adapted = load_model(trained["base"], adapter=trained["adapter"])
    plain = load_model(trained["base"])
    assert adapted is not plain
    for encoded in trained["data"]:
        with torch.no_grad():
            tuned = float(sequence_logprob(net, encoded))
            with net.disable_adapter():
                before = float(sequence_logprob(net, encoded))
        tokens = len(encoded.ids) - encoded.start
        # The adapter moved the plan five times further than the agreement allowed below,
        # so llama.cpp agreeing with the network cannot be llama.cpp ignoring the adapter.
        assert tuned - before > 5 * 0.05 * tokens
        assert abs(_llama_logprob(plain, encoded) - before) < 0.05 * tokens
        assert abs(_llama_logprob(adapted, encoded) - tuned) < 0.05 * tokens


def test_a_resumed_run_starts_from_its_checkpoint(trained: dict) -> None:
    from neurosym.tune.train import load_trainable, train_sft
    settings = trained["settings"]
    net = load_trainable(trained["base"], settings)
    again = train_sft(net, trained["data"], 6, settings, trained["folder"])
    assert again.finished and again.losses == trained["report"].losses


def test_the_planner_plans_with_the_adapter(trained: dict) -> None:
    import neurosym as ns
    example = trained["examples"][0]
    planner = ns.Planner(example.tool_objects(), adapter=trained["adapter"], width=1)
    assert planner.model.adapter == Path(trained["adapter"]).resolve()
    result = planner.plan(example.request)
    assert result.plan is not None
    ns.verify(result.plan, example.tool_objects())


@pytest.mark.parametrize("make, message", [
    (lambda folder, base: folder / "missing.gguf", "not found"),
    (lambda folder, base: _write(folder / "text.gguf", b"not a gguf file at all"),
     "not a GGUF file"),
    (lambda folder, base: base, "not a LoRA adapter"),
])
def test_what_is_not_an_adapter_is_refused(tmp_path: Path, make, message: str) -> None:
    base = embedded_model_path()
    with pytest.raises(AdapterError, match=message) as caught:
        load_model(base, adapter=make(tmp_path, base))
    assert isinstance(caught.value, NeurosymError) and caught.value.hint


def _adapter_file(path: Path, arch: str, tensors: dict) -> Path:
    """A LoRA adapter file for ``arch`` holding ``tensors`` as given."""
    import gguf
    import numpy as np
    writer = gguf.GGUFWriter(str(path), arch)
    writer.add_string("general.type", "adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", 8.0)
    for name, data in tensors.items():
        writer.add_tensor(name, np.ascontiguousarray(data))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_an_adapter_of_other_sizes_is_refused(trained: dict, tmp_path: Path) -> None:
    """An adapter whose pairs do not fit the model's tensors (here: every lora_a one row
    short, as an adapter for another model would be) never reaches llama.cpp."""
    import gguf
    import numpy as np
    reader = gguf.GGUFReader(str(trained["adapter"]))
    tensors = {}
    for tensor in reader.tensors:
        data = np.array(tensor.data, dtype=np.float16)
        tensors[tensor.name] = data[:, :-1] if tensor.name.endswith("lora_a") else data
    out = _adapter_file(tmp_path / "other.gguf", "llama", tensors)
    with pytest.raises(AdapterError, match="does not fit"):
        check_adapter(trained["base"], out)


def test_an_adapter_for_another_architecture_is_refused(trained: dict, tmp_path: Path) -> None:
    import numpy as np
    out = _adapter_file(tmp_path / "gemma.gguf", "gemma3", {
        "blk.0.attn_q.weight.lora_a": np.zeros((4, 576), dtype=np.float32),
        "blk.0.attn_q.weight.lora_b": np.zeros((576, 4), dtype=np.float32)})
    with pytest.raises(AdapterError, match="gemma3 model"):
        check_adapter(trained["base"], out)


def test_a_smollm2_adapter_is_refused_for_the_real_gemma_model(trained: dict) -> None:
    from neurosym.model import find_model
    from neurosym.planner import Planner
    gemma = find_model("gemma3-270m")
    with pytest.raises(AdapterError, match="adapts a llama model") as caught:
        check_adapter(gemma, trained["adapter"])
    assert "neurosym tune" in caught.value.hint
    with pytest.raises(AdapterError):
        Planner([], model="gemma3-270m", adapter=trained["adapter"]).plan("Hello")


def test_the_recipe_runs_end_to_end_with_the_planners_own_mistakes(tmp_path: Path) -> None:
    """Data, supervised steps, the planner's own plans on training requests, preference
    steps and both adapter files, at the smallest size; the report says what was done."""
    import json

    from neurosym.tune import TuneRun, TuneSettings, run_recipe
    run = TuneRun(examples=3, sft_epochs=1.0, pairs_per_example=1, dpo_epochs=1.0,
                  on_policy=1, seed=11)
    report = run_recipe(tmp_path, run=run, settings=TuneSettings(rank=2, alpha=4.0, batch=1,
                                                                 seed=11))
    assert [p["phase"] for p in report.phases] == ["sft", "dpo"]
    assert all(p["finished"] for p in report.phases)
    assert report.phases[0]["examples"] == 3
    assert report.phases[1]["examples"] == report.pairs + report.on_policy_pairs
    assert report.bfcl_overlap == 0
    assert sum(report.mistakes.values()) == report.pairs + report.on_policy_pairs
    for name in ("adapter-sft.gguf", "adapter.gguf"):
        check_adapter(embedded_model_path(), tmp_path / name)
    saved = json.loads((tmp_path / "report.json").read_text())
    assert saved["adapter"] == str(tmp_path / "adapter.gguf")
    lines = (tmp_path / "data" / "examples.jsonl").read_text().splitlines()
    assert len(lines) == 3 and (tmp_path / "data" / "on_policy.jsonl").is_file()


def test_the_command_line_refuses_a_file_that_is_no_adapter(tmp_path: Path) -> None:
    import subprocess
    import sys
    script = Path(sys.executable).with_name("neurosym")
    tools = Path(__file__).resolve().parents[1] / "serve" / "tools.json"
    done = subprocess.run([str(script), "plan", "Weather in Oslo?", "--tools", str(tools),
                           "--adapter", str(embedded_model_path()), "--no-prompt-cache"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert "is not a LoRA adapter" in done.stderr and "hint:" in done.stderr
    assert "Traceback" not in done.stderr
