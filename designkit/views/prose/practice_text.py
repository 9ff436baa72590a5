"""Estimation practice as text: a terminal session, and the questions as Markdown for notebooks.

``session(bank, ask, say)`` reads answers with ``ask(prompt)`` (None at end of input) and writes
with ``say(text)``, so the CLI passes stdin/stdout and tests pass lists.
"""

from __future__ import annotations

from collections.abc import Callable

from ...model.answers import LEVEL_WORDS, LEVELS, Verdict, check, score
from ...model.practice import Bank, Question
from ..markdown import table, text

HELP = ('Answer the way you would say it ("46K", "50,000/s", "0.9 PB", "about 1 PB");\n'
        "h for a hint (formula, first step, worked answer), s to skip, q to stop.")


def question_block(number: int, total: int, question: Question) -> str:
    """The question and its givens, aligned like the article's capacity block."""
    width = max(len(label) for label, _ in question.givens) + 1
    lines = [f"{number}/{total}. {question.text}"]
    lines += [f"  {label + ':':<{width}} {value}" for label, value in question.givens]
    return "\n".join(lines)


def score_line(verdicts: list[Verdict], skipped: int, total: int) -> str:
    """'Score: 9.5 of 14 (right 8, good estimate 2, ...)'."""
    points, _ = score(verdicts)
    counts = [f"{LEVEL_WORDS[level].lower()} {sum(v.level == level for v in verdicts)}" for level in LEVELS]
    unanswered = total - len(verdicts) - skipped
    tail = f", skipped {skipped}" + (f", not reached {unanswered}" if unanswered else "")
    return f"Score: {points:g} of {total} ({', '.join(counts)}{tail})"


def session(bank: Bank, ask: Callable[[str], str | None], say: Callable[[str], None]) -> list[Verdict]:
    """Run one practice session; returns the verdicts of the questions answered."""
    seed = f", seed {bank.seed}" if bank.seed is not None else ""
    say(f"Practice: {bank.system} ({len(bank.questions)} questions{seed})\n{HELP}\n")
    verdicts: list[Verdict] = []
    skipped = 0
    for number, question in enumerate(bank.questions, 1):
        say(question_block(number, len(bank.questions), question))
        hints = 0
        while True:
            reply = ask("> ")
            if reply is None or reply.strip().lower() in ("q", "quit", "exit"):
                say("\n" + score_line(verdicts, skipped, len(bank.questions)))
                return verdicts
            reply = reply.strip()
            if reply.lower() in ("h", "hint", "?"):
                say("  " + question.hints[min(hints, 2)])
                hints += 1
                continue
            if reply.lower() in ("s", "skip"):
                skipped += 1
                say(f"  Skipped: the answer is {question.said}.\n  Working: {'; '.join(question.working)}\n")
                break
            verdict = check(question, reply)
            say("  " + verdict.message)
            if verdict.level == "invalid":
                continue
            verdicts.append(verdict)
            say(f"  Working: {'; '.join(question.working)}\n")
            break
    say(score_line(verdicts, skipped, len(bank.questions)))
    return verdicts


def questions_markdown(questions) -> str:
    """The questions and givens as Markdown (spec text escaped), answers left out: for headless runs."""
    parts = []
    for number, x in enumerate(questions, 1):
        rows = [[text(label), text(value)] for label, value in x.givens]
        parts.append(f"**{number}. {text(x.text)}**\n\n" + table(["Given", "Value"], rows))
    return "\n\n".join(parts)
