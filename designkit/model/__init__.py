"""The model: quantities, the spec, and the pure math of capacity, scaling, queueing and reliability.

Nothing here draws, renders or runs a notebook; every function is pure and every result frozen.
The names below are imported when first used (``designkit estimate`` needs no analysis).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from . import quantities

if TYPE_CHECKING:
    from .analysis import Analysis, analyze
    from .capacity import Capacity, estimate
    from .spec import Spec, load_spec

__all__ = ["Analysis", "Capacity", "Spec", "analyze", "estimate", "load_spec", "quantities"]
_HOMES = {"Analysis": "analysis", "analyze": "analysis", "Capacity": "capacity", "estimate": "capacity",
          "Spec": "spec", "load_spec": "spec"}


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    globals()[name] = value
    return value
