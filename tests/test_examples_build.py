"""Every bundled example builds with no warning and no placeholder (issue: worked examples gallery)."""

import re

import pytest

from designkit.views.pages import article
from designkit.views import markdown
from designkit.run.build import spec_warnings
from designkit.model.spec import example_names, load_spec

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", example_names())
def test_example_specs_leave_nothing_to_warn_about(name):
    assert spec_warnings(load_spec(name)) == []


def test_build_all_examples(all_examples):
    tmp_path, out = all_examples
    assert out.returncode == 0, out.stderr[-3000:]
    assert "warning:" not in out.stderr
    for name in example_names():
        md = (tmp_path / name / "article.md").read_text(encoding="utf-8")
        spec = load_spec(name)
        assert md.startswith(f'---\nlayout: simple\ntitle: "Design {markdown.text(spec.name)}"')
        assert not article.PLACEHOLDER.search(md), name
        assert (tmp_path / name / "handout.html").stat().st_size > 10_000
        ranged = ["tornado.svg"] if spec.scale.ranges else []     # which assumption matters most
        drawn = (tmp_path / name / "figures").iterdir()           # capacity.<hash of its bytes>.svg
        assert sorted(re.sub(r"\.[0-9a-f]{8}\.svg$", ".svg", p.name) for p in drawn) == [
            "availability.svg", "capacity.svg", "cost.svg", "latency.svg", "scaling.svg", *ranged]
        assert re.search(r"path: p99 at peak is [\d.]+ \S+?(?: against a target of|; its target is) p", md), name
        assert re.search(r"The design costs about \\\$[\d,.]+ a month", md), name
