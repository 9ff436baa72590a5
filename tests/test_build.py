"""The papermill build: notebooks really executed, the article checked against the template."""

import hashlib
import json
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from designkit.views.pages import article
from designkit.assets import NOTEBOOKS_DIR
from designkit.run.build import build, figure_file, plain_figures
from designkit.sections import SECTIONS, TITLES
from designkit.views.markdown import anchor
from designkit.model.capacity import estimate
from designkit.errors import BuildError
from designkit.model.quantities import say_bytes, say_count, say_qps
from designkit.model.spec import load_spec

pytestmark = pytest.mark.slow


def headings(markdown):
    return [line for line in markdown.splitlines() if re.match(r"^#{1,4} ", line)]


def table_headers(markdown):
    lines = markdown.splitlines()
    return [lines[i].strip() for i in range(len(lines) - 1)
            if lines[i].startswith("|") and re.match(r"^\|[-| :]+\|$", lines[i + 1].strip())]


def columns(header):
    return [c.strip() for c in header.strip("|").split("|")]


def test_build_writes_every_output(reference_build):
    result, progress = reference_build
    out = result.out_dir
    assert sorted(p.name for p in out.iterdir()) == [".designkit-manifest.json", "article.md", "figures",
                                                     "handout.html", "notebooks"]
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    listed = json.loads((out / ".designkit-manifest.json").read_text())["files"]
    assert sorted(listed) == [name for name in written if name != ".designkit-manifest.json"]
    assert all(listed[name] == hashlib.sha256((out / name).read_bytes()).hexdigest() for name in listed)
    assert sorted(p.stem for p in (out / "notebooks").iterdir()) == sorted(s.notebook for s in SECTIONS)
    assert len(progress) == 9 and all(" ok " in line for line in progress)
    # The executed notebooks really ran: every code cell has an execution count, no errors.
    for path in (out / "notebooks").iterdir():
        nb = nbformat.read(path, as_version=4)
        cells = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.execution_count for c in cells), path.name
        assert not any(o.get("output_type") == "error" for c in cells for o in c.outputs)
        assert any("injected-parameters" in c.metadata.get("tags", []) for c in cells)


def test_article_has_every_template_heading_and_table(reference_build, template_text):
    md = reference_build[0].article.read_text(encoding="utf-8")
    ours = headings(md)
    for line in headings(template_text):
        if "[" in line:  # "### 3.1 [Component Name]": any filled-in heading at that position
            prefix = line.split("[")[0]
            prefix = re.sub(r"\d+\.\d+ $", "", prefix) if prefix.startswith("### ") else prefix
            assert any(h.startswith(prefix) and "[" not in h for h in ours), line
        else:
            assert line.replace("[", "") in ours, line
    ours_tables = [columns(h) for h in table_headers(md)]
    for header in table_headers(template_text):  # computed tables may add columns after the template's
        wanted = columns(header)
        assert any(t[:len(wanted)] == wanted for t in ours_tables), header


def test_front_matter_toc_and_no_placeholders(reference_build):
    md = reference_build[0].article.read_text(encoding="utf-8")
    assert md.startswith('---\nlayout: simple\ntitle: "Design Analytics Event Collector"\n'
                         "permalink: /system_design/design-analytics-event-collector\n---\n")
    anchors = {anchor(h.lstrip("#").strip()) for h in headings(md)}
    for target in re.findall(r"\]\(#([^)]+)\)", md):
        assert target in anchors, target
    assert not article.PLACEHOLDER.search(md)
    assert "[Component Name]" not in md and "[Choice]" not in md and "Option A" not in md


def test_article_numbers_equal_the_estimate(reference_build):
    md = reference_build[0].article.read_text(encoding="utf-8")
    cap = estimate(load_spec("reference").scale)
    out = subprocess.run([sys.executable, "-m", "designkit", "estimate", "reference"], capture_output=True,
                         text=True, check=True).stdout
    block = out.split("\n\n", 1)[1].strip()
    assert block in md  # the same capacity block, character for character
    for spoken in (say_count(cap.requests_per_day), say_qps(cap.qps_average), say_qps(cap.qps_peak),
                   say_bytes(cap.storage_per_day_bytes), say_bytes(cap.storage_total_bytes)):
        assert spoken in md
    assert f"we'd need {cap.servers_needed} servers" in md


def test_figures_referenced_exist_beside_the_article(reference_build):
    out = reference_build[0].out_dir
    md = (out / "article.md").read_text(encoding="utf-8")
    names = re.findall(r"\]\((figures/[^)]+)\)", md)
    assert {"figures/capacity.svg", "figures/scaling.svg", "figures/latency.svg", "figures/cost.svg",
            "figures/availability.svg"} <= set(re.findall(r"\]\((figures/[^)]+)\)", plain_figures(md)))
    for name in names:
        svg = (out / name).read_text(encoding="utf-8")
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg
        file = name.split("/")[-1]
        assert file == figure_file(file.split(".")[0], svg)   # named by the hash of its bytes


def test_same_spec_same_bytes(reference_build, all_examples):
    """Two builds of the reference: the session's, and `build --all-examples`'s (its own process and kernels)."""
    first = reference_build[0].out_dir
    again, done = all_examples
    assert done.returncode == 0, done.stderr[-3000:]
    again = again / "reference"
    for name in ("article.md", "handout.html"):
        assert (first / name).read_bytes() == (again / name).read_bytes(), name
    figures = sorted(p.name for p in (first / "figures").iterdir())
    assert sorted(p.name for p in (again / "figures").iterdir()) == figures
    for fig in (first / "figures").iterdir():
        assert fig.read_bytes() == (again / "figures" / fig.name).read_bytes(), fig.name


def test_a_failing_notebook_keeps_the_old_article(reference_build, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(reference_build[0].out_dir, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    broken = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, broken)
    nb = nbformat.read(broken / "04_data_model.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('the data model is inconsistent')"))
    nbformat.write(nb, broken / "04_data_model.ipynb")
    with pytest.raises(BuildError) as info:
        build("reference", out, notebooks_dir=broken)
    message = str(info.value)
    assert "Data Model" in message and "04_data_model.ipynb" in message
    assert f"cell {len(nb.cells) - 1}" in message
    assert "RuntimeError: the data model is inconsistent" in message
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before  # nothing half-written, nothing left behind
    with pytest.raises(BuildError):
        build("reference", tmp_path / "first", notebooks_dir=broken)
    assert not (tmp_path / "first").exists()  # a failed first build leaves no empty folder


def test_spec_text_is_escaped(hostile_build):
    """<script> and <img onerror> in the name and summary (conftest.hostile_build, shared with test_adversarial)."""
    raw = (load_spec("reference").model_dump(by_alias=True, exclude_none=True))
    _, site, out, status, err = hostile_build
    assert status == 0, err
    assert out.resolve().is_relative_to(site.resolve())
    md = (out / "article.md").read_text()
    html = (out / "handout.html").read_text()
    assert "<script>" not in md and "<img" not in md and "&lt;script>" in md
    # designkit's own scripts only: the Practice appendix's and the moving handout's data blocks and
    # their two hashed scripts; nothing from the spec opens or closes one.
    assert html.count("<script") == 4 and html.count("</script") == 4
    page = re.sub(r'<script type="application/json"[^>]*>.*?</script>', "", html, flags=re.S)  # escaped JSON
    assert "onerror=alert" not in page.replace("onerror=alert(1)&gt;", "")
    assert "&lt;script&gt;" in html
    assert raw  # the reference itself still loads


def test_cli_build_and_exit_codes(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: X\nscale: {users: lots}\n")
    out = subprocess.run([sys.executable, "-m", "designkit", "build", str(bad), "-o", str(tmp_path / "o")],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "scale.users" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "o").exists()


def test_new_skeleton_builds_with_warnings(tmp_path):
    made = subprocess.run([sys.executable, "-m", "designkit", "new", "Chat System"], cwd=tmp_path,
                          capture_output=True, text=True)
    assert made.returncode == 0 and (tmp_path / "chat-system.yaml").is_file()
    out = subprocess.run([sys.executable, "-m", "designkit", "build", "chat-system.yaml"], cwd=tmp_path,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    warnings = [line for line in out.stderr.splitlines() if "warning:" in line]
    assert any("summary: still a placeholder" in w for w in warnings)
    assert any("core_components.0.challenge: still a placeholder" in w for w in warnings)
    assert (tmp_path / "build" / "chat-system" / "article.md").is_file()
    assert len(json.dumps(warnings)) > 0


@pytest.mark.browser
def test_the_built_handout_renders_in_chromium_with_no_request_leaving(reference_build):
    from _browser import chromium_page
    handout = reference_build[0].handout
    requests = []
    with chromium_page() as page:
        page.on("request", lambda request: requests.append(request.url))
        page.goto(handout.as_uri())
        page.wait_for_load_state("load")
        assert page.locator("h1").inner_text() == "Design Analytics Event Collector"
        h2 = [t.strip() for t in page.locator("h2").all_text_contents()]  # off-screen sections skip layout
        assert [t for t in h2 if t[:1].isdigit()] == [f"{i}. {name}" for i, name in enumerate(TITLES, 1)]
        images = page.locator("img")
        assert images.count() == 5      # capacity, scaling, latency, cost, availability
        for i in range(5):
            assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
        assert page.locator("pre").first.is_visible()
        page.click("a[href='#7-reliability']")
        assert page.evaluate("location.hash") == "#7-reliability"
    assert requests and all(url.startswith(("file:", "data:")) for url in requests), requests


def test_new_skeleton_shows_the_latency_and_cost_fields_and_they_work(tmp_path):
    """The skeleton's commented `prices:` and `monthly_cost` lines are valid as soon as they are uncommented."""
    from designkit.model.analysis import analyze
    from designkit.model.capacity import estimate
    from designkit.model.spec import load_spec
    from designkit.run.skeleton import write_skeleton
    path = write_skeleton("Ticket Shop", tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "      path: read" in text
    assert "# prices:" in text and "# monthly_cost: $1,200" in text
    before = load_spec(path)
    bill = analyze(before, estimate(before.scale)).cost
    edited = (text.replace("# prices:", "prices:").replace("#   node_hour:", "  node_hour:")
              .replace("    # monthly_cost: $1,200 ", "    monthly_cost: $1,200"))
    path.write_text(edited, encoding="utf-8")
    after = load_spec(path)
    cheaper = analyze(after, estimate(after.scale)).cost
    assert [n.path for n in after.requirements.non_functional if n.latency] == ["read"]
    assert cheaper.total != bill.total
    assert any(line.component == "Database" and line.total == 1200 for line in cheaper.lines)
