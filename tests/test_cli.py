"""The designkit command: version, help, exit codes, and the estimate's output."""

import json
import subprocess
import sys

import pytest

from designkit import __version__
from designkit.model.capacity import JSON_KEYS
from designkit.cli import build_parser, main


def run(*args):
    return subprocess.run([sys.executable, "-m", "designkit", *args], capture_output=True, text=True)


def subcommands():
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)


def test_version():
    out = run("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"designkit {__version__}"


@pytest.mark.parametrize("command", subcommands())
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: designkit " + command in capsys.readouterr().out


def test_usage_errors_exit_2(capsys):
    for argv in ([], ["frobnicate"], ["estimate"], ["estimate", "reference", "--bogus"]):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2


def test_estimate_text_reads_like_the_template():
    out = run("estimate", "reference")
    assert out.returncode == 0, out.stderr
    for line in ("Users:           100 million", "Daily active:    10 million", "Requests/day:    ~1 billion",
                 "QPS (average):   ~12K", "QPS (peak):      ~46K (4x average)", "- Daily growth:  500 GB",
                 "- 5-year total:  ~0.91 PB"):
        assert line in out.stdout


def test_estimate_json_matches_the_library():
    out = run("estimate", "reference", "--json")
    data = json.loads(out.stdout)
    assert list(data) == list(JSON_KEYS)
    assert data["qps_peak"] == pytest.approx(46481.481, rel=1e-6)   # 1.004e9 / 86,400 x 4
    assert data["storage_total_bytes"] == pytest.approx(9.13125e14)
    assert data["retention_days"] == 1826.25
    assert data["servers_needed"] == 24


def test_estimate_with_overrides():
    data = json.loads(run("estimate", "reference", "--json", "-p", "users=1 billion",
                          "-p", "daily_active_users=100 million").stdout)
    assert data["requests_per_day"] == pytest.approx(1.004e10)   # 10x: 1e10 writes + 4e7 dashboard reads
    bad = run("estimate", "reference", "-p", "peak_factor=lots")
    assert bad.returncode == 2 and "scale.peak_factor" in bad.stderr and "Traceback" not in bad.stderr


def test_validate_says_ok():
    out = run("validate", "reference")
    assert out.returncode == 0 and out.stdout.strip() == "reference: ok"


def test_estimate_imports_nothing_heavy():
    """`designkit estimate` is run while thinking: no jupyter, papermill, matplotlib or analysis on its path."""
    heavy = ("papermill", "nbformat", "nbclient", "matplotlib", "jupyter_client", "ipywidgets", "IPython")
    code = ("import sys; from designkit.cli import main; main(['estimate', 'reference']); "
            f"heavy = [m for m in {heavy + ('numpy', 'designkit.model.analysis')!r} if m in sys.modules]; "
            "print('HEAVY', heavy); "
            # validate analyses the spec at several scales (exact path percentiles use NumPy), no Jupyter
            f"main(['validate', 'reference']); "
            f"heavy = [m for m in {heavy!r} if m in sys.modules]; print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.count("HEAVY []") == 2, out.stdout + out.stderr


# --- validate reports what the build would warn about -------------------------------------------

def test_validate_warns_on_an_untouched_skeleton_and_strict_fails(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "Chat System"]) == 0
    capsys.readouterr()
    assert main(["validate", "chat-system.yaml"]) == 0
    out = capsys.readouterr()
    warnings = out.err.splitlines()
    assert len(warnings) > 20 and all(line.startswith("designkit validate: warning: chat-system.yaml: ")
                                      for line in warnings)
    assert "designkit validate: warning: chat-system.yaml: summary: still a placeholder; " \
           "the article shows it as written" in warnings
    assert out.out.strip() == f"chat-system.yaml: valid, with {len(warnings)} warnings"
    assert main(["validate", "chat-system.yaml", "--strict"]) == 1
    strict = capsys.readouterr()
    assert strict.err.splitlines() == warnings and "--strict fails on warnings" in strict.out
    assert "Traceback" not in out.err + strict.err
    from designkit.model.spec import load_spec
    from designkit.run.build import spec_warnings
    assert [f"designkit validate: warning: chat-system.yaml: {w}"
            for w in spec_warnings(load_spec("chat-system.yaml"))] == warnings   # the build's own list


@pytest.mark.parametrize("name", ["reference", "url-shortener", "key-value-store"])
def test_validate_strict_passes_a_clean_example(name, capsys):
    assert main(["validate", name, "--strict"]) == 0
    out = capsys.readouterr()
    assert out.out.strip() == f"{name}: ok" and out.err == ""


def test_validate_warns_on_a_component_over_capacity(capsys):
    """Event Store with one copy: 64 nodes of 20 TB hold 1.28 PB; 5 years of 500-byte events, three
    copies, are 1e9 x 500 x 1,826.25 x 3 = 2.739 PB: 2.14x what they hold."""
    assert main(["validate", "reference", "-p", "components.Event Store.replicas=1"]) == 0
    out = capsys.readouterr()
    assert out.err.splitlines() == [
        "designkit validate: warning: reference: components.Event Store: over capacity at the spec's own "
        "scale: its data is 2.1x what its 64 nodes hold (next step: sharding)"]
    assert out.out.strip() == "reference: valid, with 1 warning"
    assert main(["validate", "reference", "--strict", "-p", "components.Event Store.replicas=1"]) == 1
    capsys.readouterr()
    # one node, just over: the dashboards' 4 million reads a day peak at 4e6 / 86,400 x 4 = 185/s,
    # on one node of 170/s: 109%
    assert main(["validate", "reference", "-p", "components.Query API.replicas=1",
                 "-p", "components.Query API.capacity=170/s"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "designkit validate: warning: reference: components.Query API: over capacity at the spec's own "
        "scale: its peak requests are 109% of what its 1 node sustains (next step: add replicas)"]


def test_validate_bad_spec_still_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: X\nscale: {users: lots}\n")
    assert main(["validate", str(bad), "--strict"]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "scale.users" in err and "Traceback" not in err


def test_a_ctrl_c_after_the_work_is_done_cannot_undo_it():
    """The `designkit` command, its work done, ignores SIGINT while the interpreter winds down (a
    quarter second after a build): the finished command exits with its status, not killed by the
    signal.  Checked in the process as the console script runs it (the command is `main()`)."""
    code = ("import os, signal, sys\n"
            "sys.argv = ['designkit', 'estimate', 'reference']\n"
            "from designkit.cli import main\n"
            "status = main()\n"
            "print('ignored' if signal.getsignal(signal.SIGINT) is signal.SIG_IGN else 'default', file=sys.stderr)\n"
            "os.kill(os.getpid(), signal.SIGINT)\n"
            "sys.exit(status)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr.strip()) == (0, "ignored"), done.stderr
    assert "QPS" in done.stdout, done.stdout
    in_process = subprocess.run([sys.executable, "-c", "import signal; from designkit.cli import main; "
                                 "main(['estimate', 'reference']); "
                                 "print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)"],
                                capture_output=True, text=True, timeout=60)
    assert in_process.stdout.strip().endswith("True"), "main(argv) from a program leaves its handler alone"
