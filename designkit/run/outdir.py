"""The output folder is the user's: what a build may touch there, checked before any notebook runs.

A build writes a manifest (``.designkit-manifest.json``) of the files it wrote.  It refuses root,
the home folder, a file, an unwritable folder, symlinked outputs, and any non-empty folder without
a manifest; a later build removes only files the manifest lists.  Staging folders and kernel
temp folders carry their owner's process id, so a killed build's leftovers are removed by the
next one (and only once that process is gone).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from .. import __version__
from ..errors import BuildError, SpecError

MANIFEST = ".designkit-manifest.json"
STAGING = ".staging-"                 # DIR/.staging-<pid>-*: a build in progress
KERNEL_DIRS = "designkit-kernels-"    # $TMPDIR/designkit-kernels-<pid>-*: connection files (with keys)
OUTPUTS = ("figures", "notebooks", "handout.html", "article.md")
_OWNED = re.compile(r"^(?:\.staging-|\.batch-|designkit-kernels-)(\d+)-")


class OutputError(SpecError):
    """The output folder cannot be used safely (exit status 2, nothing written)."""

    def __init__(self, out: Path, what: str):
        super().__init__(str(out), what)


def owner_alive(name: str) -> bool:
    """True unless ``name`` carries the id of a process that is gone (unknown names count as alive)."""
    match = _OWNED.match(name)
    if not match:
        return True
    try:
        os.kill(int(match.group(1)), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


def clean_stale(folder: Path, prefix: str) -> list[Path]:
    """Remove folder/<prefix><pid>-* whose owner process is gone; the paths removed."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in Path(folder).iterdir():
            if entry.name.startswith(prefix) and not entry.is_symlink() and entry.is_dir() \
                    and not owner_alive(entry.name):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    return removed


def clean_kernel_dirs() -> list[Path]:
    """Kernel connection folders left in the temp folder by a killed designkit process."""
    return clean_stale(Path(tempfile.gettempdir()), KERNEL_DIRS)


def read_manifest(out: Path) -> list[str] | None:
    """The files an earlier build wrote into out (relative paths), or None when it has no manifest."""
    try:
        record = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        raise OutputError(out, f"{MANIFEST} is unreadable; it is how designkit knows what it wrote "
                               "here: remove the folder's designkit files by hand or choose another") from None
    files = record.get("files") if isinstance(record, dict) else None
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise OutputError(out, f"{MANIFEST} does not list files; choose another output folder")
    return files


def write_manifest(folder: Path, files: list[str]) -> None:
    """The manifest of what a build wrote (sorted relative paths), into folder."""
    record = {"designkit": __version__, "files": sorted(files)}
    (folder / MANIFEST).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


def forbidden(out: Path) -> str | None:
    """Why out may never be an output folder (root, home, or a folder above home), or None."""
    real = out.resolve()
    home = Path.home().resolve()
    if real == Path(real.anchor):
        return "is the root of the file system; choose a folder of its own, e.g. build/"
    if real == home or home.is_relative_to(real):
        return "is your home folder (or holds it); choose a folder of its own, e.g. build/"
    return None


def old_build(out: Path, entries: list[Path]) -> list[str] | None:
    """The files of a build made before manifests existed (only its own outputs, figures as SVG,
    article.md with designkit's front matter), or None when the folder is anything else."""
    names = {e.name for e in entries}
    if "article.md" not in names or not names <= {*OUTPUTS, ".designkit-inputs.json"}:
        return None
    try:
        if not (out / "article.md").read_text(encoding="utf-8")[:64].startswith("---\nlayout:"):
            return None
    except (OSError, UnicodeDecodeError):
        return None
    files = [e.name for e in entries if e.is_file() and not e.is_symlink()]
    for folder, pattern in (("figures", r"[a-z0-9][a-z0-9-]*\.svg"), ("notebooks", r"\d\d_[a-z0-9_]+\.ipynb")):
        path = out / folder
        if path.is_symlink():
            return None
        if path.is_dir():
            for child in path.iterdir():
                if not (child.is_file() and not child.is_symlink() and re.fullmatch(pattern, child.name)):
                    return None
                files.append(f"{folder}/{child.name}")
    return files


def preflight(out: Path, *, outputs: tuple[str, ...] = OUTPUTS, legacy=old_build) -> bool:
    """Check out before any work: usable, ours or empty, no symlinked outputs; True when it is new.

    Removes the stale staging folders of killed builds first (they are ours, whoever made them).
    """
    reason = forbidden(out)
    if reason:
        raise OutputError(out, reason)
    if out.is_symlink() and not out.exists():
        raise OutputError(out, "is a symlink to nothing")
    if out.exists() and not out.is_dir():
        raise OutputError(out, "output path exists and is not a folder")
    if not out.exists():
        parent = next((p for p in out.absolute().parents if p.exists()), None)
        if parent is None or not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
            raise OutputError(out, f"cannot be created: {parent} is not a writable folder")
        return True
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputError(out, "is not writable")
    clean_stale(out, STAGING)
    entries = [e for e in out.iterdir() if not (e.name.startswith(STAGING) and e.is_dir())]
    if not entries:
        return False
    listed = read_manifest(out)
    if listed is None:
        listed = legacy(out, entries)
    if listed is None:
        names = ", ".join(sorted(e.name for e in entries)[:5])
        raise OutputError(out, f"holds files designkit did not write ({names}{', ...' if len(entries) > 5 else ''})"
                               "; build into an empty or new folder, e.g. -o build/<name>")
    for name in outputs:
        target = out / name
        if target.is_symlink():
            raise OutputError(target, "is a symlink; designkit writes only real files and folders in its output")
        if target.exists():
            foreign = _foreign(out, target, set(listed))
            if foreign:
                raise OutputError(target, f"holds files designkit did not write ({', '.join(foreign[:5])}); "
                                          "move them out, then build again")
    return False


def _foreign(out: Path, target: Path, listed: set[str]) -> list[str]:
    if target.is_file():
        return [] if target.relative_to(out).as_posix() in listed else [target.name]
    found = []
    for path in sorted(target.rglob("*")):
        rel = path.relative_to(out).as_posix()
        if (path.is_symlink() or path.is_file()) and rel not in listed:
            found.append(rel)
    return found


def staging_dir(out: Path) -> Path:
    """A fresh staging folder inside out, named for this process."""
    try:
        return Path(tempfile.mkdtemp(prefix=f"{STAGING}{os.getpid()}-", dir=out))
    except OSError as exc:
        raise OutputError(out, f"cannot write here: {exc.strerror or exc}") from None


def publish(staging: Path, out: Path, names: tuple[str, ...] = OUTPUTS) -> None:
    """Swap the staged outputs in for the old ones, all or nothing.

    Old outputs move into staging/.old first; if any move fails, the old ones are put back, so out
    never holds a mix of old and new.  article.md goes last, the manifest just before it.
    """
    trash = staging / ".old"
    trash.mkdir()
    order = [n for n in names if n != "article.md"] + [MANIFEST] + [n for n in names if n == "article.md"]
    moved_old: list[str] = []
    moved_new: list[str] = []
    try:
        for name in order:
            target = out / name
            if target.exists() or target.is_symlink():
                os.rename(target, trash / name)
                moved_old.append(name)
            os.rename(staging / name, target)
            moved_new.append(name)
    except OSError as exc:
        for name in reversed(moved_new):
            with contextlib.suppress(OSError):
                os.rename(out / name, staging / name)
        for name in reversed(moved_old):
            with contextlib.suppress(OSError):
                os.rename(trash / name, out / name)
        raise BuildError("all", str(out), f"could not put the new article in place ({exc.strerror or exc}); "
                                          "the last good one is unchanged") from None
