"""The docs cannot drift from the CLI: every `designkit ...` command they show runs, every relative link resolves."""

from __future__ import annotations

import ast

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import mistune
import pytest

from designkit.sections import SECTIONS
from designkit.views.pages.handout import heading_ids

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

"""docs/ pages other branches are writing now: links to them may dangle until those branches merge."""

SHELL_BLOCKS = {"bash", "sh", "shell"}   # every line is a command
CONSOLE_BLOCKS = {"console"}             # lines starting with "$ " are commands, the rest output
HEAVY = {"build", "batch"}               # run notebooks: the slow test runs them
COMMAND = re.compile(r"^(?:python3 -m )?designkit(?:\s|$)")
EXPECTED_EXIT = re.compile(r"#.*\bexit (\d+)\s*$")


@dataclass(frozen=True)
class Command:
    doc: str      # file it is shown in, relative to the repository
    line: int     # line of the code block it starts on
    text: str     # the shell command (continuations joined, the comment kept)
    expected: int

    @property
    def argv(self) -> list[str]:
        words = shlex.split(self.text, comments=True)
        words = words[2:] if words[0] == "python3" else words
        return words[1:]  # after "designkit"

    @property
    def subcommand(self) -> str | None:
        return next((word for word in self.argv if not word.startswith("-")), None)

    def __str__(self) -> str:
        return f"{self.doc}:{self.line}: {self.text}"


def code_blocks(text: str):
    """(info string, first line number, lines) of each fenced code block; longer fences nest shorter ones."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = re.match(r"^(`{3,}|~{3,})\s*([\w-]*)", lines[index])
        if not opening:
            index += 1
            continue
        fence, info, start = opening.group(1), opening.group(2).lower(), index + 1
        index += 1
        while index < len(lines) and not re.match(rf"^{fence[0]}{{{len(fence)},}}\s*$", lines[index]):
            index += 1
        yield info, start + 1, lines[start:index]
        index += 1


def _logical_lines(lines: list[str], first: int):
    """(line number, text) with backslash continuations joined."""
    pending, start = "", first
    for number, line in enumerate(lines, first):
        if not pending:
            start = number
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        yield start, pending + line
        pending = ""


def commands_in(path: Path, root: Path = ROOT) -> list[Command]:
    """The designkit commands shown in the bash and console blocks of one Markdown file, in order."""
    found = []
    doc = str(path.relative_to(root))
    for info, first, lines in code_blocks(path.read_text(encoding="utf-8")):
        if info not in SHELL_BLOCKS | CONSOLE_BLOCKS:
            continue
        for number, line in _logical_lines(lines, first):
            line = line.strip()
            if info in CONSOLE_BLOCKS:
                if not line.startswith("$ "):
                    continue
                line = line[2:].strip()
            if not line or line.startswith("#"):
                continue
            for part in (p.strip() for p in line.split("&&")):  # "pip install -e . && designkit build"
                if COMMAND.match(part):
                    exit_match = EXPECTED_EXIT.search(part)
                    found.append(Command(doc, number, part, int(exit_match.group(1)) if exit_match else 0))
    return found


ALL = [command for path in DOCS for command in commands_in(path)]


def _env() -> dict:
    """This tree's designkit for every command, the console script's included."""
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _shell(text: str, folder: Path, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-o", "pipefail", "-c", text], cwd=folder, env=_env(), capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def _check(command: Command, status, stdout: str, stderr: str) -> None:
    """A command exits with the status the docs show; an error says so in one message, never a traceback."""
    assert status == command.expected, (
        f"{command}\nexit {status}, the docs show {command.expected}\n{stdout[-2000:]}\n{stderr[-2000:]}")
    assert "Traceback" not in stderr, f"{command}\n{stderr}"
    if command.expected:
        assert "error" in stderr, f"{command}\n{stderr}"


def run_in_shell(command: Command, folder: Path, timeout: float) -> None:
    """Run one command exactly as a reader would, through bash and the console script, in `folder`."""
    done = _shell(command.text, folder, timeout)
    _check(command, done.returncode, done.stdout, done.stderr)


# One interpreter runs the quick commands through the console script's own entry point,
# designkit.cli.main, page by page in order: each command would otherwise pay ~0.5 s of imports.
RUNNER = """\
import contextlib, io, json, os, sys, traceback
from pathlib import Path
from designkit.cli import main
from designkit.run.lab import working_copy

def call(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as stop:  # argparse: --help, usage errors
            status = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
        except BaseException:
            traceback.print_exc()
            status = "traceback"
    return status, out.getvalue(), err.getvalue()

results = []
for folder, argv, target, lab in json.load(sys.stdin):
    os.chdir(folder)  # this interpreter's own, single-threaded: a reader's shell in the page's folder
    status, out, err = call(argv + ["--help"] if lab else argv)
    if target:
        Path(target).write_text(out)
    if lab and status == 0 and "usage: designkit lab" not in out:
        status = "no usage text from --help"
    if lab == "copy" and status == 0:  # what `designkit lab` opens, without starting the server
        args = __import__("designkit.cli").cli.build_parser().parse_args(argv)
        out = json.dumps([str(p.resolve()) for p in working_copy(args.spec, Path(args.dir) if args.dir else None)])
    results.append([status, out, err])
json.dump(results, sys.__stdout__)
"""


def run_in_process(pages: dict[str, list[Command]], tmp_path: Path, *, working_copies: bool = False) -> list[str]:
    """Run each page's quick commands in order, in a fresh folder per page; the problems found.

    `designkit lab ...` runs as `... --help`; with working_copies, its working copy is written too.
    """
    jobs, folders = [], {}
    for doc, commands in pages.items():
        folders[doc] = tmp_path / doc.replace("/", "-")
        folders[doc].mkdir()
        for command in commands:
            argv = command.argv
            assert "|" not in argv and "<" not in argv, f"{command}: only `> file` is supported in quick commands"
            target = None
            if ">" in argv:
                argv, target = argv[:argv.index(">")], argv[argv.index(">") + 1]
            lab = command.subcommand == "lab" and "--help" not in argv and ("copy" if working_copies else "help")
            jobs.append((command, [str(folders[doc]), argv, target, lab]))
    done = subprocess.run([sys.executable, "-c", RUNNER], cwd=tmp_path, env=_env(),
                          input=json.dumps([job for _, job in jobs]), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    problems = []
    for (command, (folder, _, _, lab)), (status, stdout, stderr) in zip(jobs, json.loads(done.stdout)):
        try:
            _check(command, status, stdout, stderr)
            if lab == "copy":
                copies = [Path(path) for path in json.loads(stdout)]
                assert [path.name for path in copies] == [section.filename for section in SECTIONS], command
                assert all(Path(folder).resolve() in path.parents for path in copies), f"{command}: copy elsewhere"
        except AssertionError as failure:
            problems.append(str(failure))
    return problems


# -- the collection itself ----------------------------------------------------------------------


def test_the_docs_show_commands_and_the_parser_finds_them():
    docs = {command.doc for command in ALL}
    assert {"README.md", "docs/spec.md", "docs/numbers.md", "docs/batch.md"} <= docs
    assert any(c.text == "designkit build" for c in ALL if c.doc == "README.md")  # after "pip install -e . &&"
    assert any(c.expected == 2 for c in ALL)  # an error example
    continued = next(c for c in ALL if c.subcommand == "batch")
    assert "--sweep users=10M,100M,1B,10B" in continued.text and "-o build/sweep" in continued.text
    assert shutil.which("designkit"), "the designkit console script is not on PATH"


def test_commands_outside_shell_blocks_are_flagged(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("```console\n$ designkit examples\nchat-system  Chat\n$ designkit new x  # exit 2\n```\n"
                    "````markdown\n```bash\ndesignkit nested\n```\n````\n```\ndesignkit validate x\n```\n")
    # nested in a Markdown example and plain blocks are not run; the lint below reports the plain one
    commands = [(c.text, c.expected) for c in commands_in(page, tmp_path)]
    assert commands == [("designkit examples", 0), ("designkit new x  # exit 2", 2)]
    assert unshown_commands(page) == ["page.md:12: designkit validate x"]


def unshown_commands(path: Path) -> list[str]:
    """designkit commands in plain or text blocks, which no test runs (output lines say 'designkit x:')."""
    odd = []
    for info, first, lines in code_blocks(path.read_text(encoding="utf-8")):
        if info in SHELL_BLOCKS | CONSOLE_BLOCKS or info not in ("", "text"):
            continue
        for number, line in enumerate(lines, first):
            if COMMAND.match(line.strip()) and not re.match(r"^designkit [\w-]+:", line.strip()):
                odd.append(f"{path.name}:{number}: {line.strip()}")
    return odd


def test_commands_are_shown_where_the_test_runs_them():
    assert [line for path in DOCS for line in unshown_commands(path)] == []


# -- running them -------------------------------------------------------------------------------


def test_quick_commands_in_the_docs_work(tmp_path):
    """Each page's commands that run no notebook, in order, in a fresh folder per page (a later one
    may use what an earlier one wrote, as a reader's would)."""
    pages: dict[str, list[Command]] = {}
    for command in ALL:
        if command.subcommand not in HEAVY:
            pages.setdefault(command.doc, []).append(command)
    assert len(pages) >= 4 and sum(map(len, pages.values())) >= 15
    assert run_in_process(pages, tmp_path) == []


def test_a_command_that_does_not_do_what_the_docs_show_is_reported():
    shown = Command("x.md", 1, "designkit estimate reference", 0)
    error = Command("x.md", 2, "designkit validate x.yaml  # exit 2", 2)
    _check(shown, 0, "Users: 100 million", "")
    _check(error, 2, "", "designkit validate: error: x.yaml: no such file")
    for command, status, stderr, says in [
            (shown, 2, "designkit estimate: error: ...", "exit 2, the docs show 0"),
            (error, 0, "", "exit 0, the docs show 2"),
            (shown, 0, "Traceback (most recent call last):", "Traceback"),
            (error, 2, "Traceback (most recent call last):\n  ...error", "Traceback")]:
        with pytest.raises(AssertionError, match=re.escape(says)):
            _check(command, status, "", stderr)


def test_the_console_script_runs_the_docs_commands(tmp_path):
    """The quick commands run through cli.main; one through bash and the real script shows they are the same."""
    command = next(c for c in ALL if c.subcommand == "estimate" and c.expected == 0)
    run_in_shell(command, tmp_path, 120)
    error = next(c for c in ALL if c.expected != 0)
    run_in_shell(error, tmp_path, 120)


@pytest.mark.slow
def test_lab_working_copies_in_the_docs(tmp_path):
    """What each `designkit lab ...` shown would open: nine notebooks with the spec selected
    (nbformat's validation makes this a few CPU seconds, so it is not in the fast loop)."""
    labs = [command for command in ALL if command.subcommand == "lab" and "--help" not in command.argv]
    assert labs
    assert run_in_process({"lab": labs}, tmp_path, working_copies=True) == []


def same_run(command: Command) -> str:
    """What a command does, as the parser reads it: `designkit build` and `designkit build reference`
    (the default spec), or a command aligned differently, are one run."""
    from designkit.cli import build_parser
    return repr(sorted(vars(build_parser().parse_args(command.argv)).items()))


@pytest.mark.slow
def test_builds_and_batches_in_the_docs_work(tmp_path, request):
    """Every build and batch the docs show, in one folder: a command shown twice (or spelled
    differently) runs once, and the `--resume` run finds the batch before it.  The sweep the docs
    show is the session's run of it (conftest.docs_sweep, test_batch reads it too), copied in."""
    from conftest import DOCS_SWEEP
    sweep = same_run(Command("conftest.py", 0, DOCS_SWEEP, 0))
    assert sweep in {same_run(c) for c in ALL if c.subcommand in HEAVY}, "the docs no longer show conftest.DOCS_SWEEP"
    done = set()
    for command in ALL:
        same = same_run(command) if command.subcommand in HEAVY else None
        if same is None or same in done:
            continue
        if same == sweep:   # run as a reader runs it, in a folder of its own: bring its build/sweep here
            folder, finished, _ = request.getfixturevalue("docs_sweep")
            _check(command, finished.returncode, finished.stdout, finished.stderr)
            shutil.copytree(folder / "build" / "sweep", tmp_path / "build" / "sweep")
        else:
            run_in_shell(command, tmp_path, timeout=900)
        done.add(same)
    assert (tmp_path / "build" / "analytics-event-collector" / "article.md").is_file()
    assert (tmp_path / "build" / "sweep" / "index.html").is_file()


# -- links ---------------------------------------------------------------------------------------


def _links(markdown: str):
    """Link and image targets in document order; code spans and blocks hold none."""
    def walk(tokens):
        for token in tokens:
            if token["type"] in ("link", "image"):
                yield token["attrs"]["url"]
            yield from walk(token.get("children", []))
    return walk(mistune.create_markdown(renderer=None, plugins=["table"])(markdown))


def broken_links(path: Path) -> list[str]:
    broken = []
    for url in _links(path.read_text(encoding="utf-8")):
        parts = urlsplit(url)
        if parts.scheme or url.startswith("//"):
            continue  # http(s), mailto: not checked offline
        target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
        if not target.exists():
            broken.append(f"{path.name}: {url} (no such file)")
            continue
        if parts.fragment and target.suffix == ".md" and parts.fragment not in heading_ids(target.read_text()):
            broken.append(f"{path.name}: {url} (no such heading)")
    return broken


def test_every_relative_link_resolves():
    links = [url for path in DOCS for url in _links(path.read_text(encoding="utf-8"))]
    assert "docs/index.md" in links and len(links) > 20
    assert [problem for path in DOCS for problem in broken_links(path)] == []


def test_the_index_lists_every_docs_page():
    index = set(_links((ROOT / "docs" / "index.md").read_text()))
    assert {path.name for path in (ROOT / "docs").glob("*.md")} - {"index.md"} <= index  # a complete TOC


def test_readme_is_a_five_minute_read():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    assert "python3 -m pip install -e . && designkit build" in readme
    assert 'python3 -m pip install -e ".[test]" && python3 -m pytest -n auto' in readme
    assert "`designkit template`" in readme


def test_a_broken_link_is_reported(tmp_path):
    (tmp_path / "docs").mkdir()
    page = tmp_path / "docs" / "page.md"
    page.write_text("# Title\n\n[ok](#title) [gone](missing.md) [bad anchor](#nope) [web](https://x.org/)\n"
                    "`[code](not-a-link.md)`\n")
    assert broken_links(page) == ["page.md: missing.md (no such file)", "page.md: #nope (no such heading)"]


def _modules() -> set[str]:
    """Every module of the package: each .py file but a package's __init__ that holds only a docstring."""
    found = set()
    for path in (ROOT / "designkit").rglob("*.py"):
        body = ast.parse(path.read_text(encoding="utf-8")).body
        if path.name == "__init__.py" and all(isinstance(n, ast.Expr) for n in body):
            continue
        found.add(path.relative_to(ROOT).as_posix())
    return found


def test_internals_lists_every_module_where_it_lives():
    text = (ROOT / "docs" / "internals.md").read_text(encoding="utf-8")
    listed = text.split("## Every module", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"^- `(designkit/[\w/]+\.py)`: \S", listed, re.M))
    assert sorted(_modules() - named) == []          # a module the list leaves out
    assert sorted(named - _modules()) == []          # a module that is not where the list says
