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
    """`designkit estimate` is run while thinking: no jupyter, papermill or matplotlib on its path."""
    code = ("import sys; from designkit.cli import main; main(['estimate', 'reference']); "
            "main(['validate', 'reference']); "
            "heavy = [m for m in ('papermill', 'nbformat', 'nbclient', 'matplotlib', 'jupyter_client', "
            "'ipywidgets', 'IPython', 'numpy') if m in sys.modules]; print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "HEAVY []" in out.stdout, out.stdout + out.stderr
