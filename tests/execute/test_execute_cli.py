"""``neurosym run``'s options and tool loading (the planning itself is the planner's)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from neurosym.run_cli import add_arguments, load_tools, main


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="neurosym run")
    add_arguments(parser)
    return parser.parse_args(list(argv))


def test_options() -> None:
    args = parse("Pay rent", "--tools", "tools.json", "--constraint", "transfer.amount <= 900",
                 "--constraint", "count(transfer) <= 1", "--deny", "book_flight", "--audit",
                 "a.jsonl", "--model", "m.gguf", "--timeout", "2.5", "--json")
    assert args.request == "Pay rent" and args.tools == "tools.json"
    assert args.constraint == ["transfer.amount <= 900", "count(transfer) <= 1"]
    assert args.deny == ["book_flight"] and args.audit == "a.jsonl" and args.model == "m.gguf"
    assert args.timeout == 2.5 and args.json and not args.dry_run and not args.approve


def test_tools_are_required() -> None:
    with pytest.raises(SystemExit):
        parse("Pay rent")


def test_demo_tools_by_name_and_by_module() -> None:
    assert load_tools("demo").names == load_tools("neurosym.execute.demo_world").names


def test_a_missing_tools_file_is_a_clear_error(tmp_path: Path, capsys) -> None:
    code = main(parse("Pay rent", "--tools", str(tmp_path / "missing.json")))
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and "no tools file" in err and "hint:" in err
