"""The panel's controls: sliders people can land on, and the values they say beside them.

Log-scale inputs (users, rates, sizes) move on a 1-2-5 grid (1, 2, 5, 10, 20, 50, ...): one arrow
key is one step people think in, three steps are 10x.  The spec's own value is always one of the
stops, and a typed value (``Control.move_to``) becomes a stop of its own, so no number is ever
rounded away by the slider.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import ipywidgets as w

from ..views.markdown import escape_html

STEPS_PER_DECADE = (1.0, 2.0, 5.0)


def grid_125(lo: float, hi: float) -> list[float]:
    """Every 1-2-5 value from ``lo`` to ``hi`` (both included when on the grid): 1, 2, 5, 10, 20..."""
    if not 0 < lo <= hi:
        raise ValueError(f"expected 0 < lo <= hi, got {lo!r}, {hi!r}")
    values = []
    for decade in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1):
        for step in STEPS_PER_DECADE:
            value = float(f"{step * 10.0 ** decade:.12g}")      # 2e-3, not 0.0020000000000000005
            if lo * (1 - 1e-9) <= value <= hi * (1 + 1e-9):
                values.append(value)
    return values


def with_stop(values: list[float], value: float) -> list[float]:
    """``values`` with ``value`` added in order when no stop equals it already."""
    if any(math.isclose(v, value, rel_tol=1e-9) for v in values):
        return list(values)
    return sorted([*values, value])


def nearest(values: list[float], value: float) -> float:
    """The stop equal to ``value`` (within float noise), else the one closest to it in log terms."""
    if value <= 0:
        return values[0]
    return min(values, key=lambda v: abs(math.log10(v) - math.log10(value)))


def log_slider(label: str, value: float, lo: float, hi: float, say: Callable[[float], str]) -> w.SelectionSlider:
    """A slider over the 1-2-5 stops of lo..hi plus ``value`` itself (a value <= 0 starts at ``lo``)."""
    stops = grid_125(lo, hi)
    if value > 0:
        stops = with_stop(stops, value)
    return w.SelectionSlider(options=[(say(v), v) for v in stops], value=nearest(stops, value), description=label)


class Control:
    """One slider bound to one input, with its value said the way people say it beside it."""

    def __init__(self, name: str, slider: w.ValueWidget, say: Callable[[Any], str], initial: Any = None):
        self.name, self.slider, self.say = name, slider, say
        self.start = slider.value                                   # where the slider starts (and resets to)
        self.initial = slider.value if initial is None else initial  # the spec's value it stands for
        slider.readout = False
        slider.continuous_update = True
        slider.style.description_width = "125px"
        slider.layout.width = "275px"
        css = name.replace(".", "-").replace(" ", "_").lower()
        slider.add_class(f"dk-{css}")
        self.readout = w.HTML(say(self.initial))
        self.readout.add_class("dk-readout")
        self.readout.add_class(f"dk-readout-{css}")
        self.box = w.HBox([slider, self.readout])
        self.box.add_class("dk-control")

    @property
    def value(self):
        """The slider's value, or exactly the spec's while the slider has not left it."""
        return self.value_at(self.slider.value)

    @property
    def changed(self) -> bool:
        """True when the slider has left the spec's value (a float's last bits do not count)."""
        return self.leaves(self.slider.value)

    def leaves(self, value) -> bool:
        """True when the slider at ``value`` would have left the spec's value."""
        start = self.start
        if isinstance(value, float) and isinstance(start, (int, float)):
            return not math.isclose(value, start, rel_tol=1e-9, abs_tol=1e-12)
        return value != start

    def value_at(self, value):
        """What the slider at ``value`` stands for: ``value``, or the spec's own where it has not left it."""
        return value if self.leaves(value) else self.initial

    @property
    def is_log(self) -> bool:
        """True for a 1-2-5 slider of numbers (the ones ``move_to`` and x10/÷10 work on)."""
        return isinstance(self.slider, w.SelectionSlider) and all(
            isinstance(v, float) for _, v in self.slider.options)

    @property
    def stops(self) -> list[float]:
        """The values the slider can take, in order."""
        return [value for _, value in self.slider.options]

    def move_to(self, value: float) -> None:
        """Put the slider on ``value``, adding it as a stop when it is not one (a typed value)."""
        stops = self.stops
        if not any(math.isclose(v, value, rel_tol=1e-9) for v in stops):
            stops = with_stop(stops, float(value))
            self.slider.options = [(self.say(v), v) for v in stops]
        self.slider.value = nearest(stops, value)

    def refresh(self) -> None:
        """Say the slider's current value (the spec's own while the slider has not left it)."""
        self.readout.value = self.say(self.value)


# --- where the controls go: the components' grid and the drawer of the presentation bar ----------

FIELDS = {"replicas": ("60px", 165, "40px"), "shards": ("50px", 155, "40px"),
          "availability": ("80px", 185, "100px")}    # description, slider, readout widths at a desk


def components_section(components, controls: dict[str, Control]) -> w.Accordion:
    """The per-component sliders (replicas, shards, availability) in a collapsed section: at a desk
    a table, one component a row; in presentation mode (``style``) each name on a line of its own
    and its sliders wrapping under it, so the grid is never wider than the output."""
    cells = []
    for comp in components:
        name = w.HTML(f'<b title="{escape_html(comp.kind.replace("_", " "), attribute=True)}">{escape_html(comp.name, attribute=True)}</b>',
                      layout=w.Layout(width="160px"))
        name.add_class("dk-comp-name")
        cells.append(name)
        for field, (description, slider, readout) in FIELDS.items():
            control = controls.get(f"{comp.name}.{field}")
            if control is None:
                cells.append(w.HTML())
                cells[-1].add_class("dk-comp-empty")
                continue
            control.slider.style.description_width = description
            control.slider.layout.width = f"{slider}px"
            control.readout.layout.min_width = readout     # at least: grows with its text, never cut
            cells.append(control.box)
    table = w.GridBox(cells, layout=w.Layout(grid_template_columns="repeat(4, max-content)", grid_gap="2px 16px",
                                             align_items="center"))
    table.add_class("dk-components-grid")
    section = w.Accordion(children=[table], titles=("Components: replicas, shards, availability",))
    section.selected_index = None
    section.add_class("dk-components")
    return section


def drawer(grid: w.GridBox, components: w.Accordion) -> w.VBox:
    """The scale sliders and the components' section in one box: in presentation mode only the
    first slider (the traffic) shows until **More sliders** opens the rest, scrolling in the bar."""
    box = w.VBox([grid, components])
    box.add_class("dk-drawer")
    return box


def more_toggle(panel_box: w.DOMWidget) -> w.ToggleButton:
    """**More sliders** (presentation mode only): puts ``dk-more`` on the panel, which shows every slider."""
    toggle = w.ToggleButton(description="More sliders", icon="sliders", value=False,
                            tooltip="Every slider: traffic shape, sizes, retention, servers, components")
    toggle.add_class("dk-more-toggle")
    toggle.observe(lambda change: (panel_box.add_class if change["new"] else panel_box.remove_class)("dk-more"),
                   names="value")
    return toggle
