"""BFCL's checker loads in a fresh process through neurosym's stand-in model registry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

_PROBE = """
import json, os, sys
from neurosym.bench._checker import load_checker
checker, language = load_checker()
registry = sys.modules["bfcl_eval.constants.model_config"]
result = checker(
    [{"name": "math.factorial", "parameters": {"type": "dict",
      "properties": {"number": {"type": "integer"}}, "required": ["number"]}}],
    [{"math.factorial": {"number": 5}}], [{"math.factorial": {"number": [5]}}],
    language.PYTHON, "simple_python", "neurosym")
print(json.dumps({
    "valid": result["valid"],
    "registry_doc": registry.__doc__,
    "vendor_handlers_loaded": any(m.startswith("bfcl_eval.model_handler") for m in sys.modules),
    "project_root": os.environ.get("BFCL_PROJECT_ROOT"),
}))
"""


def _run(code: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "BFCL_PROJECT_ROOT"}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_checker_imports_in_a_fresh_process_with_the_stand_in_registry() -> None:
    report = json.loads(_run(_PROBE, _clean_env()).strip().splitlines()[-1])
    assert report["valid"] is True
    assert "neurosym" in report["registry_doc"]
    assert report["vendor_handlers_loaded"] is False
    root = Path(report["project_root"])
    assert root.is_dir() and "site-packages" not in root.parts


def test_a_project_root_the_caller_set_is_kept(tmp_path: Path) -> None:
    env = _clean_env()
    env["BFCL_PROJECT_ROOT"] = str(tmp_path)
    report = json.loads(_run(_PROBE, env).strip().splitlines()[-1])
    assert report["project_root"] == str(tmp_path)


def test_importing_the_bench_package_stays_light() -> None:
    code = ("import sys, neurosym.bench, neurosym.bench.cli, neurosym.bench.report; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('llama_cpp', 'bfcl_eval', 'z3', 'llguidance')))")
    assert _run(code, _clean_env()).strip() == "[]"
