"""A library must not change its user's matplotlib backend: importing the charts leaves it alone; and the
house style's shortcuts leave the picture as matplotlib draws it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_importing_and_drawing_charts_keeps_the_users_backend():
    code = ("import matplotlib; from designkit.views.charts.style import svg; from designkit.views.charts.capacity import CapacityChart; from designkit.model.spec import load_spec; "
            "from designkit.model import estimate; "
            "out = svg(CapacityChart(estimate(load_spec('reference').scale)).fig); "
            "print(matplotlib.get_backend(), out.count('<svg'))")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "svg"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["svg", "1"]     # the user's choice, not 'agg'; and the chart still saved


@pytest.mark.slow                      # five charts drawn twice each, three times: the full suite
@pytest.mark.parametrize("name,scale", [("reference", "0.1x"), ("reference", "1000x"),
                                        ("video-streaming", "1x")])
def test_titles_sit_where_matplotlibs_own_search_puts_them(name, scale):
    # The house style fixes titles at the top of their axes (axes.titley = 1.0) so that a draw does not
    # measure every tick label to look for something above the axes.  That is only the same picture
    # while no axis has tick labels on top or an offset text ('1e6') under the title: drawn with
    # matplotlib's own search (titley None), every chart is the same, byte for byte.
    from designkit.model import analyze, estimate
    from designkit.model.numbers import Numbers
    from designkit.model.spec import load_spec
    from designkit.views.charts import registry
    from designkit.views.charts.style import house_style, svg

    spec = load_spec(name, {"scale": scale})
    numbers = Numbers(spec, analysis=analyze(spec, estimate(spec.scale)))
    drawn = 0
    for chart in registry.CHARTS:
        if not chart.applies(numbers):
            continue
        ours = svg(chart.make(numbers).fig)
        with house_style({"axes.titley": None}):
            theirs = svg(chart.make(numbers).fig)
        assert ours == theirs, chart.name
        drawn += 1
    assert drawn >= 5
