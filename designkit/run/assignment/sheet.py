"""What a student sees: which questions an assignment asks, and each one as Markdown and an answer cell.

Terminal practice shows every question, but in an assignment one question's givens or hints must
not hold another's answer (the servers question gives the peak QPS), so ``asked`` keeps the largest
set of questions in which no question's answer shows in another's text, givens or hints.  Hints
are the formula and the first step with its result held back; the worked answer is feedback only.
"""

from __future__ import annotations

import re
from functools import cache

from ...model import answers
from ...model.questions import NOTHING, TOLERANCE, Bank, Question
from ...views import markdown as md

EXAMPLES = {   # ways to write an answer, per kind; the intro shows two not near any answer asked
    "count": ("140 million", "3.5 billion", "2,500", "80K"),
    "rate": ("46K/s", "1.2 million/s", "350/s", "7K QPS"),
    "size": ("0.9 PB", "12 TB", "40 GB", "650 MB"),
    "bandwidth": ("5.8 MB/s", "120 Mbps", "2 GB/s", "40 KB/s"),
    "share": ("99.95%", "three nines", "99.5%", "five nines"),
    "minutes": ("22 min", "4.3 min", "2 hours", "45 s"),
}


def first_step(question: Question) -> str:
    """The first line of the working with its result held back: '~1 billion requests ÷ 86,400 s = ?'."""
    return re.split(r" [=≈] ", question.working[0])[0] + " = ?"


def hints(question: Question) -> tuple[tuple[str, str], ...]:
    """(what, hint): the formula, then the first step, leaving out a hint that would hold the question's
    own answer (the first step of 'which component breaks first' names the one that does)."""
    ladder = (("the formula", question.formula), ("the first step", first_step(question)))
    return tuple((what, hint) for what, hint in ladder if not _holds(question, hint))


def visible(question: Question) -> str:
    """Everything of a question a student reads: its text, givens, choices and hints."""
    parts = [question.text, *(f"{label}: {value}" for label, value in question.givens),
             *(hint for _, hint in hints(question)), *question.choices]
    return "\n".join(parts)


def spellings(question: Question) -> tuple[str, ...]:
    """How a question's answer would read in text: as said, without '~', without '/s'."""
    said = question.said.strip()
    plain = said.lstrip("~≈ ").strip()
    forms = {said, plain, re.sub(r"/s$", "", plain)}
    if question.unit in ("servers", "shards"):          # a bare small count is not an answer ("3 copies")
        forms = {f"{form} {question.unit}" for form in forms}
    return tuple(sorted(form for form in forms if form))


NUMBER = re.compile(r"[~≈]?\d[\d,]*(?:\.\d+)?(?:\s*(?:[KMBT]\b|thousand|million|billion|trillion|"
                    r"[KMGTPE]i?B|bytes?|%|min|hours?|s\b))?(?:/s)?")


def _holds(answer: Question, text: str) -> bool:
    """True when ``text`` holds ``answer``'s answer (a component's name, or the value as said)."""
    if answer.unit == "component":
        return re.search(rf"(?<!\w){re.escape(str(answer.answer))}(?!\w)", text) is not None
    return any(re.search(rf"(?<![\w.,]){re.escape(form)}(?![\w])", text) for form in spellings(answer))


def _gives(answer: Question, text: str) -> bool:
    """True when a figure in ``text`` (another question's givens) would be graded right for ``answer``:
    a given of '~46.5K/s' holds an answer of '~46K' although neither spelling is in it."""
    if answer.unit == "component":
        return False
    try:
        wanted = float(answer.answer)
    except (TypeError, ValueError):
        return False
    if not wanted > 0:
        return False
    for token in NUMBER.findall(text[:100_000]):
        try:
            value = answers.parse_answer(token, answer.kind)
        except (answers.AnswerError, ValueError, OverflowError):
            continue
        if value > 0 and answers.level(value, wanted, answer.tolerance) == "right":
            return True
    return False


def _shows(answer: Question, other: Question) -> bool:
    """True when ``other`` gives ``answer``'s answer away (a component's name gives it away only where
    a question's own text names it, 'the first component to fill (X)': givens list every component)."""
    return _holds(answer, other.text if answer.unit == "component" else visible(other)) or \
        _gives(answer, "\n".join(value for _, value in other.givens))


def asked(questions: Bank | tuple[Question, ...]) -> tuple[Question, ...]:
    """The most questions of which none gives another's answer away (ties: the earlier questions)."""
    items = tuple(questions.questions if isinstance(questions, Bank) else questions)
    n = len(items)
    clash = [0] * n
    for i, a in enumerate(items):
        for j, b in enumerate(items):
            if i != j and (_shows(a, b) or a.key == b.key):
                clash[i] |= 1 << j
                clash[j] |= 1 << i

    @cache
    def best(left: int) -> int:
        if not left:
            return 0
        v = (left & -left).bit_length() - 1
        take = (1 << v) | best(left & ~(1 << v) & ~clash[v])
        skip = best(left & ~(1 << v))
        return take if bin(take).count("1") >= bin(skip).count("1") else skip

    chosen = best((1 << n) - 1)
    return tuple(x for i, x in enumerate(items) if chosen >> i & 1)


def examples(questions: tuple[Question, ...]) -> dict[str, tuple[str, ...]]:
    """Per kind asked, two ways to write an answer, none of them near any answer asked of that kind."""
    out = {}
    for kind in dict.fromkeys(x.kind for x in questions):
        if kind == "name":
            continue
        same = [x for x in questions if x.kind == kind]
        far = [ex for ex in EXAMPLES[kind] if all(answers.check(x, ex).level == "off" for x in same)]
        out[kind] = tuple(far[:2])
    return out


# --- Markdown -----------------------------------------------------------------------------------

KIND_WORDS = {"count": "counts", "rate": "rates", "size": "sizes", "bandwidth": "bandwidths",
              "share": "availabilities", "minutes": "durations"}


def intro(system: str, questions: tuple[Question, ...], points: float, tool: str) -> str:
    """The assignment's first cell: what to do, how answers are written and graded."""
    total = points * len(questions)
    ways = "; ".join(f"{KIND_WORDS[kind]}: " + ", ".join(f"`\"{ex}\"`" for ex in exs)
                     for kind, exs in examples(questions).items() if exs)
    rows = [[answers.LEVEL_WORDS[level], when, f"{answers.POINTS[level] * points:g}"]
            for level, when in (("right", f"within {TOLERANCE:.0%} of the answer"),
                                ("good", f"within {answers.GOOD_FACTOR:g}x (from 1/{answers.GOOD_FACTOR:g} to {answers.GOOD_FACTOR:g} times)"),
                                ("order", "the same power of ten"), ("off", "anything else"))]
    return "\n".join([
        f"# Estimation: {md.text(system)}",
        "",
        f"{len(questions)} back-of-the-envelope question{'s' if len(questions) != 1 else ''}, "
        f"{total:g} point{'s' if total != 1 else ''} in all. Work each one out from its givens; "
        "a hint (the formula, then the first step) opens under each question if you need it.",
        "",
        "Write each answer in the code cell under its question, **between the quotes**, the way you "
        "would say it" + (f" ({ways})" if ways else "") + ". Words such as \"about\" and \"~\" are fine.",
        "",
        f"Your answers are graded when your teacher runs {tool}, with a tolerance:",
        "",
        md.table(["Verdict", "When", "Points a question"], rows),
        "",
        *(["Availabilities are compared by their downtime share (99.9% is ten times 99.99%'s downtime)."]
          if any(x.kind == "share" for x in questions) else []),
        "The feedback shows the worked answer.",
    ])


def question_markdown(number: int, question: Question, points: float) -> str:
    """One question: its text, the givens as a table, the choices, and its hints behind disclosures."""
    lines = [f"## Question {number} ({points:g} point{'s' if points != 1 else ''})", "",
             md.text(question.text), ""]
    if question.unit == "component":
        names = ", ".join(md.span(name) for name in question.choices)
        lines += [f"Answer with a component's name ({names}) or `{NOTHING}`.", ""]
        label = "Component"
    else:
        label = "Given"
    if question.givens:
        lines += [md.table([label, "Value"], [[md.span(k), md.span(v)] for k, v in question.givens]), ""]
    for rung, (what, hint) in enumerate(hints(question), 1):
        lines += [f"<details><summary>Hint {rung}: {what}</summary>", "", md.text(hint), "", "</details>", ""]
    return "\n".join(lines).rstrip("\n")


def answer_code(number: int, question: Question) -> str:
    """The student's answer cell: one string to fill in."""
    what = "a component's name, or \"nothing\"" if question.unit == "component" else "the way you would say it"
    return f"# Question {number}: your answer between the quotes, {what}\n{variable(number)} = \"\""


def variable(number: int) -> str:
    """The name a question's answer is read from."""
    return f"answer_{number}"
