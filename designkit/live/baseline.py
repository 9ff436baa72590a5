"""One truth per output: below the live panel, every static output says it is the spec's baseline.

``label_baseline(system)`` is called by a section notebook right after it shows the panel.
From then on, each cell this kernel runs that shows a computed output (its last line is an
expression, or it calls ``emit``, ``emit_figure``, ``Markdown`` or ``display``) first shows a
one-line note: these numbers are the spec's own, the sliders above do not move them.  It uses
IPython's public ``pre_run_cell`` event; headless runs (papermill) never call it.
"""

from __future__ import annotations

import ast
import html

from ..model import quantities as q

SHOWING_CALLS = {"emit", "emit_figure", "display", "Markdown"}
SPEC_NAMES = {"system", "cap", "analysis"}     # what a section notebook computes from the spec
_registered: dict = {}      # shell -> the callback this module registered there


def shows_output(source: str) -> bool:
    """True when a cell uses the spec's numbers and ends in an expression or calls something that
    displays output (a cell of theory alone, or of asserts, is not labelled)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    if not any(isinstance(node, ast.Name) and node.id in SPEC_NAMES for node in ast.walk(tree)):
        return False
    if any(isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "live"
           for node in ast.walk(tree)):
        return False                                  # the panel's own cell: live, not baseline
    body = tree.body
    if body and isinstance(body[-1], ast.Expr) and not (
            isinstance(body[-1].value, ast.Constant) and body[-1].value.value is None):
        return True
    return any(isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None))
               in SHOWING_CALLS for node in ast.walk(tree))


def baseline_note(system) -> str:
    """The note's words: 'Spec baseline: Analytics Event Collector at 100 million users; ...'."""
    s = system.scale
    scale = (f"{q.say_count(s.users)} users" if s.per_user else
             f"{q.say_qps(s.reads)}/s reads and {q.say_qps(s.writes)}/s writes")
    return (f"Spec baseline: {system.name} at {scale}, as the spec gives it; "
            f"the sliders above do not move this output.")


def label_baseline(system, shell=None) -> None:
    """Mark every later output of this kernel that shows computed numbers as the spec's baseline."""
    from IPython import get_ipython
    from IPython.display import display

    shell = shell or get_ipython()
    if shell is None:
        return
    note = baseline_note(system)
    bundle = {"text/html": f'<div class="dk-baseline-note" style="color:#555;font-style:italic;'
                           f'border-left:3px solid #E1A33A;padding-left:6px">{html.escape(note)}</div>',
              "text/plain": note}

    def before(info) -> None:
        if shows_output(getattr(info, "raw_cell", "") or ""):
            display(bundle, raw=True)

    previous = _registered.pop(id(shell), None)
    if previous is not None:
        shell.events.unregister("pre_run_cell", previous)
    shell.events.register("pre_run_cell", before)
    _registered[id(shell)] = before
