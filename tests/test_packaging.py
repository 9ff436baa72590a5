"""Install files agree with each other."""

import ast
import functools
import importlib
import importlib.metadata
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_normalize(_name(d)): _version(d) for d in env["dependencies"] if isinstance(d, str)}
    conda.pop("python"), conda.pop("pip")
    pip = {_normalize(_name(d)): _version(d) for d in project["dependencies"]}
    assert conda == pip  # same packages (conda-forge may spell jupyter_client with "_"), same versions


def _version(requirement: str) -> str:
    return requirement.replace(" ", "")[len(_name(requirement)):]


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = re.search(r"```(?:bash|sh)?\n(.*?)\n```", readme.split("Run the tests", 1)[1], re.S).group(1)
    assert command.strip() in ci


def _floors(*extras: str) -> dict[str, str]:
    """{distribution: lowest version} of pyproject's dependencies and the given extras."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + [r for extra in extras for r in project["optional-dependencies"][extra]]
    return {_normalize(_name(r)): _release(re.search(r">=\s*([^,;\s]+)", r).group(1)) for r in requirements}


def _release(version: str) -> str:
    """'1.24.0' and '1.24' are one release."""
    return re.sub(r"(\.0)+$", "", version)


def test_the_lowest_versions_ci_installs_are_pyprojects_floors():
    # .ci/run installs these in a venv of their own and runs the fast suite there: a floor that is
    # not true fails CI instead of a user's install.
    lines = [line.split("#")[0].strip() for line in (ROOT / ".ci" / "lowest-constraints.txt").read_text().splitlines()]
    pinned = dict(line.split("==") for line in lines if line)
    assert {_normalize(name): _release(version) for name, version in pinned.items()} == _floors("test")
    ci = (ROOT / ".ci" / "run").read_text()
    assert "-c .ci/lowest-constraints.txt" in ci and '-m "not slow and not browser"' in ci


def test_under_xdist_each_test_runs_in_its_group(request):
    """``-n auto`` relies on ``--dist loadgroup`` (conftest.group_of): a costly fixture is made once, in
    the worker of its group.  Where xdist loses the groups, nothing fails but every worker makes every
    fixture again (pytest 9.2 with xdist 3.8 did: pytest-xdist#1386, ~2.5 minutes on 2 cores)."""
    import os

    import pytest
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        pytest.skip("checks the groups of a run with -n")
    assert request.node.nodeid.endswith("@test_packaging"), request.node.nodeid


def test_ruff_finds_nothing():
    # The rules are pyproject's [tool.ruff]; the notebooks' cells are checked too.
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "designkit", "tests", "benchmarks",
                           "notebooks"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]


def test_bundled_examples_ship_with_the_package():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "examples/*.yaml" in project["tool"]["setuptools"]["package-data"]["designkit"]


# -- dependencies: what designkit imports is what it declares ----------------------------------

PACKAGE = ROOT / "designkit"

RUNTIME_ONLY = {
    "ipykernel",         # runs every notebook kernel (papermill starts `python3` kernels)
    "jupyterlab",        # started by `designkit lab` as a program, never imported
    "matplotlib-inline",  # imported inside each kernel by kernels.PRELOAD (code sent as text)
}
"""Declared dependencies that designkit's own modules never import, each with the reason it is there."""


def _normalize(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


def _top_level_imports(folder: Path) -> dict[str, set[str]]:
    """Top-level module -> files importing it (absolute imports only: relative ones are designkit's)."""
    imports: dict[str, set[str]] = {}
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                imports.setdefault(name.split(".")[0], set()).add(str(path.relative_to(ROOT)))
    return imports


def _third_party(imports: dict[str, set[str]], own: set[str]) -> dict[str, set[str]]:
    """The imported modules that are neither the standard library nor the project's own."""
    return {name: files for name, files in imports.items()
            if name not in sys.stdlib_module_names and name not in own and not name.startswith("_")}


@functools.cache
def _installed() -> dict[str, list[str]]:
    return importlib.metadata.packages_distributions()


def _distributions(module: str) -> set[str]:
    found = _installed().get(module)
    assert found, f"{module}: imported but not installed, so it cannot be declared either"
    return {_normalize(name) for name in found}


def _declared(*extras: str) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    return {_normalize(_name(requirement)) for requirement in requirements}


def test_every_package_designkit_imports_is_declared():
    imports = _third_party(_top_level_imports(PACKAGE), {"designkit"})
    declared = _declared("dask")
    missing = {module: sorted(files) for module, files in imports.items()
               if not _distributions(module) & declared}
    assert imports and missing == {}, f"imported, not in [project].dependencies (or the dask extra): {missing}"


def test_every_declared_dependency_is_imported_or_runs_at_run_time():
    imported = set().union(*(_distributions(m) for m in _third_party(_top_level_imports(PACKAGE), {"designkit"})))
    unused = _declared("dask") - imported - RUNTIME_ONLY
    assert unused == set(), f"declared but never imported by designkit/: {sorted(unused)}"
    assert RUNTIME_ONLY <= _declared(), "a runtime-only dependency is no longer declared: drop it from the list"
    assert not RUNTIME_ONLY & imported, "a runtime-only dependency is imported now: drop it from the list"


def test_every_package_the_tests_and_benchmarks_import_is_declared():
    imports = _top_level_imports(ROOT / "tests") | _top_level_imports(ROOT / "benchmarks")
    own = {"designkit"} | {path.stem for folder in ("tests", "benchmarks") for path in (ROOT / folder).glob("*.py")}
    declared = _declared("dask", "test")
    missing = {module: sorted(files) for module, files in _third_party(imports, own).items()
               if not _distributions(module) & declared}
    assert missing == {}, f"imported by tests or benchmarks, not in the test extra: {missing}"


# -- the layout: layers, no cycles, small modules -----------------------------------------------


def test_no_import_cycle_inside_designkit():
    graph = grimp.build_graph("designkit", cache_dir=None)
    assert Path(importlib.import_module("designkit").__file__).parent == PACKAGE  # this tree is analysed
    cycles = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported != module and graph.chain_exists(importer=imported, imported=module):
                chain = graph.find_shortest_chain(importer=imported, imported=module)
                cycles.append(" -> ".join((module, *chain)))
    assert len(graph.modules) > 20 and cycles == []


def test_layers_contract_is_the_architecture_and_is_kept():
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["type"] == "layers")["layers"]
    assert layers[:5] == ["designkit.cli | designkit.notebook", "designkit.run", "designkit.live", "designkit.views", "designkit.model"]
    lint_imports = shutil.which("lint-imports")
    assert lint_imports, "lint-imports (import-linter, in the test extra) is not on PATH"
    done = subprocess.run([lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Layers: cli -> run -> live -> views -> model, never upward KEPT" in done.stdout
    assert "Views: pages -> charts, diagrams, prose -> rows -> markdown KEPT" in done.stdout
    assert "Live: views -> panel -> its parts -> drawing -> state and style KEPT" in done.stdout
    assert "3 kept, 0 broken" in done.stdout


MAX_LINES = 500


def test_no_module_over_500_lines():
    lengths = {str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
               for path in PACKAGE.rglob("*.py")}
    assert len(lengths) > 20
    over = {path: n for path, n in lengths.items() if n > MAX_LINES}
    assert over == {}


# -- public APIs only -----------------------------------------------------------------------------


def _own_names(tree: ast.Module) -> set[str]:
    """Names a module binds to designkit's own modules (`from . import quantities as q`, ...)."""
    own = {"self", "cls"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.level > 0 or (node.module or "").startswith("designkit")):
            own |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            own |= {alias.asname or alias.name.split(".")[0] for alias in node.names
                    if alias.name.startswith("designkit")}
    return own


def private_uses(source: str) -> list[str]:
    """Private names of other libraries: `from lib import _x`, `obj._x` on anything not designkit's own."""
    tree = ast.parse(source)
    own, found = _own_names(tree), []
    for node in ast.walk(tree):
        if (isinstance(node, ast.ImportFrom) and node.level == 0 and node.module != "__future__"
                and not node.module.startswith("designkit")):
            found += [f"{node.lineno}: from {node.module} import {alias.name}" for alias in node.names
                      if alias.name.startswith("_")]
            if any(part.startswith("_") for part in node.module.split(".")):
                found.append(f"{node.lineno}: from {node.module}")
        elif (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
              and not (isinstance(node.value, ast.Name) and node.value.id in own)):
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def test_run_and_model_use_only_public_apis_of_other_libraries():
    uses = {str(path.relative_to(ROOT)): private_uses(path.read_text(encoding="utf-8"))
            for folder in ("run", "model", "views") for path in (PACKAGE / folder).glob("*.py")}
    assert "designkit/run/kernels.py" in uses
    assert {path: found for path, found in uses.items() if found} == {}


def test_private_uses_are_found():
    source = ("from jupyter_client import KernelManager, _private\nfrom . import quantities as q\n"
              "km.provisioner.process.kill()\nkc._async_is_alive()\nq._split('1')\nself._lock\n")
    assert private_uses(source) == ["1: from jupyter_client import _private", "4: kc._async_is_alive"]
