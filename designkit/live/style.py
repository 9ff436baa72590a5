"""How the live panel and its views look: the normal stylesheet and the presentation one.

Presentation mode (the panel's toggle, or ``designkit lab --present``, which sets
``DESIGNKIT_PRESENT=1`` for the kernels) puts the ``dk-present`` class on the panel and its
section; the rules below then raise controls and text to 20 px and let charts fill the output.
Nothing is cut off in either mode: readouts and labels take the width their text needs, and a
table wider than the output wraps its text cells (numbers stay on one line) instead of scrolling.
"""

PRESENT_ENV = "DESIGNKIT_PRESENT"

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
.dk-cell { padding: 1px 0; min-width: 0; white-space: normal; overflow-wrap: break-word; }
.dk-cell.dk-num { font-variant-numeric: tabular-nums; text-align: right; }
.dk-cell.dk-num:not(.dk-head) { white-space: nowrap; min-width: max-content; }
.dk-chart img, img.dk-chart { max-width: 100%; height: auto; }
.dk-title .widget-html-content { font-weight: 700; margin-top: 6px; }
.dk-baseline-note { color: var(--jp-ui-font-color2, #555); font-style: italic; }
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
.dk-present .dk-cell { overflow-wrap: anywhere; }
.dk-present .dk-summary .dk-big .widget-html-content { font-size: 28px; }
.dk-present .widget-button, .dk-present .widget-toggle-button { width: auto !important; height: auto;
              min-height: var(--jp-widgets-inline-height); padding: 0 14px; }
.dk-present img.dk-chart { width: calc(100% - 2 * var(--jp-widgets-margin)) !important; }
</style>"""
