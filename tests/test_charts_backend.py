"""A library must not change its user's matplotlib backend: importing the charts leaves it alone."""

import os
import subprocess
import sys
from pathlib import Path

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
