"""Killing a build at random moments (SIGKILL, and Ctrl-C as SIGINT to its process group) loses
nothing: the last good article and the user's own files stay as they were, and the next build
removes what the killed one left (its staging folder and its kernels' connection files)."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from designkit.run import outdir
from designkit.run.build import figure_file

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SEED = int(os.environ.get("DESIGNKIT_FAULT_SEED", "12"))


class Build:
    """`designkit build reference -o out` in its own process group, its stderr lines collected."""

    def __init__(self, out: Path, command: tuple[str, ...] = ("build", "reference")):
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        # Ctrl-C as a terminal gives it: an ignored SIGINT is inherited, and something earlier in a
        # long test session (not designkit's CLI) can leave this process ignoring it.
        self.proc = subprocess.Popen([sys.executable, "-m", "designkit", *command, "-o", str(out)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                     start_new_session=True,
                                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        self.lines: list[str] = []
        self.reader = threading.Thread(target=lambda: self.lines.extend(self.proc.stderr), daemon=True)
        self.reader.start()

    def after_sections(self, done: int, timeout: float = 300) -> None:
        """Wait until `done` sections have reported (0: only for the process to start)."""
        deadline = time.monotonic() + timeout
        while sum(line.startswith("[") for line in self.lines) < done:
            assert self.proc.poll() is None, "".join(self.lines)
            assert time.monotonic() < deadline, "no progress"
            time.sleep(0.05)

    def finish(self, timeout: float = 300) -> int:
        status = self.proc.wait(timeout)
        self.reader.join(10)
        return status


def kernels_of(pid: int) -> list[int]:
    """Kernel processes started by build process `pid` (their command line names its connection folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if f"designkit-kernels-{pid}-".encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def workers_of(out: Path) -> list[int]:
    """Processes still running a build into `out`: forked workers share their build's command line."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                words = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"designkit" in words and str(out).encode() in words:
                found.append(int(entry.name))
    return found


def outputs(out: Path) -> dict[str, bytes]:
    """The article, handout and figures byte for byte, and which notebooks there are."""
    files = {}
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        if path.is_file() and not rel.startswith(".staging-"):
            files[rel] = b"" if rel.startswith("notebooks/") else path.read_bytes()
        if rel == ".designkit-manifest.json":   # executed notebooks differ by run: their names, not hashes
            listed = json.loads(path.read_text())["files"]
            files[rel] = repr({k: v for k, v in sorted(listed.items()) if not k.startswith("notebooks/")}).encode() \
                + repr(sorted(listed)).encode()
    return files


def test_kills_at_random_moments_lose_nothing_and_the_next_build_cleans_up(reference_build, tmp_path):
    rng = random.Random(SEED)
    out = tmp_path / "out"
    shutil.copytree(reference_build[0].out_dir, out)
    (out / "notes.md").write_text("my notes beside the article\n")
    (out / "mine").mkdir()
    (out / "mine" / "draft.txt").write_text("my draft\n")
    good = outputs(out)
    killed = []
    plan = [("KILL", 0, rng.uniform(0.3, 3.0)), ("KILL", rng.randint(1, 5), rng.uniform(0, 1.5)),
            ("INT", rng.randint(1, 4), rng.uniform(0, 1.0)), ("INT", 0, rng.uniform(1.5, 4.5))]
    for how, sections, delay in plan:
        build = Build(out)
        build.after_sections(sections)
        time.sleep(delay)
        if build.proc.poll() is not None:
            build.finish()
            continue  # it finished first: nothing to kill this time
        if how == "KILL":
            os.kill(build.proc.pid, signal.SIGKILL)
        else:
            os.killpg(build.proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
        status = build.finish()
        stderr = "".join(build.lines)
        assert "Traceback" not in stderr, (how, sections, delay, stderr)
        if how == "INT" and status == 0:    # the Ctrl-C came as it wound down, its work all done
            assert "[9/9]" in stderr and "interrupted" not in stderr, stderr
            assert "article.md" in build.proc.stdout.read(), "a build that exits 0 says where its article is"
        elif how == "INT":
            killed.append(build.proc.pid)
            assert status == 130, (sections, delay, stderr)
            assert stderr.strip().splitlines()[-1].startswith("designkit build: interrupted"), stderr
            assert not list(out.glob(".staging-*")), "an interrupted build removes its staging folder"
        else:
            killed.append(build.proc.pid)
            assert status == -signal.SIGKILL
        assert outputs(out) == good, (how, sections, delay)
        deadline = time.monotonic() + 20
        while kernels_of(build.proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)  # kernels notice their parent is gone and exit
        orphans = kernels_of(build.proc.pid)
        while workers_of(out) and time.monotonic() < deadline:
            time.sleep(0.2)  # the handout grid's forked workers too
        orphans += workers_of(out)
        for pid in orphans:  # started by this test's build: end them before failing
            os.kill(pid, signal.SIGKILL)
        assert not orphans, f"kernels or grid workers outlived the killed build {build.proc.pid}"

    assert killed, "no kill landed while a build ran"
    final = Build(out)
    assert final.finish() == 0, "".join(final.lines)
    assert outputs(out) == good
    assert (out / "notes.md").read_text() == "my notes beside the article\n"
    assert (out / "mine" / "draft.txt").read_text() == "my draft\n"
    assert not list(out.glob(".staging-*"))
    temp = Path(tempfile.gettempdir())
    for pid in killed:
        assert not list(temp.glob(f"designkit-kernels-{pid}-*")), "connection files of a killed build remain"


def test_ctrl_c_during_a_batch_is_one_line_and_leaves_no_half_item(tmp_path):
    out = tmp_path / "batch"
    batch = Build(out, ("batch", "reference", "--sweep", "scale=1x,2x"))
    deadline = time.monotonic() + 120
    while not list(out.glob(".batch-*")) and time.monotonic() < deadline:
        assert batch.proc.poll() is None, "".join(batch.lines)
        time.sleep(0.05)
    time.sleep(random.Random(SEED).uniform(1.0, 4.0))
    os.killpg(batch.proc.pid, signal.SIGINT)
    status = batch.finish()
    stderr = "".join(batch.lines)
    assert status == 130 and "Traceback" not in stderr, stderr
    assert stderr.strip().splitlines()[-1].startswith("designkit batch: interrupted"), stderr
    assert not list(out.glob(".batch-*")), "the staging folder of the interrupted batch is gone"
    for item in out.glob("*/*/"):
        assert (item / ".designkit-inputs.json").is_file(), f"{item} is half-written"
    deadline = time.monotonic() + 20
    while kernels_of(batch.proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not kernels_of(batch.proc.pid)


def _save_while(proc: subprocess.Popen, folders: list[Path], limit: float = 600) -> list[Path]:
    """Save a new file into each of folders every 50 ms until proc ends; the files saved."""
    saved, n, deadline = [], 0, time.monotonic() + limit
    while proc.poll() is None and time.monotonic() < deadline:
        n += 1
        for folder in folders:
            if folder.is_dir():
                path = folder / f"saved-{n}.txt"
                path.write_text(f"{n}\n")
                saved.append(path)
        time.sleep(0.05)
    return saved


def test_files_saved_into_batch_items_while_they_are_rebuilt_all_survive(tmp_path):
    """One item (each costs a build; what is saved into it while it is rebuilt is the same for any)."""
    out = tmp_path / "batch"
    first = Build(out, ("batch", "reference", "--sweep", "scale=2x"))
    assert first.finish() == 0, "".join(first.lines)
    items = sorted(p for p in out.glob("*/*") if p.is_dir() and not p.name.startswith("."))
    assert len(items) == 1
    for item in items:
        (item / "notes.md").write_text("my notes\n")
    again = Build(out, ("batch", "reference", "--sweep", "scale=2x", "-p", "peak_factor=5x"))
    saved = _save_while(again.proc, [out, *items, *(item / "figures" for item in items)])
    assert again.finish() == 0, "".join(again.lines)
    assert all((item / "notes.md").read_text() == "my notes\n" for item in items)
    lost = [str(p) for p in saved if not p.is_file()]
    assert len(saved) > 30 and not lost, lost[:5]


def test_a_spec_saved_mid_build_publishes_nothing(reference_build, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(reference_build[0].out_dir, out)
    good = outputs(out)
    spec = tmp_path / "system.yaml"
    text = (ROOT / "designkit" / "examples" / "reference.yaml").read_text(encoding="utf-8")
    spec.write_text(text, encoding="utf-8")
    build = Build(out, ("build", str(spec)))
    build.after_sections(1)
    spec.write_text(text.replace("name: Analytics Event Collector", "name: Another System", 1), encoding="utf-8")
    status = build.finish()
    stderr = "".join(build.lines)
    assert status == 2 and "changed while the build ran" in stderr and "Traceback" not in stderr, stderr
    assert outputs(out) == good
    assert not list(out.glob(".staging-*"))


def test_a_reader_polling_the_folder_while_it_is_rebuilt_sees_one_build_at_a_time(reference_build, tmp_path):
    """Issue 27, class 4: every article.md a reader gets names only figures that exist, named by the hash
    of their bytes, drawn for that article (its peak QPS on the capacity chart).  And every file a user
    saves into the folder, figures/ or notebooks/ meanwhile (one each 50 ms) stays, as saved, and is
    never taken into the build's record."""
    out = tmp_path / "out"
    shutil.copytree(reference_build[0].out_dir, out)
    published = [(out / "article.md").read_text(encoding="utf-8")]
    stop, seen, problems, reads = threading.Event(), set(), [], [0]

    def reader():
        while not stop.is_set():
            time.sleep(0.001)   # a publish takes milliseconds; a busier loop only slows the builds
            try:
                article = (out / "article.md").read_text(encoding="utf-8")
            except FileNotFoundError:
                problems.append("article.md missing")
                continue
            reads[0] += 1
            if article in seen:
                continue   # checked the moment it appeared (its figures stay until the build after next)
            seen.add(article)
            peak = re.search(r"QPS \(peak\): +(~\S+)", article).group(1)
            names = re.findall(r"!\[[^\]\n]*\]\(figures/([^)\s]+)\)", article)
            for name in names:
                try:
                    svg = (out / "figures" / name).read_text(encoding="utf-8")
                except FileNotFoundError:
                    problems.append(f"{peak}: figures/{name} is missing")
                    continue
                if figure_file(name.split(".")[0], svg) != name:
                    problems.append(f"{peak}: figures/{name} holds other bytes than its name says")
                if name.startswith("capacity.") and f">{peak}<" not in svg:
                    problems.append(f"{peak}: figures/{name} is another build's capacity chart")
            if len(names) < 5:
                problems.append(f"{peak}: the article names {len(names)} figures")

    thread = threading.Thread(target=reader)
    thread.start()
    saved = []
    try:
        for scale in ("10x", "2x"):
            build = Build(out, ("build", "reference", "-p", f"scale={scale}"))
            saved += _save_while(build.proc, [out, out / "figures", out / "notebooks"])
            assert build.finish() == 0, "".join(build.lines)
            published.append((out / "article.md").read_text(encoding="utf-8"))
    finally:
        stop.set()
        thread.join()
    assert not problems, problems[:5]
    assert seen == set(published) and len(published) == 3 and reads[0] > 100, (len(seen), reads[0])
    assert len(saved) > 30
    lost = [str(p) for p in saved if not p.is_file() or p.read_text() != p.stem.split("-")[1] + "\n"]
    assert not lost, lost[:5]
    figures = {p.name for p in (out / "figures").glob("*.svg")}
    listed, retired = outdir.read_record(out)
    assert not any("saved-" in rel for rel in listed)
    ten, two = (set(re.findall(r"\(figures/([^)\s]+)\)", text)) for text in published[1:])
    assert figures == ten | two and {f"figures/{name}" for name in ten - two} == set(retired)   # 1x's: gone
