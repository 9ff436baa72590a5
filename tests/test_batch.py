"""designkit batch: plans, sweep outputs, failure isolation, resume, no leakage on reused kernels, Dask."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import logging
import os
import re
import shlex
import shutil
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

import designkit
from designkit.run import batch
from designkit.run.batch import run_batch, write_index
from designkit.run.items import (INPUTS_FILE, BatchUsageError, Item, Metrics, Row, batch_pool, check, inputs_record,
                                 is_current, parse_sweep, plan)
from designkit.assets import EXAMPLES_DIR, NOTEBOOKS_DIR
from designkit.run.build import build
from designkit.run import outdir
from designkit.run.outdir import MANIFEST
from designkit.sections import SECTIONS, TITLES
from designkit.model.capacity import estimate
from designkit.cli import main
from designkit.errors import SpecError
from designkit.model.quantities import say_bytes, say_qps
from designkit.model.spec import load_spec

from conftest import DOCS_SWEEP

# Per-user reference spec, with daily users following users so a users sweep changes the traffic.
SCALE = {"daily_active_users": None, "daily_active_fraction": "10%"}
SCALE_ARGS = ["-p", "daily_active_users=null", "-p", "daily_active_fraction=10%"]
SLUG = "analytics-event-collector"


def run_cli(*args: str) -> tuple[int, str, str, float]:
    """designkit ARGS in this process: (exit status, stdout, stderr, seconds)."""
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue(), time.perf_counter() - started


def item_folders(out: Path) -> list[str]:
    """Every complete item under out (one with an inputs record), as '<slug>/<point>'."""
    return sorted(p.parent.relative_to(out).as_posix() for p in out.glob(f"*/*/{INPUTS_FILE}"))


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime_ns) of every file under folder: equal snapshots mean nothing was rewritten."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def published(folder: Path) -> dict[str, bytes]:
    """The files of an article that must not depend on how it was built: article, handout, figures."""
    names = ["article.md", "handout.html"] + [f"figures/{p.name}" for p in sorted((folder / "figures").iterdir())]
    return {name: (folder / name).read_bytes() for name in names}


def peak_and_storage(users: str) -> tuple[str, str]:
    cap = estimate(load_spec("reference", {**SCALE, "users": users}).scale)
    return say_qps(cap.qps_peak), say_bytes(cap.storage_total_bytes)


# --- planning: pure, fast ------------------------------------------------------------------

def test_plan_is_the_cross_product_with_safe_folder_names():
    sweeps = [parse_sweep("peak_factor=2x,4x"), parse_sweep("replication_factor=2, 3")]
    items = plan(["reference", "url-shortener", "reference"], sweeps, {"server_qps": "5K/s"})
    assert len(items) == 2 * 2 * 2  # the repeated spec is planned once
    assert items[0].folder == f"{SLUG}/peak-factor-2x--replication-factor-2"
    assert items[-1].folder == "url-shortener/peak-factor-4x--replication-factor-3"
    assert items[1].label == "peak_factor=2x, replication_factor=3"
    assert items[1].override_dict() == {"server_qps": "5K/s", "peak_factor": "2x", "replication_factor": 3}
    assert len({item.folder for item in items}) == len(items)
    assert plan(["reference"])[0].folder == f"{SLUG}/base" and plan(["reference"])[0].label == "base"


def test_plan_never_takes_a_path_from_spec_text(tmp_path):
    evil = tmp_path / "evil.yaml"
    evil.write_text((EXAMPLES_DIR / "reference.yaml").read_text(encoding="utf-8").replace(
        "name: Analytics Event Collector", 'name: "../../Etc <b>Passwd</b>"', 1), encoding="utf-8")
    twin = tmp_path / "twin.yaml"
    shutil.copy(EXAMPLES_DIR / "reference.yaml", twin)
    items = plan([str(evil), "reference", str(twin)], [parse_sweep("users=../../x,1M")])
    assert [i.folder for i in items] == [
        "etc-b-passwd-b/users-x", "etc-b-passwd-b/users-1m",
        f"{SLUG}/users-x", f"{SLUG}/users-1m",
        f"{SLUG}-2/users-x", f"{SLUG}-2/users-1m"]  # same name, another file: its own folder
    assert all(re.fullmatch(r"[a-z0-9-]+/[a-z0-9-]+", i.folder) for i in items)


@pytest.mark.parametrize("text, message", [
    ("users", "expected field=value1,value2"),
    ("users=1M,,10M", "has an empty value"),
    ("users=1,000,000", "commas separate values"),
    ("users=1M,1M", "given twice"),
])
def test_bad_sweep_flags_are_spec_errors(text, message):
    with pytest.raises(SpecError, match=message):
        parse_sweep(text)


def test_sweep_values_are_parsed_like_p_values():
    sweep = parse_sweep("users=1M, 1 billion,7")
    assert sweep.texts == ("1M", "1 billion", "7") and sweep.values == ("1M", "1 billion", 7)


def test_conflicting_flags_are_refused():
    with pytest.raises(SpecError, match="swept twice"):
        plan(["reference"], [parse_sweep("users=1B"), parse_sweep("users=2B")])
    with pytest.raises(SpecError, match="both fixed with -p and swept"):
        plan(["reference"], [parse_sweep("users=1B")], {"users": "2B"})
    with pytest.raises(BatchUsageError):
        plan([])


def test_check_gives_each_item_the_numbers_of_estimate():
    items = plan(["reference"], [parse_sweep("users=10M,1B")], SCALE)
    metrics, warnings = check(items)
    assert warnings == []
    for item, m in zip(items, metrics):
        cap = estimate(load_spec("reference", item.override_dict()).scale)
        assert (m.peak_qps, m.storage_bytes, m.servers) == (cap.qps_peak, cap.storage_total_bytes, cap.servers_needed)
    assert [m.first_to_break for m in metrics] == [None, "Event Store"]


# --- bad input: exit 2, nothing written ------------------------------------------------------

def test_sweeping_users_keeps_the_spec_s_daily_active_share():
    """One meaning of users (as the Users slider): the reference's 10 million of 100 million stay
    10% at every point, so 1M users have 100K daily actives and 1B have 100 million; no advice."""
    items = plan(["reference"], [parse_sweep("users=1M,1B")])
    metrics, warnings = check(items)
    assert warnings == []
    for item, users in zip(items, (1e6, 1e9)):
        cap = estimate(load_spec("reference", item.override_dict()).scale)
        assert (cap.users, cap.daily_active_users) == (users, users / 10)
    assert metrics[0].peak_qps * 1000 == pytest.approx(metrics[1].peak_qps)


@pytest.mark.parametrize("args, message", [
    (["--sweep", "users=lots,1B"],
     "[users=lots]: scale.users: expected a count like '100 million' or '10K', got 'lots'"),
    (["--sweep", "components.Nope.replicas=2"], "no component named 'Nope'"),
    (["--sweep", "users=1B", "-p", "users=2B"], "both fixed with -p and swept"),
    (["-j", "0"], "-j must be at least 1"),
])
def test_bad_input_exits_2_and_writes_nothing(tmp_path, args, message):
    code, _, err, _ = run_cli("batch", "reference", *SCALE_ARGS, *args, "-o", str(tmp_path / "out"))
    assert code == 2 and message in err, err
    assert not (tmp_path / "out").exists()


def test_dask_without_distributed_installed_exits_2(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    code, _, err, _ = run_cli("batch", "reference", "--dask", "tcp://127.0.0.1:8786", "-o", str(tmp_path / "out"))
    assert code == 2 and "pip install 'designkit[dask]'" in err
    assert not (tmp_path / "out").exists()


# --- inputs hash -------------------------------------------------------------------------------

def test_inputs_digest_changes_with_every_input_and_nothing_else():
    base = inputs_record(b"name: x\n", {"users": "1B", "peak_factor": "3x"}, "nb1")
    assert base == inputs_record(b"name: x\n", {"peak_factor": "3x", "users": "1B"}, "nb1")  # key order
    assert base["designkit"] == designkit.__version__
    changed = [inputs_record(b"name: y\n", {"users": "1B", "peak_factor": "3x"}, "nb1"),
               inputs_record(b"name: x\n", {"users": "2B", "peak_factor": "3x"}, "nb1"),
               inputs_record(b"name: x\n", {"users": "1B"}, "nb1"),
               inputs_record(b"name: x\n", {"users": "1B", "peak_factor": "3x"}, "nb2"),
               inputs_record(b"name: x\n", {"users": "1B", "peak_factor": "3x"}, "nb1", version="9.9.9")]
    assert len({r["digest"] for r in changed} | {base["digest"]}) == 6


def test_only_a_complete_item_with_the_same_digest_is_current(tmp_path):
    folder = tmp_path / "item"
    folder.mkdir()
    (folder / "article.md").write_text("x")
    (folder / "handout.html").write_text("x")
    assert not is_current(folder, "abc")  # no record: never trusted
    (folder / INPUTS_FILE).write_text(json.dumps({"digest": "abc"}))
    assert not is_current(folder, "abc")  # no manifest: not designkit's item
    outdir.write_manifest(folder, ["article.md", "handout.html", INPUTS_FILE])
    assert is_current(folder, "abc") and not is_current(folder, "abd")
    (folder / "article.md").write_text("edited by hand")
    assert not is_current(folder, "abc")  # changed since designkit wrote it: built again
    (folder / "article.md").write_text("x")
    assert is_current(folder, "abc")
    (folder / "handout.html").unlink()
    assert not is_current(folder, "abc")
    (folder / "handout.html").write_text("x")
    (folder / INPUTS_FILE).unlink()
    os.mkfifo(folder / INPUTS_FILE)       # a FIFO where the record was: refused at once, never read
    assert not is_current(folder, "abc")
    (folder / INPUTS_FILE).unlink()
    (folder / INPUTS_FILE).symlink_to("/dev/zero")   # endless bytes behind a link: refused, never read
    started = time.perf_counter()
    assert not is_current(folder, "abc") and time.perf_counter() - started < 1
    (folder / INPUTS_FILE).unlink()
    with open(folder / INPUTS_FILE, "wb") as f:       # a sparse 1 GB "record": refused past the limit
        f.truncate(1 << 30)
    assert not is_current(folder, "abc") and time.perf_counter() - started < 2
    (folder / INPUTS_FILE).unlink()
    (folder / INPUTS_FILE).write_text("{not json")
    assert not is_current(folder, "abc")


def test_index_escapes_spec_text_and_links_relatively(tmp_path):
    item = Item("x.yaml", tmp_path / "x.yaml", (("users", "<1B>"),), (("users", "<1B>"),), "evil/users-1b")
    metrics = Metrics('<script>alert("n")</script>', 1e5, 1e12, 7, "<img src=x onerror=alert(1)>")
    failure = batch.Failure("section '4. Data Model': RuntimeError: <b>boom</b>")
    index, charts = write_index(tmp_path, [Row(item, metrics, "built", 1.0),
                                           Row(item, metrics, "failed", 1.0, failure)], [("users", ["<1B>"])])
    page = index.read_text(encoding="utf-8")
    for raw in ("<script", "<img src=x", "<b>boom", "<1B>"):
        assert raw not in page, raw
    assert "&lt;script&gt;alert(&quot;n&quot;)&lt;/script&gt;" in page and "&lt;b&gt;boom&lt;/b&gt;" in page
    assert page.count('href="evil/users-1b/handout.html"') == 1  # the failed row links nothing
    assert page.count('href="evil/users-1b/handout.html#scale=10x"') == 1
    assert "default-src 'none'" in page
    assert [p.name for p in charts] == ["users.svg"]


# --- a real sweep: CLI, default notebooks, own pool ---------------------------------------------

POINTS = ["10M", "100M", "1B", "10B"]
SWEEP_ARGS = ["batch", "reference", "--sweep", "users=" + ",".join(POINTS), *SCALE_ARGS]


@pytest.fixture(scope="module")
def sweep(docs_sweep):
    """The docs' `designkit batch reference --sweep users=10M,100M,1B,10B ...`, run once for the session
    (conftest.docs_sweep, shared with test_docs): (out dir, exit, stdout, stderr, seconds).  Read only."""
    assert shlex.split(DOCS_SWEEP)[1:] == [*SWEEP_ARGS, "-o", "build/sweep"]
    folder, done, seconds = docs_sweep
    return folder / "build" / "sweep", done.returncode, done.stdout, done.stderr, seconds


@pytest.fixture
def sweep_copy(sweep, tmp_path):
    """A copy of the shared sweep's folder (times kept), for a test that resumes into it."""
    out = tmp_path / "sweep"
    shutil.copytree(sweep[0], out)
    return out


def folder_of(users: str) -> str:
    return f"{SLUG}/users-{users.lower()}"


@pytest.mark.slow
def test_sweep_writes_one_complete_folder_per_point(sweep):
    out, code, stdout, stderr, _ = sweep
    assert code == 0, stderr
    assert item_folders(out) == sorted(folder_of(users) for users in POINTS)
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "_sweeps", SLUG, "index.html"]  # no staging left
    listed = outdir.read_manifest(out)
    assert sorted(listed) == ["_sweeps/users.svg", "index.html"]   # each item folder has a manifest of its own
    assert all(outdir.unchanged(out, rel, listed) for rel in listed)
    for folder in item_folders(out):
        item = out / folder
        own = outdir.read_manifest(item)
        assert {"article.md", "handout.html", INPUTS_FILE} <= set(own)
        assert all(outdir.unchanged(item, rel, own) for rel in own)
        assert sorted(p.name for p in item.iterdir()) == [INPUTS_FILE, MANIFEST, "article.md", "figures",
                                                         "handout.html", "notebooks"]
        assert sorted(p.stem for p in (item / "notebooks").iterdir()) == sorted(s.notebook for s in SECTIONS)
        assert list((item / "figures").glob("*.svg"))
        record = json.loads((item / INPUTS_FILE).read_text())
        assert record["designkit"] == designkit.__version__
        assert record["overrides"] == {**SCALE, "users": folder.rsplit("-", 1)[1].upper()}
    assert "100%" in stderr and "4/4" in stderr  # the tqdm bar


@pytest.mark.slow
def test_sweep_articles_summary_and_index_carry_the_estimate(sweep):
    out, _, stdout, _, _ = sweep
    index = (out / "index.html").read_text(encoding="utf-8")
    for users in POINTS:
        peak, storage = peak_and_storage(users)
        assert peak in (out / folder_of(users) / "article.md").read_text(encoding="utf-8")
        row = next(line for line in stdout.splitlines() if f"users={users} " in line)
        assert re.search(rf"users={users}\s+built\s+{re.escape(peak)}\s+{re.escape(storage)}\s", row), row
        assert f"<td>users={users}</td><td>{peak}</td><td>{storage}</td>" in index
    assert "nothing" in stdout and "Event Store" in stdout  # first to break at 10x: 10M vs 1B users
    assert "4 items: 4 built, 0 unchanged, 0 failed" in stdout


@pytest.mark.slow
def test_index_links_every_handout_and_embeds_the_sweep_chart(sweep):
    out = sweep[0]
    page = (out / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+)"', page)
    assert sorted(links) == sorted(f"{f}/{name}" for f in item_folders(out)
                                   for name in ("handout.html", "handout.html#scale=10x", "article.md"))
    assert all((out / link.split("#")[0]).is_file() for link in links)
    [uri] = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)
    chart = (out / "_sweeps" / "users.svg").read_text(encoding="utf-8")
    assert base64.b64decode(uri).decode("utf-8") == chart
    assert "Event Store" in chart and "10M" in chart and "1B" in chart


@pytest.mark.slow
def test_resume_with_nothing_to_do_rebuilds_nothing_and_is_quick(sweep, sweep_copy, monkeypatch):
    out, first = sweep_copy, sweep[4]
    before, page = snapshot(out / SLUG), (out / "index.html").read_bytes()

    def no_kernels(*args, **kwargs):
        raise AssertionError("a resumed run with nothing to do started kernels")

    monkeypatch.setattr("designkit.run.kernels.KernelPool", no_kernels)
    code, stdout, stderr, seconds = run_cli(*SWEEP_ARGS, "-o", str(out), "--resume")
    assert code == 0, stderr
    assert "4 items: 0 built, 4 unchanged, 0 failed" in stdout
    assert snapshot(out / SLUG) == before
    assert (out / "index.html").read_bytes() == page  # the index is deterministic
    assert seconds < 0.25 * first, (seconds, first)


@pytest.mark.slow
def test_resume_builds_only_new_and_changed_items(sweep_copy):
    out = sweep_copy
    kept = ["10M", "100M", "10B"]
    before = {users: snapshot(out / folder_of(users)) for users in kept}
    (out / folder_of("1B") / "handout.html").unlink()  # incomplete: rebuilt even though inputs match
    code, stdout, stderr, _ = run_cli("batch", "reference", "--sweep", "users=10M,100M,300M,1B,10B", *SCALE_ARGS,
                                      "-o", str(out), "--resume")
    assert code == 0, stderr
    statuses = dict(re.findall(r"(users=\S+)\s+(\w+)", stdout))
    assert statuses == {"users=10M": "skipped", "users=100M": "skipped", "users=300M": "built",
                        "users=1B": "built", "users=10B": "skipped"}
    assert {users: snapshot(out / folder_of(users)) for users in kept} == before
    assert item_folders(out) == sorted(folder_of(users) for users in [*POINTS, "300M"])
    assert (out / folder_of("1B") / "handout.html").is_file()


# --- failure isolation and leakage: one kernel, probing notebooks -------------------------------

PROBE = '''\
import os
assert "leak_probe" not in globals(), "state leaked from an earlier notebook on this kernel"
assert not {"system", "cap", "analysis"} & set(globals()), "a variable of an earlier notebook is still defined"
leak_probe = os.getpid()
print("kernel pid", leak_probe)'''
FAIL_AT = "30M"
FAIL = f'if overrides.get("users") == {FAIL_AT!r}:\n    raise RuntimeError("this sweep point fails on purpose")'


def probing_notebooks(folder: Path) -> int:
    """The section notebooks with a leak probe after each parameters cell, and a failing cell in 04.

    Returns the failing cell's index in the (copied) notebook.
    """
    folder.mkdir()
    fail_cell = -1
    for path in sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])) + 1
        nb.cells.insert(at, new_code_cell(PROBE))
        if path.stem == "04_data_model":
            nb.cells.insert(at + 1, new_code_cell(FAIL))
            fail_cell = at + 1
        for index, cell in enumerate(nb.cells):
            cell.id = f"cell-{index}"
        nbformat.write(nb, folder / path.name)
    return fail_cell


@pytest.fixture(scope="module")
def probed(tmp_path_factory):
    """users=10M,30M,1B on ONE reusable kernel (every notebook of every item runs on it); 30M fails."""
    tmp = tmp_path_factory.mktemp("probed")
    fail_cell = probing_notebooks(tmp / "notebooks")
    with batch_pool(1) as pool:
        result = run_batch(["reference"], [f"users=10M,{FAIL_AT},1B"], SCALE, tmp / "out", jobs=1,
                           notebooks_dir=tmp / "notebooks", pool=pool)
    return result, fail_cell


@pytest.mark.slow
def test_a_failing_item_is_reported_and_never_stops_the_others(probed):
    result, fail_cell = probed
    assert [(row.item.label, row.status) for row in result.rows] == [
        ("users=10M", "built"), (f"users={FAIL_AT}", "failed"), ("users=1B", "built")]
    [row] = result.failed
    failure = row.failure
    assert (failure.section, failure.notebook, failure.cell) == (TITLES[3], "04_data_model.ipynb", fail_cell)
    assert (failure.ename, failure.evalue) == ("RuntimeError", "this sweep point fails on purpose")
    out = result.out_dir
    assert item_folders(out) == [f"{SLUG}/users-10m", f"{SLUG}/users-1b"]
    assert not (out / SLUG / "users-30m").exists()  # nothing half-written
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [MANIFEST]
    text = batch.summary(result)
    assert f"FAILED reference [users={FAIL_AT}] ({SLUG}/users-30m): section '{TITLES[3]}'" in text
    assert f"cell {fail_cell}" in text and "RuntimeError: this sweep point fails on purpose" in text
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "users-30m/" not in page and "fails on purpose" in page
    assert "users-10m/handout.html" in page and "users-1b/handout.html" in page


@pytest.mark.slow
def test_no_state_leaks_between_items_on_one_reused_kernel(probed):
    """Every probe passed (else its item failed), and one kernel process ran all 18 notebooks."""
    result, _ = probed
    pids = set()
    for folder in item_folders(result.out_dir):
        for path in sorted((result.out_dir / folder / "notebooks").glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
            assert not any(o.output_type == "error" for c in nb.cells if c.cell_type == "code" for o in c.outputs)
            pids.update(re.findall(r"kernel pid (\d+)", text))
    assert len(pids) == 1, pids  # the same kernel: what B saw is exactly what A left behind, after the reset


# --- Dask: a LocalCluster with a worker process ---------------------------------------------------

def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError), open(f"/proc/{entry}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry))
    return found


@pytest.fixture(scope="module")
def plain_1b(tmp_path_factory):
    """`designkit build reference -p users=1B ...`: fresh kernels, no batch, the article to match."""
    return build("reference", tmp_path_factory.mktemp("plain") / "out", {**SCALE, "users": "1B"}).out_dir


@pytest.mark.slow
def test_batch_items_on_reused_kernels_equal_a_plain_build(sweep, plain_1b):
    """18 notebooks on 3 reused kernels: the 1B item still matches a build on fresh kernels, byte for byte."""
    assert published(sweep[0] / SLUG / "users-1b") == published(plain_1b)


@pytest.mark.slow
def test_dask_builds_the_same_item_into_dir(sweep, plain_1b, tmp_path):
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "out"
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=logging.ERROR) as cluster, distributed.Client(cluster) as client:
        result = run_batch(["reference"], ["users=1B"], SCALE, out, dask=cluster.scheduler_address)
        [worker_pid] = client.run(os.getpid).values()
        assert worker_pid != os.getpid()  # a worker process: only what was sent and returned crossed over
        assert _children(worker_pid) == []  # the worker's kernels were shut down at the end of the batch
    assert [row.status for row in result.rows] == ["built"]
    item = out / SLUG / "users-1b"
    assert published(item) == published(plain_1b)
    assert len(list((item / "notebooks").glob("*.ipynb"))) == len(SECTIONS)
    local = sweep[0] / SLUG / "users-1b"
    assert json.loads((item / INPUTS_FILE).read_text()) == json.loads((local / INPUTS_FILE).read_text())
    assert item_folders(out) == [f"{SLUG}/users-1b"] and (out / "index.html").is_file()
