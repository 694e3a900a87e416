"""Fitting the planner's model to its tools: a LoRA adapter trained by the project's recipe.

``neurosym tune`` generates requests over a synthetic catalogue (several domains and
languages) with their intended plans, trains an adapter on them (supervised, then
preference pairs of the intended plan against wrong ones, the planner's own among them)
and writes it as a GGUF adapter that llama.cpp loads (``Planner(adapter=...)``).
Training needs the tune extra (``pip install "neurosym[tune]"``); planning never does.
"""

from .catalogue import CHAINS, DOMAINS, INTENTS, LANGUAGES, TOOLS
from .data import Example, Pair, generate_examples, preference_pairs
from .recipe import TuneReport, TuneRun, encode, measure, run_recipe
from .train import TuneSettings

__all__ = ["CHAINS", "DOMAINS", "INTENTS", "LANGUAGES", "TOOLS", "Example", "Pair",
           "TuneReport", "TuneRun", "TuneSettings", "encode", "generate_examples", "measure",
           "preference_pairs", "run_recipe"]
