"""The model: quantities, the spec, and the pure math of capacity, scaling, queueing and reliability.

Nothing here draws, renders or runs a notebook; every function is pure and every result frozen.
"""

from . import quantities
from .analysis import Analysis, analyze
from .capacity import Capacity, estimate
from .spec import Spec, load_spec

__all__ = ["Analysis", "Capacity", "Spec", "analyze", "estimate", "load_spec", "quantities"]
