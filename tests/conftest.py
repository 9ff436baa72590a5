"""Shared fixtures: the reference article is built once per test session and shared."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT.parent / "shared" / "template" / "design-system-template.md"


@pytest.fixture(scope="session")
def reference_build(tmp_path_factory):
    """The reference example's article, built once: (BuildResult, progress lines)."""
    from designkit.build import build
    lines = []
    out = tmp_path_factory.mktemp("reference") / "out"
    return build("reference", out, progress=lines.append), lines


@pytest.fixture(scope="session")
def template_text():
    assert TEMPLATE.is_file(), f"the article template is missing: {TEMPLATE}"
    return TEMPLATE.read_text(encoding="utf-8")
