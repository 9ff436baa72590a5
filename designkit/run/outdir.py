"""The output folder is the user's: what a build may touch there, checked before any notebook runs.

A build writes a manifest (``.designkit-manifest.json``): every file it wrote with its SHA-256.  It
refuses root, the home folder, a file, an unwritable folder, symlinked outputs and any non-empty
folder without a manifest.  Publishing moves the new files in one at a time, the entry points
(``article.md``) last, each with one rename: a new name never replaces anything, and a file of
designkit's is swapped with its successor in one step, so a reader sees one build's article and the
figures it names (they are named by their content's hash, so new ones never take an old one's name).
Folders are never moved or removed whole, so a file saved into ``figures/`` meanwhile survives;
only files the manifest lists whose bytes are still the ones designkit wrote are replaced or
removed, the previous build's a build later; any other file in the way is a refusal, never an
overwrite.  Symlinks are never followed out of the folder.  Staging folders carry their owner's
process id and a marker file, so only designkit's own leftovers are ever cleaned.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path, PurePosixPath

from .. import __version__
from ..errors import BuildError, SpecError
from ..model.source import read_bounded

MANIFEST = ".designkit-manifest.json"
MARK = ".designkit-staging"           # inside every staging folder designkit makes: its own name
STAGING = ".staging-"                 # DIR/.staging-<pid>-*: a build in progress
KERNEL_DIRS = "designkit-kernels-"    # $TMPDIR/designkit-kernels-<pid>-*: connection files (with keys)
OUTPUTS = ("figures", "notebooks", "handout.html", "article.md")
MAX_MANIFEST_BYTES = 4_000_000        # a manifest is read like a spec: bounded, and never a FIFO or device
STATE_SECONDS = 2.0
_OWNED = re.compile(r"^(?:\.staging-|\.batch-|designkit-kernels-)(\d+)-")
_KERNEL_FILE = re.compile(r"^kernel-[0-9a-f]{12}(?:\.json|\.log|-\d+)?$")
_UMASK = os.umask(0)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK           # what open() gives a new file: 0644 under the usual umask


class OutputError(SpecError):
    """The output folder cannot be used safely (exit status 2, nothing written)."""

    def __init__(self, out: Path, what: str):
        super().__init__(str(out), what)


# --- designkit's own leftovers ------------------------------------------------------------------

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


def make_staging(folder: Path, prefix: str) -> Path:
    """A fresh folder/<prefix><pid>-XXXX, marked as designkit's (so only it is ever cleaned up)."""
    try:
        path = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=folder))
        os.chmod(path, 0o777 & ~_UMASK)
        (path / MARK).write_text(path.name, encoding="utf-8")
    except OSError as exc:
        raise OutputError(folder, f"cannot write here: {exc.strerror or exc}") from None
    return path


def ours(entry: Path, prefix: str) -> bool:
    """True for a staging folder designkit made: the name, a real folder, and the marker naming it."""
    if not entry.name.startswith(prefix) or not _OWNED.match(entry.name):
        return False
    try:
        if not stat.S_ISDIR(os.lstat(entry).st_mode):
            return False
        return read_state(entry / MARK, 256) == entry.name.encode()
    except (OSError, OutputError):
        return False


def _kernel_dir(entry: Path) -> bool:
    """A kernel connection folder: a real folder holding only kernel files (never anything else)."""
    try:
        return stat.S_ISDIR(os.lstat(entry).st_mode) and all(
            _KERNEL_FILE.match(child.name) and not child.is_dir() for child in entry.iterdir())
    except OSError:
        return False


def clean_stale(folder: Path, prefix: str) -> list[Path]:
    """Remove designkit's own folder/<prefix><pid>-* whose owner process is gone; the paths removed.

    A folder of that name without designkit's marker (a user's ``.staging-999999-drafts/``) is kept.
    """
    removed = []
    check = _kernel_dir if prefix == KERNEL_DIRS else (lambda e: ours(e, prefix))
    with contextlib.suppress(OSError):
        for entry in Path(folder).iterdir():
            if entry.name.startswith(prefix) and not owner_alive(entry.name) and check(entry):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    return removed


def clean_kernel_dirs() -> list[Path]:
    """Kernel connection folders left in the temp folder by a killed designkit process."""
    return clean_stale(Path(tempfile.gettempdir()), KERNEL_DIRS)


# --- the manifest -------------------------------------------------------------------------------

def read_state(path: Path, limit: int = MAX_MANIFEST_BYTES) -> bytes:
    """A state file designkit wrote, read like a spec: a regular file (not a symlink, FIFO or device),
    at most ``limit`` bytes; OutputError otherwise, FileNotFoundError when there is none."""
    mode = os.lstat(path).st_mode
    if not stat.S_ISREG(mode):
        raise OutputError(path, "is not a regular file (a symlink, pipe or device); designkit writes its "
                                "state files itself: remove it, or choose another output folder")
    data = read_bounded(path, limit, seconds=STATE_SECONDS)
    if len(data) > limit:
        raise OutputError(path, f"is larger than {limit:,} bytes, which no file designkit writes is")
    return data


def _relative(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not name.startswith("/") and all(p not in ("", ".", "..") for p in parts) \
        and "\\" not in name and "\0" not in name


def read_manifest(out: Path) -> dict[str, tuple[str, ...]] | None:
    """What designkit wrote into out: relative path -> the SHA-256s it may have, or None without a
    manifest.  A manifest of the first format (names only) maps each name to () ("unknown")."""
    record = read_record(out)
    return None if record is None else record[0]


def read_record(out: Path) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]] | None:
    """The manifest's files (as ``read_manifest``) and those of them that are *retired*: the previous
    build's, kept for one more build so that a reader of the previous article still finds its figures."""
    path = out / MANIFEST
    try:
        record = json.loads(read_state(path))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        raise OutputError(out, f"{MANIFEST} is unreadable; it is how designkit knows what it wrote "
                               "here: remove the folder's designkit files by hand or choose another") from None
    files = record.get("files") if isinstance(record, dict) else None
    retired = record.get("retired", []) if isinstance(record, dict) else None
    if isinstance(files, list) and all(isinstance(f, str) for f in files):
        files = {f: None for f in files}
    if not isinstance(files, dict) or not all(
            isinstance(k, str) and _relative(k) and isinstance(v, (str, list, type(None))) for k, v in files.items()) \
            or not isinstance(retired, list) or not all(isinstance(r, str) and r in files for r in retired):
        raise OutputError(out, f"{MANIFEST} does not list files; choose another output folder")
    return ({k: (v,) if isinstance(v, str) else tuple(map(str, v or ())) for k, v in files.items()},
            tuple(retired))


def digest(path: Path) -> str | None:
    """SHA-256 of a regular file (never through a symlink), or None for anything else."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        sha = hashlib.sha256()
        while chunk := os.read(fd, 1 << 20):
            sha.update(chunk)
        return sha.hexdigest()
    finally:
        os.close(fd)


def write_manifest(folder: Path, files, retired=()) -> None:
    """The manifest of what was written into folder: a mapping of path -> SHA-256(s), or a list of
    paths (hashed here), and which of them are retired (see ``read_record``).  Written whole (a
    temporary file renamed over the old one)."""
    if not isinstance(files, dict):
        files = {name: digest(folder / name) for name in files}
    record = {"designkit": __version__, "files": {k: _said(v) for k, v in sorted(files.items())}}
    if retired:
        record["retired"] = sorted(rel for rel in retired if rel in files)
    write_file(folder / MANIFEST, json.dumps(record, indent=1) + "\n")


def _said(hashes) -> str | list[str] | None:
    """One hash as a string, several as a list, none (unknown) as null."""
    if isinstance(hashes, (list, tuple)):
        return None if not hashes else hashes[0] if len(hashes) == 1 else list(hashes)
    return hashes


def write_file(path: Path, text: str) -> None:
    """Write text to path whole, mode 0644 (umask permitting): a temporary file renamed into place."""
    handle, temp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        os.fchmod(handle, FILE_MODE)
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def unchanged(out: Path, rel: str, listed: dict[str, tuple[str, ...]]) -> bool:
    """True when out/rel is a file the manifest lists, still holding bytes designkit wrote."""
    if rel not in listed:
        return False
    now = digest(out / rel)
    return now is not None and (not listed[rel] or now in listed[rel])


# --- checks before any work ---------------------------------------------------------------------

def real(path: Path) -> Path:
    """path.resolve(), with a symlink loop said as an OutputError."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        raise OutputError(path, "cannot be resolved: it lies in a loop of symlinks") from None


def forbidden(out: Path) -> str | None:
    """Why out may never be an output folder (root, home, or a folder above home), or None."""
    found = real(out)
    home = Path.home().resolve()
    if found == Path(found.anchor):
        return "is the root of the file system; choose a folder of its own, e.g. build/"
    if found == home or home.is_relative_to(found):
        return "is your home folder (or holds it); choose a folder of its own, e.g. build/"
    return None


def safe_path(out: Path, rel: str) -> Path:
    """out/rel, after checking that no folder on the way from out is a symlink or a file."""
    path = out
    for part in PurePosixPath(rel).parts[:-1]:
        path = path / part
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise OutputError(path, f"cannot be read: {exc.strerror or exc}") from None
        if stat.S_ISLNK(mode):
            raise OutputError(path, "is a symlink; designkit writes only real files and folders in its output")
        if not stat.S_ISDIR(mode):
            raise OutputError(path, "is a file where designkit writes a folder; move it out, then build again")
    return out / rel


def check_targets(out: Path, names, listed: dict[str, tuple[str, ...]]) -> None:
    """Refuse when a file designkit is about to write is in the way: not listed, or changed since."""
    for rel in names:
        target = safe_path(out, rel)
        if os.path.lexists(target) and not unchanged(out, rel, listed):
            why = "changed since designkit wrote it" if rel in listed else "not written by designkit"
            raise OutputError(target, f"is in the way ({why}); move it out, then build again")


def preflight(out: Path, *, outputs: tuple[str, ...] = OUTPUTS, expect=(), prefix: str = STAGING) -> bool:
    """Check out before any work: usable, ours or empty, no symlinked outputs, none of the files in
    ``expect`` in the way; True when out is new.  Then removes designkit's stale staging folders."""
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
    entries = [e for e in out.iterdir() if not ours(e, prefix)]
    if not entries:
        clean_stale(out, prefix)
        return False
    listed = read_manifest(out)
    if listed is None:
        names = ", ".join(sorted(e.name for e in entries)[:5])
        raise OutputError(out, f"holds files designkit did not write ({names}{', ...' if len(entries) > 5 else ''})"
                               " and no manifest of a designkit build; use an empty or new folder, "
                               "e.g. build/<name>")
    for name in outputs:
        if (out / name).is_symlink():
            raise OutputError(out / name, "is a symlink; designkit writes only real files and folders in its output")
    check_targets(out, expect, listed)
    clean_stale(out, prefix)
    return False


def staging_dir(out: Path) -> Path:
    """A fresh staging folder inside out, named for this process."""
    return make_staging(out, STAGING)


# --- publishing ----------------------------------------------------------------------------------

ENTRY_POINTS = ("handout.html", "article.md")
"""What a reader opens first, put in place last (article.md last of all): each refers only to files
published before it (the figures, by names that hold their content's hash) or to none (the handout)."""

_RENAME_EXCHANGE = 2           # linux/fs.h: renameat2() swaps the two names in one step
_AT_FDCWD = -100


def _renameat2():
    """libc's renameat2, or None where there is none (not Linux, or an old C library)."""
    try:
        import ctypes
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError, ImportError, TypeError):   # TypeError: no CDLL(None) (Windows)
        return None
    function.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    return function


_RENAMEAT2 = _renameat2()


def exchange(first: Path, second: Path) -> bool:
    """Swap what two names in one folder tree point to, in one step (a reader opening ``second``
    gets the old file or the new one, never neither); False where the system cannot swap (not
    Linux, or a file system without RENAME_EXCHANGE): nothing was done then."""
    if _RENAMEAT2 is None:
        return False
    import ctypes
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EPERM):
        return False
    raise OSError(error, os.strerror(error), str(second))


def _link_in(source: Path, target: Path) -> None:
    """Move source to target, never replacing anything there (a file saved meanwhile stays)."""
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS) or os.path.lexists(target):
            raise
        os.rename(source, target)   # a file system without hard links: checked just before
        return
    os.unlink(source)


def _is(path: Path, hashes: tuple[str, ...]) -> bool:
    """path is a regular file holding one of these contents (any regular file when hashes is ())."""
    found = digest(path)
    return found is not None and (not hashes or found in hashes)


def _put_back(held: Path, target: Path) -> None:
    """Return a file taken from target; if someone saved a file there meanwhile, keep both."""
    try:
        _link_in(held, target)
    except OSError:
        with contextlib.suppress(OSError):
            _link_in(held, target.with_name(f"{target.name}.{os.getpid()}.kept"))


def take(target: Path, held: Path, hashes: tuple[str, ...]) -> bool:
    """Move target to held if it holds one of these contents; True when it did.  Anything else found
    there (a file saved meanwhile, a symlink) is put back where it was: never removed."""
    try:
        os.rename(target, held)
    except FileNotFoundError:
        return False
    if _is(held, hashes):
        return True
    _put_back(held, target)
    return False


def replace(source: Path, target: Path, hashes: tuple[str, ...]) -> None:
    """Put source at target, whose file must hold one of these contents; afterwards source holds
    that old file.  Where the system swaps names in one step, a reader of target sees the old file or
    the new one, never neither; elsewhere target is missing for an instant.  Anything else found at
    target (a file saved meanwhile) stays there: OSError, nothing replaced."""
    if exchange(source, target):
        if _is(source, hashes):
            return
        new = digest(target)
        exchange(source, target)          # back: the file saved meanwhile is where it was
        if digest(source) != new:         # saved again in that instant: keep that one too
            _put_back(source, target)
        raise OSError(errno.EEXIST, "changed while the build ran")
    held = source.with_name(source.name + ".old")
    if not take(target, held, hashes):
        raise OSError(errno.EEXIST, "changed while the build ran")
    try:
        _link_in(source, target)
    except OSError:
        _put_back(held, target)           # the old file back (beside a file saved in that instant)
        raise
    os.rename(held, source)


def publish(staging: Path, out: Path, last: str | tuple[str, ...] = ENTRY_POINTS, *,
            keep_previous: bool = False) -> dict[str, tuple[str, ...]]:
    """Put the files staging's manifest lists into out, ``last`` last; all or nothing.

    Each file goes in with one rename that never replaces anything, or, where a file of designkit's
    with other bytes has its name (``article.md``), swaps with it in one step; a file already there
    with the same bytes (a figure named by its hash) is left alone.  Old files are replaced only when
    the old manifest lists them and their bytes are unchanged; anything else in the way refuses the
    publish before anything moves, and one saved meanwhile stops it and puts everything back.

    Files the old manifest lists that the new build did not write are removed when unchanged; with
    ``keep_previous`` they are kept as *retired* until the next publish (so that a reader who opened
    the previous article just before the swap still finds its figures), and the files retired by the
    publish before are removed instead.  Returns the new manifest.
    """
    last = (last,) if isinstance(last, str) else tuple(last)
    new = read_manifest(staging) or {}
    old, was_retired = read_record(out) or ({}, ())
    names = sorted(new, key=lambda rel: (last.index(rel) + 1 if rel in last else 0, rel))
    check_targets(out, names, old)
    kept = {rel: old[rel] for rel in old if rel not in new and unchanged(out, rel, old)}
    # Crash-safe: while files move, the manifest accepts both the old and the new bytes of each.
    write_manifest(out, {rel: tuple(dict.fromkeys(old.get(rel, ()) + new[rel])) for rel in names} | kept,
                   retired=[rel for rel in was_retired if rel in kept])
    trash = make_staging(staging, ".old-")
    done: list[tuple[str, Path, Path, bool]] = []     # (rel, target, source, swapped)
    try:
        for rel in names:
            target = safe_path(out, rel)
            if os.path.lexists(target) and rel in old and _is(target, new[rel]) and unchanged(out, rel, old):
                continue     # the same bytes are there already: a figure this build drew as an earlier one did
            target.parent.mkdir(parents=True, exist_ok=True)
            safe_path(out, rel)   # a folder made meanwhile by someone else is still checked
            source = staging / rel
            if os.path.lexists(target):
                if rel not in old:
                    raise OSError(errno.EEXIST, f"{rel} was saved while the build ran")
                try:
                    replace(source, target, old[rel])
                except OSError as exc:
                    raise OSError(exc.errno, f"{rel} {exc.strerror}") from None
                done.append((rel, target, source, True))
            else:
                _link_in(source, target)
                done.append((rel, target, source, False))
    except (OSError, OutputError) as exc:
        for rel, target, source, swapped in reversed(done):   # only files still holding the new bytes
            with contextlib.suppress(OSError):
                if swapped:
                    replace(source, target, new[rel])   # the old file back, in one step where possible
                else:
                    take(target, source, new[rel])
        with contextlib.suppress(OSError):
            write_manifest(out, old, retired=was_retired) if old else (out / MANIFEST).unlink()
        why = getattr(exc, "strerror", None) or str(exc)
        raise BuildError("all", str(out), f"could not put the new article in place ({why}); "
                                          "the last good one is unchanged") from None
    retire = [rel for rel in kept if rel not in was_retired] if keep_previous else []
    for number, rel in enumerate(rel for rel in kept if rel not in retire):
        path = safe_path(out, rel)
        take(path, trash / str(number), kept[rel])    # a file saved there meanwhile stays
        _remove_empty(out, path.parent)
    write_manifest(out, new | {rel: kept[rel] for rel in retire}, retired=retire)
    return new


def _remove_empty(out: Path, folder: Path) -> None:
    """Remove folder and its parents up to out while they are empty (never a folder holding anything)."""
    while folder != out and out in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
