"""argparse types shared by every ``charles`` sub-command.

Each one turns the text of an argument into its value or raises
``argparse.ArgumentTypeError``, so a bad value ends the command before it
does anything, with exit code 2 and one line naming the argument, the value
and what is expected.

Example:

```text
parser.add_argument("--batches", type=positive_int, default=1000)
parser.add_argument("--input-size", type=input_size, metavar="HxW")
parser.add_argument("--seeds", type=seeds, default=(0,))
```
"""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path

from charles_core.common.frames import parse_size
from charles_core.errors import ConfigError

#: Seeds are NumPy / gymnasium seeds: non-negative and below 2**32.
MAX_SEED = 2**32 - 1


def _integer(text: str, what: str) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {what}; got {text!r}") from None


def _number(text: str, what: str) -> float:
    try:
        value = float(str(text).strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {what}; got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be {what}; got {text!r}")
    return value


def positive_int(text: str) -> int:
    """An integer >= 1 (batches, capacities, counts)."""
    value = _integer(text, "a positive integer")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {text!r}")
    return value


def non_negative_int(text: str) -> int:
    """An integer >= 0 (warm-up steps, seeds)."""
    value = _integer(text, "an integer >= 0")
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0; got {text!r}")
    return value


def positive_float(text: str) -> float:
    """A finite number > 0 (minutes, seconds, rates)."""
    value = _number(text, "a positive number")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number; got {text!r}")
    return value


def non_negative_float(text: str) -> float:
    """A finite number >= 0 (``--rate-hz 0``: unlimited)."""
    value = _number(text, "a number >= 0")
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a number >= 0; got {text!r}")
    return value


def share(text: str) -> float:
    """A number in (0, 1] (a fill share)."""
    value = _number(text, "a number in (0, 1]")
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be a number in (0, 1]; got {text!r}")
    return value


def momentum_or_off(text: str) -> float:
    """A moving average's momentum in (0, 1), or 0 for none."""
    value = _number(text, "a number in [0, 1)")
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be a number in [0, 1) (0: off); got {text!r}")
    return value


def positive_or_off(text: str) -> float | None:
    """A positive number, or ``off`` for none."""
    if text.strip().lower() == "off":
        return None
    value = _number(text, "a positive number or 'off'")
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number or 'off'; got {text!r}")
    return value


def seed(text: str) -> int:
    """One seed: an integer from 0 to 2**32 - 1."""
    value = _integer(text, f"an integer from 0 to {MAX_SEED}")
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"must be an integer from 0 to {MAX_SEED}; got {text!r}")
    return value


def seeds(text: str) -> tuple[int, ...]:
    """Comma-separated seeds, at least one (``0,1,2``)."""
    parts = [part.strip() for part in str(text).split(",")]
    if not any(parts):
        raise argparse.ArgumentTypeError(
            f"must be comma-separated integer seeds, at least one (e.g. 0,1,2); got {text!r}"
        )
    values = []
    for part in parts:
        if not part:
            raise argparse.ArgumentTypeError(f"has an empty seed between commas: {text!r}")
        try:
            values.append(seed(part))
        except argparse.ArgumentTypeError:
            raise argparse.ArgumentTypeError(
                f"must be comma-separated integers from 0 to {MAX_SEED}; got {text!r}"
            ) from None
    return tuple(values)


def input_size(text: str) -> tuple[int, int]:
    """``HEIGHTxWIDTH`` within ``charles_core.common.frames``' bounds (``72x96``)."""
    try:
        return parse_size(text)
    except ConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def port(text: str) -> int:
    """A TCP port, 1-65535."""
    value = _integer(text, "a TCP port from 1 to 65535")
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a TCP port from 1 to 65535; got {text!r}")
    return value


def region(text: str) -> tuple[int, int, int, int]:
    """``LEFT,TOP,WIDTH,HEIGHT`` of a screen region: corners >= 0, sizes >= 1."""
    try:
        left, top, width, height = (int(v) for v in str(text).split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be LEFT,TOP,WIDTH,HEIGHT (integers); got {text!r}") from None
    if left < 0 or top < 0 or width < 1 or height < 1:
        raise argparse.ArgumentTypeError(f"must have LEFT, TOP >= 0 and WIDTH, HEIGHT >= 1; got {text!r}")
    return left, top, width, height


def existing_directory(text: str) -> str:
    """A directory that exists."""
    if not text:
        raise argparse.ArgumentTypeError("must name a directory; got an empty path")
    if not os.path.exists(text):
        raise argparse.ArgumentTypeError(f"directory {text!r} does not exist")
    if not os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a directory")
    return text


def existing_file(text: str) -> str:
    """A regular file that exists (a checkpoint, an image)."""
    if not text:
        raise argparse.ArgumentTypeError("must name a file; got an empty path")
    if not os.path.exists(text):
        raise argparse.ArgumentTypeError(f"file {text!r} does not exist")
    if not os.path.isfile(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a file")
    return text


def _nearest_existing(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def writable_directory(text: str) -> str:
    """A directory to write into: it exists, or can be created (its nearest existing parent is a writable
    directory). Nothing is created here: a command that fails validation leaves no trace."""
    if not text:
        raise argparse.ArgumentTypeError("must name a directory; got an empty path")
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} exists and is not a directory")
    base = _nearest_existing(path)
    if not base.is_dir():
        raise argparse.ArgumentTypeError(f"cannot create {text!r}: {str(base)!r} is not a directory")
    if not os.access(base, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"cannot write in {str(base)!r} (permission denied)")
    return text


def output_file(text: str) -> str:
    """A file to write: not a directory, in a directory that exists and is writable."""
    if not text:
        raise argparse.ArgumentTypeError("must name a file; got an empty path")
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a directory; name a file")
    parent = path.absolute().parent
    if not parent.is_dir():
        raise argparse.ArgumentTypeError(f"directory {str(parent)!r} of {text!r} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"cannot write in {str(parent)!r} (permission denied)")
    return text


def part_path(text: str) -> str:
    """``PART=PATH`` for ``--source`` (the file is checked by the recipe step that loads it)."""
    part, sep, path = str(text).partition("=")
    if not sep or not part or not path:
        raise argparse.ArgumentTypeError(f"must be PART=PATH (e.g. backbone=ckpt.keras); got {text!r}")
    return text
