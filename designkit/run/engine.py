"""papermill's nbclient engine on a kernel that is already running: KernelPool runs notebooks through it.

Kept apart from ``kernels`` so that importing papermill (and nbformat) waits for the first notebook
run: a pool's kernels start meanwhile.
"""

from __future__ import annotations

import logging

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import Engine, papermill_engines

ENGINE_NAME = "designkit-warm"
"""The papermill engine that runs a notebook on a given running kernel (registered on import)."""

logger = logging.getLogger("papermill")  # papermill's logger: kernel messages read like papermill's own


class WarmKernelEngine(Engine):
    """papermill's nbclient engine, on a running kernel (km=) that it leaves running.

    keep(nb) receives the notebook papermill executes, before the first cell runs: the caller can
    then write out the notebook papermill marked up with its error cells when a cell fails.
    """

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, *, km, timeout=None, start_timeout=60,
                                 keep=None, log_output=False, **kwargs):
        if keep is not None:
            keep(nb_man.nb)
        client = PapermillNotebookClient(nb_man, km=km, kernel_name=kernel_name, timeout=timeout,
                                         startup_timeout=start_timeout, log=logger, log_output=log_output)
        try:
            return client.execute()
        finally:
            if client.kc is not None:  # nbclient keeps the client of a kernel it does not own open
                client.kc.stop_channels()


papermill_engines.register(ENGINE_NAME, WarmKernelEngine)
