"""What every live view draws from: the overrides in force, the validated spec and its numbers."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ..model.analysis import Analysis, analyze
from ..model.capacity import Capacity, estimate
from ..model.spec import Spec
from ..views.prose.templating import render_spec


@dataclass(frozen=True)
class State:
    """What every view draws from: the overrides in force, the validated spec, its numbers."""

    overrides: dict
    spec: Spec
    cap: Capacity

    @cached_property
    def analysis(self) -> Analysis:
        """The scaling and reliability analysis, computed when a view first asks for it."""
        return analyze(self.spec, self.cap)

    @cached_property
    def prose(self) -> Spec:
        """The spec with its ``{{ figures }}`` said at this scale, for the views that show spec prose."""
        return render_spec(self.spec, "sliders", analysis=self.analysis)



    @classmethod
    def of(cls, overrides: dict, spec: Spec) -> "State":
        """The state of a validated spec under ``overrides``: its capacity now, its analysis when asked."""
        return cls(overrides, spec, estimate(spec.scale))
