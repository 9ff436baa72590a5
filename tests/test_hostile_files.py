"""Issue 27, class 1: a build, a batch or the lab never deletes or overwrites a file of the user's.

Only files a manifest lists, with the bytes designkit wrote, are ever replaced or removed; anything
else in the way is a refusal (exit 2, nothing touched); symlinks are never followed out of the
folder; only designkit's own (marked) staging folders are cleaned.  All of it runs before or without
notebooks, so these tests are quick; the fault tests that save files during real builds are in
test_faults.py.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import threading
from pathlib import Path

import pytest

from designkit import cli
from designkit.assets import NOTEBOOKS_DIR
from designkit.errors import SpecError
from designkit.run import outdir
from designkit.run.items import INPUTS_FILE, Item, Job
from designkit.run.lab import working_copy
from designkit.sections import SECTIONS


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(list(argv))
    return status, out.getvalue(), err.getvalue()


def tree(folder: Path) -> dict[str, bytes]:
    """Every file and symlink under folder (symlinks as their target), never following one."""
    found = {}
    for root, dirs, files in os.walk(folder):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            path = Path(root) / name
            rel = path.relative_to(folder).as_posix()
            found[rel] = ("-> " + os.readlink(path)).encode() if path.is_symlink() else path.read_bytes()
    return found


def built(out: Path, files: dict[str, str]) -> Path:
    """A folder as designkit leaves it: these files and a manifest of their hashes."""
    for rel, text in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text)
    outdir.write_manifest(out, list(files))
    return out


BUILD = {"article.md": "---\nlayout: simple\n---\nold", "handout.html": "<p>old</p>",
         "figures/capacity.svg": "<svg>old</svg>", "notebooks/01_requirements.ipynb": "{}"}


# --- build ---------------------------------------------------------------------------------------

def test_a_jekyll_site_without_a_manifest_is_refused_whatever_it_holds(tmp_path):
    site = tmp_path / "site"
    (site / "figures").mkdir(parents=True)
    (site / "notebooks").mkdir()
    (site / "article.md").write_text("---\nlayout: post\ntitle: My page\n---\nmine\n")
    (site / "figures" / "diagram.svg").write_text("<svg>mine</svg>")
    (site / "notebooks" / "01_my_analysis.ipynb").write_text("{}")
    before = tree(site)
    status, _, err = run("build", "reference", "-o", str(site))
    assert status == 2 and "no manifest" in err and "[1/9]" not in err
    assert tree(site) == before


@pytest.mark.parametrize("rel", ["article.md", "handout.html", "notebooks/01_requirements.ipynb"])
def test_an_output_changed_since_it_was_written_is_refused_untouched(rel, tmp_path):
    out = built(tmp_path / "out", BUILD)
    (out / rel).write_text("edited by hand")
    before = tree(out)
    status, _, err = run("build", "reference", "-o", str(out))
    assert status == 2 and "changed since designkit wrote it" in err and rel.split("/")[-1] in err
    assert tree(out) == before


def test_a_file_of_the_same_name_not_in_the_manifest_is_refused(tmp_path):
    out = built(tmp_path / "out", {"article.md": "x", "figures/capacity.svg": "<svg/>"})
    (out / "notebooks").mkdir()
    (out / "notebooks" / "03_core_components.ipynb").write_text('{"mine": true}')
    before = tree(out)
    status, _, err = run("build", "reference", "-o", str(out))
    assert status == 2 and "not written by designkit" in err and "03_core_components" in err
    assert tree(out) == before


def staged(out: Path, files: dict[str, str]) -> Path:
    staging = outdir.staging_dir(out)
    for rel, text in files.items():
        (staging / rel).parent.mkdir(parents=True, exist_ok=True)
        (staging / rel).write_text(text)
    outdir.write_manifest(staging, list(files))
    return staging


def test_publish_replaces_unchanged_files_removes_stale_ones_and_keeps_the_rest(tmp_path):
    out = built(tmp_path / "out", {**BUILD, "figures/old-chart.svg": "<svg>gone next time</svg>",
                                   "figures/edited.svg": "<svg>designkit's</svg>"})
    (out / "figures" / "edited.svg").write_text("<svg>the user's now</svg>")
    (out / "figures" / "mine.svg").write_text("mine")
    (out / "notes.md").write_text("notes")
    new = {"article.md": "new", "handout.html": "new", "figures/capacity.svg": "<svg>new</svg>",
           "notebooks/01_requirements.ipynb": '{"new": 1}'}
    manifest = outdir.publish(staged(out, new), out)
    assert {rel: (out / rel).read_text() for rel in new} == new
    assert not (out / "figures" / "old-chart.svg").exists()                 # listed, unchanged: removed
    assert (out / "figures" / "edited.svg").read_text() == "<svg>the user's now</svg>"
    assert (out / "figures" / "mine.svg").read_text() == "mine"
    assert (out / "notes.md").read_text() == "notes"
    assert sorted(manifest) == sorted(new) == sorted(outdir.read_manifest(out))
    assert all(oct(os.stat(out / rel).st_mode & 0o777) == oct(0o644) for rel in new)


@pytest.mark.parametrize("what", ["a symlink out", "a user's file", "a changed file"])
def test_publish_refuses_anything_in_the_way_before_moving_a_thing(what, tmp_path):
    out = built(tmp_path / "out", BUILD)
    outside = tmp_path / "outside.txt"
    outside.write_text("not designkit's")
    if what == "a symlink out":
        (out / "figures" / "capacity.svg").unlink()
        (out / "figures" / "capacity.svg").symlink_to(outside)
    elif what == "a user's file":
        (out / "figures" / "diagram.svg").write_text("mine")
    else:
        (out / "figures" / "capacity.svg").write_text("<svg>edited</svg>")
    before = tree(out)
    staging = staged(out, {**BUILD, "figures/diagram.svg": "<svg>new</svg>", "article.md": "new"})
    with pytest.raises(SpecError, match="in the way"):
        outdir.publish(staging, out)
    assert {k: v for k, v in tree(out).items() if not k.startswith(".staging-")} == before
    assert outside.read_text() == "not designkit's"


def test_files_saved_while_publishing_survive(tmp_path):
    out = built(tmp_path / "out", {f"figures/chart-{i}.svg": f"<svg>{i}</svg>" for i in range(300)})
    stop, saved = threading.Event(), []

    def save():
        n = 0
        while not stop.is_set() or n < 50:
            n += 1
            folder = out / ("figures" if n % 2 else "notebooks")
            folder.mkdir(exist_ok=True)
            (folder / f"user-{n}.txt").write_text(str(n))
            saved.append(folder / f"user-{n}.txt")

    saver = threading.Thread(target=save)
    saver.start()
    try:
        staging = staged(out, {**{f"figures/chart-{i}.svg": f"<svg>new {i}</svg>" for i in range(300)},
                               **{f"notebooks/{s.filename}": "{}" for s in SECTIONS}})
        outdir.publish(staging, out)
    finally:
        stop.set()
        saver.join()
    assert len(saved) >= 50
    assert all(path.read_text() == path.stem.split("-")[1] for path in saved)
    assert (out / "figures" / "chart-7.svg").read_text() == "<svg>new 7</svg>"


def test_a_manifest_that_is_a_fifo_a_device_or_a_symlink_is_refused_at_once(tmp_path):
    for kind in ("fifo", "dev-zero", "symlink"):
        out = built(tmp_path / kind, BUILD)
        (out / outdir.MANIFEST).unlink()
        if kind == "fifo":
            os.mkfifo(out / outdir.MANIFEST)
        elif kind == "dev-zero":
            (out / outdir.MANIFEST).symlink_to("/dev/zero")
        else:
            other = built(tmp_path / "elsewhere", BUILD)
            (out / outdir.MANIFEST).symlink_to(other / outdir.MANIFEST)
        with pytest.raises(SpecError, match="not a regular file"):
            outdir.preflight(out)


def test_a_huge_manifest_is_refused_without_reading_it_all(tmp_path):
    out = built(tmp_path / "out", BUILD)
    with open(out / outdir.MANIFEST, "wb") as f:
        f.truncate(10 * outdir.MAX_MANIFEST_BYTES)
    with pytest.raises(SpecError, match="larger than"):
        outdir.preflight(out)


@pytest.mark.parametrize("entry", ["../escape", "/etc/passwd", "figures/../../x"])
def test_a_manifest_naming_a_path_outside_the_folder_is_refused(entry, tmp_path):
    out = built(tmp_path / "out", BUILD)
    (out / outdir.MANIFEST).write_text(json.dumps({"files": {entry: "0" * 64}}))
    with pytest.raises(SpecError, match="does not list files"):
        outdir.preflight(out)


def test_stale_cleanup_keeps_a_users_folders_of_designkits_names(tmp_path):
    for name in (".staging-999999-drafts", ".batch-999999-keep"):
        for accepted in (False, True):
            out = tmp_path / f"{name}-{accepted}"
            if accepted:
                built(out, BUILD)
            else:
                out.mkdir()
                (out / "thesis.tex").write_text("mine")
            mine = out / name
            mine.mkdir()
            (mine / "draft.md").write_text("keep me")
            with contextlib.suppress(SpecError):
                outdir.preflight(out, prefix=name[:name.index("-") + 1])
            assert (mine / "draft.md").read_text() == "keep me"
    ours = outdir.make_staging(tmp_path, ".staging-")
    assert outdir.ours(ours, ".staging-") and not outdir.ours(tmp_path / ".staging-999999-drafts-False", ".staging-")


@pytest.mark.parametrize("how", ["loop", "loop-parent"])
def test_an_output_in_a_symlink_loop_is_one_line_exit_2(how, tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    target = tmp_path / "a" if how == "loop" else tmp_path / "a" / "site"
    for argv in (["build", "reference", "-o", str(target)],
                 ["batch", "reference", "-o", str(target)],
                 ["lab", "reference", "--dir", str(target), "--no-browser"]):
        status, _, err = run(*argv)
        assert status == 2 and "symlink" in err and "bug" not in err, (argv, err)
        assert err.count("\n") == 1


# --- batch ---------------------------------------------------------------------------------------

def batch_folder(tmp_path: Path) -> Path:
    out = tmp_path / "B"
    out.mkdir()
    outdir.write_manifest(out, {})
    return out


@pytest.mark.parametrize("link", ["_sweeps", "analytics-event-collector", "analytics-event-collector/users-1m",
                                  outdir.MANIFEST])
def test_a_batch_never_follows_a_symlink_out_of_its_folder(link, tmp_path):
    out = batch_folder(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("mine")
    (outside / outdir.MANIFEST).write_text(json.dumps({"files": {"precious.txt": None}}))
    (out / link).parent.mkdir(parents=True, exist_ok=True)
    if link == outdir.MANIFEST:
        (out / link).unlink()
        (out / link).symlink_to(outside / outdir.MANIFEST)
    else:
        (out / link).symlink_to(outside)
    before = tree(outside)
    status, _, err = run("batch", "reference", "--sweep", "users=1M,2M", "-o", str(out))
    assert status == 2 and "[1/" not in err and "bug" not in err, err
    assert tree(outside) == before


def test_a_rebuilt_batch_item_keeps_the_users_notes(tmp_path):
    out = batch_folder(tmp_path)
    item = Item("reference", Path("reference.yaml"), (), (), "x/base")
    folder = built(out / "x" / "base", {"article.md": "old", "handout.html": "old", INPUTS_FILE: "{}"})
    (folder / "notes.md").write_text("my notes")
    stage = outdir.make_staging(out, ".batch-")
    new = stage / "0"
    new.mkdir()
    built(new, {"article.md": "new", "handout.html": "new"})
    job = Job([item], [{"digest": "d"}], {}, [], NOTEBOOKS_DIR, stage, out)
    job.publish(0, new)
    assert (folder / "notes.md").read_text() == "my notes"
    assert (folder / "article.md").read_text() == "new"
    assert "notes.md" not in outdir.read_manifest(folder)
    assert json.loads((folder / INPUTS_FILE).read_text()) == {"digest": "d"}


def test_a_users_folder_where_an_item_goes_is_refused(tmp_path):
    out = batch_folder(tmp_path)
    mine = out / "analytics-event-collector" / "base"
    mine.mkdir(parents=True)
    (mine / "article.md").write_text("my own")
    status, _, err = run("batch", "reference", "-o", str(out))
    assert status == 2 and "did not write" in err
    assert (mine / "article.md").read_text() == "my own"


# --- lab -----------------------------------------------------------------------------------------

def test_lab_refuses_a_users_notebook_of_the_same_name(tmp_path):
    mine = tmp_path / "mywork"
    mine.mkdir()
    (mine / "01_requirements.ipynb").write_text('{"cells": "mine"}')
    with pytest.raises(SpecError, match="did not write"):
        working_copy("reference", mine)
    assert (mine / "01_requirements.ipynb").read_text() == '{"cells": "mine"}'


def test_lab_keeps_a_copy_saved_since_and_rewrites_the_others(tmp_path):
    dest = tmp_path / "lab"
    copies = working_copy("reference", dest)
    copies[0].write_text(copies[0].read_text().replace('"cells"', '"cells"', 1) + " ")  # saved in class
    saved = copies[0].read_bytes()
    copies[1].unlink()
    again = working_copy("reference", dest)
    assert again == copies and copies[0].read_bytes() == saved and copies[1].is_file()
    assert all(oct(p.stat().st_mode & 0o777) == oct(0o644) for p in copies[1:])


def test_lab_refuses_home_root_and_the_committed_notebooks(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    before = tree(NOTEBOOKS_DIR)
    for dest, words in ((tmp_path, "home folder"), (Path("/"), "root"), (NOTEBOOKS_DIR, "own section notebooks")):
        with pytest.raises(SpecError, match=words):
            working_copy("reference", dest)
    assert tree(NOTEBOOKS_DIR) == before
    status, _, err = run("lab", "reference", "--dir", str(NOTEBOOKS_DIR), "--no-browser")
    assert status == 2 and "own section notebooks" in err


def test_a_file_that_appears_after_the_checks_is_never_lost(tmp_path, monkeypatch):
    out = built(tmp_path / "out", BUILD)
    staging = staged(out, {**BUILD, "article.md": "new", "figures/diagram.svg": "<svg>new</svg>"})
    monkeypatch.setattr(outdir, "check_targets", lambda *args: None)   # the race: checked, then saved
    (out / "figures" / "diagram.svg").write_text("saved just now")
    with pytest.raises(Exception, match="last good one is unchanged"):
        outdir.publish(staging, out)
    assert (out / "figures" / "diagram.svg").read_text() == "saved just now"
    assert (out / "article.md").read_text() == BUILD["article.md"]
    listed = outdir.read_manifest(out)
    assert all(outdir.unchanged(out, rel, listed) for rel in BUILD)


def test_a_folder_swapped_for_a_symlink_mid_publish_is_put_back(tmp_path, monkeypatch):
    out = built(tmp_path / "out", BUILD)
    staging = staged(out, {**BUILD, "article.md": "new", "figures/capacity.svg": "<svg>new</svg>",
                           "notebooks/01_requirements.ipynb": '{"new": 1}'})
    outside = tmp_path / "outside"
    outside.mkdir()
    real_replace = outdir.replace

    def replace_then_swap(source, target, hashes):   # after the first file went in, notebooks/ becomes a symlink
        real_replace(source, target, hashes)
        if target.name == "capacity.svg" and not (out / "notebooks").is_symlink():
            os.rename(out / "notebooks", tmp_path / "nb-moved")
            (out / "notebooks").symlink_to(outside)

    monkeypatch.setattr(outdir, "replace", replace_then_swap)
    with pytest.raises(Exception, match="last good one is unchanged"):
        outdir.publish(staging, out)
    assert list(outside.iterdir()) == []
    assert (out / "figures" / "capacity.svg").read_text() == BUILD["figures/capacity.svg"]


def test_a_folder_with_a_first_format_manifest_is_published_into(tmp_path):
    out = built(tmp_path / "out", BUILD)
    (out / outdir.MANIFEST).write_text(json.dumps({"designkit": "0.0.9", "files": sorted(BUILD)}))  # names only
    (out / "notes.md").write_text("mine")
    assert outdir.preflight(out, expect=list(BUILD)) is False
    outdir.publish(staged(out, {**BUILD, "article.md": "new"}), out)
    assert (out / "article.md").read_text() == "new" and (out / "notes.md").read_text() == "mine"
    assert all(len(hashes) == 1 for hashes in outdir.read_manifest(out).values())
