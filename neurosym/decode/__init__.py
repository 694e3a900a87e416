"""The token loop: llguidance masks from a Lark grammar, checkpoints, rollback, hooks.

Importing this package loads numpy only; llama.cpp and llguidance come with a model.
"""

from .boundary import BOUNDARY_KINDS, Boundary, BoundaryKind, Path
from .budget import Budgets
from .checkpoint import Checkpoint
from .decoder import DecodeResult, Decoder
from .events import (CallEvent, CheckpointEvent, ConstraintEvent, DecisionEvent, Event,
                     RollbackEvent, TokenEvent, ValueEvent)
from ._masks import bit_is_set, unpack_mask
from .hooks import (CONTINUE, ChainedHooks, Continue, Decision, DecodeHooks, DecodeState, Hooks,
                    Reject, ValueGrammars, chain_hooks, checkpoint_at,
                    live_checkpoint)
from .sampling import GREEDY, Sampling
from .structure import StructureHooks
from .tracker import PlanTracker

__all__ = ["bit_is_set", "unpack_mask", "ChainedHooks", "ValueGrammars", "chain_hooks", "checkpoint_at", "live_checkpoint", "BOUNDARY_KINDS", "Boundary", "BoundaryKind", "Budgets", "CONTINUE", "CallEvent",
           "Checkpoint", "CheckpointEvent", "ConstraintEvent", "Continue", "DecisionEvent",
           "Decision", "DecodeHooks", "DecodeResult", "DecodeState", "Decoder", "Event", "GREEDY",
           "Hooks", "Path", "PlanTracker", "StructureHooks", "Reject", "RollbackEvent", "Sampling", "TokenEvent",
           "ValueEvent"]
