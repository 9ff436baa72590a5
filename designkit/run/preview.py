"""``designkit preview``: the handout of a spec served on loopback, rebuilt on every save of the spec.

The page is the handout the build writes, made in-process from the same registries the notebooks
use (``full_article.article_at`` for the text, ``GridFigures`` for the five charts), so a saved edit shows
in about a second: no kernel, no notebook.  Figures are redrawn only when the numbers change (a
prose edit redraws none), on charts laid out once and updated in place while the components stay
the same, as the handout's grid draws its scales.  The preview leaves out the handout's scale control: ``designkit build``
writes the handout with it.

The page asks the server (long polling, ``connect-src 'self'`` added to the handout's policy) for
the next version and reloads itself when there is one.  A spec that does not load shows its error
at the top, in the words of ``designkit validate``, above the last good article; the next good save
clears it.  Files live in a temporary folder removed on exit.
"""

from __future__ import annotations

import hashlib
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

from ..views.markdown import escape_html
from ..errors import DesignkitError
from ..model import analyze, estimate
from ..model.practice import bank
from ..model.spec import load_spec, resolve, source_name
from ..views.prose.templating import render_spec
from ..views.pages.handout import PageParts, render_handout
from ..views.pages.scaled_figures import GridFigures
from ..views.pages.full_article import article_at

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
VERSION_PATH = "/__designkit/version"
WAIT_SECONDS = 20.0     # a long poll answers at the latest after this, with the same version
WATCH_SECONDS = 0.2     # how often the spec file is looked at

CSS = """
#designkit-preview-error { position: sticky; top: 0; z-index: 10; margin: 0 0 1em; padding: .8em 1em;
  background: #fdecea; color: #611a15; border: 2px solid #c44e52; border-radius: 4px;
  font: 14px/1.4 system-ui, sans-serif; white-space: pre-wrap; }
#designkit-preview-error strong { display: block; margin-bottom: .3em; }
@media print { #designkit-preview-error { display: none; } }
"""

SCRIPT = f"""(() => {{
  const here = document.getElementById("designkit-preview").dataset.version;
  const key = "designkit-preview-scroll";
  const y = sessionStorage.getItem(key);
  if (y !== null) {{ sessionStorage.removeItem(key); window.scrollTo(0, Number(y)); }}
  async function wait() {{
    try {{
      const answer = await fetch("{VERSION_PATH}?seen=" + here, {{cache: "no-store"}});
      const now = (await answer.text()).trim();
      if (answer.ok && now !== here) {{
        sessionStorage.setItem(key, String(window.scrollY));
        location.reload();
        return;
      }}
      setTimeout(wait, 50);
    }} catch (error) {{
      setTimeout(wait, 1000);    // the preview stopped, or is restarting: ask again later
    }}
  }}
  wait();
}})();
"""


@dataclass(frozen=True)
class Good:
    """The last spec that loaded: its article and its five figures (slim SVG, by name)."""

    markdown: str
    figures: dict[str, str]
    practice: object


class Preview:
    """The state a preview serves: the last good article, the current error, a version number.

    ``refresh()`` rebuilds from the spec file (the watcher calls it when the file changes); every
    change of what the page shows bumps ``version`` and wakes the waiting pages.
    """

    def __init__(self, spec_ref, overrides: dict | None = None, *, folder: Path):
        self.spec_ref, self.overrides = spec_ref, dict(overrides or {})
        self.path = resolve(spec_ref).resolve()
        self.folder = folder
        (folder / "figures").mkdir(parents=True, exist_ok=True)
        self.good: Good | None = None
        self.error: str | None = None
        self.version = 0
        self.page = ""
        self.seconds = 0.0            # how long the last refresh took
        self._analysis = None         # what the figures in self.good were drawn from
        self._charts = None           # (shape, GridFigures): redrawn in place while the shape holds
        self._changed = threading.Condition()

    def refresh(self) -> bool:
        """Rebuild from the spec file; True when the spec loaded.  The page is re-rendered either way."""
        started = time.perf_counter()
        try:
            spec = load_spec(self.path, self.overrides)
            render_spec(spec, source_name(self.path, self.overrides))    # the checks `validate` makes
            cap = estimate(spec.scale)
            analysis = analyze(spec, cap)
            markdown = article_at(spec, cap, analysis)
            if self.good is not None and analysis == self._analysis:
                figures = self.good.figures                  # the same numbers draw the same charts
            else:
                if self._charts is None or self._charts[0] != _shape(analysis):
                    self._charts = (_shape(analysis), GridFigures(spec, analysis))   # laid out once per shape
                figures = self._charts[1].draw(analysis)
            good, error = Good(markdown, figures, bank(spec)), None
        except DesignkitError as exc:
            good, error = None, str(exc)
        except Exception as exc:  # noqa: BLE001 - shown in the page like a bad spec; the preview keeps running
            good, error = None, (f"unexpected {type(exc).__name__}: {exc} "
                                 "(this is a bug in designkit)")
        if good is not None:
            for name, svg in good.figures.items():
                (self.folder / "figures" / f"{name}.svg").write_text(svg, encoding="utf-8")
            self.good, self._analysis = good, analysis
        self.error = error
        self._publish()
        self.seconds = time.perf_counter() - started
        return error is None

    def _publish(self) -> None:
        with self._changed:
            version = self.version + 1
            self.page = self._render(version)
            self.version = version
            self._changed.notify_all()

    def _render(self, version: int) -> str:
        banner = f'<div id="designkit-preview" data-version="{version}" hidden></div>\n'
        if self.error is not None:
            below = "the last good article is below" if self.good is not None else "no article yet"
            banner += (f'<div id="designkit-preview-error" role="alert"><strong>{escape_html(self.path.name, attribute=True)}: '
                      f"not loaded; {below}</strong>{escape_html(self.error, attribute=True)}</div>\n")
        part = PageParts(before=banner, css=CSS, scripts=(SCRIPT,), connect=("'self'",))
        if self.good is None:
            markdown, practice = f"# {self.path.name}\n", None
        else:
            markdown, practice = self.good.markdown, self.good.practice
        return render_handout(markdown, assets_dir=self.folder, parts=[part], practice=practice)

    def wait(self, seen: str, timeout: float = WAIT_SECONDS) -> int:
        """The version, once it differs from ``seen`` (or after ``timeout``)."""
        with self._changed:
            self._changed.wait_for(lambda: str(self.version) != seen, timeout)
            return self.version


def _shape(analysis) -> tuple:
    """What fixes the charts' artists (one bar or line per component, a row per path): while it holds,
    the charts are updated in place, as the handout's grid does across its scales."""
    return (tuple(c.component for c in analysis.components), tuple(qp.component for qp in analysis.queueing),
            tuple(line.component for line in analysis.cost.lines), analysis.read_path is None,
            analysis.write_path is None)


def _handler(preview: Preview):
    class Handler(BaseHTTPRequestHandler):
        server_version = "designkit-preview"

        def do_GET(self):  # noqa: N802 - http.server's name
            path, _, query = self.path.partition("?")
            if path == VERSION_PATH:
                seen = dict(p.partition("=")[::2] for p in query.split("&") if p).get("seen", "")
                self._send(str(preview.wait(seen)).encode(), "text/plain; charset=utf-8")
            elif path in ("/", "/index.html", "/handout.html"):
                self._send(preview.page.encode("utf-8"), "text/html; charset=utf-8")
            else:
                self.send_error(404)

        def _send(self, body: bytes, kind: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # noqa: A002 - the base class's signature
            pass                                 # one line per request would bury the rebuild lines

    return Handler


def _fingerprint(path: Path) -> bytes | None:
    try:
        return hashlib.sha256(path.read_bytes()).digest()
    except OSError:
        return None            # mid-save (an editor's rename) or deleted: wait for the next look


def _watch(preview: Preview, stop: threading.Event, say: Callable[[str], None]) -> None:
    seen = _fingerprint(preview.path)
    while not stop.wait(WATCH_SECONDS):
        now = _fingerprint(preview.path)
        if now is None or now == seen:
            continue
        seen = now
        ok = preview.refresh()
        say(f"{time.strftime('%H:%M:%S')} {preview.path.name}: "
            + (f"rebuilt in {preview.seconds:.1f} s" if ok else "not loaded: " + preview.error.splitlines()[0]))


def serve(spec_ref, overrides: dict | None = None, *, port: int | None = None, browser: bool = True,
          say: Callable[[str], None] = print, ready: Callable[[str], None] | None = None,
          stop: threading.Event | None = None) -> None:
    """Serve the preview until Ctrl-C (or ``stop`` is set); everything it made is removed on the way out.

    ``port`` None tries DEFAULT_PORT, then any free port; ``ready(url)`` is called once it is listening.
    """
    folder = Path(tempfile.mkdtemp(prefix="designkit-preview-"))
    stop = stop or threading.Event()
    server, terminate = None, None
    if threading.current_thread() is threading.main_thread():   # `kill`: stop as Ctrl-C does, files removed
        terminate = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        preview = Preview(spec_ref, overrides, folder=folder)
        if not preview.refresh() and preview.good is None:
            say(f"{preview.path.name}: not loaded: {preview.error.splitlines()[0]} (fix it and save; the page follows)")
        server = _bind(port, _handler(preview))
        server.daemon_threads = True
        url = f"http://{HOST}:{server.server_address[1]}/"
        say(f"Previewing {preview.path} at {url} (rebuilds on save; Ctrl-C stops)")
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True,
                         name="designkit-preview-http").start()
        if ready is not None:
            ready(url)
        if browser:
            import webbrowser
            webbrowser.open(url)
        _watch(preview, stop, say)
    finally:
        stop.set()
        if terminate is not None:
            signal.signal(signal.SIGTERM, terminate)
        if server is not None:
            server.shutdown()
            server.server_close()
        shutil.rmtree(folder, ignore_errors=True)


class PortError(DesignkitError):
    """The port asked for cannot be listened on: bad input, exit status 2."""

    exit_code = 2


def _bind(port: int | None, handler) -> ThreadingHTTPServer:
    """A server on loopback: ``port``, or DEFAULT_PORT and else any free one when none was asked for."""
    if port is not None:
        try:
            return ThreadingHTTPServer((HOST, port), handler)
        except (OSError, OverflowError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise PortError(f"--port {port}: cannot listen on {HOST}:{port}: {reason}") from None
    try:
        return ThreadingHTTPServer((HOST, DEFAULT_PORT), handler)
    except OSError:
        return ThreadingHTTPServer((HOST, 0), handler)
