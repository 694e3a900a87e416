"""The search over whole plans: the model's likelihood weighs them, hard potentials prune.

The grammar (token masks), the solver and the reference check are the potentials
(:mod:`~neurosym.search.potentials`); :class:`~neurosym.search.beam.BeamSearch` is the
sampler over them; :mod:`~neurosym.search.score` scores any plan text exactly, which is
what the search's scores are measured against. The extension points (a potential, a
soft potential, a search and what the Planner gives it) are :mod:`~neurosym.search.base`;
:class:`~neurosym.search.given.GivenPlans` is a second search, over plans given in advance.
"""

from .base import (PartialPlan, Potential, Refusal, Search, SearchFactory, SearchSetup,
                   SoftPotential)
from .beam import BeamSearch, Candidate, SearchEvent, SearchOutcome
from .canonical import Canonical
from .given import GivenPlans
from .potentials import ReferencePotential, SolverPotential
from .score import score_text

__all__ = ["BeamSearch", "Candidate", "Canonical", "GivenPlans", "PartialPlan", "Potential",
           "ReferencePotential", "Refusal", "Search", "SearchEvent", "SearchFactory",
           "SearchOutcome", "SearchSetup", "SoftPotential", "SolverPotential", "score_text"]
