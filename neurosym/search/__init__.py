"""The search over whole plans: the model's likelihood weighs them, hard potentials prune.

The grammar (token masks), the solver and the reference check are the potentials
(:mod:`~neurosym.search.potentials`); :class:`~neurosym.search.beam.BeamSearch` is the
sampler over them; :mod:`~neurosym.search.score` scores any plan text exactly, which is
what the search's scores are measured against.
"""

from .beam import BeamSearch, Candidate, SearchEvent, SearchOutcome
from .canonical import Canonical
from .potentials import PartialPlan, Potential, ReferencePotential, Refusal, SolverPotential
from .score import score_text

__all__ = ["BeamSearch", "Candidate", "Canonical", "PartialPlan", "Potential",
           "ReferencePotential", "Refusal", "SearchEvent", "SearchOutcome", "SolverPotential",
           "score_text"]
