"""The whole article in-process: the same part functions the section notebooks emit, in one string.

``article_at`` is the one place that joins front matter and the nine parts the way the build
assembles the notebooks' fragments, so the moving handout's grid reads exactly like article.md.
"""

from __future__ import annotations

import inspect

from ...sections import SECTIONS
from . import article
from ..prose.templating import render_spec


def article_at(spec, cap, analysis) -> str:
    """article.md for this spec, capacity and analysis, as the build assembles the notebooks' fragments.

    Prose figures (``{{ qps_peak }}``) are said at this spec's scale, as each notebook's setup cell
    does; a spec already rendered comes back unchanged.
    """
    spec = render_spec(spec, analysis=analysis)
    given = {"spec": spec, "cap": cap, "analysis": analysis}
    pieces = [article.front_matter(spec)]
    for section in SECTIONS:
        part = getattr(article, section.part)
        names = list(inspect.signature(part).parameters)
        pieces.append(part(*(given[name] for name in names)))
    return "\n\n".join(piece.strip() for piece in pieces) + "\n"
