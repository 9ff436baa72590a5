"""The wheel is the product: it carries the notebooks, the template and the examples, and builds an
article when installed into a fresh virtual environment and run from a folder outside the clone."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from designkit.sections import SECTIONS

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SKIP = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
                              ".hypothesis", ".ipynb_checkpoints")


def _run(args: list, cwd: Path, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def clean_env() -> dict:
    """The environment without PYTHONPATH, so nothing but the installed package can be imported."""
    return {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory, clean_env) -> Path:
    """The wheel, built as pip builds it (isolated, with pyproject's build requirements), from a copy of the
    tree so that the clone gets no build/ or egg-info folder."""
    source = tmp_path_factory.mktemp("source") / "designkit"
    shutil.copytree(ROOT, source, symlinks=True, ignore=SKIP)
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", dist, "."],
         source, clean_env)
    wheels = list(dist.glob("designkit-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def outer_site_dirs() -> list[str]:
    """The site-packages folders the running interpreter imports third-party packages from (a venv's own,
    or the system's where the dependencies were installed system-wide), existing ones only."""
    dirs = list(site.getsitepackages())
    if site.ENABLE_USER_SITE:
        dirs.append(site.getusersitepackages())
    dirs += [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    return [d for d in dict.fromkeys(dirs) if os.path.isdir(d)]


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheel, clean_env) -> Path:
    """A fresh virtual environment with the wheel installed; third-party packages come from the
    interpreter running the tests (a .pth names its site-packages folders), wherever they were installed.

    A .pth line only puts a folder on sys.path: the .pth files inside it (an editable install of the
    clone among them) are not run, so `designkit` can only come from the wheel."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    _run([sys.executable, "-m", "venv", venv], venv.parent, clean_env)
    python = venv / "bin" / "python"
    purelib = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                   venv.parent, clean_env).stdout.strip()
    (Path(purelib) / "_designkit_tests_outer.pth").write_text("".join(f"{d}\n" for d in outer_site_dirs()),
                                                             encoding="utf-8")
    _run([python, "-m", "pip", "install", "--no-deps", "--no-index", wheel], venv.parent, clean_env)
    return venv


@pytest.fixture
def outside(tmp_path, venv, clean_env):
    """(folder outside the clone, environment with the venv first on PATH)."""
    env = {**clean_env, "PATH": f"{venv / 'bin'}{os.pathsep}{clean_env['PATH']}", "VIRTUAL_ENV": str(venv)}
    assert ROOT not in tmp_path.parents
    return tmp_path, env


def test_wheel_carries_the_notebooks_the_template_and_the_examples(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())

    notebooks = {name for name in names if name.startswith("designkit/notebooks/")}
    assert notebooks == {f"designkit/notebooks/{section.filename}" for section in SECTIONS}
    assert len(notebooks) == 9
    assert "designkit/template/design-system-template.md" in names
    examples = {Path(name).name for name in names if name.startswith("designkit/examples/")}
    assert examples == {path.name for path in (ROOT / "designkit" / "examples").glob("*.yaml")}
    assert "reference.yaml" in examples and len(examples) >= 10
    with zipfile.ZipFile(wheel) as archive:  # the files themselves, not a symlink to notebooks/
        for section in SECTIONS:
            data = archive.read(f"designkit/notebooks/{section.filename}")
            assert data == (ROOT / "notebooks" / section.filename).read_bytes()


def test_installed_package_is_the_venvs_not_the_clone(outside, venv):
    folder, env = outside
    code = ("import designkit, designkit.assets as a; print(designkit.__file__); print(a.NOTEBOOKS_DIR); "
            "print(a.NOTEBOOKS_DIR.is_symlink(), len(list(a.NOTEBOOKS_DIR.glob('*.ipynb'))))")
    lines = _run(["python", "-c", code], folder, env).stdout.splitlines()

    assert Path(lines[0]).is_relative_to(venv) and not Path(lines[0]).is_relative_to(ROOT)
    assert Path(lines[1]).is_relative_to(venv)
    assert lines[2] == "False 9"


def test_wheel_install_builds_the_reference_article_outside_the_clone(outside, template_text):
    folder, env = outside
    done = _run(["designkit", "build"], folder, env, timeout=600)

    article = folder / "build" / "analytics-event-collector" / "article.md"
    handout = folder / "build" / "analytics-event-collector" / "handout.html"
    assert f"{article.relative_to(folder)}" in done.stdout
    text = article.read_text(encoding="utf-8")
    assert 'title: "Design Analytics Event Collector"' in text and "## 1. Requirements" in text
    assert "~46K" in text  # the reference's peak QPS, computed in the kernels
    assert handout.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not (folder / "notebooks").exists()  # nothing expected beside it, nothing written beside it


def test_wheel_install_lab_help_and_template(outside, template_text):
    folder, env = outside
    lab = _run(["designkit", "lab", "--help"], folder, env)
    assert "usage: designkit lab" in lab.stdout and "--no-browser" in lab.stdout

    assert _run(["designkit", "template"], folder, env).stdout == template_text
