"""Files the package carries: the section notebooks, the article template and the bundled examples.

They are found through package resources, so an editable install (a clone) and a wheel find them
the same way; nothing is read from outside the package.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_ROOT = Path(str(resources.files("designkit")))
NOTEBOOKS_DIR = _ROOT / "notebooks"       # in the repository a link to the top-level notebooks/
EXAMPLES_DIR = _ROOT / "examples"
TEMPLATE = _ROOT / "template" / "design-system-template.md"


def template_text() -> str:
    """The outline the article follows (the house template), as Markdown."""
    return TEMPLATE.read_text(encoding="utf-8")
