"""The panel's scale bar: ÷10 and x10 buttons, and a box that takes '1 billion' or '10x'.

Typed text is read the way the CLI reads it: a count of users with ``quantities.parse_count``,
a multiple of the spec's traffic with the ``scale`` override (``apply_overrides(raw, {"scale":
"10x"})``), so '10x' here means what ``designkit build -p scale=10x`` means.
"""

from __future__ import annotations

import re

import ipywidgets as w

from ..errors import DesignkitError
from ..model import quantities as q
from ..model.spec import apply_overrides, validate
from ..views.markdown import escape_html
from .scheduling import at_home

MULTIPLE = re.compile(r"(x|×|times)\s*$", re.IGNORECASE)


def traffic_controls(per_user: bool) -> tuple[str, ...]:
    """The sliders that carry the traffic: users, or the reads and writes totals."""
    return ("users",) if per_user else ("reads", "writes")


def typed_targets(text: str, raw: dict, base_overrides: dict, ref: str) -> dict[str, float]:
    """Where typed text puts the traffic sliders: {'users': 1e9} for '1 billion' or for '10x' of a
    spec with 100 million users; {'reads': ..., 'writes': ...} for '10x' of a totals spec.

    Raises ValueError with a sentence to show beside the box.
    """
    text = str(text).strip()
    if not text:
        raise ValueError("type a number of users like '1 billion', or a multiple of the spec like '10x'")
    base = validate(apply_overrides(raw, base_overrides), ref).scale
    if MULTIPLE.search(text):
        try:
            scale = validate(apply_overrides(raw, {**base_overrides, "scale": text}), ref).scale
        except DesignkitError as exc:
            raise ValueError(str(exc).splitlines()[-1].split(": ", 1)[-1]) from None
        return {"users": scale.users} if scale.per_user else {"reads": scale.reads, "writes": scale.writes}
    if not base.per_user:
        raise ValueError(f"this spec gives reads and writes a second, not users: type a multiple like '10x' "
                         f"(got {text!r})")
    try:
        users = q.parse_count(text)
    except ValueError as exc:
        raise ValueError(f"{exc}, or a multiple like '10x'") from None
    if not users >= 1:
        raise ValueError(f"expected at least one user, got {text!r}")
    return {"users": users}


class ScaleBar:
    """The widgets (``.widget``) and what they do to a panel's traffic sliders."""

    def __init__(self, panel):
        self.panel = panel
        self.names = traffic_controls(panel.base.scale.per_user)
        what = "users" if panel.base.scale.per_user else "traffic"
        self.down = w.Button(description="÷10", tooltip=f"A tenth of the {what}",
                             layout=w.Layout(width="auto"))
        self.up = w.Button(description="x10", tooltip=f"Ten times the {what}", layout=w.Layout(width="auto"))
        self.down.add_class("dk-scale-down")
        self.up.add_class("dk-scale-up")
        self.down.on_click(at_home(lambda _: self.scale_by(0.1)))
        self.up.on_click(at_home(lambda _: self.scale_by(10)))
        self.box = w.Text(placeholder="1 billion or 10x" if panel.base.scale.per_user else "10x",
                          description="Go to", continuous_update=False, layout=w.Layout(width="260px"))
        self.box.style.description_width = "initial"
        self.box.add_class("dk-scale-box")
        self.box.observe(at_home(lambda change: self.go_to(change["new"])), names="value")
        self.message = w.HTML()
        self.message.add_class("dk-scale-message")
        self.widget = w.HBox([self.down, self.up, self.box, self.message])
        self.widget.add_class("dk-scale-bar")

    def scale_by(self, factor: float) -> None:
        """Multiply the traffic sliders' values by ``factor`` (x10, ÷10)."""
        controls = self.panel.controls
        self.panel.move({name: controls[name].slider.value * factor for name in self.names})
        self.message.value = ""

    def go_to(self, text: str) -> None:
        """Move the traffic sliders to what ``text`` says; a sentence beside the box when it says nothing."""
        if not str(text).strip():
            self.message.value = ""
            return
        try:
            targets = typed_targets(text, self.panel.raw, self.panel.base_overrides, self.panel.ref)
        except ValueError as exc:
            self.message.value = f'<span class="dk-scale-error">{escape_html(str(exc))}</span>'
            return
        self.message.value = ""
        self.panel.move(targets)
        self.box.value = ""                 # ready for the next value (the readouts say this one)
