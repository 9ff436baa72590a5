"""How live widgets end: closed whole, so the kernel frees them (ipywidgets keeps a widget until it is closed)."""

from __future__ import annotations

import ipywidgets as w


def close_tree(widget) -> None:
    """Close ``widget``, its layout and style, and every widget under it (``Box.close`` closes only the box)."""
    for child in getattr(widget, "children", ()):
        close_tree(child)
    for part in (getattr(widget, "layout", None), getattr(widget, "style", None)):
        if isinstance(part, w.Widget):
            part.close()
    w.Widget.close(widget)          # ipywidgets' own close, even where a subclass closes more
