"""The command line in-process (``neurosym.cli.main``) with bad arguments and broken tools
files: an exit status (returned, or argparse's own exit for a usage error), never a
traceback, never a hang. No case reaches a model run: every tools file here is broken,
or the model named does not load."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path

from hypothesis import strategies as st

from neurosym.cli import main
from tests.fuzz.harness import fuzz_tests
from tests.fuzz.strategies import constraint_texts

_FOLDER = Path(tempfile.mkdtemp(prefix="neurosym-fuzz-cli-"))


def _write(name: str, data: bytes) -> str:
    path = _FOLDER / name
    path.write_bytes(data)
    return str(path)


_VALID_TOOLS = _write("one_tool.py", b'import neurosym as ns\n\n@ns.tool\n'
                                     b'def ping() -> str:\n    """Answer pong."""\n'
                                     b'    return "pong"\n')
_BROKEN_TOOLS = [
    _write("latin1.json", b'[{"type": "function", "function": {"name": "caf\xe9"}}]'),
    _write("exits.py", b"import sys\nsys.exit(7)\n"),
    _write("raises.py", b"raise RuntimeError('boom')\n"),
    _write("no_tools.py", b"x = 1\n"),
    _write("bad.json", b"{not json"),
    _write("deep.json", b"[" * 5000 + b"]" * 5000),
    _write("empty.json", b""),
    _write("latin1.py", b"# \xe9\xe9\nx = '\xff'\n"),
    _write("schema.json", json.dumps([{"type": "function", "function": {
        "name": "f", "parameters": {"type": "object", "properties": {
            "v": {"type": "string", "pattern": "^(a)\\1$"}}}}}]).encode()),
    str(_FOLDER), str(_FOLDER / "missing.json"), "no.such.module", "os.path:nothing", "",
    "-", "demo.py",
]
_BAD_MODELS = [
    _write("not_gguf.gguf", b"PK\x03\x04 not a model"),
    _write("truncated.gguf", b"GGUF\x03\x00\x00\x00"),
    str(_FOLDER / "missing.gguf"), str(_FOLDER),
]
_NUMBERS = st.sampled_from(["0", "-1", "inf", "nan", "1e400", "x", "", "99999999999999999999"])


@st.composite
def argvs(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(["plan", "run", "plan", "run", "junk"]))
    if command == "junk":
        return draw(st.lists(st.one_of(st.sampled_from(["--json", "-h", "--version", "plan",
                                                        "--tools", "--", "-x"]),
                                       st.text(max_size=10)), max_size=5))
    argv = [command]
    if draw(st.booleans()):
        argv.append(draw(st.text(max_size=30)))
    valid = draw(st.integers(0, 3)) == 0
    if draw(st.integers(0, 9)):
        argv += ["--tools", _VALID_TOOLS if valid else draw(st.sampled_from(_BROKEN_TOOLS))]
    if valid:
        # The one usable tools file goes with a model that cannot load, or (in run)
        # with the only tool denied: either way nothing reaches a decode.
        if command == "run" and draw(st.booleans()):
            argv += ["--deny", "ping"]
        else:
            argv += ["--model", draw(st.sampled_from(_BAD_MODELS))]
    for _ in range(draw(st.integers(0, 3))):
        option = draw(st.sampled_from(["--constraint", "--max-tokens", "--seed", "--timeout",
                                       "--json", "--sample", "--dry-run", "--audit",
                                       "--approve"]))
        if option == "--constraint":
            argv += [option, draw(constraint_texts())]
        elif option in ("--max-tokens", "--seed", "--timeout"):
            argv += [option, draw(_NUMBERS)]
        elif option == "--audit":
            argv += [option, str(_FOLDER)]
        else:
            argv.append(option)
    return argv


def run_cli(argv: list[str]) -> object:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as exit:
            # argparse ends a usage error (or --help, --version) this way, by design.
            assert isinstance(exit.code, int) or exit.code is None, exit.code
            status = exit.code or 0
    assert isinstance(status, int)
    assert "Traceback" not in err.getvalue(), err.getvalue()
    if status not in (0, 141) and not (err.getvalue() or out.getvalue()):
        raise AssertionError(f"exit {status} without a message for {argv!r}")
    return status


test_cli_quick, test_cli_wide = fuzz_tests("cli", argvs(), run_cli, quick=60, wide=800)
