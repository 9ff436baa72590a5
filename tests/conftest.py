"""Shared fixtures: the reference article is built once per test session and shared."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def reference_build(tmp_path_factory):
    """The reference example's article, built once: (BuildResult, progress lines)."""
    from designkit.run.build import build
    lines = []
    out = tmp_path_factory.mktemp("reference") / "out"
    return build("reference", out, progress=lines.append), lines


@pytest.fixture(scope="session")
def template_text():
    """The outline the article follows, as the package carries it (never read from outside the repo)."""
    from designkit.assets import template_text
    return template_text()
