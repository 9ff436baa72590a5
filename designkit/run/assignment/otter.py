"""An otter-grader assign-format notebook (``<name>.ipynb``) and its ``requirements.txt``.

Each question is an otter question block: the Markdown prompt, a solution cell that is the
student's answer cell as it is (nothing to strip: the notebook holds no answer), and three hidden
exception-based test cases, one per tier (right order of magnitude, good estimate, right), worth
1/4, 1/4 and 1/2 of the question.  Each case recomputes the answer from the record
(``record.require``) and fails with the feedback, so the points add up to the same partial
credit as practice.  ``otter assign`` turns it into ``student/`` and ``autograder/``.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import yaml

from ... import __version__
from .record import TIER_SHARES, TIERS, pack
from .sheet import answer_code, intro, question_markdown, variable


SUCCESS = {"order": "At least the right order of magnitude.", "good": "At least a good estimate.",
           "right": "Right."}


def config(name: str) -> str:
    """The ASSIGNMENT CONFIG cell: exception-based hidden tests, an autograder zip, designkit in it."""
    settings = {"name": name, "requirements": "requirements.txt", "generate": True, "run_tests": False,
                "init_cell": False, "check_all_cell": False, "export_cell": False,
                "tests": {"files": False, "ok_format": False}}
    return "# ASSIGNMENT CONFIG\n" + yaml.safe_dump(settings, sort_keys=False)


def test_source(record: str, number: int, tier: str, points: float) -> str:
    """One hidden test case: the answer reaches ``tier``, or the case fails with the feedback."""
    answer = variable(number)
    return "\n".join([
        '""" # BEGIN TEST CONFIG',
        f"points: {TIER_SHARES[tier] * points:g}",
        "hidden: true",
        f"success_message: {SUCCESS[tier]}",
        '""" # END TEST CONFIG',
        f"def test_{tier}({answer}):",
        "    from designkit.run.assignment.record import require",
        f"    record = {record!r}",
        f"    require(record, {answer}, {tier!r})",
        f"test_{tier}({answer})",
    ])


def notebook(system: str, questions, records: list[str], points: float, name: str) -> nbformat.NotebookNode:
    """The master notebook otter assign reads."""
    v4 = nbformat.v4
    cells = [v4.new_raw_cell(config(name), id="assignment-config"),
             v4.new_markdown_cell(intro(system, questions, points, "otter-grader"), id="intro")]
    for number, (question, record) in enumerate(zip(questions, records), 1):
        q = f"q{number}"
        cells += [
            v4.new_raw_cell(f"# BEGIN QUESTION\nname: {q}\npoints: {points:g}", id=f"{q}-begin"),
            v4.new_markdown_cell(question_markdown(number, question, points), id=f"{q}-question"),
            v4.new_raw_cell("# BEGIN SOLUTION", id=f"{q}-begin-solution"),
            v4.new_code_cell(answer_code(number, question), id=f"{q}-answer"),
            v4.new_raw_cell("# END SOLUTION", id=f"{q}-end-solution"),
            v4.new_raw_cell("# BEGIN TESTS", id=f"{q}-begin-tests"),
            *(v4.new_code_cell(test_source(record, number, tier, points), id=f"{q}-test-{tier}")
              for tier in TIERS),
            v4.new_raw_cell("# END TESTS", id=f"{q}-end-tests"),
            v4.new_raw_cell("# END QUESTION", id=f"{q}-end"),
        ]
    return v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})


def write(staging: Path, name: str, system: str, questions, spec_text: str, source: str,
          seed: int | None, points: float) -> list[str]:
    """Write the master notebook and requirements.txt into ``staging``; their relative paths."""
    records = [pack(spec_text, source, seed, x) for x in questions]
    nb = notebook(system, questions, records, points, name)
    (staging / f"{name}.ipynb").write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    (staging / "requirements.txt").write_text(
        f"# the autograder image grades with designkit; pin the version that wrote this assignment\n"
        f"designkit=={__version__}\n", encoding="utf-8")
    return [f"{name}.ipynb", "requirements.txt"]
