"""Install files agree with each other."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(d): d.replace(" ", "") for d in env["dependencies"] if isinstance(d, str)}
    conda.pop("python"), conda.pop("pip")
    pip = {_name(d): d.replace(" ", "") for d in project["dependencies"]}
    assert conda == pip


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = re.search(r"```(?:bash|sh)?\n(.*?)\n```", readme.split("Run the tests", 1)[1], re.S).group(1)
    assert command.strip() in ci


def test_bundled_examples_ship_with_the_package():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "examples/*.yaml" in project["tool"]["setuptools"]["package-data"]["designkit"]
