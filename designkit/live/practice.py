"""Answer boxes for class: a section's practice questions, checked live as students answer.

``practice(system, section=1, interactive=interactive)`` ends notebooks 1, 6 and 7.  Headless
(papermill) it creates no widget and shows the questions as Markdown; in class each question
gets a text box (checked on Enter or leaving the box), a hint ladder and a running score.
"""

from __future__ import annotations


from ..views.markdown import escape_html
from ..model.answers import EXAMPLES, LEVEL_WORDS, check, score
from ..model.practice import Question, bank
from ..model.spec import load_spec

COLOURS = {"right": "#1a7f37", "good": "#0969da", "order": "#9a6700", "off": "#cf222e",
           "invalid": "#cf222e"}


def _question_html(number: int, x: Question) -> str:
    def e(text):
        return escape_html(text, attribute=True)
    rows = "".join(f"<tr><td style='padding-right:1em'>{e(label)}</td><td>{e(value)}</td></tr>"
                   for label, value in x.givens)
    return f"<p><b>{number}. {e(x.text)}</b></p><table>{rows}</table>"


class AnswerBox:
    """One question's box, verdict and hints (widgets), graded by ``model.answers.check``."""

    def __init__(self, number: int, question: Question, on_graded):
        import ipywidgets as w

        self.question = question
        self.verdict = None
        self.text = w.Text(placeholder=f"e.g. {EXAMPLES[question.kind]}", continuous_update=False,
                           description="Answer", layout=w.Layout(width="22em"))
        self.hint_button = w.Button(description="Hint", layout=w.Layout(width="6em"))
        self.result = w.HTML()
        self.hints = w.HTML()
        self.shown = 0
        self._on_graded = on_graded
        self.text.observe(self._check, names="value")
        self.hint_button.on_click(self.hint)
        self.widget = w.VBox([w.HTML(_question_html(number, question)),
                              w.HBox([self.text, self.hint_button]), self.result, self.hints])
        for widget, css in ((self.widget, "dk-practice-q"), (self.widget, f"dk-practice-{question.key}"),
                            (self.result, "dk-practice-verdict"), (self.hints, "dk-practice-hints")):
            widget.add_class(css)

    def _check(self, change=None) -> None:
        verdict = check(self.question, self.text.value)
        colour = COLOURS[verdict.level]
        self.result.value = f"<span style='color:{colour}'>{escape_html(verdict.message, attribute=True)}</span>"
        if verdict.level != "invalid":
            self.verdict = verdict
            self._on_graded()

    def hint(self, _button=None) -> None:
        """Show the next rung of the hint ladder: formula, first step, worked answer."""
        self.shown = min(self.shown + 1, len(self.question.hints))
        self.hints.value = "<br>".join(escape_html(h, attribute=True) for h in self.question.hints[:self.shown])


class PracticeBoxes:
    """Every answer box of one section and the score line under them."""

    def __init__(self, questions: tuple[Question, ...]):
        import ipywidgets as w

        self.score = w.HTML()
        self.boxes = [AnswerBox(i, x, self._update) for i, x in enumerate(questions, 1)]
        self.widget = w.VBox([w.HTML("<h3>Practice</h3><p>Type an answer the way you would say it "
                                     "(&ldquo;46K&rdquo;, &ldquo;0.9 PB&rdquo;) and press Enter.</p>"),
                              *(box.widget for box in self.boxes), self.score])
        self.score.add_class("dk-practice-score")
        self._update()

    def _update(self) -> None:
        verdicts = [box.verdict for box in self.boxes if box.verdict is not None]
        points, graded = score(verdicts)
        right = sum(v.level == "right" for v in verdicts)
        self.score.value = (f"<b>Score: {points:g} of {len(self.boxes)}</b> ({graded} answered, "
                            f"{right} {LEVEL_WORDS['right'].lower()})")

    def _ipython_display_(self):  # pragma: no cover - exercised in a live notebook
        from IPython.display import display
        display(self.widget)


def practice(system, section: int, *, interactive: bool = True, seed: int | None = None,
             overrides: dict | None = None):
    """The section's practice: live boxes in class, the questions as Markdown when headless."""
    spec = load_spec(system, overrides) if isinstance(system, str) else system
    questions = bank(spec, seed=seed).section(section)
    if not interactive:
        from IPython.display import Markdown

        from ..views.prose.practice_text import questions_markdown
        return Markdown(questions_markdown(questions))
    return PracticeBoxes(questions)

