"""Running a verified plan: in dependency order, reads together, writes one at a time.

The executor never runs a plan that has not been through
:func:`~neurosym.execute.verify.verify`, and it never leaves state half-written by its
own doing: a denied tool stops the whole run before any call, and once any step has
failed no later write is started. Every call goes through the gateway (policy, approval,
argument check, constraint re-check), runs with a timeout, and is audited.

>>> from neurosym.execute.verify import verify
>>> from neurosym.plan.ast import Call, Literal, Plan, Step
>>> from neurosym.tools.tool import Param, Tool
>>> double = Tool("double", params=(Param("x", "integer"),), returns=Param("r", "integer"),
...               func=lambda x: 2 * x)
>>> plan = Plan((Step(Call("double", (("x", Literal(21)),)), bind="y"),))
>>> Executor([double]).execute(verify(plan, [double])).values
{'y': 42}
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from concurrent.futures import ThreadPoolExecutor
from typing import IO, TYPE_CHECKING, Any

from ..errors import (ExecutionError, NeurosymError, PolicyError, RetryableError,
                      UnverifiedPlanError)
from ..graph.tool_index import ToolsLike, index_tools
from ..graph.fit import value_problems
from ..graph.schedule import execution_batches
from ..redact import Secrets
from ..tools.tool import Tool
from ._call import MAX_ABANDONED, Attempt, abandoned_calls, call_with_timeout
from ._render import render_call, render_resolved_call, render_value
from .resolve import ResolutionError, resolve_value
from .audit import AuditLog, AuditRecord, Outcome
from .digest import idempotency_key
from .gateway import argument_problems, recheck_constraints
from .grounds import grounds_of, ungrounded
from .policy import Policy, ToolCall
from .result import ExecutionResult, LateOutcomes, LateWrite, StepResult, StepStatus
from .verify import VerifiedPlan

if TYPE_CHECKING:
    import os

    import networkx as nx

__all__ = ["Executor"]

_RETRYABLE = (TimeoutError, ConnectionError, RetryableError)
#: The longest a call may be given (seconds).
MAX_TIMEOUT_S = 86_400.0


class Executor:
    """Runs verified plans against real tools.

    ``timeout_s`` bounds each call; ``retries`` is how many more attempts a retryable
    failure (timeout, connection error, :class:`~neurosym.errors.RetryableError`) gets,
    with a backoff starting at ``backoff_s`` and doubling. A write is retried only when
    a retry is safe: it takes an idempotency key, or it raised RetryableError (it says
    it did nothing). ``max_workers`` bounds the reads running at once. ``audit`` is an
    :class:`AuditLog`, a path, or a text file. ``dry_run`` calls nothing and reports
    what would run.

    The values of sensitive parameters (marked in the tools, or named by
    ``Policy(sensitive=...)``), and every value that fed one, are redacted from the
    result, its errors and report, and the audit log (see :mod:`neurosym.redact`).
    """

    def __init__(self, tools: ToolsLike, *, policy: Policy | None = None,
                 timeout_s: float = 10.0, retries: int = 2, max_workers: int = 4,
                 audit: AuditLog | str | os.PathLike[str] | IO[str] | None = None,
                 dry_run: bool = False, backoff_s: float = 0.05) -> None:
        if not timeout_s > 0:
            raise ExecutionError(f"timeout_s must be positive (got {timeout_s})",
                                 hint="give each call a few seconds, e.g. timeout_s=10")
        if not timeout_s <= MAX_TIMEOUT_S:
            # Beyond this a thread's wait overflows (inf, 1e10), and no call should be
            # waited for longer anyway: a call that may take forever is a hang.
            raise ExecutionError(f"timeout_s must be at most {MAX_TIMEOUT_S:g} s (a day), "
                                 f"not {timeout_s}",
                                 hint="give each call a bounded time, e.g. timeout_s=10")
        if retries < 0 or max_workers < 1 or backoff_s < 0:
            raise ExecutionError(
                f"retries >= 0, max_workers >= 1 and backoff_s >= 0 are needed (got "
                f"{retries}, {max_workers}, {backoff_s})", hint="use the defaults")
        self.tools: dict[str, Tool] = index_tools(tools)
        self.policy = policy or Policy()
        self.timeout_s = timeout_s
        self.retries = retries
        self.max_workers = max_workers
        self.backoff_s = backoff_s
        self.audit = AuditLog.coerce(audit)
        self.dry_run = dry_run

    def execute(self, verified: VerifiedPlan, *, dry_run: bool | None = None) -> ExecutionResult:
        """Run the plan; every step's outcome is in the result, none is raised.

        Raises :class:`~neurosym.errors.UnverifiedPlanError` for anything but a
        VerifiedPlan checked against these tools, and
        :class:`~neurosym.errors.ExecutionError` when a tool it needs has no function;
        both before anything is called.
        """
        if not isinstance(verified, VerifiedPlan):
            raise UnverifiedPlanError(
                f"the executor runs only verified plans, not {type(verified).__name__}",
                hint="call neurosym.execute.verify(plan, tools, constraints) first and pass "
                     "its result")
        dry = self.dry_run if dry_run is None else dry_run
        return _Run(self, verified, dry).run()


class _Run:
    """The state of one execution."""

    def __init__(self, executor: Executor, verified: VerifiedPlan, dry_run: bool) -> None:
        self.ex = executor
        self.verified = verified
        self.dry_run = dry_run
        self.graph: nx.DiGraph = plan_graph_for(verified, executor.tools)
        self.results: dict[int, StepResult] = {}
        self.values: dict[str, Any] = {}
        self.resolved: dict[int, dict[str, Any]] = {}
        self.lock = threading.Lock()
        self.failed = False
        self.audit_failed: str | None = None
        self.records: list[AuditRecord] = []
        self.t0 = time.perf_counter()
        self.batch_of: dict[int, int] = {}
        # Values of sensitive parameters: those the plan writes are known now, those
        # read from results as each call resolves.
        self.secrets = Secrets()
        self.secrets.add_plan(verified.flat, executor.tools, executor.policy)
        self.late = LateOutcomes()

    # -- the run ------------------------------------------------------------------

    def run(self) -> ExecutionResult:
        self.check_tools()
        batches = execution_batches(self.graph)
        for number, batch in enumerate(batches):
            for index in batch:
                self.batch_of[index] = number
        if not self.preflight_policy():
            if self.dry_run:
                for index in sorted(self.graph.nodes):
                    self.dry_step(index)
            else:
                with ThreadPoolExecutor(max_workers=self.ex.max_workers,
                                        thread_name_prefix="neurosym-step") as pool:
                    for batch in batches:
                        if len(batch) == 1:
                            self.run_step(batch[0])
                        else:
                            list(pool.map(self.run_step, batch))
                        if any(not self.results[i].ok for i in batch):
                            self.failed = True
        # A secret found late in the run (a result that fed a sensitive parameter) is
        # taken out of the steps that finished before it was known, too.
        steps = tuple(self.redacted(self.results[i]) for i in sorted(self.results))
        return ExecutionResult(
            plan=self.verified.plan, steps=steps,
            batches=tuple(tuple(b) for b in batches),
            audit=tuple(self.records),
            total_ms=(time.perf_counter() - self.t0) * 1000.0, dry_run=self.dry_run,
            late=self.late, secrets=self.secrets)

    def redacted(self, result: StepResult) -> StepResult:
        if not self.secrets:
            return result
        tool = self.ex.tools.get(result.tool)
        args = result.args
        if args is not None:
            args = (self.secrets.redact_args(tool, args, self.ex.policy) if tool is not None
                    else self.secrets.redact_value(dict(args)))
        return replace(result, value=self.secrets.redact_value(result.value), args=args,
                       error=None if result.error is None else self.secrets.redact(result.error),
                       call_text=self.secrets.redact(result.call_text))

    def check_tools(self) -> None:
        verified_tools = {t.name: t for t in self.verified.tools}
        for index in self.graph.nodes:
            name = self.graph.nodes[index]["tool"]
            mine = self.ex.tools.get(name)
            if mine is None or mine != verified_tools.get(name):
                raise UnverifiedPlanError(
                    f"the plan was verified against another definition of {name!r} than "
                    "this executor has" if mine else
                    f"the plan uses {name!r}, which this executor does not have",
                    hint="verify the plan with the same tools the executor runs")
            if mine.func is None and not self.dry_run:
                raise ExecutionError(f"tool {name!r} has no function to call",
                                     hint="give the Tool a func, or use a dry run")

    def preflight_policy(self) -> bool:
        """Refuse the whole run when any step's tool is denied outright (True: refused)."""
        denied = {i: self.ex.policy.denial(self.graph.nodes[i]["tool"])
                  for i in self.graph.nodes}
        denied = {i: reason for i, reason in denied.items() if reason}
        if not denied:
            return False
        first = min(denied)
        for index in sorted(self.graph.nodes):
            if index in denied:
                message = f"PolicyError: {denied[index]}"
                self.audit(index, {}, "denied", 0.0, 0, message)
                self.finish(index, "denied", error=message)
            else:
                self.finish(index, "skipped",
                            error=f"not started: step {first} uses a denied tool, so the plan "
                                  "was not run")
        return True

    # -- one step -----------------------------------------------------------------

    def tool_of(self, index: int) -> Tool:
        return self.ex.tools[self.graph.nodes[index]["tool"]]

    def now(self) -> float:
        return time.perf_counter() - self.t0

    def finish(self, index: int, status: StepStatus, **fields: Any) -> StepResult:
        node = self.graph.nodes[index]
        if "call_text" not in fields:
            fields["call_text"] = render_call(node["tool"], node["args"])
        result = StepResult(index=index, tool=node["tool"], bind=node["bind"], status=status,
                            batch=self.batch_of.get(index, 0), origin=node["origin"], **fields)
        with self.lock:
            self.results[index] = result
            if result.ok and result.bind:
                self.values[result.bind] = result.value
        return self.redacted(result)

    def audit(self, index: int, args: Mapping[str, Any], outcome: Outcome, latency_ms: float,
              attempt: int, error: str | None = None) -> None:
        # Only the kind of an error is recorded: a message may quote argument values.
        kind = self.secrets.redact(error.split(":", 1)[0]) if error else None
        try:
            record = self.ex.audit.write(step=index, tool=self.graph.nodes[index]["tool"],
                                         args=args, outcome=outcome, latency_ms=latency_ms,
                                         attempt=attempt, error=kind)
        except Exception as exc:  # noqa: BLE001 - any sink failure stops the run
            self.audit_failed = f"{type(exc).__name__}: {exc}"
            return
        if outcome != "started":
            with self.lock:
                self.records.append(record)

    def dry_step(self, index: int) -> None:
        node = self.graph.nodes[index]
        preview = {k: self.secrets.redact(render_value(v)) for k, v in node["args"].items()}
        self.audit(index, preview, "dry-run", 0.0, 0)
        self.finish(index, "dry-run", args=preview)

    def run_step(self, index: int) -> StepResult:
        tool = self.tool_of(index)
        if self.audit_failed:
            return self.finish(index, "skipped",
                               error="not started: the audit log could not be written "
                                     f"({self.audit_failed})")
        for pred in sorted(self.graph.predecessors(index)):
            before = self.results.get(pred)
            if before is None or not before.ok:
                return self.finish(index, "blocked",
                                   error=f"not started: it uses the result of step {pred} "
                                         f"({before.label if before else pred}), which did "
                                         "not succeed")
        if tool.effect == "write" and self.failed:
            return self.finish(index, "skipped",
                               error="not started: an earlier step failed, and no write starts "
                                     "after a failure")
        node = self.graph.nodes[index]
        try:
            with self.lock:
                known = dict(self.values)
            args = tool.given_args({name: resolve_value(value, known)
                                    for name, value in node["args"].items()})
        except ResolutionError as exc:
            return self.finish(index, "error", error=f"ResolutionError: {exc.message}")
        # What fills a sensitive parameter is secret from here on, wherever it came from.
        self.secrets.add_call(tool, args, self.ex.policy)
        key = None
        if tool.idempotency_param and tool.idempotency_param not in args:
            key = idempotency_key(index, tool.name, args)
            args[tool.idempotency_param] = key
        text = render_resolved_call(tool.name, self.secrets.redact_args(tool, args,
                                                                       self.ex.policy))
        refusal = self.gateway(index, tool, args)
        if refusal is not None:
            self.audit(index, args, "denied", 0.0, 0, refusal)
            return self.finish(index, "denied", error=refusal, args=args, call_text=text,
                               idempotency_key=key)
        return self.call(index, tool, args, key, text)

    def gateway(self, index: int, tool: Tool, args: dict[str, Any]) -> str | None:
        """Why the call may not happen, or None."""
        node = self.graph.nodes[index]
        call = ToolCall(index, tool.name, dict(args), node["bind"],
                        sources=self.grounds(index, tool, args), secrets=self.secrets)
        try:
            self.ex.policy.approve(call, tool)
            if not self.ex.policy.needs_approval(tool):  # an approval grounds every value
                self.ex.policy.ground(call, tool, ungrounded(call.sources))
        except PolicyError as exc:
            return f"PolicyError: {exc.message}"
        problems = argument_problems(tool, args)
        if problems:
            return f"PlanValidationError: arguments of {tool.name}: " + "; ".join(problems)
        if self.verified.constraints:
            with self.lock:
                resolved = {**self.resolved, index: dict(args)}
                done = [r for _, r in sorted(self.results.items()) if r.ok]
            # by tool name for ``tool.result`` in constraints, by bound name for references
            observed = {**{r.tool: r.value for r in done},
                        **{r.bind: r.value for r in done if r.bind}}
            try:
                recheck_constraints(self.verified, resolved, observed)
            except NeurosymError as exc:  # the message already names the values in conflict
                return f"{type(exc).__name__}: {exc.message}"
        return None

    def grounds(self, index: int, tool: Tool, args: Mapping[str, Any]) -> dict[str, str]:
        """Where the call's required values come from, when the plan answers a request."""
        if self.verified.request is None:
            return {}
        with self.lock:
            observed = {**self.verified.observations, **self.values}
        return grounds_of(tool, dict(self.graph.nodes[index]["args"]), args,
                          self.verified.request, observed)

    def call(self, index: int, tool: Tool, args: dict[str, Any], key: str | None,
             text: str) -> StepResult:
        assert tool.func is not None  # checked before the run
        started = self.now()
        total_ms = 0.0
        attempt = 0
        while True:
            attempt += 1
            running = abandoned_calls()
            if running >= MAX_ABANDONED:
                return self.finish(index, "error", args=args, attempts=attempt - 1,
                                   error=f"ExecutionError: {running} calls that timed out are "
                                         "still running; no call starts until some of them "
                                         "end", retryable=True, idempotency_key=key,
                                   call_text=text)
            # The intent is on record before the call; a log that cannot take it stops
            # the call (and the run) before anything happens.
            self.audit(index, args, "started", 0.0, attempt)
            if self.audit_failed:
                return self.finish(index, "error", args=args, attempts=attempt - 1,
                                   error="AuditError: the audit log could not be written "
                                         f"({self.audit_failed}); the call was not made",
                                   idempotency_key=key, call_text=text)
            outcome = call_with_timeout(tool.func, args, self.ex.timeout_s, tool.name,
                                        on_late=self.late_outcome(index, args, attempt))
            total_ms += outcome.latency_ms
            if outcome.timed_out:
                status: StepStatus = "timeout"
                error = (f"TimeoutError: {tool.name} did not answer within "
                         f"{self.ex.timeout_s:g} s (its thread is left running: "
                         f"{abandoned_calls()} of at most {MAX_ABANDONED} such calls now)")
                retryable = True
            elif outcome.error is not None:
                status = "error"
                error = f"{type(outcome.error).__name__}: {outcome.error}"
                retryable = isinstance(outcome.error, _RETRYABLE)
            else:
                problems = (value_problems(tool.returns, outcome.value, "result")
                            if tool.returns is not None else [])
                if not problems:
                    self.audit(index, args, "ok", outcome.latency_ms, attempt)
                    with self.lock:
                        self.resolved[index] = dict(args)
                    return self.finish(index, "ok", value=outcome.value, args=args,
                                       attempts=attempt, latency_ms=total_ms, started=started,
                                       ended=self.now(), idempotency_key=key, call_text=text)
                status, retryable = "error", False
                error = (f"TypeError: {tool.name} returned a value that does not fit its "
                         "declared result: " + "; ".join(problems[:3]))
            self.audit(index, args, "timeout" if status == "timeout" else "error",
                       outcome.latency_ms, attempt, error)
            # A write that timed out may still be running: a retry could run it twice.
            again = (retryable and attempt <= self.ex.retries
                     and self.safe_to_retry(tool, outcome.error)
                     and not (outcome.timed_out and tool.effect == "write"))
            if outcome.timed_out and tool.effect == "write":
                error += ("; the call may still complete (its late outcome goes to the audit "
                          "log and the result's late_writes), so it is not retried")
                self.late.expect(index)
            if not again:
                return self.finish(index, status, error=error, retryable=retryable, args=args,
                                   attempts=attempt, latency_ms=total_ms, started=started,
                                   ended=self.now(), idempotency_key=key, call_text=text)
            time.sleep(min(self.ex.backoff_s * 2 ** (attempt - 1), 1.0))

    def late_outcome(self, index: int, args: Mapping[str, Any],
                     attempt: int) -> Callable[[Attempt], None]:
        """What to do when an abandoned attempt ends after all: put it on record."""
        def record(late: Attempt) -> None:
            error = None if late.error is None else f"{type(late.error).__name__}: late"
            self.audit(index, args, "late-ok" if late.error is None else "late-error",
                       late.latency_ms, attempt, error)
            tool = self.tool_of(index)
            if tool.effect == "write":
                message = (None if late.error is None else
                           self.secrets.redact(f"{type(late.error).__name__}: {late.error}"))
                self.late.add(LateWrite(step=index, tool=tool.name,
                                        outcome="ok" if late.error is None else "error",
                                        error=message, latency_ms=late.latency_ms,
                                        attempt=attempt))
        return record

    @staticmethod
    def safe_to_retry(tool: Tool, error: BaseException | None) -> bool:
        return (tool.effect != "write" or tool.idempotency_param is not None
                or isinstance(error, RetryableError))


def plan_graph_for(verified: VerifiedPlan, tools: Mapping[str, Tool]) -> nx.DiGraph:
    """The verified plan's graph, annotated with the executor's tools."""
    from ..graph.build import plan_graph

    return plan_graph(verified.plan, {**{t.name: t for t in verified.tools}, **tools})
