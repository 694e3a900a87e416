"""The ``neurosym`` command: ``plan``, ``demo``, ``run``, ``serve``, ``tune`` and ``bench``.

Errors from the library print as one message with a hint on stderr and exit with 2;
a plan the model could not finish exits with 1.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from .arguments import positive_int as _positive
from .demo import DEMO_REQUEST, demo_tools
from .errors import NeurosymError

__all__ = ["main", "build_parser", "DEMO_REQUEST"]


# Subcommands that live with the subsystem they drive: (module, what it needs).
_DELEGATED = {
    "run": ("neurosym.run_cli", "plan, execute, observe and re-plan with real tools"),
    "bench": ("neurosym.bench.cli", "run the benchmarks (BFCL and neurosym's own suites)"),
    "serve": ("neurosym.serve.cli", "serve the planner as an OpenAI-compatible chat API"),
    "tune": ("neurosym.tune.cli", "train a LoRA adapter that fits the planner to its tools"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="neurosym",
        description="Plan tool calls with a small local model held to a grammar.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    plan = commands.add_parser("plan", help="plan tool calls for a request",
                               description="Plan tool calls for REQUEST with the tools in "
                                           "--tools and print the plan.")
    plan.add_argument("request", nargs="?", help="what should be done, in plain words")
    plan.add_argument("--requests", metavar="FILE.jsonl",
                      help="plan every request of a JSON Lines file (a text, or "
                           '{"request": ...} a line) and print one JSON result a line')
    plan.add_argument("--server", action="append", default=[], metavar="URL",
                      help="write plans on a llama.cpp server (llama_cpp.server or "
                           "llama-server) at URL; repeat to spread --requests over several")
    plan.add_argument("--vllm", action="append", default=[], metavar="URL",
                      help="write plans on a vLLM server at URL (repeatable)")
    plan.add_argument("--tools", required=True, metavar="FILE_OR_MODULE",
                      help="a .json file (OpenAI tools or BFCL docs), a .py file, or a "
                           "module (pkg.mod or pkg.mod:TOOLS)")
    _model_options(plan)
    plan.add_argument("--constraint", action="append", default=[], metavar="EXPR",
                      help="a constraint the plan must keep (repeatable), e.g. "
                           "'sum(book_hotel.price) <= 500'")
    plan.add_argument("--json", action="store_true",
                      help="print JSON: plan text, OpenAI and BFCL forms, tokens, timings")

    demo = commands.add_parser("demo", help="plan a small travel scenario with the embedded model",
                               description="Plan a travel request against a built-in world "
                                           "of flights and bookings.")
    demo.add_argument("request", nargs="?", default=DEMO_REQUEST,
                      help=f"the request (default: {DEMO_REQUEST!r})")
    _model_options(demo)
    demo.add_argument("--json", action="store_true", help="print JSON instead of text")

    for name, (module, help_text) in _DELEGATED.items():
        sub = commands.add_parser(name, help=help_text, add_help=False)
        sub.set_defaults(delegate=module)
    return parser


def _model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", metavar="GGUF",
                        help="a GGUF model file or a known model's name (gemma3-270m) "
                             "(default: NEUROSYM_MODEL, ./models/, or the embedded "
                             "SmolLM2-135M)")
    adapters = parser.add_mutually_exclusive_group()
    adapters.add_argument("--adapter", metavar="GGUF", default="default",
                          help="a LoRA adapter for the model (neurosym tune writes them; "
                               "default: the one shipped for the model, if any)")
    adapters.add_argument("--no-adapter", dest="adapter", action="store_const", const=None,
                          help="plan with the model alone, without the shipped adapter")
    parser.add_argument("--max-tokens", type=_positive, default=256, metavar="N",
                        help="most tokens the plan may take (default 256)")
    parser.add_argument("--seed", type=int, default=None, help="seed for --sample")
    parser.add_argument("--sample", action="store_true",
                        help="sample (temperature 0.7) instead of greedy decoding")
    parser.add_argument("--no-prompt-cache", dest="prompt_cache", action="store_false",
                        help="evaluate the whole prompt instead of restoring the shared part "
                             "(instructions, tools) from the cache on disk "
                             "(NEUROSYM_CACHE_DIR, default ~/.cache/neurosym/prompts)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        return _main(argv)
    except BrokenPipeError:
        return _closed_output()


def _closed_output() -> int:
    """The reader of stdout went away (``neurosym plan --json | head``): stop quietly,
    with the status of a process ended by SIGPIPE."""
    # Python flushes stdout once more at exit; aim it at /dev/null so that cannot fail.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    return 141


def _main(argv: Sequence[str] | None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if args_list and args_list[0] in _DELEGATED:
        return _delegate(args_list[0], args_list[1:])
    args = parser.parse_args(args_list)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        if args.command == "plan":
            return _plan(args, sys.stdout)
        return _demo(args, sys.stdout)
    except NeurosymError as err:
        return _fail(err)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _fail(err: NeurosymError) -> int:
    print(f"error: {err}", file=sys.stderr)
    return 2


def _delegate(name: str, argv: Sequence[str]) -> int:
    """``neurosym run`` and ``neurosym bench``: parsed and run by their own modules."""
    module_name = _DELEGATED[name][0]
    try:
        module = importlib.import_module(module_name)
        add_arguments = module.add_arguments
        run = module.main
    except (ImportError, AttributeError) as exc:
        print(f"error: 'neurosym {name}' is not available in this installation ({exc})\n"
              f"hint: install neurosym with its extras: pip install 'neurosym[model]'",
              file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(prog=f"neurosym {name}",
                                     description=_DELEGATED[name][1].capitalize() + ".")
    add_arguments(parser)
    args = parser.parse_args(list(argv))
    try:
        return int(run(args) or 0)
    except NeurosymError as err:
        return _fail(err)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _planner(tools: Any, args: argparse.Namespace, **options: Any) -> Any:
    from .model.prompt_cache import resolve_prompt_cache
    from .planner import Planner
    cache = resolve_prompt_cache(None, default_on=True) if getattr(args, "prompt_cache", True) else False
    return Planner(tools, constraints=list(getattr(args, "constraint", []) or []),
                   model=args.model, adapter=getattr(args, "adapter", "default"),
                   max_tokens=args.max_tokens, seed=args.seed,
                   sampling=args.sample, prompt_cache=cache, **options)


def _plan(args: argparse.Namespace, out: TextIO) -> int:
    from .tools import ToolSet
    tools = ToolSet.load(args.tools)
    if not len(tools):
        raise NeurosymError(f"no tools found in {args.tools!r}",
                            hint="define tools with @neurosym.tool, or pass OpenAI/BFCL JSON")
    if (args.request is None) == (args.requests is None):
        raise NeurosymError("give either a REQUEST or --requests FILE.jsonl",
                            hint='neurosym plan "what to do" --tools FILE, or '
                                 "neurosym plan --requests batch.jsonl --tools FILE")
    planner = _planner(tools, args)
    engines = _engines(args)
    if engines is None:
        from .model.progress import load_with_progress
        load_with_progress(planner)
    elif len(engines) == 1:
        planner.engine = engines[0]
    if args.requests is not None:
        return _plan_batch(planner, engines, args, out)
    result = planner.plan(args.request)
    return _report(result, args, out)


def _engines(args: argparse.Namespace) -> list[Any] | None:
    """The servers named on the command line (None: plan in this process)."""
    if not (getattr(args, "server", None) or getattr(args, "vllm", None)):
        return None
    from .engine import LlamaServerEngine, VLLMEngine
    return ([LlamaServerEngine(url, template_model=args.model) for url in args.server]
            + [VLLMEngine(url, template_model=args.model) for url in args.vllm])


def _plan_batch(planner: Any, engines: list[Any] | None, args: argparse.Namespace,
                out: TextIO) -> int:
    """``--requests``: one JSON result a line, in the file's order; progress on stderr."""
    from .engine.batch import read_requests
    requests = read_requests(args.requests)

    def progress(step: Any) -> None:
        print(f"[{step.done}/{step.total}] request {step.index + 1} "
              f"{'ok' if step.ok else 'no plan'} on {step.engine} ({step.seconds:.1f} s)",
              file=sys.stderr)

    results = planner.plan_many(requests, engines=engines, on_progress=progress)
    for index, result in enumerate(results):
        out.write(json.dumps({"index": index, **result.to_dict()}, default=str) + "\n")
    return 0 if all(r.ok for r in results) else 1


def _demo(args: argparse.Namespace, out: TextIO) -> int:
    tools = demo_tools()
    planner = _planner(tools, args)
    from .model.progress import load_with_progress
    load_with_progress(planner)
    if not args.json:
        out.write(f"model:   {planner.model.path.name}\n")
        out.write(f"tools:   {', '.join(tools.names)}\n")
        out.write(f"request: {args.request}\n\n")
    result = planner.plan(args.request)
    return _report(result, args, out)


def _report(result: Any, args: argparse.Namespace, out: TextIO) -> int:
    if args.json:
        out.write(json.dumps(result.to_dict(), indent=2, default=str) + "\n")
        return 0 if result.ok else 1
    if result.ok:
        out.write(result.plan.text + "\n")
    else:
        out.write(f"no plan: {result.explanation}\n")
        if result.text:
            out.write(f"(the model wrote: {result.text!r})\n")
    timings = result.timings
    out.write(f"\n{result.prompt_tokens} prompt tokens, {result.output_tokens} plan tokens; "
              f"prompt {timings.get('prompt_s', 0.0):.2f} s, "
              f"decode {timings.get('decode_s', 0.0):.2f} s, "
              f"masks {1000 * timings.get('mask_s', 0.0):.1f} ms, "
              f"total {timings.get('total_s', 0.0):.2f} s\n")
    return 0 if result.ok else 1


def _version() -> str:
    from . import __version__
    return __version__


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

