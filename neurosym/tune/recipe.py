"""The tuning recipe end to end: data, supervised training, the planner's own mistakes,
preference training, and the adapter file.

1. Examples and preference pairs are generated from the synthetic catalogue
   (:mod:`neurosym.tune.data`), or read from a user's own file, and written to the run's
   folder.
2. Supervised steps teach the intended plans; the adapter is written
   (``adapter-sft.gguf``).
3. With ``on_policy`` > 0, the planner, with that adapter, plans that many training
   requests; each plan that is not the intended one becomes a rejected plan of its own
   (the planner's own mistakes, which the written mistakes only imitate).
4. Preference steps (DPO) against the supervised adapter; the final adapter is written
   (``adapter.gguf``) with a report of every figure (``report.json``).

Every phase resumes from its checkpoint, so a run that was cut goes on where it stopped.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError
from ..tools.tool import Tool
from .data import Example, Pair, generate_examples, preference_pairs
from .train import Encoded, PhaseReport, TuneSettings

__all__ = ["TuneRun", "TuneReport", "encode", "encode_pairs", "collect_on_policy", "run_recipe",
           "measure"]


@dataclass(frozen=True)
class TuneRun:
    """How much to train: examples generated, supervised epochs, preference pairs per
    example and preference epochs, the planner's own mistakes collected, a time budget
    per training phase (seconds, None: none)."""

    examples: int = 800
    sft_epochs: float = 1.0
    pairs_per_example: int = 1
    dpo_epochs: float = 1.0
    on_policy: int = 0
    seed: int = 0
    max_seconds: float | None = None

    def __post_init__(self) -> None:
        if self.examples < 1 or self.sft_epochs < 0 or self.dpo_epochs < 0:
            raise ConfigurationError("examples must be >= 1 and epochs >= 0",
                                     hint="TuneRun(examples=800, sft_epochs=1.0)")


@dataclass
class TuneReport:
    """What a run made and what it cost."""

    model: str
    adapter: str
    examples: int
    pairs: int
    on_policy_pairs: int
    settings: dict[str, Any]
    phases: list[dict[str, Any]] = field(default_factory=list)
    mistakes: dict[str, int] = field(default_factory=dict)
    #: Overlaps of the data with BFCL found before training (None: BFCL not installed).
    bfcl_overlap: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def encode(model: Any, tools: Sequence[Tool], request: str, text: str) -> Encoded:
    """The tokens of ``text`` as the planner's reply to ``request`` over ``tools``: the
    planner's own prompt in the model's chat template, the text's canonical tokens, and
    the end of the turn."""
    from ..model import build_messages
    prompt = model.tokenize_prompt(model.render_chat(build_messages(list(tools), request)))
    body = model.tokenize(text) + [min(model.eos)]
    return Encoded(tuple(prompt + body), len(prompt))


def encode_pairs(model: Any, pairs: Sequence[Pair]) -> list[tuple[Encoded, Encoded]]:
    """Each pair as (intended, rejected) tokens over its example's prompt."""
    out = []
    for pair in pairs:
        tools, request = pair.example.tool_objects(), pair.example.request
        out.append((encode(model, tools, request, pair.example.plan),
                    encode(model, tools, request, pair.rejected)))
    return out


def _write_jsonl(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))


def _pairs_from_file(path: Path, examples: list[Example]) -> list[Pair]:
    by_request = {e.request: e for e in examples}
    pairs = []
    for line in path.read_text().splitlines():
        row = json.loads(line)
        example = by_request.get(row["request"])
        if example is not None:
            pairs.append(Pair(example, row["rejected"], row["mistake"]))
    return pairs


def collect_on_policy(examples: Sequence[Example], model_path: Path, adapter: Path | None, *,
                      width: int = 4) -> list[Pair]:
    """The planner's own plans on ``examples`` that are not the intended ones."""
    from ..plan import parse_plan
    from ..planner import Planner
    pairs = []
    for example in examples:
        planner = Planner(example.tool_objects(), model=str(model_path), adapter=adapter,
                          width=width, retrieve=None)
        result = planner.plan(example.request)
        if result.plan is None:
            continue
        produced = result.plan.text
        if produced != parse_plan(example.plan).text:
            pairs.append(Pair(example, produced, "on_policy"))
    return pairs


def run_recipe(folder: Path, *, model: str | Path | None = None, run: TuneRun | None = None,
               settings: TuneSettings | None = None,
               on_progress: Callable[[str], None] | None = None) -> TuneReport:
    """Train an adapter for ``model`` (None: the embedded one) into ``folder``."""
    from ..model import find_model, load_model
    from .export import write_adapter
    from .train import load_trainable, train_dpo, train_sft
    run = run or TuneRun()
    settings = settings or TuneSettings(seed=run.seed)
    say = on_progress or (lambda _: None)
    folder = Path(folder)
    model_path = find_model(model).resolve()
    examples = generate_examples(run.examples, seed=run.seed)
    pairs = preference_pairs(examples, seed=run.seed, per_example=run.pairs_per_example)
    _write_jsonl(folder / "data" / "examples.jsonl", [e.to_json() for e in examples])
    _write_jsonl(folder / "data" / "pairs.jsonl",
                 [{"request": p.example.request, "chosen": p.example.plan,
                   "rejected": p.rejected, "mistake": p.mistake} for p in pairs])
    overlap = _bfcl_overlap(examples)
    if overlap:
        raise ConfigurationError(f"the training data overlaps BFCL: {overlap[0]}",
                                 hint="training data must hold nothing of a benchmark the "
                                      "project reports")
    tokenizer = load_model(model_path)
    data = [encode(tokenizer, e.tool_objects(), e.request, e.plan) for e in examples]
    say(f"{len(examples)} examples, {len(pairs)} written pairs; loading the weights")
    net = load_trainable(model_path, settings)
    report = TuneReport(str(model_path), str(folder / "adapter.gguf"), len(examples),
                        len(pairs), 0, asdict(settings),
                        bfcl_overlap=None if overlap is None else len(overlap))

    def progress(phase: PhaseReport) -> None:
        if phase.steps % 5 == 0:
            say(f"{phase.phase} step {phase.steps}: loss {phase.losses[-1]:.4f}, "
                f"{phase.wall_seconds:.0f} s")

    sft_steps = math.ceil(run.sft_epochs * len(data) / settings.batch)
    sft = train_sft(net, data, sft_steps, settings, folder, max_seconds=run.max_seconds,
                    on_step=progress)
    report.phases.append(sft.to_json())
    sft_adapter = write_adapter(net, model_path, folder / "adapter-sft.gguf")
    if not sft.finished:
        say("the supervised phase ran out of time; run again to go on")
        return _finish(folder, report, sft_adapter)
    own_file = folder / "data" / "on_policy.jsonl"
    if run.on_policy and not own_file.is_file():
        say(f"collecting the planner's own mistakes on {run.on_policy} requests")
        own = collect_on_policy(examples[:run.on_policy], model_path, sft_adapter)
        _write_jsonl(own_file, [{"request": p.example.request, "rejected": p.rejected,
                                 "mistake": p.mistake} for p in own])
    if own_file.is_file():
        own_pairs = _pairs_from_file(own_file, examples)
        report.on_policy_pairs = len(own_pairs)
        pairs = pairs + own_pairs
    for pair in pairs:
        report.mistakes[pair.mistake] = report.mistakes.get(pair.mistake, 0) + 1
    encoded_pairs = encode_pairs(tokenizer, pairs)
    dpo_steps = math.ceil(run.dpo_epochs * len(encoded_pairs) / settings.batch)
    if dpo_steps:
        dpo = train_dpo(net, encoded_pairs, dpo_steps, settings, folder,
                        max_seconds=run.max_seconds, on_step=progress)
        report.phases.append(dpo.to_json())
    return _finish(folder, report, write_adapter(net, model_path, folder / "adapter.gguf"))


def _bfcl_overlap(examples: Sequence[Example]) -> list[str] | None:
    """The data's overlaps with BFCL, or None when bfcl-eval is not installed."""
    from ..errors import BenchmarkError
    from .data import ALL_TOOLS
    from .overlap import benchmark_overlap
    try:
        return benchmark_overlap(examples, ALL_TOOLS)
    except BenchmarkError:
        return None


def _finish(folder: Path, report: TuneReport, adapter: Path) -> TuneReport:
    report.adapter = str(adapter)
    (folder / "report.json").write_text(json.dumps(report.to_json(), indent=1))
    return report


def measure(model: str | Path | None = None, *, steps: int = 3,
            settings: TuneSettings | None = None) -> dict[str, float]:
    """Seconds per training example on this machine, for each phase: a few supervised
    and preference steps on generated data, timed wall and CPU."""
    import tempfile

    from ..model import find_model, load_model
    from .train import load_trainable, train_dpo, train_sft
    settings = settings or TuneSettings()
    model_path = find_model(model).resolve()
    examples = generate_examples(steps * settings.batch, seed=12345)
    pairs = preference_pairs(examples, seed=12345, per_example=1)
    tokenizer = load_model(model_path)
    data = [encode(tokenizer, e.tool_objects(), e.request, e.plan) for e in examples]
    encoded_pairs = encode_pairs(tokenizer, pairs)
    started = time.perf_counter()
    net = load_trainable(model_path, settings)
    load_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as scratch:
        sft = train_sft(net, data, steps, settings, Path(scratch))
        dpo = train_dpo(net, encoded_pairs, steps, settings, Path(scratch))
    tokens = sum(len(d.ids) for d in data) / len(data)
    return {"load_seconds": round(load_seconds, 2), "mean_tokens": round(tokens, 1),
            "sft_seconds_per_example": round(sft.wall_seconds / sft.examples, 3),
            "sft_cpu_seconds_per_example": round(sft.cpu_seconds / sft.examples, 3),
            "dpo_seconds_per_pair": round(dpo.wall_seconds / dpo.examples, 3),
            "dpo_cpu_seconds_per_pair": round(dpo.cpu_seconds / dpo.examples, 3)}
