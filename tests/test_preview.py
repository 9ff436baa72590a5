"""`designkit preview`: the handout served on loopback, rebuilt on save, errors shown above the last good article."""

import html
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from designkit.assets import EXAMPLES_DIR
from designkit.model import estimate
from designkit.model import quantities as q
from designkit.model.spec import load_spec
from designkit.run.preview import HOST, Preview, serve

pytestmark = pytest.mark.slow   # each test builds the article in-process (the figures take seconds)

ROOT = Path(__file__).resolve().parents[1]
USERS = re.compile(r"^  daily_active_users: .*$", re.M)   # what the reference's traffic follows


def spec_copy(folder: Path) -> Path:
    path = folder / "system.yaml"
    path.write_text((EXAMPLES_DIR / "reference.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return path


def set_daily(path: Path, value: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert USERS.search(text)
    path.write_text(USERS.sub(lambda _: f"  daily_active_users: {value}", text, count=1), encoding="utf-8")


def peak(path: Path) -> str:
    """Peak QPS as the article says it, from the model (not from the page)."""
    return q.say_qps(estimate(load_spec(path).scale).qps_peak)


@pytest.fixture
def preview(tmp_path):
    path = spec_copy(tmp_path)
    return path, Preview(path, folder=tmp_path / "out")


def test_good_bad_good_versions_banner_and_last_good_article(preview):
    path, p = preview
    assert p.refresh() and p.version == 1 and p.error is None
    assert peak(path) in p.page and 'id="designkit-preview-error"' not in p.page
    assert sorted(f.name for f in (p.folder / "figures").iterdir()) == [
        "availability.svg", "capacity.svg", "cost.svg", "latency.svg", "scaling.svg"]
    today = peak(path)

    set_daily(path, "lots")
    assert not p.refresh() and p.version == 2
    banner = re.search(r'<div id="designkit-preview-error"[^>]*>(.*?)</div>', p.page, re.S).group(1)
    validate = subprocess.run([sys.executable, "-m", "designkit", "validate", str(path)], capture_output=True,
                              text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    said = validate.stderr.strip().removeprefix("designkit validate: error: ")
    assert validate.returncode == 2 and html.escape(said) in banner       # validate's own words
    assert "scale.daily_active_users" in banner and "the last good article is below" in banner
    assert today in p.page                                                 # the last good article stays

    set_daily(path, "100 million")
    assert p.refresh() and p.version == 3 and 'id="designkit-preview-error"' not in p.page
    assert peak(path) in p.page and peak(path) != today


def test_a_prose_edit_redraws_no_figure_and_a_number_edit_redraws(preview):
    path, p = preview
    p.refresh()
    figures = p.good.figures
    path.write_text(path.read_text(encoding="utf-8").replace("summary: ", "summary: Edited. ", 1), encoding="utf-8")
    p.refresh()
    assert "Edited." in p.page and p.good.figures is figures
    set_daily(path, "30 million")
    p.refresh()
    assert p.good.figures is not figures and p.good.figures["capacity"] != figures["capacity"]


def test_wait_returns_when_the_version_moves(preview):
    _, p = preview
    p.refresh()
    assert p.wait("0", timeout=0) == 1                       # already past what the page saw
    started = time.perf_counter()
    assert p.wait("1", timeout=0.2) == 1                     # nothing new: the long poll times out
    assert time.perf_counter() - started >= 0.15
    threading.Timer(0.1, p.refresh).start()
    assert p.wait("1", timeout=30) == 2


@pytest.fixture(scope="module")
def shown(tmp_path_factory):
    """A preview that has shown the reference once: each example below only breaks the spec."""
    folder = tmp_path_factory.mktemp("shown")
    path = spec_copy(folder)
    p = Preview(path, folder=folder / "out")
    assert p.refresh()
    return path, p, path.read_text(encoding="utf-8")


@settings(max_examples=30, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40))
@example(text="'\"")      # both quotes: a Python repr of it is not a YAML string (the field went unnamed)
def test_any_text_in_an_error_is_shown_as_text(shown, text):
    path, p, good = shown
    value = json.dumps("<b>" + text)     # a JSON string is a YAML double-quoted scalar, whatever it holds
    path.write_text(USERS.sub(lambda _: f"  daily_active_users: {value}", good, count=1), encoding="utf-8")
    assert not p.refresh()
    banner = p.page.split('id="designkit-preview-error"', 1)[1].split("</div>", 1)[0]
    assert html.escape(p.error) in banner and "<b>" not in banner
    assert "scale.daily_active_users" in banner


def test_the_server_listens_on_loopback_only_and_cleans_up(tmp_path):
    path = spec_copy(tmp_path)
    stop, urls, lines = threading.Event(), [], []
    folders_before = set(Path(os.environ.get("TMPDIR", "/tmp")).glob("designkit-preview-*"))
    thread = threading.Thread(target=serve, args=(path,), kwargs={
        "port": 0, "browser": False, "say": lines.append, "ready": urls.append, "stop": stop})
    thread.start()
    try:
        for _ in range(600):
            if urls:
                break
            time.sleep(0.05)
        assert urls and urls[0].startswith(f"http://{HOST}:")
        with urllib.request.urlopen(urls[0], timeout=10) as answer:
            assert answer.status == 200 and peak(path) in answer.read().decode("utf-8")
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(urls[0] + "system.yaml", timeout=10)   # nothing but the page is served
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive()
    assert set(Path(os.environ.get("TMPDIR", "/tmp")).glob("designkit-preview-*")) == folders_before
    assert any(line.startswith(f"Previewing {path}") for line in lines)


@pytest.mark.browser
def test_edit_bad_edit_and_fix_each_show_in_the_open_page(tmp_path):
    from _browser import chromium_page, free_port
    path = spec_copy(tmp_path)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "designkit", "preview", str(path), "--no-browser", "--port", str(port)],
                            env={**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(scratch)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        assert first.startswith("Previewing ") and f"http://127.0.0.1:{port}/" in first
        with chromium_page() as page:
            failures = []
            page.on("pageerror", lambda error: failures.append(str(error)))
            page.goto(f"http://127.0.0.1:{port}/")
            assert peak(path) in page.inner_text("main")
            page.evaluate("window.__same_page = 1")     # a manual reload would lose it; the preview's own does too

            set_daily(path, "100 million")
            page.wait_for_function("txt => document.querySelector('main').innerText.includes(txt)",
                                   arg=peak(path), timeout=30_000)
            good = peak(path)
            assert not page.locator("#designkit-preview-error").count()

            set_daily(path, "lots")
            error = page.locator("#designkit-preview-error")
            error.wait_for(timeout=30_000)
            assert "system.yaml" in error.inner_text() and "scale.daily_active_users" in error.inner_text()
            assert "expected a count" in error.inner_text()
            assert good in page.inner_text("main")                           # the last good article below

            set_daily(path, "50 million")
            page.wait_for_function("txt => document.querySelector('main').innerText.includes(txt)",
                                   arg=peak(path), timeout=30_000)
            assert not page.locator("#designkit-preview-error").count()
            assert failures == []
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert err.strip() == "designkit preview: stopped"            # Ctrl-C: one line
    assert list(scratch.iterdir()) == []                          # nothing left behind


def test_a_taken_port_is_one_line_and_exit_2(tmp_path):
    import socket
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "designkit", "preview", "reference", "--no-browser", "--port",
                               str(port)], capture_output=True, text=True, timeout=300,
                              env={**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)})
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"designkit preview: error: --port {port}: cannot listen on "
                                        f"{HOST}:{port}: Address already in use"]
    assert list(tmp_path.iterdir()) == []
