"""An nbgrader course folder: ``nbgrader_config.py`` and ``source/<name>/<name>.ipynb``.

The source notebook holds, per question, a locked Markdown cell (text, givens, hints), a plain
answer cell and an autograded test cell worth the question's points.  The test's code sits in a
hidden-tests region, so ``nbgrader generate_assignment`` releases the cell empty and ``nbgrader
autograde`` puts it back: it recomputes the answer from the record (``record.score``), prints the
feedback and returns the points earned, which nbgrader takes as partial credit.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from .record import pack
from .sheet import answer_code, intro, question_markdown, variable

CONFIG = '''\
# nbgrader's configuration for a course written by `designkit assignment` (docs/practice.md).
c = get_config()  # noqa: F821 (nbgrader defines it)
c.CourseDirectory.course_id = "designkit"
'''


def _meta(grade_id: str, *, grade: bool = False, points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": True, "schema_version": 3,
            "solution": False, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def test_source(record: str, number: int, points: float) -> str:
    """A question's autograded test cell: a note the student sees, the grading hidden."""
    return "\n".join([
        f"# Your teacher's autograder grades question {number} here ({points:g} point"
        f"{'s' if points != 1 else ''}); leave this cell as it is.",
        "### BEGIN HIDDEN TESTS",
        "from designkit.run.assignment.record import score",
        f"score({record!r}, globals().get({variable(number)!r}), points={points!r})",
        "### END HIDDEN TESTS",
    ])


def notebook(system: str, questions, records: list[str], points: float) -> nbformat.NotebookNode:
    """The source notebook, cells in nbgrader's layout with ids that do not change between runs."""
    v4 = nbformat.v4
    cells = [v4.new_markdown_cell(intro(system, questions, points, "nbgrader's autograder"),
                                  id="intro", metadata=_meta("intro"))]
    for number, (question, record) in enumerate(zip(questions, records), 1):
        cells += [
            v4.new_markdown_cell(question_markdown(number, question, points), id=f"q{number}-question",
                                 metadata=_meta(f"q{number}-question")),
            v4.new_code_cell(answer_code(number, question), id=f"q{number}-answer"),
            v4.new_code_cell(test_source(record, number, points), id=f"q{number}-grade",
                             metadata=_meta(f"q{number}-grade", grade=True, points=points)),
        ]
    nb = v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})
    return nb


def write(staging: Path, name: str, system: str, questions, spec_text: str, source: str,
          seed: int | None, points: float) -> list[str]:
    """Write the course folder's files into ``staging``; their paths, relative to it."""
    records = [pack(spec_text, source, seed, x) for x in questions]
    folder = staging / "source" / name
    folder.mkdir(parents=True)
    nb = notebook(system, questions, records, points)
    (folder / f"{name}.ipynb").write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    (staging / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    return ["nbgrader_config.py", f"source/{name}/{name}.ipynb"]
