"""The spec as one reading for a whole build: every notebook sees the bytes the build checked.

A regular file is pinned (its bytes and identity: device, inode, size, times) and checked again
before publishing, so a spec an editor saved mid-build publishes nothing.  A pipe or device
(``<(...)``, /dev/stdin) can be read only once: it is copied into a private file that the checks,
the notebooks and the handout's grid all read instead.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from pathlib import Path

from ..errors import SpecError
from ..model.source import read_bounded, signature
from ..model.spec import resolve


class Pinned:
    """A spec reference to build from (``ref``) and what it held when the build began."""

    def __init__(self, ref, path: Path | None, data: bytes, sig: tuple | None, folder: Path | None = None):
        self.ref, self.path, self.data, self.sig = ref, path, data, sig
        self._cleanup = weakref.finalize(self, shutil.rmtree, folder, True) if folder else None

    def still(self) -> bool:
        """False once the spec file was written since the build read it (a private copy never is)."""
        if self.path is None:
            return True
        try:
            return signature(self.path) == self.sig and read_bounded(self.path) == self.data
        except OSError:
            return False

    def close(self) -> None:
        """Remove the private copy, if there is one."""
        if self._cleanup is not None:
            self._cleanup()


def pin_spec(spec_ref) -> Pinned:
    """Pin a spec file, or copy a pipe's spec once into a private file (removed by ``close``)."""
    path = resolve(spec_ref)
    if not path.exists() or path.is_dir():
        return Pinned(spec_ref, None, b"", None)      # load_spec says what is wrong with it
    sig = signature(path)
    try:
        data = read_bounded(path)
    except OSError as exc:
        raise SpecError(str(spec_ref), f"cannot read: {exc.strerror or exc}") from None
    if sig is not None:
        return Pinned(spec_ref, path, data, sig)
    folder = Path(tempfile.mkdtemp(prefix=f"designkit-spec-{os.getpid()}-"))
    copy = folder / "spec.yaml"
    copy.write_bytes(data)
    return Pinned(copy, None, data, None, folder)
