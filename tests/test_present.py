"""`designkit lab --present` without a browser: what run.present writes for JupyterLab, the panel's
presentation bar, and live charts whose text is 18 px on a projector.

The browser side (1280x720, every notebook) is tests/test_lab_browser.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest

from designkit.assets import NOTEBOOKS_DIR
from designkit.run.lab import lab_command, run_lab, working_copy
from designkit.run.present import LAYOUT, PRESENT_DIR, SETTINGS, WORKSPACE_ID, present_mode
from designkit.sections import SECTIONS


@pytest.fixture
def copy(tmp_path):
    """A working copy of the reference's notebooks, set up for present mode: (folder, argv back)."""
    folder = tmp_path / "lab"
    working_copy("reference", folder)
    return folder, present_mode(folder, ["jupyter-lab", "01_requirements.ipynb"])


def test_every_code_cell_of_the_working_copy_is_collapsed_and_nothing_else_changes(copy):
    folder, _ = copy
    for section in SECTIONS:
        original = nbformat.read(NOTEBOOKS_DIR / section.filename, as_version=4)
        shown = nbformat.read(folder / section.filename, as_version=4)
        assert [c.source for c in shown.cells if c.cell_type == "markdown"] == \
               [c.source for c in original.cells if c.cell_type == "markdown"]
        code = [c for c in shown.cells if c.cell_type == "code"]
        assert code and all(c.metadata["jupyter"]["source_hidden"] is True for c in code)
        assert all("jupyter" not in c.metadata for c in shown.cells if c.cell_type == "markdown")
        assert [c.source for c in code][1:] == [c.source for c in original.cells if c.cell_type == "code"][1:]
        # the committed notebooks stay as they are
        assert all(not c.metadata.get("jupyter", {}).get("source_hidden") for c in original.cells)


def _schema(plugin: str) -> dict:
    """JupyterLab's own schema for a settings file '@scope/package/plugin.jupyterlab-settings'."""
    import jupyterlab
    roots = [Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas",
             Path(jupyterlab.__file__).parent / "schemas"]
    name = plugin.removesuffix(".jupyterlab-settings") + ".json"
    path = next((root / name for root in roots if (root / name).is_file()), None)
    assert path is not None, f"no JupyterLab schema for {plugin}"
    return json.loads(path.read_text())


def test_settings_are_jupyterlabs_own_and_pass_its_schemas(copy):
    import jsonschema
    folder, argv = copy
    settings = folder / PRESENT_DIR / "user-settings"
    for name, values in SETTINGS.items():
        written = json.loads((settings / name).read_text())
        assert written == values
        schema = _schema(name)
        jsonschema.validate(written, schema)
        for key in written:                                # every key is one the plugin declares
            assert key in schema["properties"], f"{name}: {key}"
    sizes = json.loads((settings / "@jupyterlab/apputils-extension/themes.jupyterlab-settings").read_text())
    assert all(int(size.removesuffix("px")) >= 18 for size in sizes["overrides"].values())
    notification = json.loads((settings / "@jupyterlab/apputils-extension/notification.jupyterlab-settings")
                              .read_text())
    assert notification["fetchNews"] == "false" and notification["checkForUpdates"] is False


def test_the_default_workspace_has_the_sidebars_collapsed_and_argv_points_at_both_dirs(copy):
    from jupyterlab_server.workspaces_handler import WorkspacesManager
    folder, argv = copy
    root = (folder / PRESENT_DIR).resolve()
    assert argv[:2] == ["jupyter-lab", "01_requirements.ipynb"]
    assert argv[2:] == [f"--LabApp.user_settings_dir={root / 'user-settings'}",
                        f"--LabApp.workspaces_dir={root / 'workspaces'}"]
    workspace = WorkspacesManager(str(root / "workspaces")).load(WORKSPACE_ID)
    layout = workspace["data"]["layout-restorer:data"]
    assert layout == LAYOUT and layout["left"]["collapsed"] is True and layout["right"]["visible"] is False


def test_present_mode_again_writes_the_same_files(copy):
    folder, argv = copy
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    before = {p: p.read_bytes() for p in files}
    assert present_mode(folder, ["jupyter-lab", "01_requirements.ipynb"]) == argv
    assert {p: p.read_bytes() for p in sorted(q for q in folder.rglob("*") if q.is_file())} == before


def test_run_lab_sets_up_present_mode_only_when_asked(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr("os.chdir", lambda path: None)
    monkeypatch.setattr("os.execvpe", lambda file, argv, env: calls.append((argv, env)))
    for present, name in ((False, "desk"), (True, "class")):
        folder = tmp_path / name
        copies = working_copy("reference", folder)
        run_lab(lab_command(folder, copies[0], browser=False), folder, present=present)
    (desk, desk_env), (class_, class_env) = calls
    assert not any("user_settings_dir" in arg for arg in desk) and "DESIGNKIT_PRESENT" not in desk_env
    assert not (tmp_path / "desk" / PRESENT_DIR).exists()
    desk_nb = nbformat.read(tmp_path / "desk" / SECTIONS[0].filename, as_version=4)
    assert not any(c.metadata.get("jupyter") for c in desk_nb.cells)
    assert [a.replace("class", "desk") for a in class_[:len(desk)]] == desk
    assert class_env["DESIGNKIT_PRESENT"] == "1"
    assert any(arg.startswith("--LabApp.workspaces_dir=") for arg in class_[len(desk):])


# --- the panel's presentation bar -------------------------------------------------------------------

def test_more_sliders_opens_the_drawer_and_the_components_reflow_hooks():
    from designkit.live import live
    section = live("reference", {}, section=2, prepare=False)
    panel = section.panel
    toggle = next(c for c in panel.widget.children[2].children if "dk-more-toggle" in c._dom_classes)
    assert "dk-more" not in panel.widget._dom_classes
    toggle.value = True
    assert "dk-more" in panel.widget._dom_classes
    toggle.value = False
    assert "dk-more" not in panel.widget._dom_classes
    drawer = next(c for c in panel.widget.children if "dk-drawer" in c._dom_classes)
    grid, components = drawer.children
    assert grid.children[0] is panel.controls["users"].box       # the one slider the bar shows
    table = components.children[0]
    names = [c for c in table.children if "dk-comp-name" in c._dom_classes]
    empty = [c for c in table.children if "dk-comp-empty" in c._dom_classes]
    system = panel.base
    assert len(names) == len(system.components)
    stateless = [c for c in system.components if f"{c.name}.shards" not in panel.controls]
    assert len(empty) == len(stateless) > 0
    section.close()


# --- live charts on a projector -----------------------------------------------------------------------

def _texts(fig):
    from matplotlib.text import Text
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


@pytest.mark.parametrize("number", [1, 2] + [pytest.param(n, marks=pytest.mark.slow) for n in (6, 7)])  # fast loop: two
def test_present_chart_text_is_18_px_when_shown_at_the_projectors_width(number):
    from designkit.live import live
    from designkit.live.render import ChartView
    from designkit.live.style import PRESENT_ASPECT, PRESENT_CHART_PX, PRESENT_MIN_PX
    section = live("reference", {}, section=number, prepare=False)
    charts = [v for v in section.panel.views if isinstance(v, ChartView)]
    assert charts
    before = [(tuple(c.fig.get_size_inches()), c.fig.dpi, [ax.yaxis.label.get_text() for ax in c.fig.axes])
              for c in charts]
    section.panel.present(True)
    for chart in charts:
        fig = chart.fig
        natural = chart.canvas.get_width_height()[0]
        assert natural == 1440                               # twice the pixels of the desk's 720
        scale = PRESENT_CHART_PX / natural                   # image pixels -> screen pixels
        sizes = {t.get_text(): t.get_fontsize() * fig.dpi / 72 * scale for t in _texts(fig)}
        assert sizes and min(sizes.values()) >= PRESENT_MIN_PX - 0.01, sizes
        width, height = fig.get_size_inches()
        assert height / width <= max(PRESENT_ASPECT, 0.75 * before[charts.index(chart)][0][1]
                                     / before[charts.index(chart)][0][0]) + 1e-9
        renderer = chart.canvas.get_renderer()
        for ax in fig.axes:                                  # a folded y label fits the figure's height
            label = ax.yaxis.label
            if label.get_text():
                assert label.get_window_extent(renderer).height <= fig.bbox.height
    section.panel.present(False)
    assert [(tuple(c.fig.get_size_inches()), c.fig.dpi, [ax.yaxis.label.get_text() for ax in c.fig.axes])
            for c in charts] == before
    section.close()


@pytest.mark.parametrize("spec, number", [("reference", 7)]
                         + [pytest.param("chat-system", 6, marks=pytest.mark.slow),
                            pytest.param("reference", 6, marks=pytest.mark.slow),
                            pytest.param("video-streaming", 6, marks=pytest.mark.slow),
                            pytest.param("video-streaming", 1, marks=pytest.mark.slow)])
def test_present_charts_keep_every_text_inside_the_figure_at_any_scale(spec, number):
    """Titles and axis labels centred on their axes could pass the smaller figure's edge ('explode
    past the kne'); an empty line's marker could push the axes up and leave a blank band.  At the
    spec's scale, 1000x and 0.1x: no text leaves the figure, no ink touches its edge."""
    from matplotlib.text import Text

    from designkit.live import live
    from designkit.live.layout import spills
    from designkit.live.render import ChartView
    section = live(spec, {}, section=number, prepare=False)
    charts = [v for v in section.panel.views if isinstance(v, ChartView)]
    section.panel.present(True)
    users = section.panel.state.spec.scale.users
    laid_out = [chart.layouts for chart in charts]
    for move in ({}, {"users": users * 1000}, {"users": users / 10}, {"users": users * 20}, {"users": users * 3}):
        if move:
            section.panel.set(**move)
            section.panel.flush()
        for chart in charts:
            fig, where = chart.fig, (spec, number, move, chart.widget._dom_classes)
            chart.canvas.draw()
            renderer = chart.canvas.get_renderer()
            for text in fig.findobj(Text):
                if text.get_visible() and text.get_text().strip():
                    box = text.get_window_extent(renderer)
                    assert box.x0 >= -1 and box.x1 <= fig.bbox.width + 1, (where, text.get_text())
                    assert box.y0 >= -1 and box.y1 <= fig.bbox.height + 1, (where, text.get_text())
            assert not spills(chart.canvas), where
            axes_bottom = min(ax.get_position().y0 for ax in fig.axes if ax.get_visible())
            assert axes_bottom < 0.35, (where, axes_bottom)     # no blank band under the axes
    # a new long title is folded as it is set, not by laying the chart out again on every move
    assert all(chart.layouts <= before + 1 for chart, before in zip(charts, laid_out)), \
        [(chart.layouts, before) for chart, before in zip(charts, laid_out)]
    section.close()
