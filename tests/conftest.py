"""Shared fixtures: each article (or batch) that several tests read is built once per test session."""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]

# Property tests explore new inputs on every local run; in CI (both jobs, whatever the Hypothesis
# version: newer ones do this by themselves) they replay a fixed, seeded set, so a run is repeatable
# and a failure found locally is pinned with @example instead of surfacing as chance in CI.
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])   # as Hypothesis's own "ci" profile
if os.environ.get("CI"):
    settings.load_profile("ci")

# As the `designkit` command does in its own process (cli._skip_iri_grammar): nbformat's jsonschema
# would compile rfc3987_syntax's IRI grammar on import, a CPU second and more of every session that
# imports nbformat, for "iri" formats no notebook schema uses.  nbformat still validates notebooks.
sys.modules.setdefault("rfc3987_syntax", None)

DOCS_SWEEP = ("designkit batch reference --sweep users=10M,100M,1B,10B "
              "-p daily_active_users=null -p daily_active_fraction=10% -o build/sweep")
"""The sweep README.md and docs/batch.md show (test_docs pins it): test_docs and test_batch share one run."""


SHARED = ("all_examples", "docs_sweep", "lab", "hostile_build")
"""Session fixtures too costly to make twice: under pytest-xdist every test that uses one runs in one
worker (its group), so each is still made once per run."""

FIRST = ("test_lab_browser", "all_examples", "test_faults", "lab", "docs_sweep", "test_handout_figures",
         "test_batch", "test_assignment", "hostile_build", "test_build", "test_docs", "test_hostile_input",
         "test_widgets", "test_adversarial", "test_figures")
"""The groups that take longest (a minute or more each on 2 cores; the last three: the fast loop's
longest), started first so that no worker is left running one of them alone at the end; the rest
follow in file order."""

MAX_WORKERS = 4
"""``-n auto`` on a large machine: each worker's builds start their own kernels (memory, not cores,
runs out first)."""


@pytest.hookimpl(optionalhook=True)     # a pytest-xdist hook: unknown to pytest alone
def pytest_xdist_auto_num_workers(config):
    """``-n auto``: a worker per core, at most MAX_WORKERS."""
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def group_of(item) -> str:
    """The xdist group of a test: the first costly session fixture it uses, else its file."""
    shared = [name for name in SHARED if name in getattr(item, "fixturenames", ())]
    return shared[0] if shared else item.path.stem


@pytest.hookimpl(tryfirst=True)     # before xdist's own hook reads the groups
def pytest_collection_modifyitems(config, items):
    """Browser tests skip before their fixtures build anything where Chromium is missing and CI is not
    set.  Under ``-n`` (``--dist loadgroup``, pyproject.toml) each test file runs in one worker, so a
    module's fixtures are made once, the tests of a costly session fixture (``SHARED``) share one, and
    the longest groups (``FIRST``) start first."""
    from _browser import skip_reason
    reason = skip_reason()
    for item in items:
        if reason and item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason=reason))
        if not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(group_of(item)))
    rank = {name: i for i, name in enumerate(FIRST)}
    order = {id(item): (rank.get(group_of(item), len(FIRST)), i) for i, item in enumerate(items)}
    items.sort(key=lambda item: order[id(item)])


def once_per_run(tmp_path_factory, name: str, make):
    """``make(folder)`` run once for the whole test run, however many xdist workers ask: the first
    makes it in a folder all workers share, under a lock, and every worker reads back what it
    returned (pytest-xdist's documented pattern for session fixtures, with fcntl's lock).  What it
    made is read, never changed (a test that changes it works on a copy)."""
    import fcntl
    import pickle
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return make(tmp_path_factory.mktemp(name))
    shared = tmp_path_factory.getbasetemp().parent        # every worker's basetemp is beside the others
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        made = shared / f"{name}.pickle"
        if made.is_file():
            return pickle.loads(made.read_bytes())
        value = make(Path(tempfile.mkdtemp(prefix=f"{name}-", dir=shared)))
        made.write_bytes(pickle.dumps(value))
        return value


@pytest.fixture(scope="session")
def reference_build(tmp_path_factory):
    """The reference example's article, built once for the run: (BuildResult, progress lines)."""
    def make(folder):
        from designkit.run.build import build
        lines = []
        return build("reference", folder / "out", progress=lines.append), lines
    return once_per_run(tmp_path_factory, "reference", make)


@pytest.fixture(scope="session")
def docs_sweep(tmp_path_factory):
    """DOCS_SWEEP run once for the run as a reader runs it (bash, the console script) in a fresh folder:
    (folder, the finished process, seconds).  Tests that change its output work on a copy; test_docs
    asks for it only when it reaches the sweep (so in its own worker: once_per_run shares it)."""
    def make(folder):
        started = time.perf_counter()
        done = subprocess.run(["bash", "-o", "pipefail", "-c", DOCS_SWEEP], cwd=folder,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                              timeout=900, stdin=subprocess.DEVNULL)
        return folder, done, time.perf_counter() - started
    return once_per_run(tmp_path_factory, "docs-sweep", make)


@pytest.fixture(scope="session")
def hostile_build(tmp_path_factory):
    """One build of the reference with hostile text where a spec holds text, for the tests that check
    it stays text (test_build) and keeps the reference's structure (test_adversarial): `designkit build
    SPEC -o SITE/<slug>` in-process.  (spec path, site, out dir, exit status, stderr)."""
    import contextlib
    import io

    import yaml

    from _structure import renamed
    from designkit import cli
    from designkit.assets import EXAMPLES_DIR
    from designkit.model.spec import load_spec
    raw = yaml.safe_load((EXAMPLES_DIR / "reference.yaml").read_text(encoding="utf-8"))
    raw.update(renamed(raw, {"Collector API": "Cost $\\undefinedmacro{x}$ LB", "Query API": "$5 / $10 tier"}))
    raw["name"] = "../../Evil <script>window.__pwned=1</script>"      # a slug must not climb out of SITE
    raw["summary"] = ("<img src=x onerror=alert(1)> <script>alert(2)</script> See ![arch](https://example.com/arch.png)"
                      " and [the plan](figures/nope.svg).\r# Not a heading")
    raw["requirements"]["functional"][0]["description"] = "Kafka \\| Pulsar | both\nand [x](javascript:alert(1))"
    raw["references"][0]["url"] = "https://example.com/)[evil](javascript:alert(1))"
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / "hostile.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    site = folder / "site"
    out = site / load_spec(path).slug
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        status = cli.main(["build", str(path), "-o", str(out)])
    return path, site, out, status, err.getvalue()


@pytest.fixture(scope="session")
def all_examples(tmp_path_factory):
    """`designkit build --all-examples -o DIR`, run once: (DIR, the finished process)."""
    out = tmp_path_factory.mktemp("examples")
    done = subprocess.run([sys.executable, "-m", "designkit", "build", "--all-examples", "-o", str(out)],
                          capture_output=True, text=True, timeout=1200)
    return out, done


@pytest.fixture(scope="session")
def template_text():
    """The outline the article follows, as the package carries it (never read from outside the repo)."""
    from designkit.assets import template_text
    return template_text()


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """JupyterLab on a `designkit lab` working copy of the reference: yields (base URL, token).

    One server for the session: the lab tests and the practice test share it (a start costs seconds).
    """
    from _browser import jupyterlab
    from designkit.run.lab import working_copy
    scratch = tmp_path_factory.mktemp("lab")
    root = scratch / "notebooks"
    working_copy("reference", root)
    with jupyterlab(root, scratch) as server:
        yield server
