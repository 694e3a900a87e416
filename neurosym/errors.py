"""Every error neurosym raises derives from :class:`NeurosymError`.

Each subclass also derives the builtin it resembles, so callers may catch either
(``except ValueError`` still catches a :class:`PlanSyntaxError`). Every error carries
a ``hint``: one sentence a user can act on.

>>> try:
...     raise PlanSyntaxError("unexpected ')'", line=1, column=5, expected=["NAME"],
...                           source="f(a=)", hint="give the argument a value")
... except ValueError as err:
...     print(err)
unexpected ')' at line 1, column 5; expected NAME
  f(a=)
      ^
hint: give the argument a value
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "NeurosymError",
    "ToolDefinitionError",
    "UnsupportedSchemaError",
    "PlanSyntaxError",
    "PlanValidationError",
    "GrammarError",
    "ConstraintSyntaxError",
    "ConstraintReferenceError",
    "ModelError",
    "ModelNotFoundError",
    "ModelFormatError",
    "AdapterError",
    "ModelTooLargeError",
    "ContextSizeError",
    "ContextOverflowError",
    "DecodeError",
    "BudgetExceeded",
    "Unsatisfiable",
    "ExecutionError",
    "UnverifiedPlanError",
    "PolicyError",
    "BenchmarkError",
    "RetryableError",
    "UnknownToolError",
    "ConfigurationError",
    "EngineError",
]


class NeurosymError(Exception):
    """Root of every error the library raises."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        text = self._describe()
        if self.hint:
            text += f"\nhint: {self.hint}"
        return text

    def _describe(self) -> str:
        return self.message


class ToolDefinitionError(NeurosymError, ValueError):
    """A tool definition (callable, OpenAI JSON, BFCL doc, JSON Schema) is malformed."""

    def __init__(self, message: str, *, tool: str | None = None, path: str | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.tool = tool
        self.path = path

    def _describe(self) -> str:
        where = ""
        if self.tool:
            where = f"tool {self.tool!r}"
            if self.path:
                where += f", {self.path}"
            where += ": "
        elif self.path:
            where = f"{self.path}: "
        return where + self.message


class UnsupportedSchemaError(ToolDefinitionError):
    """A schema uses a construct neurosym cannot turn into a grammar or a constraint."""


class _SourceError(NeurosymError):
    """An error located in a text: line, column, what was expected, and the context."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None,
                 expected: Sequence[str] | None = None, source: str | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.line = line
        self.column = column
        self.expected = sorted(set(expected or ()))
        self.source = source

    def _describe(self) -> str:
        text = self.message
        if self.line is not None:
            text += f" at line {self.line}, column {self.column}"
        if self.expected:
            shown = ", ".join(self.expected[:8])
            if len(self.expected) > 8:
                shown += ", ..."
            text += f"; expected {shown}"
        context = self.get_context()
        if context:
            text += "\n" + context
        return text

    def get_context(self, span: int = 60) -> str:
        """The offending line with a caret under the column (empty when unknown)."""
        if self.source is None or self.line is None or self.column is None:
            return ""
        lines = self.source.splitlines() or [""]
        if not 1 <= self.line <= len(lines):
            return ""
        row = lines[self.line - 1]
        col = max(self.column - 1, 0)
        start = max(col - span, 0)
        return "  " + row[start:col + span] + "\n  " + " " * (col - start) + "^"


class PlanSyntaxError(_SourceError, ValueError):
    """A plan text does not follow the plan language."""


class PlanValidationError(NeurosymError, ValueError):
    """A well-formed plan that breaks a rule: unknown tool, unbound reference, a cycle."""

    def __init__(self, message: str, *, step: int | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.step = step


class GrammarError(NeurosymError, ValueError):
    """A grammar could not be built or loaded by one of the engines."""


class ConstraintSyntaxError(_SourceError, ValueError):
    """A constraint expression does not follow the constraint language."""


class ConstraintReferenceError(NeurosymError, ValueError):
    """A constraint names a tool, parameter or step that does not exist."""

    def __init__(self, message: str, *, constraint: str | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.constraint = constraint

    def _describe(self) -> str:
        if self.constraint:
            return f"{self.message} (in constraint {self.constraint!r})"
        return self.message


class ModelError(NeurosymError, RuntimeError):
    """The language model could not be loaded or run."""


class ModelNotFoundError(ModelError, FileNotFoundError):
    """No GGUF file where one was expected."""


class ModelFormatError(ModelError, ValueError):
    """The file is not a GGUF model llama.cpp can load."""


class AdapterError(ModelFormatError):
    """A LoRA adapter that is not one, or does not fit the model it is loaded with."""


class ModelTooLargeError(ModelError, MemoryError):
    """Loading the model would need more memory than the machine has free."""


class ContextSizeError(ModelError, ValueError):
    """The context asked for (``n_ctx``) is not one the model can be loaded with."""

    def __init__(self, message: str, *, asked: int | None = None, trained: int | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.asked = asked
        self.trained = trained


class ContextOverflowError(ModelError, ValueError):
    """The prompt (or prompt plus plan) does not fit in the model's context window."""

    def __init__(self, message: str, *, tokens: int | None = None, limit: int | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.tokens = tokens
        self.limit = limit


class DecodeError(NeurosymError, RuntimeError):
    """The constrained decoder reached a state it cannot continue from."""


class BudgetExceeded(NeurosymError, RuntimeError):
    """A search or agent budget (retries, backjumps, steps, wall time) ran out."""

    def __init__(self, message: str, *, budget: str | None = None, limit: Any = None,
                 hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.budget = budget
        self.limit = limit


class Unsatisfiable(NeurosymError, ValueError):
    """The constraints cannot be met; ``core`` names the constraints in conflict."""

    def __init__(self, message: str, *, core: Sequence[str] = (), hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.core = list(core)

    def _describe(self) -> str:
        if not self.core:
            return self.message
        return self.message + "\n" + "\n".join(f"  - {item}" for item in self.core)


class ExecutionError(NeurosymError, RuntimeError):
    """Executing a plan failed in a way that is not a tool's own error."""


class UnverifiedPlanError(ExecutionError):
    """The executor was handed a plan that did not pass the checks."""


class PolicyError(ExecutionError, PermissionError):
    """A policy forbids a tool (deny list, missing approval)."""


class BenchmarkError(NeurosymError, RuntimeError):
    """A benchmark could not be set up (missing data, missing checker)."""


class RetryableError(ExecutionError):
    """Raised by a tool to say the call did nothing and may succeed if tried again."""


class UnknownToolError(NeurosymError, KeyError):
    """A tool set was asked for a tool name it does not hold."""


class ConfigurationError(NeurosymError, ValueError):
    """An option of the planner (or another front class) that cannot be used as given."""


class EngineError(NeurosymError, RuntimeError):
    """A planning engine (a llama.cpp or vLLM server) failed: down, too slow, or its reply
    could not be read. Carries the engine's address."""

    def __init__(self, message: str, *, engine: str = "", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.engine = engine
