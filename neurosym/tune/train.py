"""Training a LoRA adapter on plans: supervised first, then preferences (DPO).

The base weights are the GGUF file's own, read by transformers (which dequantises them)
and kept frozen; only the adapter's low-rank matrices learn. Texts are tokenised by
llama.cpp exactly as the planner tokenises them (the prompt in the model's chat
template, then the plan, then the end of the turn), so the adapter learns the tokens it
will be asked to write. The loss is the plan's tokens' negative log-likelihood; DPO
compares the intended plan with a rejected one against the supervised adapter as the
reference.

Each phase saves a checkpoint (the adapter, the optimiser, the step and the losses)
every ``checkpoint_every`` steps and when its time budget ends; a run started again on
the same folder resumes where it stopped.
"""

from __future__ import annotations

import contextlib
import json
import io
import math
import random
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError, ModelError

__all__ = ["TuneSettings", "Encoded", "PhaseReport", "load_trainable", "train_sft",
           "train_dpo", "sequence_logprob", "quiet_libraries", "ALL_TARGETS"]

#: The projections of a llama-style block that an adapter may change.
ALL_TARGETS: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
                                "up_proj", "down_proj")


@dataclass(frozen=True)
class TuneSettings:
    """The recipe's knobs. ``batch`` examples make one optimiser step."""

    rank: int = 16
    alpha: float = 32.0
    targets: tuple[str, ...] = ALL_TARGETS
    sft_lr: float = 3e-4
    dpo_lr: float = 5e-5
    beta: float = 0.1
    batch: int = 4
    seed: int = 0
    threads: int | None = None
    checkpoint_every: int = 20

    def __post_init__(self) -> None:
        if self.rank < 1 or self.batch < 1 or self.alpha <= 0:
            raise ConfigurationError(f"rank, batch and alpha must be positive, not "
                                     f"{self.rank}, {self.batch}, {self.alpha}",
                                     hint="rank=16, alpha=32, batch=4 are the defaults")
        unknown = sorted(set(self.targets) - set(ALL_TARGETS))
        if unknown or not self.targets:
            raise ConfigurationError(f"unknown adapter targets: {unknown or 'none given'}",
                                     hint="choose among " + ", ".join(ALL_TARGETS))


@dataclass(frozen=True)
class Encoded:
    """One training text as tokens: the loss covers ``ids[start:]``."""

    ids: tuple[int, ...]
    start: int


@dataclass
class PhaseReport:
    """What one phase did: its steps, examples, time, and the loss after each step."""

    phase: str
    steps: int = 0
    examples: int = 0
    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0
    losses: list[float] = field(default_factory=list)
    finished: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@contextlib.contextmanager
def quiet_libraries() -> Iterator[None]:
    """The training libraries' deprecation notices and progress bars kept out of the
    caller's output (they concern the libraries' own internals, not the recipe)."""
    with warnings.catch_warnings():
        for category in (FutureWarning, DeprecationWarning, UserWarning):
            warnings.filterwarnings("ignore", category=category,
                                    module=r"(transformers|peft|torch|accelerate)(\.|$)")
        yield


@contextlib.contextmanager
def _no_progress_bars() -> Iterator[None]:
    """transformers draws a progress bar on stderr while it dequantises a GGUF file's
    tensors, with no switch to turn it off: its output goes nowhere meanwhile."""
    with contextlib.redirect_stderr(io.StringIO()):
        yield


def _torch() -> Any:
    try:
        import torch
    except ImportError as exc:
        raise ModelError("training needs torch, transformers and peft",
                         hint='install the tune extra: pip install "neurosym[tune]"') from exc
    return torch


def load_trainable(gguf_path: Path, settings: TuneSettings) -> Any:
    """The GGUF model's weights in transformers, frozen, with a fresh LoRA adapter."""
    torch = _torch()
    import logging

    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM
    from transformers.utils import logging as hf_logging
    torch.manual_seed(settings.seed)
    if settings.threads:
        torch.set_num_threads(settings.threads)
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    logging.getLogger("transformers").setLevel(logging.ERROR)
    with quiet_libraries(), _no_progress_bars():
        try:
            base = AutoModelForCausalLM.from_pretrained(str(gguf_path.parent),
                                                        gguf_file=gguf_path.name,
                                                        dtype=torch.float32)
        except (ValueError, OSError, RuntimeError, KeyError) as exc:
            raise ModelError(f"transformers could not read the weights of {gguf_path.name}: "
                             f"{exc}", hint="the recipe trains llama-style GGUF models "
                                            "(SmolLM2, Gemma 3)") from exc
        base.config.use_cache = False
        config = LoraConfig(r=settings.rank, lora_alpha=settings.alpha, lora_dropout=0.0,
                            target_modules=list(settings.targets), bias="none",
                            task_type="CAUSAL_LM")
        return get_peft_model(base, config)


def sequence_logprob(net: Any, encoded: Encoded) -> Any:
    """The summed log-probability of ``encoded.ids[start:]`` (a scalar tensor)."""
    torch = _torch()
    ids = torch.tensor([list(encoded.ids)])
    keep = len(encoded.ids) - encoded.start + 1
    logits = net(input_ids=ids, logits_to_keep=keep).logits[0, :-1]
    targets = ids[0, encoded.start:]
    logprobs = torch.log_softmax(logits.float(), dim=-1)
    return logprobs.gather(1, targets[:, None]).sum()


def _item_at(position: int, n: int, seed: int) -> int:
    """The item a phase takes at ``position`` (its step times its batch, plus the
    example's place in the batch): each epoch walks the items in its own seeded order."""
    order = list(range(n))
    random.Random(seed * 1000 + position // n).shuffle(order)
    return order[position % n]


class _Checkpoint:
    """A phase's saved state in ``folder``: the adapter, optimiser, step and report."""

    def __init__(self, folder: Path, phase: str) -> None:
        self.path = folder / f"{phase}-checkpoint.pt"
        self.folder = folder

    def load(self, net: Any, optimiser: Any) -> tuple[int, PhaseReport, dict[str, Any]] | None:
        if not self.path.is_file():
            return None
        torch = _torch()
        from peft import set_peft_model_state_dict
        state = torch.load(self.path, weights_only=False)
        set_peft_model_state_dict(net, state["adapter"])
        optimiser.load_state_dict(state["optimiser"])
        return state["step"], PhaseReport(**state["report"]), state.get("extra", {})

    def save(self, net: Any, optimiser: Any, step: int, report: PhaseReport,
             extra: dict[str, Any] | None = None) -> None:
        torch = _torch()
        from peft import get_peft_model_state_dict
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        torch.save({"adapter": get_peft_model_state_dict(net, save_embedding_layers=False),
                    "optimiser": optimiser.state_dict(), "step": step,
                    "report": report.to_json(), "extra": extra or {}}, temporary)
        temporary.replace(self.path)


def _run_phase(net: Any, phase: str, n_items: int, steps: int, settings: TuneSettings,
               lr: float, folder: Path, loss_of: Callable[[int], Any],
               max_seconds: float | None, on_step: Callable[[PhaseReport], None] | None,
               extra: dict[str, Any] | None = None) -> PhaseReport:
    """``steps`` optimiser steps of ``settings.batch`` items each, the items in a seeded
    order, resuming from the phase's checkpoint when there is one."""
    with quiet_libraries():
        return _steps(net, phase, n_items, steps, settings, lr, folder, loss_of, max_seconds,
                      on_step, extra)


def _steps(net: Any, phase: str, n_items: int, steps: int, settings: TuneSettings,
           lr: float, folder: Path, loss_of: Callable[[int], Any],
           max_seconds: float | None, on_step: Callable[[PhaseReport], None] | None,
           extra: dict[str, Any] | None) -> PhaseReport:
    torch = _torch()
    trainable = [p for p in net.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(trainable, lr=lr, weight_decay=0.0)
    checkpoint = _Checkpoint(folder, phase)
    report = PhaseReport(phase)
    start_step = 0
    restored = checkpoint.load(net, optimiser)
    if restored is not None:
        start_step, report, _ = restored
    if report.finished or n_items == 0:
        return report
    started_wall, started_cpu = time.perf_counter(), time.process_time()
    base_wall, base_cpu = report.wall_seconds, report.cpu_seconds
    warmup = max(1, steps // 10)
    net.train()
    step = start_step
    for step in range(start_step, steps):
        scale = min(1.0, (step + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * step / steps))
        for group in optimiser.param_groups:
            group["lr"] = lr * scale
        optimiser.zero_grad(set_to_none=True)
        total = 0.0
        for k in range(settings.batch):
            index = _item_at(step * settings.batch + k, n_items, settings.seed)
            loss = loss_of(index) / settings.batch
            loss.backward()
            total += float(loss.detach())
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimiser.step()
        report.steps = step + 1
        report.examples = (step + 1) * settings.batch
        report.losses.append(round(total, 5))
        report.wall_seconds = base_wall + time.perf_counter() - started_wall
        report.cpu_seconds = base_cpu + time.process_time() - started_cpu
        if on_step is not None:
            on_step(report)
        out_of_time = max_seconds is not None and report.wall_seconds - base_wall >= max_seconds
        if (step + 1) % settings.checkpoint_every == 0 or out_of_time:
            checkpoint.save(net, optimiser, step + 1, report, extra)
        if out_of_time:
            return report
    report.finished = True
    checkpoint.save(net, optimiser, steps, report, extra)
    return report


def train_sft(net: Any, data: Sequence[Encoded], steps: int, settings: TuneSettings,
              folder: Path, *, max_seconds: float | None = None,
              on_step: Callable[[PhaseReport], None] | None = None) -> PhaseReport:
    """Supervised steps: the mean negative log-likelihood per plan token."""
    def loss_of(index: int) -> Any:
        item = data[index]
        return -sequence_logprob(net, item) / (len(item.ids) - item.start)
    return _run_phase(net, "sft", len(data), steps, settings, settings.sft_lr, folder,
                      loss_of, max_seconds, on_step)


def train_dpo(net: Any, pairs: Sequence[tuple[Encoded, Encoded]], steps: int,
              settings: TuneSettings, folder: Path, *, max_seconds: float | None = None,
              on_step: Callable[[PhaseReport], None] | None = None) -> PhaseReport:
    """Preference steps (DPO): each pair is (intended, rejected); the reference is the
    adapter as this phase finds it (the supervised one), its log-probabilities taken
    once and kept in the checkpoint."""
    torch = _torch()
    references_file = folder / "dpo-reference.json"
    if references_file.is_file():
        references = {int(k): v for k, v in json.loads(references_file.read_text()).items()}
    else:
        # Only the pairs the steps will reach are weighed (a part of an epoch reaches some).
        used = {_item_at(position, len(pairs), settings.seed)
                for position in range(steps * settings.batch)} if pairs else set()
        net.eval()
        with torch.no_grad(), quiet_libraries():
            references = {i: [float(sequence_logprob(net, pairs[i][0])),
                              float(sequence_logprob(net, pairs[i][1]))] for i in sorted(used)}
        folder.mkdir(parents=True, exist_ok=True)
        references_file.write_text(json.dumps(references))
        net.train()

    def loss_of(index: int) -> Any:
        chosen, rejected = pairs[index]
        ref_chosen, ref_rejected = references[index]
        margin = ((sequence_logprob(net, chosen) - ref_chosen)
                  - (sequence_logprob(net, rejected) - ref_rejected))
        return -torch.nn.functional.logsigmoid(settings.beta * margin)
    return _run_phase(net, "dpo", len(pairs), steps, settings, settings.dpo_lr, folder,
                      loss_of, max_seconds, on_step)
