import math

import attrs
import numpy as np
import pytest

from charles_core.common.validators import (
    instance_of,
    integer_at_least,
    integer_between,
    non_negative,
    one_of,
    optional_positive,
    positive,
    positive_ints,
)
from charles_core.errors import ConfigError


@attrs.frozen
class Settings:
    rate: float = attrs.field(default=1.0, validator=positive)
    limit: int | None = attrs.field(default=None, validator=optional_positive)
    offset: float = attrs.field(default=0.0, validator=non_negative)
    widths: tuple = attrs.field(default=(4,), validator=positive_ints)
    steps: int = attrs.field(default=1, validator=integer_at_least(1))
    nice: int = attrs.field(default=0, validator=integer_between(0, 19))
    mode: str = attrs.field(default="a", validator=one_of(("a", "b")))
    name: str = attrs.field(default="x", validator=instance_of(str))


@pytest.mark.parametrize(
    "changes, words",
    [
        (dict(rate=0), "Settings.rate must be a positive number; got 0"),
        (dict(rate=-1.5), "Settings.rate must be a positive number"),
        (dict(rate=math.nan), "Settings.rate"),
        (dict(rate=math.inf), "Settings.rate"),
        (dict(rate=True), "Settings.rate"),
        (dict(rate="1"), "Settings.rate"),
        (dict(limit=0), "Settings.limit must be a positive number"),
        (dict(offset=-0.1), "Settings.offset must be a number >= 0"),
        (dict(widths=(4, 0)), "Settings.widths must hold positive integers"),
        (dict(widths=(4.5,)), "Settings.widths must hold positive integers"),
        (dict(steps=0), "Settings.steps must be an integer >= 1"),
        (dict(steps=1.0), "Settings.steps must be an integer >= 1"),
        (dict(nice=20), "Settings.nice must be an integer from 0 to 19"),
        (dict(mode="c"), "Settings.mode must be one of 'a', 'b'; got 'c'"),
        (dict(name=3), "Settings.name must be of type str; got int 3"),
    ],
)
def test_a_bad_value_is_a_config_error_naming_class_and_field(changes, words):
    with pytest.raises(ConfigError, match="^" + words.replace("(", r"\(").replace(")", r"\)")):
        Settings(**changes)


def test_good_values_pass_numpy_numbers_included():
    Settings(rate=np.float32(0.5), limit=None, offset=0, widths=(np.int64(3),), steps=np.int64(2), nice=19, mode="b")
