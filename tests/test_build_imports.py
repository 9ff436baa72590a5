"""What a build imports, and when: the kernels start before papermill is imported, and the command
skips jsonschema's optional IRI grammar while nbformat still validates notebooks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _python(code: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_a_kernel_pool_starts_without_papermill_or_nbformat():
    # the pool's constructor starts kernels; only the first notebook run needs papermill, and the
    # pool's process never needs IPython (kernels.kernel_dirs)
    code = ("import sys; from designkit.run.kernels import KernelPool; import designkit.run.build; "
            "print(*[name in sys.modules for name in ('papermill', 'nbformat', 'jsonschema', 'IPython')])")
    assert _python(code) == ["False", "False", "False", "False"]


def test_the_command_skips_the_iri_grammar_and_nbformat_still_validates():
    code = ("import sys; from designkit.cli import _skip_iri_grammar; _skip_iri_grammar(); "
            "import nbformat, papermill; from nbformat.v4 import new_notebook, new_code_cell; "
            "nb = new_notebook(cells=[new_code_cell('1')]); nbformat.validate(nb); "
            "bad = new_notebook(); bad.cells.append({'cell_type': 'code'}); "
            "ok = True\n"
            "try:\n    nbformat.validate(bad)\nexcept nbformat.ValidationError:\n    ok = False\n"
            "print(sys.modules['rfc3987_syntax'] is None, ok)")
    assert _python(code) == ["True", "False"]   # grammar skipped; a broken notebook still refused
