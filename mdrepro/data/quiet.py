"""Keep C libraries' chatter out of notebooks and logs.

mdtraj's DCD reader (the VMD molfile plugin) prints ``dcdplugin) detected standard 32-bit DCD
file ...`` to the C-level standard output on every open. Python's ``contextlib.redirect_stdout``
cannot catch it: :func:`c_output_silenced` points file descriptor 1 at ``/dev/null`` for the
duration of a block and restores it afterwards.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager


@contextmanager
def c_output_silenced(enabled: bool = True):
    """Discard what C code writes to file descriptor 1 inside the block.

    Python's own ``print`` output is flushed first and still goes where it went before.
    """
    if not enabled:
        yield
        return
    try:
        fd = sys.__stdout__.fileno() if sys.__stdout__ is not None else 1
    except (AttributeError, OSError, ValueError):
        fd = 1
    for stream in (sys.stdout, sys.__stdout__):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    try:
        saved = os.dup(fd)
    except OSError:  # no such descriptor (embedded interpreter): nothing to silence
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), fd)
        yield
    finally:
        try:
            sys.__stdout__.flush()
        except (AttributeError, OSError, ValueError):
            pass
        os.dup2(saved, fd)
        os.close(saved)
