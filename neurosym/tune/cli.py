"""``neurosym tune``: train a planner adapter, or measure what training costs here.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="neurosym tune")
>>> add_arguments(parser)
>>> args = parser.parse_args(["--out", "runs/a", "--examples", "40", "--rank", "4"])
>>> args.examples, args.rank, args.measure
(40, 4, False)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..arguments import positive_int

__all__ = ["add_arguments", "main"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``neurosym tune``."""
    parser.add_argument("--out", default="tune-run", metavar="DIR",
                        help="the run's folder: data, checkpoints, adapter.gguf, report.json "
                             "(a run started again on it resumes)")
    parser.add_argument("--model", metavar="GGUF", default=None,
                        help="the base model (default: the embedded SmolLM2-135M)")
    parser.add_argument("--examples", type=positive_int, default=800, metavar="N",
                        help="generated training requests (default 800)")
    parser.add_argument("--sft-epochs", type=float, default=1.0, metavar="E",
                        help="passes of supervised training over the examples (default 1)")
    parser.add_argument("--dpo-epochs", type=float, default=1.0, metavar="E",
                        help="passes of preference training over the pairs (default 1; "
                             "0 skips it)")
    parser.add_argument("--pairs", type=int, default=1, metavar="N",
                        help="written rejected plans per example (default 1)")
    parser.add_argument("--on-policy", type=int, default=0, metavar="N",
                        help="plan N training requests with the supervised adapter and "
                             "train against its wrong plans too (default 0)")
    parser.add_argument("--rank", type=positive_int, default=16, metavar="R",
                        help="the adapter's rank (default 16)")
    parser.add_argument("--batch", type=positive_int, default=4, metavar="N",
                        help="examples per optimiser step (default 4)")
    parser.add_argument("--sft-lr", type=float, default=3e-4, metavar="LR",
                        help="supervised learning rate (default 3e-4)")
    parser.add_argument("--dpo-lr", type=float, default=5e-5, metavar="LR",
                        help="preference learning rate (default 5e-5)")
    parser.add_argument("--beta", type=float, default=0.1,
                        help="DPO's beta: how far from the reference it may go (default 0.1)")
    parser.add_argument("--max-minutes", type=float, default=None, metavar="M",
                        help="time budget of each training phase; a cut run resumes")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data and the run")
    parser.add_argument("--measure", action="store_true",
                        help="only measure seconds per training example on this machine")


def main(args: argparse.Namespace) -> int:
    from .recipe import TuneRun, measure, run_recipe
    from .train import TuneSettings
    settings = TuneSettings(rank=args.rank, alpha=2.0 * args.rank, batch=args.batch,
                            seed=args.seed, sft_lr=args.sft_lr, dpo_lr=args.dpo_lr,
                            beta=args.beta)
    if args.measure:
        print(json.dumps(measure(args.model, settings=settings), indent=1))
        return 0
    run = TuneRun(examples=args.examples, sft_epochs=args.sft_epochs,
                  pairs_per_example=args.pairs, dpo_epochs=args.dpo_epochs,
                  on_policy=args.on_policy, seed=args.seed,
                  max_seconds=None if args.max_minutes is None else args.max_minutes * 60)
    report = run_recipe(Path(args.out), model=args.model, run=run, settings=settings,
                        on_progress=lambda text: print(text, file=sys.stderr, flush=True))
    print(report.adapter)
    return 0
