"""Issue 27, class 4: publishing is all-or-nothing for readers too.

A reader of the output folder gets one build's article and the figures it names, never the new
figures beside the old article: figures are named by their content's hash and go in first (never
under an old one's name), then each entry point (``handout.html``, ``article.md``) with one atomic
rename; the previous build's files are kept one build longer.  These tests publish made-up builds
(real files, real renames, real SIGKILLs) so that a hundred publishes take a second; the fault test
with real builds and a polling reader is in test_faults.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import threading
from pathlib import Path

import pytest

from designkit.run import outdir
from designkit.run.build import FIGURE_REF, figure_file

FIGURES = ("capacity", "scaling", "cost")


def files_of(n: int) -> dict[str, str]:
    """Made-up build n as `build` stages it: its article names its figures by their hash (builds 3, 6,
    9... draw the same cost figure)."""
    figures = {name: "<svg>same cost</svg>" if name == "cost" and n % 3 == 0
               else f"<svg><text>{name} of build {n}</text></svg>" for name in FIGURES}
    files = {f"figures/{figure_file(name, svg)}": svg for name, svg in figures.items()}
    article = f"# Build {n}\n\n" + "".join(f"![{name}](figures/{figure_file(name, svg)})\n\n"
                                           for name, svg in figures.items())
    files["article.md"] = article + f"Peak: {n}K requests per second.\n" + "x" * 20_000 + "\n"
    files["handout.html"] = f"<html>build {n}</html>\n"
    files["notebooks/01_requirements.ipynb"] = json.dumps({"build": n})
    return files


def names_of(n: int) -> set[str]:
    """The figure files build n's article names."""
    return {name for _, name in FIGURE_REF.findall(files_of(n)["article.md"])}


def publish(out: Path, n: int) -> None:
    """Stage made-up build n in out and publish it, as `build` does."""
    out.mkdir(exist_ok=True)
    staging = outdir.staging_dir(out)
    try:
        for rel, text in files_of(n).items():
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            (staging / rel).write_text(text, encoding="utf-8")
        outdir.write_manifest(staging, list(files_of(n)))
        outdir.publish(staging, out, keep_previous=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def on_disk(out: Path) -> set[str]:
    return {p.name for p in (out / "figures").glob("*.svg")}


def consistent(out: Path, article: str) -> list[str]:
    """What is wrong with this article as a reader of out found it: torn, or a figure it names missing
    or holding another build's bytes.  (A figure may be gone once two newer builds are published.)"""
    build = re.match(r"# Build (\d+)\n", article)
    if not build or f"Peak: {build.group(1)}K requests" not in article or not article.endswith("x\n"):
        return [f"a torn or mixed article: {article[:40]!r}"]
    problems = []
    for _, name in FIGURE_REF.findall(article):
        try:
            svg = (out / "figures" / name).read_text(encoding="utf-8")
        except FileNotFoundError:
            now = re.match(r"# Build (\d+)\n", (out / "article.md").read_text(encoding="utf-8"))
            if not now or int(now.group(1)) <= int(build.group(1)) + 1:   # kept until the build after next
                problems.append(f"build {build.group(1)}: figures/{name} is missing")
            continue
        if figure_file(name.split(".")[0], svg) != name:
            problems.append(f"build {build.group(1)}: figures/{name} holds other bytes")
        if "of build" in svg and f"of build {build.group(1)}<" not in svg:
            problems.append(f"build {build.group(1)}: figures/{name} is another build's")
    return problems


@pytest.mark.slow       # a hundred publishes under a polling reader: the full suite (the fast loop keeps the kills)
def test_a_reader_polling_during_a_hundred_publishes_sees_one_build_at_a_time(tmp_path):
    out = tmp_path / "out"
    publish(out, 0)
    stop = threading.Event()
    seen, problems, reads, saved = set(), [], [0], [0]

    def reader():
        while not stop.is_set():
            try:
                article = (out / "article.md").read_text(encoding="utf-8")
            except FileNotFoundError:
                problems.append("article.md missing")
                continue
            reads[0] += 1
            seen.add(article.split("\n", 1)[0])
            problems.extend(consistent(out, article))

    def saver():
        while not stop.is_set():
            saved[0] += 1
            (out / ("figures" if saved[0] % 2 else "notebooks") / f"mine-{saved[0]}.txt").write_text(str(saved[0]))

    threads = [threading.Thread(target=reader), threading.Thread(target=saver)]
    for thread in threads:
        thread.start()
    try:
        for n in range(1, 120):
            publish(out, n)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert not problems, problems[:5]
    assert len(seen) > 10 and reads[0] > 100, (len(seen), reads[0])
    assert saved[0] > 50 and all((out / ("figures" if n % 2 else "notebooks") / f"mine-{n}.txt").read_text() == str(n)
                                 for n in range(1, saved[0] + 1))
    listed = outdir.read_manifest(out)
    assert on_disk(out) == {rel.split("/")[1] for rel in listed if rel.startswith("figures/")}
    assert on_disk(out) == names_of(119) | names_of(118)      # this build's and the previous one's, no more


def test_the_previous_builds_figures_stay_one_build_then_go(tmp_path):
    out = tmp_path / "out"
    publish(out, 1)
    assert on_disk(out) == names_of(1)
    publish(out, 2)
    assert on_disk(out) == names_of(1) | names_of(2)          # a reader of build 1 still finds its figures
    assert set(outdir.read_record(out)[1]) == {f"figures/{name}" for name in names_of(1) - names_of(2)}
    publish(out, 4)
    assert on_disk(out) == names_of(2) | names_of(4)          # build 1's are gone now


def test_a_figure_drawn_again_is_not_touched_and_a_retired_one_comes_back(tmp_path):
    out = tmp_path / "out"
    publish(out, 3)             # builds 3 and 6 draw the same cost figure
    [cost] = (out / "figures").glob("cost.*.svg")
    inode = cost.stat().st_ino
    publish(out, 4)
    publish(out, 6)
    assert cost.stat().st_ino == inode          # never moved: a reader holding its name was never cut off
    publish(out, 1)
    publish(out, 2)                              # build 1's figures retired...
    publish(out, 1)                              # ...and current again
    assert on_disk(out) == names_of(1) | names_of(2)
    assert not consistent(out, (out / "article.md").read_text())
    listed, retired = outdir.read_record(out)
    assert {f"figures/{name}" for name in names_of(1)} <= set(listed) - set(retired)


def test_a_retired_figure_edited_by_hand_stays_and_is_the_users(tmp_path):
    out = tmp_path / "out"
    publish(out, 1)
    publish(out, 2)
    [old] = [out / "figures" / name for name in names_of(1) if name.startswith("capacity.")]
    old.write_text("<svg>annotated by me</svg>")
    publish(out, 4)
    assert old.read_text() == "<svg>annotated by me</svg>"
    assert f"figures/{old.name}" not in outdir.read_manifest(out)


def test_without_an_atomic_swap_the_publish_still_keeps_every_other_promise(tmp_path, monkeypatch):
    monkeypatch.setattr(outdir, "exchange", lambda first, second: False)   # not Linux, or NFS
    out = tmp_path / "out"
    publish(out, 1)
    (out / "figures" / "mine.svg").write_text("mine")
    publish(out, 2)
    publish(out, 4)
    assert not consistent(out, (out / "article.md").read_text())
    assert on_disk(out) == names_of(2) | names_of(4) | {"mine.svg"}
    assert (out / "figures" / "mine.svg").read_text() == "mine"
    assert (out / "notebooks" / "01_requirements.ipynb").read_text() == json.dumps({"build": 4})


@pytest.mark.parametrize("atomic", [True, False])
def test_an_article_saved_between_the_checks_and_the_swap_is_kept(tmp_path, monkeypatch, atomic):
    out = tmp_path / "out"
    publish(out, 1)
    if not atomic:
        monkeypatch.setattr(outdir, "exchange", lambda first, second: False)
    monkeypatch.setattr(outdir, "check_targets", lambda *args: None)   # the race: checked, then saved
    (out / "article.md").write_text("my own article, saved just now")
    with pytest.raises(Exception, match="last good one is unchanged"):
        publish(out, 2)
    assert (out / "article.md").read_text() == "my own article, saved just now"
    assert (out / "handout.html").read_text() == "<html>build 1</html>\n"
    assert on_disk(out) == names_of(1)
    listed = outdir.read_manifest(out)
    assert all(outdir.unchanged(out, rel, listed) for rel in listed if rel != "article.md")
    assert not list(out.rglob("*.kept"))


def killed_publish(out: Path, n: int, after: int, swap: bool) -> bool:
    """Publish made-up build n in a forked process that SIGKILLs itself (as a power cut or `kill -9`
    would) at its step number ``after`` (a rename, a swap, a manifest written); True if it finished."""
    pid = os.fork()
    if pid == 0:   # the child: count the steps, die at the chosen one
        finished = False
        try:
            steps = [0]

            def counted(function):
                def step(*args, **kwargs):
                    steps[0] += 1
                    if steps[0] > after:
                        os.kill(os.getpid(), signal.SIGKILL)
                    return function(*args, **kwargs)
                return step

            for name in ("_link_in", "exchange", "take", "write_manifest", "make_staging"):
                setattr(outdir, name, counted(getattr(outdir, name)))
            if not swap:
                outdir.exchange = counted(lambda first, second: False)
            publish(out, n)
            finished = True
        finally:
            os._exit(0 if finished else 3)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL or os.WEXITSTATUS(status) == 0, status
    return os.WIFEXITED(status)


@pytest.mark.parametrize("swap", [True, False], ids=["exchange", "no-exchange"])
def test_a_publish_killed_at_any_step_leaves_a_folder_readers_and_the_next_build_accept(swap, tmp_path):
    after, finished = 0, False
    while not finished:
        out = tmp_path / f"out-{after}"
        publish(out, 1)
        publish(out, 2)
        (out / "figures" / "mine.svg").write_text("mine")
        finished = killed_publish(out, 4, after, swap)
        if swap or (out / "article.md").exists():   # without a swap in one step it is missing for an instant
            article = (out / "article.md").read_text(encoding="utf-8")
            assert article.startswith(("# Build 2\n", "# Build 4\n")) and not consistent(out, article), after
        assert outdir.preflight(out, expect=["article.md", "handout.html"]) is False     # accepted
        assert not list(out.glob(".staging-*"))                                           # its leftovers cleaned
        publish(out, 5)                                                                   # and built into
        assert not consistent(out, (out / "article.md").read_text(encoding="utf-8"))
        assert (out / "figures" / "mine.svg").read_text() == "mine"
        listed = outdir.read_manifest(out)
        assert all(outdir.unchanged(out, rel, listed) for rel in listed)
        assert on_disk(out) - {"mine.svg"} <= {rel[8:] for rel in listed if rel.startswith("figures/")}, "unclaimed"
        publish(out, 7)
        assert on_disk(out) == names_of(5) | names_of(7) | {"mine.svg"}, "the killed build's files stayed"
        after += 1
    assert after > 8          # every step of the publish had its kill


def test_the_manifests_retired_list_is_checked(tmp_path):
    out = tmp_path / "out"
    publish(out, 1)
    record = json.loads((out / outdir.MANIFEST).read_text())
    for retired in (["../etc/passwd"], "figures", [3]):
        (out / outdir.MANIFEST).write_text(json.dumps({**record, "retired": retired}))
        with pytest.raises(outdir.OutputError, match="does not list files"):
            outdir.preflight(out)


def test_figure_names_are_the_hash_of_their_bytes():
    svg = "<svg>x</svg>"
    assert figure_file("capacity", svg) == f"capacity.{hashlib.sha256(svg.encode()).hexdigest()[:8]}.svg"
