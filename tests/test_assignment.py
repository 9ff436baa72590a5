"""`designkit assignment`: practice as an nbgrader or otter-grader assignment.

The slow tests run the real tools once each (nbgrader generate_assignment + autograde, otter assign
+ otter run) on a filled-in submission: a right, a close, an order-of-magnitude, a wrong and an
empty answer get 1, 1/2, 1/4, 0 and 0 points, and no expected value shows in any file a student
receives (or in anything designkit writes).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designkit import cli
from designkit.model.practice import bank
from designkit.model.spec import example_names, load_spec
from designkit.run.assignment import write_assignment
from designkit.run.assignment.record import GradingError, grade, pack, recompute, require, score, spec_text, unpack
from designkit.run.assignment.sheet import asked, hints, spellings, visible

ROOT = Path(__file__).resolve().parents[1]
SEED = 3
# The reference spec as written (docs/practice.md works it by hand): 100 million users, 10% active
# a day, so 10 million daily actives.
DAU = 10e6


@functools.cache
def _record(key: str, spec: str = "reference", seed: int | None = None) -> str:
    s = load_spec(spec)
    question = bank(s, seed=seed).get(key)
    from designkit.model.source import read_raw, resolve
    return pack(spec_text(read_raw(resolve(spec)), seed, spec), spec, seed, question)


@functools.cache
def _bank(name: str, seed: int | None):
    return bank(load_spec(name), seed=seed)


def _says(form: str, text: str) -> bool:
    """``form`` stands in ``text`` as a whole number ('46K' in '~46K/s', not in '146K' or '4.46K')."""
    return re.search(rf"(?<![\w.,]){re.escape(form)}(?!\w)", text) is not None


# --- which questions are asked ------------------------------------------------------------------

@pytest.mark.parametrize("name", example_names())
def test_no_asked_question_gives_another_away_and_nothing_more_could_be_asked(name):
    for seed in (None, SEED):
        questions = _bank(name, seed)
        chosen = asked(questions)
        assert len(chosen) >= 5, [x.key for x in chosen]
        for a in chosen:
            for b in chosen:
                if a is not b and a.unit != "component":
                    for form in spellings(a):
                        assert not _says(form, visible(b)), (a.key, b.key, form)
        for left in set(questions.questions) - set(chosen):   # each left out would leak or be leaked
            assert len(asked((*chosen, left))) == len(chosen), (name, seed, left.key)


def test_hints_never_hold_the_question_s_own_answer():
    for name in example_names():
        for question in asked(_bank(name, SEED)):
            shown = "\n".join(hint for _, hint in hints(question))
            assert hints(question)[0] == ("the formula", question.formula)
            if question.unit == "component":   # the first step of the working names the first to fill
                assert question.answer == "nothing" or question.answer not in shown, name
            else:
                assert not any(_says(form, shown) for form in spellings(question)), (name, question.key)
    first = bank(load_spec("reference")).get("first_to_break")
    assert first.answer in first.working[0] and len(hints(first)) == 1


def test_the_servers_question_and_the_peak_qps_it_gives_are_never_both_asked():
    questions = bank(load_spec("reference"))
    servers = questions.get("servers")
    assert any(label == "Peak QPS" for label, _ in servers.givens)         # the reason
    from designkit.run.assignment.sheet import _shows
    assert _shows(questions.get("qps_peak"), servers)                        # a precise given holds it too
    keys = {x.key for x in asked(questions)}
    assert not {"servers", "qps_peak"} <= keys


# --- grading: recomputed from the record, tiers as partial credit --------------------------------

@pytest.mark.parametrize("answer, level, points", [
    ("10 million", "right", 1.0), ("about 10.5 million", "right", 1.0), (10_000_000, "right", 1.0),
    ("15 million", "good", 0.5), ("6 million", "good", 0.5),
    ("40 million", "order", 0.25), ("about 45,000,000", "order", 0.25),
    ("10 billion", "off", 0.0), ("1 million", "off", 0.0),
    ("lots", "invalid", 0.0), ("", "invalid", 0.0), (None, "invalid", 0.0), ("0.9 PB", "invalid", 0.0),
])
def test_grade_recomputes_the_answer_and_gives_tier_credit(answer, level, points):
    graded = grade(_record("daily_active_users"), answer)
    assert (graded.level, graded.share) == (level, points)
    assert "the answer is 10 million" in graded.feedback
    assert "Working: 100 million users × 10% = 10 million daily actives" in graded.feedback


def test_score_prints_the_feedback_and_returns_the_points(capsys):
    earned = score(_record("daily_active_users"), "15 million", points=2)
    assert earned == 1.0
    out = capsys.readouterr()
    assert out.err == ""          # nbgrader gives a cell that writes to stderr no points
    assert "Good estimate (1.5x the answer)" in out.out and "Points: 1 of 2" in out.out


@pytest.mark.parametrize("answer, passing", [
    ("10 million", {"order", "good", "right"}), ("15 million", {"order", "good"}),
    ("40 million", {"order"}), ("10 billion", set()), ("lots", set()),
])
def test_otter_tiers_pass_cumulatively(answer, passing):
    record = _record("daily_active_users")
    passed = set()
    for tier in ("order", "good", "right"):
        try:
            require(record, answer, tier)
            passed.add(tier)
        except AssertionError as exc:
            assert "the answer is 10 million" in str(exc) and "Working:" in str(exc)
    assert passed == passing


def test_a_record_holds_no_answer_and_a_changed_bank_is_refused():
    question = bank(load_spec("reference"), seed=SEED).get("storage_total")
    record = _record("storage_total", seed=SEED)
    data = unpack(record)
    text = json.dumps(data)
    assert data["key"] == "storage_total" and data["seed"] == SEED
    for form in spellings(question):
        assert form not in text
    assert str(question.answer) not in text and "interview_tips" not in text   # the prose is left out
    # another designkit that shows other givens for this question: grading refuses, loudly
    from designkit.model.source import read_raw, resolve
    other = dataclasses.replace(question, givens=(("Writes a day", "9 billion"),))
    forged = pack(spec_text(read_raw(resolve("reference")), SEED, "reference"), "reference", SEED, other)
    with pytest.raises(GradingError, match="other givens"):
        recompute(forged)
    with pytest.raises(GradingError, match="damaged"):
        grade(record[:-7] + "abcdefg", "1 PB")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=st.one_of(st.text(max_size=40), st.integers(), st.floats(allow_nan=True), st.none(), st.booleans()))
def test_grading_takes_anything_a_student_writes(answer):
    for key in ("qps_peak", "storage_total", "first_to_break"):
        graded = grade(_RECORDS[key], answer)
        assert graded.share in (0.0, 0.25, 0.5, 1.0)
        assert "Working:" in graded.feedback


_RECORDS = {key: _record(key) for key in ("qps_peak", "storage_total", "first_to_break")}


# --- the command and its output folder ------------------------------------------------------------

def _run(*argv) -> tuple[int, str, str]:
    import contextlib
    import io
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = cli.main(list(argv))
        except SystemExit as exc:
            status = exc.code
    return status, out.getvalue(), err.getvalue()


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_same_spec_and_seed_write_the_same_files_and_a_rerun_replaces_only_its_own(tmp_path):
    out = tmp_path / "course"
    status, printed, _ = _run("assignment", "url-shortener", "--format", "nbgrader", "-o", str(out), "--seed", "7")
    assert status == 0 and "url-shortener-seed-7" in printed
    first = _tree(out)
    assert set(first) == {".designkit-manifest.json", "nbgrader_config.py",
                          "source/url-shortener-seed-7/url-shortener-seed-7.ipynb"}
    (out / "gradebook.db").write_text("the teacher's")        # nbgrader's own files stay
    assert _run("assignment", "url-shortener", "--format", "nbgrader", "-o", str(out), "--seed", "7")[0] == 0
    again = _tree(out)
    assert again.pop("gradebook.db") == b"the teacher's" and again == first


def test_bad_input_is_one_message_exit_2_and_nothing_written(tmp_path):
    out = tmp_path / "new"
    status, _, err = _run("assignment", "no-such-spec", "--format", "otter", "-o", str(out))
    assert status == 2 and "no-such-spec" in err and "Traceback" not in err and not out.exists()
    status, _, err = _run("assignment", "reference", "--format", "gradescope", "-o", str(out))
    assert status == 2 and "nbgrader" in err and not out.exists()
    status, _, err = _run("assignment", "reference", "--format", "otter", "-p", "users=lots", "-o", str(out))
    assert status == 2 and "users" in err and not out.exists()
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep")
    status, _, err = _run("assignment", "reference", "--format", "otter", "-o", str(foreign))
    assert status == 2 and "did not write" in err and _tree(foreign) == {"notes.txt": b"keep"}


def test_spec_text_in_the_notebook_stays_text(tmp_path):
    import yaml

    from designkit.assets import EXAMPLES_DIR
    raw = yaml.safe_load((EXAMPLES_DIR / "url-shortener.yaml").read_text(encoding="utf-8"))
    raw["name"] = "<img src=x onerror=alert(1)> [x](javascript:alert(1)) # Short"
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    made = write_assignment(path, "otter", tmp_path / "out")
    nb = json.loads((made.out / made.files[0]).read_text(encoding="utf-8"))
    intro = "".join(nb["cells"][1]["source"])
    assert "<img" not in intro and "&lt;img" in intro and "\\[x\\]" in intro


@settings(max_examples=60, deadline=None)
@given(name=st.text(min_size=1, max_size=30), value=st.text(max_size=30))
def test_spec_text_in_a_question_opens_no_tag_and_makes_no_link(name, value):
    from designkit.run.assignment.sheet import question_markdown
    first = _bank("reference", None).get("first_to_break")
    question = dataclasses.replace(first, text=f"Which of {name} breaks first?", givens=((name, value),),
                                   choices=(name, "Event Store"))
    page = question_markdown(1, question, 1)
    body = page.replace("<details><summary>", "").replace("</summary>", "").replace("</details>", "")
    assert "<" not in body and "](" not in body.replace("\\]", "")
    assert "\n#" not in body.replace("\n## Question 1", "")          # no heading but the question's own


# --- the real tools ----------------------------------------------------------------------------------

def _tool(*args, cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done


def _order_only(value: float) -> float:
    """A value of the same power of ten as ``value`` but more than 2x away from it."""
    low = 10 ** math.floor(math.log10(value))
    return value / 2.5 if value / 2.5 >= low else value * 2.5


def _say(question, value: float) -> str:
    """``value`` written the way a student might, in the question's unit (not the way designkit says it)."""
    kind = question.kind
    if kind == "count":
        return f"{value:,.0f}"
    if kind == "rate":
        return f"about {value / 1e3:.4g} thousand/s"
    if kind == "size":
        return f"{value / 1e9:.5g} GB"
    if kind == "bandwidth":
        return f"{value / 1e6:.5g} MB/s"
    if kind == "minutes":
        return f"{value:.4g} min"
    raise AssertionError(kind)


def _answers(questions) -> tuple[dict[int, str], list[float]]:
    """Answers for the first four numeric questions (right, close, order of magnitude, wrong), the
    others left empty; and the points each question should get."""
    numeric = [i for i, x in enumerate(questions, 1) if x.kind in ("count", "rate", "size", "bandwidth", "minutes")]
    plan = dict(zip(numeric, [(1.0, 1.0), (1.5, 0.5), (None, 0.25), (1000.0, 0.0)]))
    answers, points = {}, []
    for number, question in enumerate(questions, 1):
        factor, earned = plan.get(number, (0, 0.0))
        if factor:
            answers[number] = _say(question, float(question.answer) * factor)
        elif factor is None:
            answers[number] = _say(question, _order_only(float(question.answer)))
        points.append(earned)
    return answers, points


def _fill(notebook: Path, answers: dict[int, str], target: Path) -> None:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        match = re.search(r'^answer_(\d+) = ""$', source, re.M)
        if cell["cell_type"] == "code" and match and int(match.group(1)) in answers:
            cell["source"] = source.replace('= ""', "= " + json.dumps(answers[int(match.group(1))]))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(nb), encoding="utf-8")


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _readable(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return "\n".join(_strings(json.loads(text))) if path.suffix == ".ipynb" else text


def _expected_spellings(question) -> list[str]:
    """An asked question's expected value in several spellings, worked out here, not by designkit."""
    if question.unit == "component":
        return [f"first component to fill ({question.answer})"]
    v = float(question.answer)
    forms = {question.said, question.said.lstrip("~")}
    if question.unit == "availability":
        return sorted(forms | {f"{v * 100:.7g}%", repr(v)})   # (a component's 99.9998% may round alike)
    if question.unit in ("servers", "shards"):
        return sorted(f"{form} {question.unit}" for form in forms | {f"{v:.0f}"})
    forms |= {f"{v:,.0f}", f"{v:.0f}", repr(v), f"{v:.3g}", f"{v:.2g}"} if v >= 1000 else {repr(v), f"{v:.3g}"}
    scales = {"count": ((1e3, "K"), (1e6, " million"), (1e9, " billion")),
              "rate": ((1e3, "K"), (1e6, " million"), (1e9, " billion")),
              "size": ((1e6, " MB"), (1e9, " GB"), (1e12, " TB"), (1e15, " PB")),
              "bandwidth": ((1e3, " KB/s"), (1e6, " MB/s"), (1e9, " GB/s")),
              "minutes": ((1, " min"), (1 / 60, " s"))}[question.kind]
    for scale, word in scales:
        if 1 <= v / scale < 1000:
            forms |= {f"{v / scale:.2g}{word}", f"{v / scale:.3g}{word}"}
    return sorted(f for f in forms if f)


def _leaks(folder: Path, questions) -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".ipynb", ".py", ".txt", ".md", ".json")):
        text = _readable(path)
        for question in questions:
            for form in _expected_spellings(question):
                if _says(form, text):
                    found.append((str(path.relative_to(folder)), question.key, form))
    return found


@pytest.mark.parametrize("name", example_names())
def test_no_expected_value_in_what_any_example_s_students_read(name):
    """Every example's student text (intro, questions, answer cells), searched as the tools' outputs are."""
    from designkit.run.assignment.sheet import answer_code, intro, question_markdown
    for seed in (None, SEED):
        chosen = asked(_bank(name, seed))
        text = "\n".join([intro(name, chosen, 1, "nbgrader"),
                          *(question_markdown(n, x, 1) + answer_code(n, x) for n, x in enumerate(chosen, 1))])
        found = [(x.key, form) for x in chosen for form in _expected_spellings(x) if _says(form, text)]
        assert found == [], (name, seed)


def test_the_leak_search_finds_an_answer_in_any_spelling(tmp_path):
    chosen = asked(_bank("reference", SEED))
    for question in chosen:
        if question.unit == "component":
            continue
        v = float(question.answer)
        for planted in (question.said, f"{v:,.0f}" if v >= 1000 else f"{v:.3g}"):
            page = tmp_path / "student.ipynb"
            page.write_text(json.dumps({"cells": [{"source": [f"Given: {planted} (hint)"]}]}), encoding="utf-8")
            assert (page.name, question.key) in {(path, key) for path, key, _ in _leaks(tmp_path, chosen)}, planted


@pytest.fixture(scope="module")
def nbgrader_course(tmp_path_factory):
    """A course written by designkit, released and autograded once by nbgrader: (course, made, points)."""
    course = tmp_path_factory.mktemp("nbgrader") / "course"
    made = write_assignment("reference", "nbgrader", course, seed=SEED)
    _tool("nbgrader", "generate_assignment", made.name, cwd=course)
    answers, points = _answers(made.questions)
    release = course / "release" / made.name / f"{made.name}.ipynb"
    _fill(release, answers, course / "submitted" / "student-1" / made.name / f"{made.name}.ipynb")
    _tool("nbgrader", "autograde", made.name, cwd=course)
    return course, made, points


@pytest.mark.slow
def test_nbgrader_autograde_gives_tier_credit_and_the_worked_answer(nbgrader_course):
    from nbgrader.api import Gradebook
    course, made, points = nbgrader_course
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(made.name, "student-1")
        scores = {g.name: g.score for nb in submission.notebooks for g in nb.grades}
    assert [scores[f"q{n}-grade"] for n in range(1, len(made.questions) + 1)] == points
    assert points[:4] == [1.0, 0.5, 0.25, 0.0] and sum(points) == 1.75
    graded = json.loads((course / "autograded" / "student-1" / made.name / f"{made.name}.ipynb").read_text())
    feedback = "\n".join(_strings([c.get("outputs", []) for c in graded["cells"]]))
    for question in made.questions:
        assert f"the answer is {question.said}" in feedback and "; ".join(question.working) in feedback


@pytest.mark.slow
def test_nbgrader_release_holds_no_expected_value(nbgrader_course):
    course, made, _ = nbgrader_course
    release = course / "release" / made.name
    text = _readable(release / f"{made.name}.ipynb")
    assert "BEGIN HIDDEN TESTS" not in text and "score(" not in text
    assert len(re.findall(r'^answer_\d+ = ""$', text, re.M)) == len(made.questions)
    assert _leaks(release, made.questions) == []
    assert _leaks(course / "source", made.questions) == []      # nor the teacher's source: it is recomputed


@pytest.fixture(scope="module")
def otter_dist(tmp_path_factory):
    """An otter master notebook written by designkit, assigned, and one submission run: (folder, made, points, results)."""
    folder = tmp_path_factory.mktemp("otter")
    made = write_assignment("reference", "otter", folder / "master", seed=SEED)
    _tool("otter", "assign", str(folder / "master" / made.files[0]), str(folder / "dist"), cwd=folder)
    answers, points = _answers(made.questions)
    _fill(folder / "dist" / "student" / made.files[0], answers, folder / "submission.ipynb")
    (folder / "results").mkdir()
    zipped = next((folder / "dist" / "autograder").glob("*.zip"))
    _tool("otter", "run", "-a", str(zipped), "-o", str(folder / "results"), str(folder / "submission.ipynb"), cwd=folder)
    results = json.loads((folder / "results" / "results.json").read_text())
    return folder, made, points, results


@pytest.mark.slow
def test_otter_run_gives_tier_credit_and_the_worked_answer(otter_dist):
    folder, made, points, results = otter_dist
    scores = {t["name"]: t.get("score") for t in results["tests"]}
    assert [scores[f"q{n}"] for n in range(1, len(made.questions) + 1)] == points
    outputs = {t["name"]: t.get("output", "") for t in results["tests"]}
    for number, question in enumerate(made.questions, 1):
        if points[number - 1] < 1:
            assert f"the answer is {question.said}" in outputs[f"q{number}"]


@pytest.mark.slow
def test_otter_student_files_hold_no_expected_value(otter_dist):
    folder, made, _, _ = otter_dist
    student = folder / "dist" / "student"
    text = _readable(student / made.files[0])
    assert "require(" not in text and "designkit.run.assignment" not in text
    assert _leaks(student, made.questions) == []
    assert _leaks(folder / "master", made.questions) == []
