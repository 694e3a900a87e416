"""Plans as dependency graphs: building, validating, and scheduling them."""

from .build import plan_graph
from .schedule import execution_batches, parallel_batches
from .validate import ReferenceCheck, check_reference, validate_plan

__all__ = ["ReferenceCheck", "check_reference", "execution_batches", "parallel_batches",
           "plan_graph", "validate_plan"]
