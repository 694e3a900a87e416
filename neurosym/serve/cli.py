"""``neurosym serve --tools FILE``: the OpenAI-compatible server on uvicorn.

The tools, the constraints and the policy (denied tools, tools that need approval
refused) are fixed when the server starts; each request may bring its own ``tools``,
which are planned under the same constraints and policy. The model is loaded before
the server listens, so the first request does not wait for it.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="neurosym serve")
>>> add_arguments(parser)
>>> args = parser.parse_args(["--tools", "demo", "--port", "0", "--deny", "book_flight"])
>>> args.host, args.port, args.deny
('127.0.0.1', 0, ['book_flight'])
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..errors import ConfigurationError, NeurosymError

__all__ = ["add_arguments", "main", "build_completions"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``neurosym serve``."""
    parser.add_argument("--tools", default=None, metavar="FILE_OR_MODULE",
                        help="tools to plan with when a request brings none: a .json "
                             "(OpenAI or BFCL) or .py file, a module, or 'demo'")
    parser.add_argument("--model", metavar="GGUF", default=None,
                        help="a GGUF model file (default: the embedded model)")
    parser.add_argument("--model-name", default=None, metavar="NAME",
                        help="the model id the server reports (default: the file's name)")
    parser.add_argument("--constraint", action="append", default=[], metavar="EXPR",
                        help="a constraint every plan must keep (repeatable)")
    parser.add_argument("--deny", action="append", default=[], metavar="TOOL",
                        help="a tool the server never plans (repeatable)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="the address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000,
                        help="the port to listen on (default 8000; 0 picks a free one)")
    parser.add_argument("--max-tokens", type=int, default=256, metavar="N",
                        help="most tokens a plan may take (default 256)")
    parser.add_argument("--width", type=int, default=None, metavar="N",
                        help="partial plans searched at once (default: the planner's)")
    parser.add_argument("--seed", type=int, default=None, help="seed for sampled requests")


def build_completions(args: argparse.Namespace) -> Any:
    """The chat completions the server answers with, from the command line's options."""
    from ..execute.demo_world import load_tools
    from ..execute.policy import Policy
    from ..planner import Planner
    from ..tools import ToolSet
    from .chat import ChatCompletions
    tools = load_tools(args.tools) if args.tools else ToolSet()
    policy = Policy(deny=args.deny) if args.deny else None
    options: dict[str, Any] = {}
    if args.width is not None:
        options["width"] = args.width
    planner = Planner(tools, constraints=args.constraint, model=args.model,
                      max_tokens=args.max_tokens, seed=args.seed, policy=policy, **options)
    return ChatCompletions(planner, model_name=args.model_name)


def main(args: argparse.Namespace) -> int:
    """Serve until interrupted; 2 on bad options or a missing extra."""
    try:
        import uvicorn

        from .app import build_app
    except ImportError as exc:
        raise ConfigurationError(f"the server needs Starlette and uvicorn ({exc})",
                                 hint='install them with: pip install "neurosym[serve]"') from None
    try:
        completions = build_completions(args)
        from ..model.progress import loading
        with loading(completions.planner):
            completions.planner.model  # noqa: B018 - loaded now, not on the first request
    except NeurosymError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    config = uvicorn.Config(build_app(completions), host=args.host, port=args.port,
                            log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    _announce(server, completions)
    server.run()
    return 0


def _announce(server: Any, completions: Any) -> None:
    """Print the address once uvicorn listens (the port it chose, with ``--port 0``)."""
    original = server.startup

    async def startup(sockets: Any = None) -> None:
        await original(sockets=sockets)
        for listener in getattr(server, "servers", ()):
            for sock in listener.sockets:
                host, port = sock.getsockname()[:2]
                print(f"neurosym serve: model {completions.model_id} on "
                      f"http://{host}:{port}/v1", file=sys.stderr, flush=True)
                return

    server.startup = startup
