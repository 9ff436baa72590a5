"""The ``designkit`` command: parse arguments, make one library call, print, exit.

Exit status: 0 ok, 1 the work failed, 2 bad input or usage.  Heavy modules
(papermill, nbformat, matplotlib, jupyter) are imported only by the subcommands that
need them, so ``designkit estimate`` stays quick.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import sys
from pathlib import Path

from . import __version__
from .errors import DesignkitError


def _spec_arg(parser: argparse.ArgumentParser, default: str | None = None) -> None:
    if default is None:
        parser.add_argument("spec", help="spec file (YAML) or bundled example name, e.g. 'reference'")
    else:
        parser.add_argument("spec", nargs="?", default=default,
                            help=f"spec file (YAML) or bundled example name (default: {default})")


def _overrides_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-p", "--param", action="append", default=[], metavar="FIELD=VALUE",
                        help="override a spec field, e.g. -p users='1 billion' "
                             "-p components.Database.replicas=5 (repeatable)")


def _overrides(args) -> dict:
    from .model.source import check_fixed
    from .model.source import parse_override
    from .model.spec import Scale
    pairs = [parse_override(item) for item in getattr(args, "param", [])]
    check_fixed([key for key, _ in pairs], Scale.model_fields)
    return dict(pairs)


def cmd_validate(args) -> int:
    """Check a spec, then report what a build would warn about (the build's own warnings); with
    --strict any warning fails (exit 1), for CI."""
    from .model.spec import load_spec, source_name
    from .run.build import spec_warnings
    from .views.prose.templating import render_spec
    overrides = _overrides(args)
    spec = load_spec(args.spec, overrides)
    render_spec(spec, source_name(args.spec, overrides))
    warnings = spec_warnings(spec)
    for warning in warnings:
        print(f"designkit validate: warning: {args.spec}: {warning}", file=sys.stderr)
    if not warnings:
        print(f"{args.spec}: ok")
        return 0
    count = f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
    if args.strict:
        print(f"{args.spec}: valid, but {count} (--strict fails on warnings)")
        return 1
    print(f"{args.spec}: valid, with {count}")
    return 0


def cmd_figures(args) -> int:
    from .model.spec import load_spec, source_name
    from .views.prose.templating import listing, render_spec
    overrides = _overrides(args)
    spec = load_spec(args.spec, overrides)
    render_spec(spec, source_name(args.spec, overrides))
    rows = listing(spec)
    width = max(len(name) for name, _, _ in rows)
    said = max(len(value) for _, value, _ in rows)
    print(f"Figures of {spec.name} (write {{{{ name }}}} in any prose field; docs/figures.md)\n")
    for name, value, about in rows:
        print(f"{name:<{width}}  {value:<{said}}  {about}")
    return 0


def cmd_estimate(args) -> int:
    from .views.rows.capacity import capacity_block   # not the article's page: estimate loads no analysis
    from .model.capacity import estimate
    from .model.spec import load_spec
    spec = load_spec(args.spec, _overrides(args))
    cap = estimate(spec.scale)
    if args.json:
        found = cap.to_json()
        if spec.scale.ranges:
            from .model.sensitivity import uncertainty
            found["ranges"] = uncertainty(spec).to_json(analysis=False)
        print(json.dumps(found, indent=2, allow_nan=False))
    else:
        print(f"Capacity estimate: {spec.name}\n")
        print(capacity_block(cap))
        if spec.scale.ranges:
            from .model.sensitivity import uncertainty
            from .views.rows.spread import capacity_part
            intro, lines = capacity_part(uncertainty(spec))
            print("\n" + intro + "\n" + "\n".join(f"- {line}" for line in lines))
    return 0


def cmd_analyze(args) -> int:
    from .model.analysis import analyze
    from .model.spec import load_spec
    from .views.rows.as_markdown import report
    spec = load_spec(args.spec, _overrides(args))
    result = analyze(spec)
    if args.json:
        found = result.to_json()
        if spec.scale.ranges:
            from .model.sensitivity import uncertainty
            found["ranges"] = uncertainty(spec).to_json()
        print(json.dumps(found, indent=2, allow_nan=False))
    else:
        print(report(result))
    return 0


def cmd_practice(args) -> int:
    from .model.practice import bank
    from .model.spec import load_spec
    from .views.prose.practice_text import session
    questions = bank(load_spec(args.spec, _overrides(args)), seed=args.seed)
    if args.json:
        print(json.dumps([x.to_json() for x in questions.questions], indent=2, ensure_ascii=False))
        return 0

    def ask(prompt: str) -> str | None:
        print(prompt, end="", flush=True)
        line = sys.stdin.readline()
        return None if line == "" else line

    session(questions, ask, print)
    return 0


def cmd_assignment(args) -> int:
    from .run.assignment import write_assignment
    made = write_assignment(args.spec, args.format, args.output, seed=args.seed, overrides=_overrides(args))
    count = len(made.questions)
    left = f"; {len(made.left_out)} left out, so that none gives another's answer away" if made.left_out else ""
    print(f"{made.out}: {made.fmt} assignment {made.name!r}, {count} question{'s' if count != 1 else ''}{left}")
    for path in made.files:
        print(f"  {path}")
    print(f"next: docs/practice.md, 'Grading with {made.fmt}'")
    return 0


def cmd_schema(args) -> int:
    from .model.spec import json_schema
    print(json.dumps(json_schema(), indent=2))
    return 0


def _skip_iri_grammar() -> None:
    """In this process only (the designkit command's own), make ``import rfc3987_syntax`` fail.

    jsonschema compiles that optional package's IRI grammar on import, a second and a half of the
    nbformat import that papermill needs; it only checks the "iri" formats, which no notebook schema
    uses.  A None entry in sys.modules is the import system's documented way to refuse an import, and
    jsonschema documents those checkers as present only when their package imports."""
    sys.modules.setdefault("rfc3987_syntax", None)


def cmd_build(args) -> int:
    _skip_iri_grammar()
    from .run.build import build, print_progress
    if not args.all_examples:
        return _build_one(build, args.spec, args.output, args, print_progress)
    from .run.batch import batch_pool
    from .model.spec import example_names
    failures = 0
    with batch_pool() as pool:  # warm kernels shared by every example, reset between notebooks
        for name in example_names():
            out = Path(args.output or "build") / name
            failures += _build_one(build, name, out, args, print_progress, pool=pool)
    return 1 if failures else 0


def _build_one(build, spec, out, args, progress, pool=None) -> int:
    """Build one spec; print warnings and where it went; return 1 on a failed build."""
    from .errors import BuildError
    try:
        result = build(spec, out, _overrides(args), progress=progress, pool=pool)
    except BuildError as exc:
        print(f"designkit build: error: {spec}: {exc}", file=sys.stderr)
        return 1
    for warning in result.warnings:
        print(f"designkit build: warning: {spec}: {warning}", file=sys.stderr)
    print(f"{result.article}\n{result.handout}  ({result.seconds:.1f} s)")
    return 0


def cmd_batch(args) -> int:
    _skip_iri_grammar()
    from .run.batch import run_batch, summary
    result = run_batch(args.specs, args.sweep, _overrides(args), args.output, jobs=args.jobs,
                       resume=args.resume, dask=args.dask, progress=True)
    print(summary(result))
    return 1 if result.failed else 0


def cmd_new(args) -> int:
    from .run.skeleton import write_skeleton
    path = write_skeleton(args.name, Path.cwd(), force=args.force)
    print(f"{path.name}: written; fill in the TODOs, then `designkit build {path.name}`")
    return 0


def cmd_examples(args) -> int:
    from .model.spec import example_names, load_spec
    for name in example_names():
        spec = load_spec(name)
        summary = (spec.summary or "").split(". ")[0].rstrip(".")
        line = f"{spec.name}: {summary}"
        print(f"{name:<22} {line if len(line) <= 96 else line[:95] + '…'}")
    return 0


def cmd_template(args) -> int:
    from .assets import template_text
    sys.stdout.write(template_text())
    return 0


def cmd_lab(args) -> int:
    from .run.lab import lab_command, run_lab, working_copy
    copies = working_copy(args.spec, Path(args.dir) if args.dir else None)
    folder = copies[0].parent
    print(f"{folder}: {len(copies)} notebooks with spec {args.spec!r}; starting JupyterLab (Ctrl-C stops it)",
          flush=True)
    run_lab(lab_command(folder, copies[0], port=args.port, browser=not args.no_browser), folder,
            present=args.present)
    return 0  # pragma: no cover - run_lab replaces this process


def cmd_preview(args) -> int:
    from .run.preview import serve
    try:
        serve(args.spec, _overrides(args), port=args.port, browser=not args.no_browser,
              say=lambda line: print(line, flush=True))
    except KeyboardInterrupt:
        print("designkit preview: stopped", file=sys.stderr)
    return 0


COMMANDS = {
    "validate": (cmd_validate, "check a spec file and say what is wrong, then what a build would warn "
                               "about (or 'ok'); --strict fails on warnings"),
    "figures": (cmd_figures, "list the figures prose may write as {{ name }}, with today's values"),
    "estimate": (cmd_estimate, "back-of-the-envelope capacity: QPS, storage, bandwidth, servers"),
    "analyze": (cmd_analyze, "scaling thresholds, queueing, availability and failure scenarios"),
    "practice": (cmd_practice, "estimation practice from a spec: questions, hints, a score (--json: the bank)"),
    "assignment": (cmd_assignment, "practice as an nbgrader or otter-grader assignment, graded with tolerance"),
    "schema": (cmd_schema, "print the JSON Schema of spec files (for editors)"),
    "build": (cmd_build, "run the 9 section notebooks and write article.md, handout.html, figures"),
    "batch": (cmd_batch, "build many specs and sweep points, e.g. --sweep users=1M,10M,100M,1B; writes an index"),
    "new": (cmd_new, "write a spec skeleton with every field, e.g. designkit new 'Chat System'"),
    "examples": (cmd_examples, "list the bundled example specs"),
    "template": (cmd_template, "print the outline (Markdown template) every article follows"),
    "lab": (cmd_lab, "open JupyterLab on a working copy of the notebooks, with live sliders for a spec"),
    "preview": (cmd_preview, "serve a spec's handout on 127.0.0.1 and update the open page on every save"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="designkit",
        description="Turn a system spec into numbers-backed 'Design <System>' articles.")
    parser.add_argument("--version", action="version", version=f"designkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("validate", help=COMMANDS["validate"][1], description=COMMANDS["validate"][1])
    _spec_arg(p)
    _overrides_arg(p)
    p.add_argument("--strict", action="store_true",
                   help="exit 1 when there is any warning (placeholders, over capacity, frozen figures), for CI")

    p = sub.add_parser("figures", help=COMMANDS["figures"][1], description=COMMANDS["figures"][1])
    _spec_arg(p)
    _overrides_arg(p)

    p = sub.add_parser("estimate", help=COMMANDS["estimate"][1], description=COMMANDS["estimate"][1])
    _spec_arg(p)
    _overrides_arg(p)
    p.add_argument("--json", action="store_true", help="print one JSON object (SI units)")

    p = sub.add_parser("analyze", help=COMMANDS["analyze"][1], description=COMMANDS["analyze"][1])
    _spec_arg(p)
    _overrides_arg(p)
    p.add_argument("--json", action="store_true", help="print one JSON object (SI units)")

    p = sub.add_parser("practice", help=COMMANDS["practice"][1], description=COMMANDS["practice"][1])
    _spec_arg(p)
    _overrides_arg(p)
    p.add_argument("--seed", type=int, metavar="N", help="your own numbers: a variation of the spec's scale")
    p.add_argument("--json", action="store_true", help="print the question bank as a JSON list")

    p = sub.add_parser("assignment", help=COMMANDS["assignment"][1], description=COMMANDS["assignment"][1])
    _spec_arg(p)
    _overrides_arg(p)
    p.add_argument("--format", required=True, choices=("nbgrader", "otter"), help="the grader your course uses")
    p.add_argument("-o", "--output", metavar="DIR",
                   help="output folder (default: build/assignment/<name>-<format>/)")
    p.add_argument("--seed", type=int, metavar="N", help="a variation of the spec's scale, as for practice")

    p = sub.add_parser("schema", help=COMMANDS["schema"][1], description=COMMANDS["schema"][1])

    p = sub.add_parser("build", help=COMMANDS["build"][1], description=COMMANDS["build"][1])
    _spec_arg(p, default="reference")
    p.add_argument("-o", "--output", metavar="DIR",
                   help="output folder (default: build/<slug>/; with --all-examples: DIR/<example>/, DIR defaults to build)")
    _overrides_arg(p)
    p.add_argument("--all-examples", action="store_true", help="build every bundled example")

    p = sub.add_parser("batch", help=COMMANDS["batch"][1], description=COMMANDS["batch"][1])
    p.add_argument("specs", nargs="+", metavar="SPEC", help="spec files (YAML) or bundled example names")
    p.add_argument("--sweep", action="append", default=[], metavar="FIELD=V1,V2,...",
                   help="one article per value, parsed like -p values; several --sweep flags make a cross "
                        "product, e.g. --sweep users=1M,10M,100M,1B")
    _overrides_arg(p)
    p.add_argument("-j", "--jobs", type=int, metavar="N",
                   help="items built at once (default 2, on one shared pool of warm kernels; "
                        "with --dask: items in flight, default all)")
    p.add_argument("-o", "--output", metavar="DIR", default="build/batch",
                   help="output folder: DIR/<spec>/<sweep point>/ per item, DIR/index.html (default: build/batch)")
    p.add_argument("--resume", action="store_true",
                   help="skip items whose spec, overrides, notebooks and designkit version are unchanged")
    p.add_argument("--dask", metavar="ADDRESS",
                   help="build on an existing Dask scheduler, e.g. tcp://10.0.0.5:8786 (pip install 'designkit[dask]')")

    p = sub.add_parser("new", help=COMMANDS["new"][1], description=COMMANDS["new"][1])
    p.add_argument("name", help="the system's name, e.g. 'Chat System' (writes chat-system.yaml)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")

    p = sub.add_parser("examples", help=COMMANDS["examples"][1], description=COMMANDS["examples"][1])

    p = sub.add_parser("template", help=COMMANDS["template"][1], description=COMMANDS["template"][1])

    p = sub.add_parser("lab", help=COMMANDS["lab"][1], description=COMMANDS["lab"][1])
    _spec_arg(p, default="reference")
    p.add_argument("--port", type=int, metavar="N", help="port for JupyterLab (default: its own, 8888 or next free)")
    p.add_argument("--no-browser", action="store_true", help="do not open a web browser (print the URL)")
    p.add_argument("--present", action="store_true",
                   help="open every panel in presentation mode: 18 px+ controls and text, sharp full-width charts")
    p.add_argument("--dir", metavar="DIR",
                   help="folder for the working copy (default: build/lab/<slug>/; overwritten each time)")

    p = sub.add_parser("preview", help=COMMANDS["preview"][1], description=COMMANDS["preview"][1])
    _spec_arg(p)
    _overrides_arg(p)
    p.add_argument("--port", type=int, metavar="N", help="port on 127.0.0.1 (default: 8765, or a free one)")
    p.add_argument("--no-browser", action="store_true", help="do not open a web browser (print the URL)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status.  Output goes through a filter that shows control
    characters as ``\\xNN`` (spec text cannot retitle or clear a terminal); any error is one line
    (``DESIGNKIT_DEBUG=1`` adds the traceback of an unexpected one)."""
    from .terminal import guarded_streams
    for stream in (sys.stdout, sys.stderr):  # a terminal that cannot show a character gets \xe9, not an error
        with contextlib.suppress(AttributeError, ValueError, OSError):
            if (getattr(stream, "encoding", None) or "").lower().replace("-", "") not in ("utf8", "utf16", "utf32"):
                stream.reconfigure(errors="backslashreplace")
    with guarded_streams():
        parser = build_parser()
        args = parser.parse_args(argv)
        return _run(args, standalone=argv is None)


_BAD_INPUT = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ELOOP, errno.ENOENT, errno.ENOTDIR, errno.EISDIR,
              errno.EEXIST, errno.ENAMETOOLONG}
"""OSErrors that mean the user's input or folder is unusable (exit 2); any other (a full disk) is 1."""


def _run(args, standalone: bool = False) -> int:
    import os
    func = COMMANDS[args.command][0]
    try:
        try:
            status = func(args)
            if standalone:  # done: a Ctrl-C while the interpreter winds down (a quarter second after a
                _ignore_ctrl_c()    # build) would kill it by the signal, as if the finished work had failed
            sys.stdout.flush()
            return status
        except DesignkitError as exc:
            print(f"designkit {args.command}: error: {exc}", file=sys.stderr)
            return exc.exit_code
        except KeyboardInterrupt:
            if standalone:  # the process is ending: a second Ctrl-C (or one sent to the kernels' group) is moot
                _ignore_ctrl_c()
            print(f"designkit {args.command}: interrupted; nothing half-written was kept", file=sys.stderr)
            if standalone:  # cleanup already ran (finally blocks); kernel threads must not keep us alive
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(130)
            return 130
        except BrokenPipeError:
            from .terminal import silence_stdout
            silence_stdout()  # `designkit analyze | head`: the reader left; say nothing more
            return 1
        except OSError as exc:  # the file system said no: a read-only folder, a loop of symlinks, a full disk
            where = f"{exc.filename}: " if exc.filename else ""
            print(f"designkit {args.command}: error: {where}{exc.strerror or exc}", file=sys.stderr)
            return 2 if exc.errno in _BAD_INPUT else 1
        except Exception as exc:  # noqa: BLE001 - the one catch-all: one line, never a traceback
            if os.environ.get("DESIGNKIT_DEBUG") == "1":
                import traceback
                traceback.print_exc()
            first = (str(exc).strip().splitlines() or [""])[0][:300]
            print(f"designkit {args.command}: error: unexpected {type(exc).__name__}: {first} "
                  "(this is a bug in designkit; DESIGNKIT_DEBUG=1 shows the traceback)", file=sys.stderr)
            return 1
    except KeyboardInterrupt:  # a second Ctrl-C while the first was being reported
        if standalone:
            _ignore_ctrl_c()
        return 130


def _ignore_ctrl_c() -> None:
    """The command's process is ending (its work done, or interrupted and cleaned up): a Ctrl-C now
    changes nothing, so it is ignored rather than let kill the process by the signal."""
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
