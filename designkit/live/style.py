"""How the live panel and its views look: the normal stylesheet and the presentation one.

Presentation mode (the panel's toggle, or ``designkit lab --present``, which sets
``DESIGNKIT_PRESENT=1`` for the kernels) puts the ``dk-present`` class on the panel and its
section; the rules below then raise controls and text to 20 px, shrink the panel to a bar that
stays in view (the traffic controls and the headline numbers; the other sliders a click away on
**More sliders**), lay the components' sliders out one component a row, and let charts fill the
output with their text 18 px or more (``present_figure``).  Nothing is cut off in either mode:
readouts and labels take the width their text needs, and table cells wrap between words only
(never inside one; numbers stay on one line) instead of scrolling.
"""

from __future__ import annotations

import weakref

from matplotlib.text import Text

PRESENT_ENV = "DESIGNKIT_PRESENT"
PRESENT_MIN_PX = 18      # the smallest text on screen in presentation mode
PRESENT_CHART_PX = 1080  # the narrowest a chart is shown in presentation mode on a 1280x720 screen
PRESENT_ASPECT = 0.36    # a chart's height to width at most there (~400 px: under the bar in 720 px)
_NORMAL: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()   # figure -> its own size, y labels


def smallest_text(fig) -> float:
    """The smallest font size (points) among the figure's visible texts."""
    return min(t.get_fontsize() for t in fig.findobj(Text) if t.get_visible())


def present_figure(fig, on: bool, dpi: float) -> None:
    """Presentation mode for a live chart's figure: twice the pixels wide, and fewer inches, so that
    its smallest text is ``PRESENT_MIN_PX`` on screen when the image is ``PRESENT_CHART_PX`` wide;
    off: its own size at ``dpi`` again.  Shrinking the inches is what makes the text bigger against
    the chart: the layout is made again for the new size (the caller's ``_relayout``)."""
    if not on:
        if fig in _NORMAL:
            size, labels = _NORMAL.pop(fig)
            fig.set_size_inches(*size)
            for label, text in labels.items():
                label.set_text(text)
        fig.set_dpi(dpi)
        return
    (width, height), _ = _NORMAL.setdefault(fig, (tuple(fig.get_size_inches()),
                                                  {ax.yaxis.label: ax.yaxis.label.get_text() for ax in fig.axes}))
    inches = min(width, smallest_text(fig) * PRESENT_CHART_PX / (72 * PRESENT_MIN_PX))
    shrunk = height * inches / width         # flatter, up to a quarter, to fit under the bar at 720 px
    fig.set_size_inches(inches, max(min(shrunk, inches * PRESENT_ASPECT), 0.75 * shrunk))
    fig.set_dpi(2 * dpi * width / inches)       # the same pixels as twice the density at its own size
    _fold_axis_labels(fig)


def _fold_axis_labels(fig) -> None:
    """A y-axis label longer than 85% of the figure's height (the smaller figure of presentation
    mode) goes on two lines, broken at the space nearest its middle, so no end of it is cut off."""
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        label = ax.yaxis.label
        text = label.get_text()
        if " " not in text or "\n" in text:
            continue
        if label.get_window_extent(renderer).height <= 0.85 * fig.bbox.height:
            continue
        middle = min((i for i, c in enumerate(text) if c == " "), key=lambda i: abs(i - len(text) / 2))
        label.set_text(text[:middle] + "\n" + text[middle + 1:])

STYLE = """<style>
.dk-panel { border: 1px solid var(--jp-border-color2, #ddd); border-radius: 4px; padding: 4px 8px;
            margin-bottom: 6px; }
.dk-controls { grid-gap: 0 24px; }
.dk-control { flex-wrap: wrap; align-items: center; }
.dk-control .widget-html-content, .dk-summary .widget-html-content { white-space: nowrap; }
.dk-control .widget-label { overflow: visible; text-overflow: clip; white-space: nowrap; }
.dk-readout { min-width: 130px; width: auto; flex: 0 0 auto; }
.dk-readout .widget-html-content { font-weight: 600; color: var(--jp-ui-font-color1, #222); overflow: visible; }
.dk-summary { align-items: baseline; gap: 4px; flex-wrap: wrap; }
.dk-summary .dk-big .widget-html-content { font-size: 1.25em; font-weight: 700; margin-right: 14px; }
.dk-bar { flex-wrap: wrap; align-items: center; gap: 4px 12px; }
.dk-scale-bar { align-items: center; flex-wrap: wrap; }
.dk-scale-error { color: #C44E52; font-weight: 600; white-space: normal; }
.dk-scale-message .widget-html-content { white-space: normal; }
.dk-error .widget-html-content { color: #C44E52; font-weight: 600; white-space: normal; }
.dk-table, .dk-lines { height: auto; margin: 2px 0 10px 0; max-width: 100%; }
.dk-table .widget-html-content, .dk-lines .widget-html-content { line-height: 20px; height: auto;
                                 white-space: normal; overflow: visible; }
.dk-grid { display: grid; grid-gap: 0 16px; width: fit-content; max-width: 100%; }
.dk-cell { padding: 1px 0; white-space: normal; word-break: normal; overflow-wrap: normal; hyphens: none; }
.dk-cell.dk-num { font-variant-numeric: tabular-nums; text-align: right; }
.dk-cell.dk-num:not(.dk-head) { white-space: nowrap; min-width: max-content; }
.dk-chart img, img.dk-chart { max-width: 100%; height: auto; }
.dk-title .widget-html-content { font-weight: 700; margin-top: 6px; }
.dk-baseline-note { color: var(--jp-ui-font-color2, #555); font-style: italic; }
/* the components' sliders: a table, one component a row, where it fits; else each name on a line
   of its own and its sliders wrapping under it (always so in presentation mode) */
.dk-drawer { container-type: inline-size; }
@container (max-width: 1150px) {
  .dk-components-grid { grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)) !important; }
  .dk-comp-name { grid-column: 1 / -1; margin-top: 6px; width: auto !important; }
  .dk-comp-empty { display: none; }
}
</style>"""

PRESENT_STYLE = """<style>
.dk-present { --jp-widgets-font-size: 20px; --jp-widgets-inline-height: 40px; --jp-widgets-inline-margin: 6px;
              --jp-widgets-slider-handle-size: 24px; --jp-widgets-slider-track-thickness: 8px;
              --jp-ui-font-size1: 20px; font-size: 20px; }
.dk-present .widget-html-content, .dk-present .widget-label, .dk-present .widget-button,
.dk-present .widget-toggle-button, .dk-present input, .dk-present .lm-AccordionPanel-title,
.dk-present .jupyter-widget-Collapse-header { font-size: 20px; line-height: 1.4; }
.dk-present .widget-html, .dk-present .widget-label, .dk-present .widget-html-content { height: auto; }
.dk-present .dk-control .widget-label { min-width: 230px; width: auto !important; }
.dk-present .dk-control .widget-slider { width: auto !important; }
.dk-present .dk-control .slider-container { min-width: 220px; }
.dk-present .dk-readout { min-width: 200px; }
.dk-present .dk-controls { grid-template-columns: repeat(auto-fill, minmax(640px, 1fr)) !important; }
.dk-present .dk-grid { grid-gap: 4px 18px; }
.dk-present .dk-table .widget-html-content, .dk-present .dk-lines .widget-html-content { line-height: 1.35; }
.dk-present .dk-summary .dk-big .widget-html-content { font-size: 28px; }
.dk-present .widget-button, .dk-present .widget-toggle-button { width: auto !important; height: auto;
              min-height: var(--jp-widgets-inline-height); padding: 0 14px; }
.dk-present img.dk-chart { width: calc(100% - 2 * var(--jp-widgets-margin)) !important; }
.dk-present .dk-text, .dk-present .dk-title .widget-html-content { font-size: 20px; }
/* the panel as a bar that stays in view while the views scroll under it, inside the section's own
   box of one screen's height (the traffic slider, the headline numbers; the rest behind a click) */
.dk-live.dk-present { max-height: calc(100vh - 120px); overflow-y: auto; }
.dk-live.dk-present > *, .dk-present .dk-panel > *, .dk-present .dk-drawer > * { flex-shrink: 0; }
.dk-present .dk-panel { position: sticky; top: 0; z-index: 20; background: var(--jp-layout-color0, #fff);
              box-shadow: 0 2px 6px rgba(0, 0, 0, 0.15); padding: 2px 8px; }
.dk-present .dk-panel-title { display: none; }
.dk-panel.dk-present:not(.dk-more) .dk-drawer .dk-controls > :not(:first-child),
.dk-panel.dk-present:not(.dk-more) .dk-drawer .dk-components { display: none; }
.dk-panel.dk-present.dk-more .dk-drawer { max-height: 45vh; overflow-x: hidden; overflow-y: auto; }
.dk-present .dk-summary .widget-html { margin-top: 0; margin-bottom: 0; }
.dk-panel:not(.dk-present) .dk-more-toggle { display: none; }
/* the components' sliders: each component's name on a line, its sliders wrapping under it */
.dk-present .dk-components-grid { grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)) !important; }
.dk-present .dk-comp-name { grid-column: 1 / -1; margin-top: 6px; width: auto !important; }
.dk-present .dk-comp-empty { display: none; }
.dk-present .dk-components-grid .dk-control .widget-label { min-width: 0; width: auto !important; }
.dk-present .dk-components-grid .dk-control .widget-slider { width: auto !important; }
.dk-present .dk-components-grid .dk-control .slider-container { min-width: 100px; width: 100px; }
.dk-present .dk-components-grid .dk-readout { min-width: 0 !important; }
</style>"""
