"""One truth per output: below the live panel, what designkit shows of the spec's numbers says so.

A section notebook in class shows the panel, then calls ``label_baseline(system)``.  From then
on each output designkit itself shows of the spec's own numbers (``Baseline`` Markdown, the
article's fragments and figures, the practice questions) is preceded by a one-line note: these
are the spec's numbers, the sliders above do not move them.  Nothing is hooked into the kernel:
a student's own cells show what they show, unlabelled.  Headless runs (papermill) never call it.
"""

from __future__ import annotations


from ..views.markdown import escape_html
from ..model import quantities as q

_note: list[str] = []       # the note this kernel's designkit outputs start with, once a panel asked


def baseline_note(system) -> str:
    """The note's words: 'Spec baseline: Analytics Event Collector at 100 million users; ...'."""
    s = system.scale
    scale = (f"{q.say_count(s.users)} users" if s.per_user else
             f"{q.say_qps(s.reads)}/s reads and {q.say_qps(s.writes)}/s writes")
    return (f"Spec baseline: {system.name} at {scale}, as the spec gives it; "
            f"the sliders above do not move this output.")


def label_baseline(system) -> None:
    """Start each later output designkit shows of ``system``'s numbers with the baseline note."""
    _note[:] = [baseline_note(system)]


def unlabel() -> None:
    """Show outputs without the note again (no live panel above them any more)."""
    _note.clear()


def mark() -> None:
    """Show the baseline note, if a live panel asked for it (call before showing the spec's numbers)."""
    if not _note:
        return
    from IPython.display import display

    note = _note[0]
    display({"text/html": f'<div class="dk-baseline-note" style="color:#555;font-style:italic;'
                          f'border-left:3px solid #E1A33A;padding-left:6px">{escape_html(note, attribute=True)}</div>',
             "text/plain": note}, raw=True)


class Baseline:
    """Markdown of the spec's own numbers: shown as a cell's result, after the baseline note when
    a live panel is above it (``_ipython_display_``, IPython's protocol for self-displaying objects)."""

    def __init__(self, markdown: str):
        self.markdown = markdown

    def _repr_markdown_(self) -> str:
        return self.markdown

    def _ipython_display_(self) -> None:
        from IPython.display import Markdown, display

        mark()
        display(Markdown(self.markdown))
