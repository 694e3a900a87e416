"""Constraint-heavy planning scenarios shared by the solver tests and the benchmark."""
