"""Bounded, read-only readers for every file the data layer opens.

Files on disk come from users and from other programs, so nothing here trusts
them: each reader opens without blocking and checks that the path is a regular
file (a FIFO as a manifest would otherwise hang the process for ever), caps
what it reads (JSON headers at :data:`MAX_JSON_BYTES`, nesting included), and
checks a ``.npy`` header's claimed shape against the file's real size before
allocating anything. Every refusal is a :class:`~charles_core.errors.StorageError`
naming the file and the problem.

Writers open with ``O_NOFOLLOW`` (:func:`open_no_follow`): a storage file that
is a symlink is refused instead of having its target, perhaps outside the
data directory, truncated or overwritten.

Example:

```text
from charles_core.data.safe_files import read_json_file
manifest = read_json_file("rec/manifest.json", "recording manifest")
```
"""

from __future__ import annotations

import errno
import json
import math
import os
import stat

import numpy as np

from charles_core.errors import StorageError

#: the largest JSON header read (manifest, layout, set file): real ones are well under 4 KiB
MAX_JSON_BYTES = 1 << 20
#: the deepest nesting a JSON header may have (real ones nest 3 levels)
MAX_JSON_DEPTH = 32
#: the largest ``.npy`` header accepted (numpy's own default limit)
MAX_NPY_HEADER_BYTES = 10_000


def open_regular(path: str, what: str) -> int:
    """Open ``path`` read-only and return the descriptor, refusing anything but a regular file.

    ``O_NONBLOCK`` makes opening a FIFO return at once (instead of waiting for
    a writer), and the ``fstat`` after opening checks the file actually opened.

    Args:
        path: the file.
        what: how messages name it, e.g. ``"recording manifest"``.

    Raises:
        StorageError: missing, unreadable, or not a regular file.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise StorageError(f"cannot read {what} {path}: {error.strerror or error}") from None
    return _regular_blocking(fd, path, what, hint="; point it at a file")


def _regular_blocking(fd: int, path, what: str, hint: str = "") -> int:
    """``fd`` if it opened a regular file, switched back to blocking reads; closed and refused otherwise."""
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise StorageError(f"{what} {path} is not a regular file ({_kind(mode)}){hint}")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def regular_file_size(path: str, what: str) -> int:
    """The size of ``path`` in bytes after :func:`open_regular`'s checks."""
    fd = open_regular(path, what)
    try:
        return os.fstat(fd).st_size
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a file"


def _depth(value, limit: int) -> int:
    """Nesting depth of a decoded JSON value, stopping once past ``limit``."""
    stack, deepest = [(value, 1)], 0
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            if deepest > limit:
                return deepest
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def read_json_file(path: str, what: str, max_bytes: int = MAX_JSON_BYTES) -> dict:
    """Read a small JSON object: regular file, at most ``max_bytes``, at most 32 levels deep.

    Raises:
        StorageError: naming the file: not a file, too large, too deep, not JSON, not an object.
    """
    fd = open_regular(path, what)
    with os.fdopen(fd, "rb") as f:
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise StorageError(
            f"{what} {path} is larger than {max_bytes:,} bytes, so it is not a charles {what}; restore or rewrite it"
        )
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except RecursionError:
        raise StorageError(
            f"{what} {path} is nested too deeply to be a charles {what}; restore or rewrite it"
        ) from None
    except (ValueError, UnicodeDecodeError) as error:
        reason = "a number of thousands of digits" if "integer string conversion" in str(error) else str(error)[:200]
        raise StorageError(f"cannot read {what} {path}: not valid JSON ({reason}); restore or rewrite it") from None
    if _depth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise StorageError(
            f"{what} {path} is nested more than {MAX_JSON_DEPTH} levels deep, so it is not a "
            f"charles {what}; restore or rewrite it"
        )
    if not isinstance(value, dict):
        raise StorageError(f"{what} {path} must hold a JSON object; got {type(value).__name__}")
    return value


def read_npy_file(path: str, what: str) -> np.ndarray:
    """Read a ``.npy`` array without pickles, its header checked against the file size first.

    The header is parsed with ``numpy.lib.format``; a header claiming more
    data than the file holds (or less) is refused before anything is allocated.

    Raises:
        StorageError: naming the file: not a file, bad header, object dtype, size mismatch.
    """
    from numpy.lib import format as npy_format

    fd = open_regular(path, what)
    with os.fdopen(fd, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        try:
            version = npy_format.read_magic(f)
            if version == (1, 0):
                shape, fortran, dtype = npy_format.read_array_header_1_0(f, max_header_size=MAX_NPY_HEADER_BYTES)
            elif version in ((2, 0), (3, 0)):
                shape, fortran, dtype = npy_format.read_array_header_2_0(f, max_header_size=MAX_NPY_HEADER_BYTES)
            else:
                raise ValueError(f"unsupported .npy version {version}")
        except (ValueError, EOFError, SyntaxError, TypeError, OSError) as error:
            raise StorageError(f"cannot read {what} {path}: not a valid .npy file ({error})") from None
        if dtype.hasobject:
            raise StorageError(
                f"{what} {path} holds Python objects (pickles), which are never loaded; save plain numeric fields"
            )
        rows = math.prod(shape)  # Python ints: a crafted header cannot overflow
        need = rows * dtype.itemsize
        have = size - f.tell()
        if need != have:
            raise StorageError(
                f"cannot read {what} {path}: its header claims shape {shape} ({need:,} bytes of data), "
                f"the file holds {have:,} (truncated or damaged)"
            )
        raw = f.read(need)
    if len(raw) != need:
        raise StorageError(f"{what} {path} changed while it was read")
    array = np.frombuffer(raw, dtype=dtype)
    return array.reshape(shape, order="F" if fortran else "C")


def open_no_follow(path: str, flags: int, what: str, mode: int = 0o644) -> int:
    """``os.open`` for writing that refuses a symlink (``O_NOFOLLOW``) or anything but a regular file.

    Raises:
        StorageError: the path is a symlink, not a regular file, or cannot be opened.
    """
    try:
        # getattr: Windows (a game machine running charles record) has neither flag but needs O_BINARY
        fd = os.open(
            path,
            flags
            | getattr(os, "O_NOFOLLOW", 0)
            | getattr(os, "O_NONBLOCK", 0)
            | getattr(os, "O_CLOEXEC", 0)
            | getattr(os, "O_BINARY", 0),
            mode,
        )
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise StorageError(
                f"{what} {path} is a symlink; storage files are written only inside their own directory "
                "(replace the link with a regular file, or delete the directory)"
            ) from None
        raise StorageError(f"cannot open {what} {path}: {error.strerror or error}") from None
    return _regular_blocking(fd, path, what)


def refuse_symlinked_dir(path: str, what: str) -> None:
    """Raise StorageError if ``path`` exists as a symlink (writes would land outside the set)."""
    if os.path.islink(path):
        raise StorageError(f"{what} {path} is a symlink; a buffer set's directories must be real directories")


def make_directory(path: str, what: str) -> None:
    """``os.makedirs(path, exist_ok=True)`` with a StorageError naming ``path`` (a file in the way, no permission)."""
    try:
        os.makedirs(path, exist_ok=True)
    except FileExistsError:
        raise StorageError(
            f"{what} {path} exists and is not a directory; move it away or choose another path"
        ) from None
    except OSError as error:
        raise StorageError(f"cannot create {what} {path}: {error.strerror or error}") from None
