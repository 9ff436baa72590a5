"""Hostile and unlucky input (issue 12), one part per class of problem the issue found.

1. data loss in the output folder  2. hangs and blow-ups  3. tracebacks instead of one message
4. Markdown injection  5. validate says ok, build fails  6. terminal and leftovers
7. surprises in overrides and sweeps.  Most cases call ``designkit.cli.main`` in-process.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designkit import cli
from designkit.errors import SpecError
from designkit.model import source
from designkit.model.analysis import analyze
from designkit.model.capacity import estimate
from designkit.assets import EXAMPLES_DIR
from designkit.model.spec import apply_overrides, load_spec, read_raw, validate
from designkit.run import outdir
from designkit.run.build import plain_figures
from designkit.run.items import MAX_ITEMS, parse_sweep, plan
from designkit.views import markdown
from designkit.views.pages.handout import render_handout
from _structure import (DOM_SHAPE, PROSE, SNIPPETS, article_of, dom_structure, md_structure, renamed,
                        table_shapes, with_prose)

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = EXAMPLES_DIR / "reference.yaml"


def run(*argv: str) -> tuple[int, str, str]:
    """designkit.cli.main in-process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(list(argv))
    return status, out.getvalue(), err.getvalue()


def write_spec(path: Path, mutate=None) -> Path:
    """The reference spec, changed by ``mutate(raw)``, written to path."""
    raw = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    if mutate:
        mutate(raw)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- 1. data loss in the output folder ------------------------------------------------------

def test_a_folder_of_the_users_own_files_is_refused_and_untouched(tmp_path):
    out = tmp_path / "mine"
    (out / "figures").mkdir(parents=True)
    (out / "figures" / "plot.png").write_bytes(b"\x89PNG mine")
    (out / "notebooks").mkdir()
    (out / "notebooks" / "analysis.ipynb").write_text("{}")
    (out / "thesis.tex").write_text("my thesis")
    before = snapshot(out)
    status, _, err = run("build", "reference", "-o", str(out))
    assert status == 2
    assert "holds files designkit did not write" in err and str(out) in err
    assert "Traceback" not in err
    assert snapshot(out) == before


@pytest.mark.parametrize("where", ["/", "home", "above-home"])
def test_root_and_home_are_refused(where, tmp_path, monkeypatch):
    home = tmp_path / "home" / "me"
    home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    target = {"/": "/", "home": str(home), "above-home": str(home.parent)}[where]
    status, _, err = run("build", "reference", "-o", target)
    assert status == 2
    assert ("root of the file system" in err) if where == "/" else ("home folder" in err)
    assert list(home.iterdir()) == []


def test_a_file_or_a_path_under_a_file_is_refused(tmp_path):
    afile = tmp_path / "report.txt"
    afile.write_text("mine")
    for target in (afile, afile / "sub"):
        status, _, err = run("build", "reference", "-o", str(target))
        assert status == 2 and str(target) in err and "Traceback" not in err
    assert afile.read_text() == "mine"


def fake_build(out: Path) -> Path:
    """An output folder as a build leaves it (outputs and manifest), for the checks made before notebooks run."""
    (out / "figures").mkdir(parents=True)
    (out / "notebooks").mkdir()
    (out / "figures" / "capacity.svg").write_text("<svg/>")
    (out / "notebooks" / "01_requirements.ipynb").write_text("{}")
    (out / "article.md").write_text("---\nlayout: simple\n---\n# Design X\n")
    (out / "handout.html").write_text("<!DOCTYPE html>")
    files = ["figures/capacity.svg", "notebooks/01_requirements.ipynb", "article.md", "handout.html"]
    outdir.write_manifest(out, files)
    return out


@pytest.mark.parametrize("name", ["figures", "notebooks", "article.md", "handout.html"])
def test_a_symlinked_output_is_refused_before_any_notebook_runs(name, tmp_path):
    out = fake_build(tmp_path / "out")
    elsewhere = tmp_path / "elsewhere"
    os.rename(out / name, elsewhere)
    (out / name).symlink_to(elsewhere)
    before = snapshot(elsewhere) if elsewhere.is_dir() else elsewhere.read_bytes()
    status, _, err = run("build", "reference", "-o", str(out))
    assert status == 2 and "is a symlink" in err and "[1/9]" not in err
    assert (snapshot(elsewhere) if elsewhere.is_dir() else elsewhere.read_bytes()) == before


@pytest.mark.slow      # it builds an article: kernels and notebooks
def test_a_users_file_inside_figures_survives_a_build(tmp_path):
    out = fake_build(tmp_path / "out")
    (out / "figures" / "my-own.svg").write_text("mine")
    status, _, err = run("build", "reference", "-o", str(out))
    assert status == 0, err
    assert (out / "figures" / "my-own.svg").read_text() == "mine"
    listed, retired = outdir.read_record(out)
    assert "figures/my-own.svg" not in listed and any(rel.startswith("figures/capacity.") for rel in listed)
    assert retired == ("figures/capacity.svg",)    # the last build's figure: kept for one more build
    assert all(outdir.unchanged(out, rel, listed) for rel in listed)


def test_a_folder_with_a_manifest_is_accepted_and_one_without_refused(tmp_path):
    out = fake_build(tmp_path / "out")
    (out / "notes.md").write_text("the user's notes beside the build")
    assert outdir.preflight(out) is False
    (out / outdir.MANIFEST).unlink()
    (out / "notes.md").unlink()
    with pytest.raises(SpecError, match="did not write"):
        outdir.preflight(out)                  # no manifest: never taken for "a build made before manifests"


def test_publish_is_all_or_nothing(tmp_path):
    out = fake_build(tmp_path / "out")
    before = snapshot(out)
    staging = outdir.staging_dir(out)
    (staging / "figures").mkdir()
    (staging / "figures" / "capacity.svg").write_text("<svg>new</svg>")
    (staging / "notebooks").mkdir()
    (staging / "article.md").write_text("new article")
    (staging / "handout.html").write_text("new handout")
    outdir.write_manifest(staging, ["figures/capacity.svg", "article.md", "handout.html"])
    (staging / "handout.html").unlink()   # listed but gone: the second move fails after one went in
    with pytest.raises(Exception, match="last good one is unchanged"):
        outdir.publish(staging, out)
    after = {k: v for k, v in snapshot(out).items() if not k.startswith(".staging-")}
    assert after == before


# --- 2. hangs and blow-ups ----------------------------------------------------------------------

LAUGHS = "\n".join(["a: &a [" + ",".join(['"lol"'] * 9) + "]"]
                   + [f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(7)])


@pytest.mark.parametrize("field", ["name", "users"])
def test_billion_laughs_is_refused_at_once(field, tmp_path):
    text = LAUGHS + ("\nname: *h\nscale: {}\n" if field == "name" else "\nname: x\nscale:\n  users: *h\n")
    path = tmp_path / "laughs.yaml"
    path.write_text(text)
    for command in ("validate", "estimate", "analyze"):
        status, _, err = run(command, str(path))
        assert status == 2 and "aliases expanded" in err and f"{source.MAX_EXPANDED_NODES:,} values" in err


def test_alias_limits_cycles_depth_and_complex_keys():
    with pytest.raises(source.LimitError, match="more than 100 aliases"):
        source.parse_yaml("a: &a x\nb: [" + ", ".join(["*a"] * 101) + "]")
    with pytest.raises(source.LimitError, match="contains it"):
        source.parse_yaml("a: &a [1, *a]")
    with pytest.raises(source.LimitError, match="deeper than 32"):
        source.parse_yaml("a: " + "[" * 33 + "]" * 33)
    assert source.parse_yaml("a: " + "[" * 31 + "1" + "]" * 31)["a"]
    with pytest.raises(yaml.constructor.ConstructorError, match="plain text"):
        source.parse_yaml("? [a, b]\n: 1\n")
    with pytest.raises(yaml.constructor.ConstructorError, match="plain text"):
        source.parse_yaml("? {a: 1}\n: 1\n")
    # a few aliases of shared prose stay fine
    assert source.parse_yaml("x: &t shared\ny: [*t, *t]")["y"] == ["shared", "shared"]


def test_nesting_of_100000_levels_is_one_message(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("name: " + "[" * 100_000 + "]" * 100_000)
    status, _, err = run("validate", str(path))
    assert status == 2 and "nested deeper than 32 levels" in err


def test_dev_zero_and_big_files_stop_at_the_cap(tmp_path):
    status, _, err = run("validate", "/dev/zero")
    assert status == 2 and "at most 1,000,000 bytes" in err
    big = tmp_path / "big.yaml"
    big.write_text("name: x\n" + "# padding\n" * 120_000)
    status, _, err = run("validate", str(big))
    assert status == 2 and "at most 1,000,000 bytes" in err


def test_a_fifo_without_a_writer_times_out_and_one_with_a_writer_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(source, "READ_SECONDS", 0.5)
    fifo = tmp_path / "spec.yaml"
    os.mkfifo(fifo)
    status, _, err = run("validate", str(fifo))
    assert status == 2 and "nothing arrived within 0.5 s" in err
    writer = threading.Thread(target=lambda: fifo.write_bytes(REFERENCE.read_bytes()))
    writer.start()
    status, out, err = run("validate", str(fifo))
    writer.join(5)
    assert (status, err) == (0, "") and out.endswith(": ok\n")


@pytest.mark.parametrize("override, message", [
    ("components.Collector API.replicas=1e30", "at most 1,000 replicas, got 1e+30"),
    ("components.Collector API.replicas=.inf", "expected a whole number, got inf"),
    ("components.Event Store.shards=20000", "at most 10,000 shards"),
    ("components.Event Store.shards=1000", "a component may have at most 100,000"),
    ("users=1e13", "expected 0 to 1e+12"),
    ("server_qps=0.000001", "0.001 to 1e+12 per second"),
    ("peak_factor=1e6x", "expected 0 to 1,000x"),
    ("retention=100000 years", "days"),
    ("replication_factor=1000", "at most 100 copies"),
    ("requests_per_user_per_day=1e12", "requests/second; at most 1e+12"),
    ("daily_active_users=1e-300", "requests/second; at least 1e-06"),      # every load ~0: infinite multiples
    ("daily_active_users=1e-9", "requests/second; at least 1e-06"),
])
def test_counts_and_ranges_are_bounded_and_named(override, message):
    extra = ["-p", "components.Event Store.replicas=200"] if "shards=1000" in override else []
    status, _, err = run("analyze", "reference", "-p", override, *extra)
    assert status == 2 and message in err, err


def test_more_than_100_components_are_refused():
    raw = read_raw(REFERENCE)
    raw["components"] = [dict(raw["components"][1], name=f"API {i}") for i in range(101)]
    raw["read_path"] = raw["write_path"] = ["API 1"]
    with pytest.raises(SpecError, match="at most 100 items"):
        validate(raw)


def test_the_largest_accepted_topology_analyzes(tmp_path):
    """At the limits (1,000 replicas, 100,000 nodes per store, a trillion users) analyze still answers."""
    spec = load_spec("reference")
    overrides = {"users": "1 trillion", "daily_active_users": "100 billion"}
    for comp in spec.components:
        overrides[f"components.{comp.name}.replicas"] = 1000
        if comp.kind in ("database", "cache", "search", "object_store"):
            overrides[f"components.{comp.name}.replicas"] = 10
            overrides[f"components.{comp.name}.shards"] = 10_000
    result = analyze(load_spec("reference", overrides))
    assert result.capacity.users == 1e12 and all(load.replicas >= 10 for load in result.loads)


def test_a_10000_point_sweep_is_refused_before_any_work():
    values = ",".join(f"{n}K" for n in range(1, 10_001))
    status, _, err = run("batch", "reference", "--sweep", f"users={values}")
    assert status == 2 and "a --sweep is at most 10,000" in err        # too long to read at all
    values = ",".join(f"{n}K" for n in range(1, 1_501))                  # short enough: 1,500 points
    status, _, err = run("batch", "reference", "--sweep", f"users={values}")
    assert status == 2 and f"at most {MAX_ITEMS} articles" in err
    status, _, err = run("batch", "reference", "url-shortener", "--sweep", "peak_factor=" +
                         ",".join(f"{n}x" for n in range(1, 11)), "--sweep",
                         "cache_fraction=" + ",".join(f"{n}%" for n in range(1, 7)))
    assert status == 2 and "120 items" in err


# --- 3. tracebacks instead of one message ----------------------------------------------------

@pytest.mark.parametrize("args, code, words", [
    (["analyze", "reference", "-p", "users=1e308"], 2, "scale.users"),
    (["analyze", "reference", "-p", "users=.nan"], 2, "finite"),
    (["analyze", "reference", "-p", "record_size=1e-300"], 2, "scale.record_size"),
    (["estimate", "reference", "-p", "response_size=0.5"], 2, "1 to 1e+18 bytes"),
    (["validate", "reference", "-p", "components=5", "-p", "components.X.replicas=1"], 2,
     "components is int 5, not a list"),
    (["validate", "reference", "-p", "name.first=x"], 2, "cannot set a field inside name"),
    (["validate", "reference", "-p", "components.Query API.replicas.x=1"], 2, "not a mapping"),
    (["batch", "reference", "--dask", "not a url"], 2, "not a scheduler address"),
    (["batch", "reference", "--dask", "tcp://host:99999"], 2, "not between 1 and 65535"),
])
def test_one_message_and_an_exit_status(args, code, words):
    status, _, err = run(*args)
    assert status == code and words in err, err
    assert "Traceback" not in err and err.startswith("designkit ")


def test_any_unexpected_error_is_one_line_and_debug_shows_the_traceback(monkeypatch):
    def boom(args):
        raise ZeroDivisionError("division by zero\nsecond line")
    monkeypatch.setitem(cli.COMMANDS, "validate", (boom, "x"))
    status, _, err = run("validate", "reference")
    assert status == 1 and err.count("\n") == 1 and "ZeroDivisionError: division by zero" in err
    monkeypatch.setenv("DESIGNKIT_DEBUG", "1")
    status, _, err = run("validate", "reference")
    assert status == 1 and "Traceback (most recent call last)" in err


def test_ctrl_c_is_exit_130_and_one_line(monkeypatch):
    def interrupted(args):
        raise KeyboardInterrupt
    monkeypatch.setitem(cli.COMMANDS, "estimate", (interrupted, "x"))
    status, _, err = run("estimate", "reference")
    assert status == 130 and err.count("\n") == 1 and "interrupted" in err


def test_analyze_into_a_closed_pipe_is_quiet():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(f"{sys.executable} -m designkit analyze reference | head -c 10",
                          shell=True, capture_output=True, text=True, env=env, timeout=120)
    assert proc.stdout == "Scaling an"
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


# --- 4. Markdown injection ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def assets(tmp_path_factory):
    folder = tmp_path_factory.mktemp("assets")
    (folder / "figures").mkdir()
    for name in ("capacity", "scaling", "latency", "availability", "cost"):
        (folder / "figures" / f"{name}.svg").write_text(
            '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')
    return folder


@pytest.fixture(scope="module")
def reference_shapes(assets):
    # Plain words in every prose field: Interview Tips merges a computed row into the spec's row on the
    # same question, so the reference's own questions shape that table; hostile text matches none.
    text = article_of(validate(with_prose(read_raw(REFERENCE), ["Plain words"])))
    return md_structure(text), dom_structure(render_handout(text, assets_dir=assets))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(PROSE, min_size=1, max_size=6))
def test_no_prose_changes_the_article_structure(texts, assets, reference_shapes):
    raw = read_raw(REFERENCE)
    try:
        spec = validate(with_prose(raw, texts))
    except SpecError as error:  # refused text (control characters, a name over two lines) is fine
        assert all("control character" in what or "one line" in what or "15 lines" in what
                   or "empty" in what for _, what in error.problems), error
        return
    text = article_of(spec)
    shape, dom = reference_shapes
    assert table_shapes(md_structure(text)) == table_shapes(shape)
    assert table_shapes(dom_structure(render_handout(text, assets_dir=assets))) == table_shapes(dom)


@pytest.mark.parametrize("hostile", SNIPPETS)
def test_each_snippet_leaves_tables_and_links_alone(hostile, assets, reference_shapes):
    try:
        spec = validate(with_prose(read_raw(REFERENCE), [hostile, "plain " + hostile]))
    except SpecError:
        return
    text = article_of(spec)
    assert table_shapes(md_structure(text)) == table_shapes(reference_shapes[0])
    targets = [target for kind, target in md_structure(text) if kind in ("link_open", "image")]
    assert all(t.startswith(("#", "https://", "http://")) or t.startswith("figures/") and t.endswith(".svg")
               for t in targets), targets
    assert "javascript" not in " ".join(targets) and "figures/nope.svg" not in targets


def test_table_cells_go_through_one_place():
    assert markdown.cell("a\r\nb\u2028c") == "a b c"
    assert markdown.cell("Kafka | Pulsar") == "Kafka \\| Pulsar"
    assert markdown.cell("Kafka \\| Pulsar") == "Kafka \\| Pulsar"           # already escaped stays so
    assert markdown.cell("Kafka \\\\| Pulsar") == "Kafka \\\\\\| Pulsar"      # an escaped backslash, then a pipe
    assert markdown.cell("[x](javascript:1)") == "\\[x\\](javascript:1)"
    assert markdown.cell(markdown.cell("a|b[c]")) == markdown.cell("a|b[c]")
    with pytest.raises(ValueError, match="header of 2"):
        markdown.table(["a", "b"], [["only one"]])


def test_links_are_http_or_relative_and_cannot_be_broken_out_of():
    evil = "https://example.com/)[evil](javascript:alert(1))"
    made = markdown.link("Docs", evil)
    assert md_structure(made) == [("paragraph_open", "p"), ("link_open", made[made.index("(") + 1:-1])]
    assert markdown.link("x", "javascript:alert(1)") == "x"
    assert markdown.link("x", "//evil.example/") == "x"
    assert markdown.link("x", "other/page.md") == "[x](other/page.md)"
    assert markdown.link("x", "HTTPS://example.com/a b") == "[x](HTTPS://example.com/a%20b)"


# --- 5. validate says ok, build fails -----------------------------------------------------------

def test_mathtext_in_names_is_drawn_as_plain_text():
    from designkit.views.charts.availability import AvailabilityChart
    from designkit.views.charts.scaling import ScalingChart
    from designkit.views.charts.style import svg
    names = {"Collector API": "Cost $\\undefinedmacro{x}$ LB", "Query API": "$5 / $10 tier"}
    result = analyze(validate(renamed(read_raw(REFERENCE), names)))
    for chart in (ScalingChart(result), AvailabilityChart(result)):
        drawn = svg(chart.fig)
        assert "Cost $\\undefinedmacro{x}$ LB" in drawn and "$5 / $10 tier" in drawn


# --- 6. terminal and leftovers --------------------------------------------------------------------

ESCAPE = "\x1b]0;owned\x07\x1b[2J"


@pytest.mark.parametrize("command", ["validate", "estimate", "analyze"])
def test_escape_sequences_in_a_name_never_reach_the_terminal(command, tmp_path):
    path = write_spec(tmp_path / "evil.yaml", lambda raw: raw.update(name=f"Evil{ESCAPE}"))
    status, out, err = run(command, str(path))
    assert status == 2 and "U+001B" in err
    assert "\x1b" not in out + err and "\x07" not in out + err


def test_whatever_is_printed_is_neutralized(monkeypatch, tmp_path):
    path = tmp_path / f"odd{ESCAPE}.yaml"
    status, _, err = run("validate", str(path))
    assert status == 2 and "\\x1b]0;owned\\x07" in err and "\x1b" not in err
    monkeypatch.setitem(cli.COMMANDS, "examples", (lambda args: print(f"name{ESCAPE}\u202etxt.exe") or 0, "x"))
    status, out, _ = run("examples")
    assert out == "name\\x1b]0;owned\\x07\\x1b[2J\\u202etxt.exe\n"


@pytest.mark.parametrize("system_file", ["/etc/passwd", "/etc/group", "/etc/os-release", "/proc/self/status"])
def test_a_spec_symlinked_to_a_system_file_is_not_echoed(system_file, tmp_path):
    if not Path(system_file).exists():
        pytest.skip(f"{system_file} is not on this system")
    link = tmp_path / "spec.yaml"
    link.symlink_to(system_file)
    status, _, err = run("validate", str(link))
    lines = [line for line in Path(system_file).read_text(errors="replace").splitlines() if len(line) > 6]
    assert status == 2 and err.count("\n") == 1
    assert not any(line in err for line in lines)


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_leftovers_of_a_dead_process_are_cleaned_and_a_live_ones_kept(tmp_path, monkeypatch):
    out = fake_build(tmp_path / "out")
    dead, alive = dead_pid(), os.getpid()
    stale = out / f".staging-{dead}-abc"
    stale.mkdir()
    (stale / "article.md").write_text("half")
    (stale / outdir.MARK).write_text(stale.name)
    running = out / f".staging-{alive}-def"
    running.mkdir()
    (running / outdir.MARK).write_text(running.name)
    outdir.preflight(out)
    assert not stale.exists() and running.exists()
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)
    old_keys = tmp_path / f"designkit-kernels-{dead}-xyz"
    old_keys.mkdir()
    (old_keys / "kernel-0123456789ab.json").write_text('{"key": "secret"}')
    (old_keys / "kernel-0123456789ab-1").write_text("")      # an IPC socket's name
    mine = tmp_path / f"designkit-kernels-{alive}-xyz"
    mine.mkdir()
    users = tmp_path / f"designkit-kernels-{dead}-notes"    # not a kernel folder: kept
    users.mkdir()
    (users / "notes.txt").write_text("mine")
    assert outdir.clean_kernel_dirs() == [old_keys]
    assert not old_keys.exists() and mine.exists() and (users / "notes.txt").read_text() == "mine"


# --- 7. surprises in overrides and sweeps -------------------------------------------------------

def test_a_list_that_reads_as_one_number_is_ambiguous():
    for values in ("5,100", "1,000,000", " 12,345 "):
        with pytest.raises(SpecError, match="ambiguous") as info:
            parse_sweep(f"users={values}")
        assert "put a space after each comma" in str(info.value)
    assert parse_sweep("users=5, 100").texts == ("5", "100")
    assert parse_sweep("users=1M,5,100").texts == ("1M", "5", "100")
    assert parse_sweep("users=1.5,100").texts == ("1.5", "100")


def test_users_on_a_totals_spec_says_what_drives_its_traffic():
    status, _, err = run("validate", "key-value-store", "-p", "users=1 billion")
    assert status == 2 and "scale.reads and scale.writes" in err and "-p scale=10x" in err
    assert run("validate", "key-value-store", "-p", "users=1 billion", "-p", "reads=1M/s")[0] == 0


def test_scale_multiplies_traffic_in_either_form():
    raw = read_raw(EXAMPLES_DIR / "key-value-store.yaml")
    base = estimate(validate(raw).scale)
    tenfold = estimate(validate(apply_overrides(raw, {"scale": "10x"})).scale)
    assert tenfold.read_qps_average == pytest.approx(base.read_qps_average * 10)
    assert tenfold.write_qps_average == pytest.approx(base.write_qps_average * 10)
    assert tenfold.storage_total_bytes == pytest.approx(base.storage_total_bytes * 10)
    per_user = estimate(load_spec("reference").scale)
    half = estimate(load_spec("reference", {"scale": "0.5x"}).scale)
    assert half.users == per_user.users / 2 and half.daily_active_users == per_user.daily_active_users / 2
    assert half.qps_peak == pytest.approx(per_user.qps_peak / 2)
    for bad in ("0x", "-2x", "lots", ".nan"):
        status, _, err = run("estimate", "reference", "-p", f"scale={bad}")
        assert status == 2 and "scale" in err


def test_scale_sweeps_over_both_forms():
    items = plan(["reference", "key-value-store"], [parse_sweep("scale=1x,10x")])
    assert [item.label for item in items] == ["scale=1x", "scale=10x"] * 2
    peaks = [estimate(load_spec(item.path, item.override_dict()).scale).qps_peak for item in items]
    assert peaks[1] == pytest.approx(peaks[0] * 10) and peaks[3] == pytest.approx(peaks[2] * 10)


FIELDS = ["users", "daily_active_users", "requests_per_user_per_day", "read_write_ratio", "peak_factor",
          "record_size", "retention", "response_size", "cache_fraction", "server_qps", "replication_factor",
          "scale", "reads", "name", "summary", "components", "components.Collector API.replicas",
          "components.Event Store.shards", "components.Query Cache.hit_ratio", "components.Nope.replicas",
          "scale.users", "takeaways.concepts", "read_path", "nonsense.deep.field"]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(FIELDS), st.one_of(
    st.text(max_size=20), st.sampled_from(["1e308", "-1", "0", ".inf", ".nan", "1e-300", "10x", "[1, 2]",
                                           "{a: 1}", "null", "~", "&a x", "*a", "!!python/object:os.system",
                                           "1,000", "5 billion", "100:0", "0:0", "yes", "'", "\"", "- x"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr), st.integers().map(str)))
def test_any_override_is_accepted_or_refused_with_exit_2(field, value):
    status, _, err = run("analyze", "reference", "-p", f"{field}={value}")
    assert status in (0, 2), err
    assert "Traceback" not in err


@pytest.mark.slow
def test_what_validate_accepts_builds_with_the_same_structure(reference_build, hostile_build):
    """Class 5 end to end: mathtext names, an image and a dead figure link in prose, escaped pipes,
    carriage returns and script links (conftest.hostile_build, shared with test_build) validate, build,
    and give the reference article's structure."""
    path, _, out, status, err = hostile_build
    assert run("validate", str(path))[0] == 0
    assert status == 0, err
    built = (out / "article.md").read_text(encoding="utf-8")
    reference = reference_build[0].article.read_text(encoding="utf-8")
    def kinds(shape):
        return [(k, "http" if str(t).startswith("https://") else t) for k, t in shape]
    assert kinds(md_structure(plain_figures(built))) == kinds(md_structure(plain_figures(reference)))
    assert ("link_open", "https://example.com/%29%5Bevil%5D%28javascript:alert%281%29%29") in md_structure(built)
    page = (out / "handout.html").read_text(encoding="utf-8")
    assert kinds(dom_structure(page)) == kinds(dom_structure(reference_build[0].handout.read_text(encoding="utf-8")))
    [scaling] = (out / "figures").glob("scaling.*.svg")
    assert "$5 / $10 tier" in scaling.read_text(encoding="utf-8")


@pytest.mark.browser
def test_hostile_prose_leaves_the_handout_dom_as_chromium_builds_it(assets, tmp_path):
    """The handout of a spec whose every prose field is hostile has the reference handout's DOM
    (elements, table row widths, link kinds) in a real browser, and runs no script."""
    from _browser import chromium_page
    pages = {}
    for name, texts in (("reference", ["Plain words"]), ("hostile", SNIPPETS)):
        raw = read_raw(REFERENCE)   # plain words as the reference: see reference_shapes
        spec = validate(with_prose(raw, [t for t in texts if "\t" not in t]))
        page_html = render_handout(article_of(spec), assets_dir=assets)
        path = assets / f"{name}.html"
        path.write_text(page_html, encoding="utf-8")
        pages[name] = path
    shapes, dialogs = {}, []
    with chromium_page() as page:
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for name, path in pages.items():
            page.goto(path.as_uri())
            shapes[name] = page.evaluate(DOM_SHAPE)
    assert table_shapes(shapes["hostile"]) == table_shapes(shapes["reference"])
    assert dialogs == [] and not any(tag.startswith("SCRIPT") for tag in shapes["hostile"])
