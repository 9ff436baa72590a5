"""The section notebooks teach the method: each works a formula by hand from the spec's numbers, then
checks the library agrees; one setup cell, one import of designkit, the "In class" cell once, and the
fragments the build collects unchanged.

The notebooks' own cells are run here in-process (no kernel, no figure drawn), on bundled examples
in both forms of the scale and at the ends of the range a class can reach, so a hand formula that
disagrees with the library, or fails for some spec, fails here before a build does.
"""

import ast
import math

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designkit import notebook as dk
from designkit.assets import NOTEBOOKS_DIR
from designkit.model.spec import example_names
from designkit.sections import SECTIONS

# What each notebook hands the build (docs/internals.md, "The fragments contract").
EMITS = {
    1: [("figure", "capacity"), ("emit", 0), ("emit", 1)],
    2: [("emit", 2)], 3: [("emit", 3)], 4: [("emit", 4)], 5: [("emit", 5)],
    6: [("figure", "scaling"), ("figure", "latency"), ("figure", "cost"), ("figure", "tornado"), ("emit", 6)],
    7: [("figure", "availability"), ("emit", 7)], 8: [("emit", 8)], 9: [("emit", 9)],
}
# The formula each notebook works in front of the student.
FORMULAS = {1: "/ 86_400", 2: "math.ceil(", 3: "math.ceil(", 4: "* cap.replication_factor",
            5: "/ 86_400", 6: "math.lgamma(", 7: "math.prod(", 8: "math.ceil(", 9: "/ 1e5"}
DRAWS = ("dk.emit", "dk.practice", "dk.figure")


def notebook(section):
    return nbformat.read(NOTEBOOKS_DIR / section.filename, as_version=4)


def code(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def called(source: str, name: str) -> list[ast.Call]:
    return [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr == name
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "dk"]


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.notebook)
def test_one_setup_cell_one_in_class_cell_and_the_same_fragments(section):
    nb = notebook(section)
    cells = code(nb)
    assert cells[0].splitlines() == ['spec = "reference"      # a spec file path or a bundled example name',
                                     'overrides = {}          # scale fields to change, e.g. {"users": "1 billion"}',
                                     'interactive = True      # False under papermill: static figures, no widgets']
    assert "parameters" in next(c for c in nb.cells if c.cell_type == "code").metadata["tags"]
    imports = [(i, node) for i, source in enumerate(cells) for node in ast.walk(ast.parse(source))
               if isinstance(node, (ast.Import, ast.ImportFrom))]
    assert [i for i, _ in imports] == [1, 1]                                  # the setup cell, and only it
    assert [ast.unparse(node) for _, node in imports] == ["import math", "from designkit import notebook as dk"]
    rest = "\n".join(cells[2:])
    assert "math." in rest and "dk." in rest                                   # no unused import
    in_class = [c for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("In class (`designkit lab`)")]
    assert len(in_class) == 1 and "In class" not in "".join(c.source for c in nb.cells if c not in in_class)
    calls = [call for source in cells for call in called(source, "in_class")]
    assert len(calls) == 1 and {k.arg: ast.literal_eval(k.value) for k in calls[0].keywords
                                if k.arg == "section"} == {"section": section.number}
    emits = [(call.func.attr, ast.literal_eval(call.args[0])) for source in cells
             for name in ("emit", "figure") for call in called(source, name)]
    assert sorted(emits, key=str) == sorted(EMITS[section.number], key=str)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.notebook)
def test_each_notebook_works_a_formula_by_hand_then_checks_the_library(section):
    # A cell shows the formula's result (its last line an expression), and a later cell asserts that
    # the library's number agrees, before the section's fragment is emitted.
    cells = code(notebook(section))[2:]
    first_emit = next(i for i, source in enumerate(cells) if called(source, "emit"))
    hand = next(i for i, source in enumerate(cells) if FORMULAS[section.number] in source)
    checks = [i for i, source in enumerate(cells[:first_emit]) if i > hand
              and any(isinstance(node, ast.Assert) for node in ast.walk(ast.parse(source)))]
    assert hand < first_emit and checks, section.notebook
    shown = ast.parse(cells[checks[0] - 1]).body[-1]
    assert isinstance(shown, ast.Expr)                                          # the result, in front of the student


def run_method_cells(spec, overrides) -> dict:
    """Every notebook's cells that compute (nothing drawn or emitted), run as the notebook runs them."""
    ran = {}
    for section in SECTIONS:
        namespace = {"spec": spec, "overrides": overrides, "interactive": False}
        for source in code(notebook(section))[1:]:
            if not any(draw in source for draw in DRAWS):
                exec(compile(source, section.filename, "exec"), namespace)   # the asserts check the library
        ran[section.number] = namespace
    return ran


def test_the_hand_formulas_agree_with_the_library_in_both_forms_of_the_scale():
    ran = {spec: run_method_cells(spec, {}) for spec in ("reference", "url-shortener")}   # per user, and totals
    for cells in ran.values():
        cap = cells[1]["cap"]
        assert cells[1]["qps_peak"] == pytest.approx(cap.qps_peak, rel=1e-12)
        assert cells[9]["shortcut"] == pytest.approx(cap.requests_per_day / 100_000)
    # reference by hand: 10 million daily actives x (100 + 0.4) requests = 1.004 billion a day
    reference = ran["reference"]
    assert reference[1]["requests_per_day"] == pytest.approx(1.004e9)
    assert reference[1]["qps_average"] == pytest.approx(1.004e9 / 86_400)
    assert reference[8]["servers"] == math.ceil(1.004e9 / 86_400 * 4 / 2000)    # 24 servers of 2K QPS


@pytest.mark.slow
@pytest.mark.parametrize("scale", ["0.1x", "1000x"])
def test_the_hand_formulas_hold_for_every_example_at_the_ends_of_the_range(scale):
    # At 1000x no pool may keep up (notebook 6 then works the textbook call centre); at 0.1x most
    # pools are nearly idle: the hand formulas still agree with the library everywhere.
    for name in example_names():
        run_method_cells(name, {"scale": scale})


def notebook_function(section: int, name: str):
    """A function a notebook defines in a cell, as the notebook defines it."""
    source = next(s for s in code(notebook(SECTIONS[section - 1])) if s.startswith(f"def {name}("))
    namespace = {"math": math}
    exec(source, namespace)
    return namespace[name]


@settings(max_examples=200, deadline=None)
@given(c=st.integers(1, 600), share=st.floats(0.001, 0.999))
def test_the_notebooks_erlang_c_is_the_librarys(c, share):
    # Notebook 6 writes Erlang C from its closed form in logarithms; the library uses Erlang B's
    # recursion: two routes to the same number, from one server to hundreds.
    erlang_c = notebook_function(6, "erlang_c")
    assert math.isclose(erlang_c(c, share * c), dk.queueing.erlang_c(c, share * c), rel_tol=1e-9, abs_tol=1e-12)


def test_the_notebooks_erlang_c_by_hand_for_two_servers():
    # c = 2, a = 1: terms 1, 1 and a^2/2! x c/(c - a) = 1/2 x 2 = 1, so C = 1 / (1 + 1 + 1) = 1/3.
    assert notebook_function(6, "erlang_c")(2, 1.0) == pytest.approx(1 / 3)
