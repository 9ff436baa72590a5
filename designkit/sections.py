"""The nine sections of the article: one registry that the build, the article and the live views share.

Each section is one notebook, one part of ``article.md`` and one set of live views in class; the
order here is the order of the template's outline (``designkit template``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """One section: its number and title, the notebook that writes it, its article part, its live views."""

    number: int
    title: str
    notebook: str            # file stem under notebooks/
    part: str                # the function of views.pages.article that writes the section's Markdown
    live: tuple[str, ...]    # names of the live views the section shows in class (see live.views)

    @property
    def heading(self) -> str:
        """'6. Scalability', as the article's heading and table of contents say it."""
        return f"{self.number}. {self.title}"

    @property
    def filename(self) -> str:
        return f"{self.notebook}.ipynb"


SECTIONS: tuple[Section, ...] = (
    Section(1, "Requirements", "01_requirements", "requirements", ("capacity_table", "capacity_chart")),
    Section(2, "High-Level Architecture", "02_high_level_architecture", "high_level_architecture_with_load",
            ("load_chart", "load_table")),
    Section(3, "Core Components", "03_core_components", "core_components", ("load_table", "load_chart")),
    Section(4, "Data Model", "04_data_model", "data_model", ("data_table",)),
    Section(5, "Key Design Decisions", "05_key_design_decisions", "key_design_decisions", ("decision_table",)),
    Section(6, "Scalability", "06_scalability", "scalability",
            ("breaks", "scaling_chart", "threshold_table", "latency_chart", "queue_table",
             "tail_latency", "tail_table", "cost", "cost_chart", "cost_table")),
    Section(7, "Reliability", "07_reliability", "reliability", ("paths", "availability_chart", "scenario_table")),
    Section(8, "Interview Tips", "08_interview_tips", "interview_tips", ("phrases", "follow_ups")),
    Section(9, "Key Takeaways", "09_key_takeaways", "key_takeaways", ("summary_table",)),
)
TITLES: tuple[str, ...] = tuple(s.title for s in SECTIONS)


def section(number: int) -> Section:
    """The section with this number (1 to 9)."""
    if not isinstance(number, int) or not 1 <= number <= len(SECTIONS):
        raise ValueError(f"section must be 1 to {len(SECTIONS)}, got {number!r}")
    return SECTIONS[number - 1]
