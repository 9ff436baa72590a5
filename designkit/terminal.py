"""What the CLI prints reaches a terminal safely: control characters in spec text or file names are
shown as ``\\xNN`` instead of being obeyed (no retitled window, no cleared screen), and a closed pipe
(``designkit analyze | head``) ends quietly."""

from __future__ import annotations

import contextlib
import os
import sys

_KEEP = {"\n", "\t"}


def _table(keep: set[str]) -> dict[int, str]:
    codes = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
    return {c: f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}" for c in codes if chr(c) not in keep}


STDOUT_TABLE = _table(_KEEP)
STDERR_TABLE = _table(_KEEP | {"\r"})  # progress bars redraw their line with a carriage return


def neutralize(text: str, table: dict[int, str] = STDOUT_TABLE) -> str:
    """``text`` with every control character (but newline and tab) written out as an escape."""
    return text.translate(table)


class _Guard:
    """A text stream that neutralizes what is written and forwards everything else."""

    def __init__(self, stream, table: dict[int, str]):
        self._stream, self._table = stream, table

    def write(self, text: str) -> int:
        self._stream.write(text.translate(self._table))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name):
        return getattr(self._stream, name)


@contextlib.contextmanager
def guarded_streams():
    """sys.stdout and sys.stderr neutralized for the duration (restored after, even on error)."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Guard(saved[0], STDOUT_TABLE), _Guard(saved[1], STDERR_TABLE)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot raise BrokenPipeError again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno())
        os.close(devnull)
