"""The availability chart: downtime a year per path and component against the SLO."""

from __future__ import annotations

from matplotlib.figure import Figure

from ...model import quantities as q
from .style import COLORS, styled


class AvailabilityChart:
    """Expected downtime a year per component (k of n replicas up) and per path, log scale."""

    @styled
    def __init__(self, analysis, *, size=(8.0, 3.4)):
        self.fig = Figure(figsize=size, layout="constrained")
        self.ax = self.fig.subplots()
        self.rows = [c.component for c in analysis.components]
        self.rows += [label for label, path in (("READ PATH", analysis.read_path),
                                                ("WRITE PATH", analysis.write_path)) if path]
        self.bars = self.ax.barh(range(len(self.rows)), [1] * len(self.rows), color=COLORS["read"])
        self.ax.set_yticks(range(len(self.rows)), self.rows)
        self.ax.invert_yaxis()
        self.ax.set_xscale("log")
        self.ax.set_xlabel("expected downtime per year (minutes, log scale)")
        self.labels = []
        self.update(analysis)

    @styled
    def update(self, analysis) -> None:
        """Resize the bars for another analysis of the same components."""
        from ...model.availability import downtime
        values = {c.component: c.availability for c in analysis.components}
        if analysis.read_path:
            values["READ PATH"] = analysis.read_path.availability
        if analysis.write_path:
            values["WRITE PATH"] = analysis.write_path.availability
        for label in self.labels:
            label.remove()
        self.labels = []
        minutes = [max(downtime(values[row]).year, 1e-3) for row in self.rows]
        for bar, row, value in zip(self.bars, self.rows, minutes):
            bar.set_width(value)
            bar.set_color(COLORS["write"] if row.endswith("PATH") else COLORS["read"])
            seconds = downtime(values[row]).year * 60
            self.labels.append(self.ax.text(value, bar.get_y() + bar.get_height() / 2,
                                            f" {q.say_seconds(seconds) if seconds >= 1 else '< 1 s'} a year",
                                            va="center", fontsize=7))
        self.ax.set_xlim(1e-3, max(minutes + [1]) * 30)
        slo = analysis.settings.slo
        self.ax.set_title(f"Availability: SLO {q.say_percent(slo)} allows "
                          f"{downtime(slo).year:,.0f} minutes a year")
        self.fig.canvas.draw_idle()



