"""Benchmarks: BFCL scored by its own checker, the project's suites, performance measures.

Importing this package loads neither llama.cpp nor BFCL's checker; they load when a
run or a score needs them.
"""

from .bfcl import (HALVES, Answer, BfclEntry, RunResult, Score, categories, entry_half,
                   load_category, run_category, score_entry)

__all__ = ["Answer", "BfclEntry", "HALVES", "RunResult", "Score", "categories", "entry_half",
           "load_category", "run_category", "score_entry"]
