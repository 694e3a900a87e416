"""Running verified plans: the executor, policies, the audit log, observation shaping,
and the agent loop that plans, runs, observes and plans again."""

from ..errors import RetryableError
from .audit import AuditLog, AuditRecord
from .executor import Executor
from .history import PastCall
from .loop import LoopObservation, LoopResult, Proposal, Turn, run_loop
from .policy import Policy, ToolCall
from .result import ExecutionResult, LateWrite, StepResult
from .shape import ObservationStore, ShapedObservation, shape_observation
from .verify import VerifiedPlan, verify

__all__ = ["AuditLog", "AuditRecord", "ExecutionResult", "Executor", "LateWrite", "LoopObservation",
           "LoopResult", "ObservationStore", "PastCall", "Policy", "Proposal",
           "RetryableError", "ShapedObservation",
           "StepResult", "ToolCall", "Turn", "VerifiedPlan", "run_loop", "shape_observation",
           "verify"]
