"""attrs validators shared by every typed config; each raises :class:`ConfigError`.

attrs' own validators raise ``TypeError``/``ValueError``, which the ``charles``
command would print as a traceback; these name the class, the field and the
value in one line instead.

Example:

```python
import attrs
from charles_core.common.validators import positive, optional_positive, one_of

@attrs.frozen
class Settings:
    rate_hz: float = attrs.field(default=30.0, validator=positive)
    limit: int | None = attrs.field(default=None, validator=optional_positive)
    mode: str = attrs.field(default="fast", validator=one_of(("fast", "slow")))
```
"""

from __future__ import annotations

import math
import numbers

from charles_core.errors import ConfigError


def _where(instance, attribute) -> str:
    return f"{type(instance).__name__}.{attribute.name}"


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _is_integer(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def positive(instance, attribute, value) -> None:
    """A finite number > 0 (not a bool, not NaN or infinite)."""
    if not _is_number(value) or value <= 0:
        raise ConfigError(f"{_where(instance, attribute)} must be a positive number; got {value!r}")


def optional_positive(instance, attribute, value) -> None:
    """``None`` (unset: a default applies) or a finite number > 0."""
    if value is not None:
        positive(instance, attribute, value)


def non_negative(instance, attribute, value) -> None:
    """A finite number >= 0."""
    if not _is_number(value) or value < 0:
        raise ConfigError(f"{_where(instance, attribute)} must be a number >= 0; got {value!r}")


def fraction_above_zero(instance, attribute, value) -> None:
    """A finite number in (0, 1]: a share that may not vanish."""
    if not _is_number(value) or not 0 < value <= 1:
        raise ConfigError(f"{_where(instance, attribute)} must be a number in (0, 1]; got {value!r}")


def fraction_below_one(instance, attribute, value) -> None:
    """A finite number in (0, 1): a momentum, which neither forgets at once nor never learns."""
    if not _is_number(value) or not 0 < value < 1:
        raise ConfigError(f"{_where(instance, attribute)} must be a number in (0, 1); got {value!r}")


def positive_ints(instance, attribute, value) -> None:
    """A sequence of integers, each > 0 (layer widths)."""
    if any(not _is_integer(v) or v <= 0 for v in value):
        raise ConfigError(f"{_where(instance, attribute)} must hold positive integers; got {value!r}")


def integer_at_least(minimum: int):
    """A validator: an ``int`` (not a bool) >= ``minimum``."""

    def check(instance, attribute, value) -> None:
        if not _is_integer(value) or value < minimum:
            raise ConfigError(f"{_where(instance, attribute)} must be an integer >= {minimum}; got {value!r}")

    return check


def integer_between(low: int, high: int):
    """A validator: an ``int`` (not a bool) in ``[low, high]``."""

    def check(instance, attribute, value) -> None:
        if not _is_integer(value) or not low <= value <= high:
            raise ConfigError(f"{_where(instance, attribute)} must be an integer from {low} to {high}; got {value!r}")

    return check


def one_of(choices):
    """A validator: ``value`` is one of ``choices``."""
    choices = tuple(choices)

    def check(instance, attribute, value) -> None:
        if value not in choices:
            raise ConfigError(
                f"{_where(instance, attribute)} must be one of {', '.join(map(repr, choices))}; got {value!r}"
            )

    return check


def instance_of(kind):
    """A validator: ``isinstance(value, kind)``."""

    def check(instance, attribute, value) -> None:
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            names = " or ".join(k.__name__ for k in kind) if isinstance(kind, tuple) else kind.__name__
            raise ConfigError(
                f"{_where(instance, attribute)} must be of type {names}; got {type(value).__name__} {value!r}"
            )

    return check


def to_tuple(value) -> tuple:
    """attrs converter: any iterable (not a string) to a tuple, else ConfigError."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise ConfigError(f"expected a list of values; got {type(value).__name__} {value!r}")
    return tuple(value)
