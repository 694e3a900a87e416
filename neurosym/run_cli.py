"""``neurosym run "request" --tools FILE``: plan, execute, observe and answer.

The command builds an :class:`~neurosym.execute.executor.Executor` (with the policy,
the audit log and dry-run as asked), hands it to the planner's agent loop, and prints
how the loop ended. ``--tools demo`` runs against the built-in demo world.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="neurosym run")
>>> add_arguments(parser)
>>> args = parser.parse_args(["Book a flight", "--tools", "demo", "--dry-run",
...                           "--constraint", "count(book_flight) <= 1"])
>>> args.request, args.dry_run, args.constraint
('Book a flight', True, ['count(book_flight) <= 1'])
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .arguments import positive_int as _positive
from .errors import NeurosymError
from .execute.demo_world import load_tools
from .execute.executor import Executor
from .execute.policy import Policy

__all__ = ["ANSWERED", "add_arguments", "exit_status", "main", "load_tools"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``neurosym run``."""
    parser.add_argument("request", help="what to do, in plain words")
    parser.add_argument("--tools", required=True, metavar="FILE_OR_MODULE",
                        help="a .json (OpenAI or BFCL) or .py file, a module, or 'demo'")
    parser.add_argument("--model", metavar="GGUF", default=None,
                        help="a GGUF model file (default: the embedded model)")
    parser.add_argument("--constraint", action="append", default=[], metavar="EXPR",
                        help="a constraint every plan must keep (repeatable)")
    parser.add_argument("--dry-run", action="store_true",
                        help="plan and show what would run, in which order, calling nothing")
    parser.add_argument("--audit", metavar="FILE", default=None,
                        help="append one JSON line per call to FILE")
    parser.add_argument("--deny", action="append", default=[], metavar="TOOL",
                        help="a tool this run may not use (repeatable)")
    parser.add_argument("--approve", action="store_true",
                        help="approve calls of tools that need approval without asking")
    parser.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                        help="how long each call may take (default 10)")
    parser.add_argument("--max-tokens", type=_positive, default=256, metavar="N",
                        help="most tokens each plan may take (default 256)")
    parser.add_argument("--seed", type=int, default=None, help="seed for --sample")
    parser.add_argument("--sample", action="store_true",
                        help="sample (temperature 0.7) instead of greedy decoding")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.epilog = ("exit status: 0 when the request was answered (or the dry run shown), "
                     "1 when it was not (a question back, no tool fits, or the turns ran "
                     "out), 2 on bad input")


#: How a run ended that counts as answered (exit status 0); every other end is 1.
ANSWERED = ("answer", "dry-run")


def exit_status(result: Any) -> int:
    """0 when the loop answered the request (or showed its dry run), 1 when it did not."""
    status = getattr(result, "status", None)
    if status is None:
        return 0 if getattr(result, "ok", True) else 1
    return 0 if status in ANSWERED else 1


def _describe(result: Any) -> tuple[str, bool]:
    status = getattr(result, "status", None)
    if status is None:
        return str(result), bool(getattr(result, "ok", True))
    lines = []
    for turn in getattr(result, "turns", ()):
        lines.append(f"plan {turn.index + 1}:")
        lines.extend("  " + line for line in turn.plan.text.splitlines())
        if turn.error:
            lines.append(f"  rejected: {turn.error}")
        if turn.execution is not None:
            lines.extend("  " + line for line in turn.execution.report().splitlines())
    ending = {"answer": "answer", "ask": "question", "none": "no tool fits this request",
              "dry-run": "dry run", "budget": "gave up: the loop ran out of turns",
              "unanswered": "the calls ran; the model wrote no answer from their results"}
    head = ending.get(status, status)
    lines.append(f"{head}: {result.text}" if result.text and status != "dry-run" else head)
    return "\n".join(lines), bool(result.ok)


def main(args: argparse.Namespace) -> int:
    """Run ``neurosym run``; 0 when the request was answered, 1 when not, 2 on bad input."""
    try:
        tools = load_tools(args.tools)
        policy = Policy(deny=args.deny,
                        approver=(lambda call: True) if args.approve else None)
        executor = Executor(tools, policy=policy, timeout_s=args.timeout, audit=args.audit,
                            dry_run=args.dry_run)
        try:
            from .planner import Planner
        except ImportError as exc:
            raise NeurosymError(f"the planner could not be imported ({exc})",
                                hint="install neurosym with its model extra: "
                                     "pip install 'neurosym[model]'") from exc
        # The planner filters by the policy itself, so it can say when none remain.
        planner = Planner(tools=tools, policy=policy, constraints=args.constraint,
                          model=args.model, max_tokens=args.max_tokens, seed=args.seed,
                          sampling=args.sample)
        from .model.progress import load_with_progress
        load_with_progress(planner)
        result = planner.run(args.request, executor=executor)
    except NeurosymError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.json:
        to_dict = getattr(result, "to_dict", None)
        print(json.dumps(to_dict() if callable(to_dict) else str(result), indent=2,
                         default=str))
        return exit_status(result)
    text, _ = _describe(result)
    print(text)
    return exit_status(result)
