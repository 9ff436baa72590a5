"""What a view is drawn from: a spec, its capacity estimate and (when a view asks) its analysis.

The article's part functions, the notebooks, the moving handout and the registries of charts and
tables all read a ``Numbers``; the live panel's ``State`` has the same attributes.
"""

from __future__ import annotations

from functools import cached_property

from .analysis import Analysis, analyze
from .capacity import Capacity, estimate


class Numbers:
    """What a view is drawn from: ``spec``, ``cap`` (its estimate) and ``analysis`` (computed when asked)."""

    def __init__(self, spec, cap: Capacity | None = None, analysis: Analysis | None = None):
        self.spec = spec
        self.cap = cap if cap is not None else (analysis.capacity if analysis is not None else estimate(spec.scale))
        if analysis is not None:
            self.__dict__["analysis"] = analysis

    @cached_property
    def analysis(self) -> Analysis:
        return analyze(self.spec, self.cap)

    @property
    def prose(self):
        """The spec whose prose the views quote (already said at its scale where it was rendered)."""
        return self.spec
