"""Keeping native libraries' notices off the user's terminal.

TensorFlow, XLA and TensorFlow Lite write notices from C++ straight to file
descriptor 2 ("Could not find cuda drivers", "oneDNN custom operations are
on", "Created TensorFlow Lite XNNPACK delegate"), past any Python logging
setting. The ``charles`` command sets :data:`QUIET` (unless ``--verbose``), and
the few places that wake such a library wrap it in :func:`native_notices_silenced`.
Used as a library, charles_core leaves the terminal as it finds it.
"""

from __future__ import annotations

import contextlib
import os
import sys

#: Whether :func:`native_notices_silenced` silences; the ``charles`` command sets it.
QUIET = False


@contextlib.contextmanager
def silenced_stderr():
    """Point file descriptor 2 at /dev/null for the block, then restore it (Python's own errors raised in
    the block still propagate: only what is written meanwhile is lost)."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


@contextlib.contextmanager
def native_notices_silenced():
    """:func:`silenced_stderr` when :data:`QUIET`, else nothing."""
    if not QUIET:
        yield
        return
    with silenced_stderr():
        yield
