"""A :class:`LineConfig` as plain JSON data and back, exactly (never a pickle).

Every field of the line (backbone, input size, outputs, history, frames,
balancing, transfer recipe, every override) is written; reading rebuilds an
equal ``LineConfig`` without the line registry, so a checkpoint can carry the
config it was trained with (``charles_core.training.checkpoints``).

The encoding follows the attrs classes' fields and type hints, so a field
added to ``LineConfig``, ``OutputSpec``, ``HistorySpec`` or ``TransferStep``
is carried without touching this module. Reading is strict: an unknown field,
a wrong type or an invalid value is a ``ConfigError`` naming the field; a
field missing from the data takes its default (data written by an older
version).

Example:

```python
from charles_core.lines.line_json import line_from_json, line_to_json
from charles_core.models import get_line
line = get_line("charles_pilotnet_v1", backbone="mobilenet_v2")
assert line_from_json(line_to_json(line)) == line
```
"""

from __future__ import annotations

import json
import types
import typing
from functools import cache

import attrs

from charles_core.errors import ConfigError
from charles_core.lines.line_config import LineConfig

#: JSON nesting deeper than this is refused before parsing (a line needs 4 levels).
MAX_DEPTH = 16


def line_to_dict(line: LineConfig) -> dict:
    """The line's fields as plain data (dicts, lists, strings, numbers, booleans, None).

    Args:
        line: the config to encode.
    """
    if not isinstance(line, LineConfig):
        raise ConfigError(f"line_to_dict takes a LineConfig; got {type(line).__name__}")
    return _encode(line)


def line_from_dict(data: dict) -> LineConfig:
    """The ``LineConfig`` encoded by :func:`line_to_dict`; ConfigError for anything else.

    Args:
        data: the plain data (e.g. parsed JSON).
    """
    return _decode(data, LineConfig, "line")


def line_to_json(line: LineConfig) -> str:
    """The line as one JSON document (keys sorted, so equal lines give equal text).

    Args:
        line: the config to encode.
    """
    return json.dumps(line_to_dict(line), sort_keys=True, allow_nan=False)


def line_from_json(text: str | bytes) -> LineConfig:
    """The ``LineConfig`` of :func:`line_to_json`'s text; ConfigError for anything else.

    Args:
        text: the JSON document.
    """
    return line_from_dict(parse_json(text, "line config"))


def parse_json(text: str | bytes, what: str):
    """``json.loads`` with a nesting bound; ConfigError naming ``what`` for bad text.

    Args:
        text: the JSON document.
        what: what it holds, for the error message.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ConfigError(f"{what} is not UTF-8 text: {error}") from None
    depth = deepest = 0
    in_string = escaped = False
    for char in text:  # the bound is checked before json recurses into it
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                raise ConfigError(f"{what} is nested deeper than {MAX_DEPTH} levels; it is not one charles_core wrote")
        elif char in "]}":
            depth -= 1
    try:
        return json.loads(text)
    except ValueError as error:
        raise ConfigError(f"{what} is not valid JSON: {error}") from None


@cache
def _hints(cls) -> dict:
    return typing.get_type_hints(cls)


def _encode(value):
    if attrs.has(type(value)):
        return {field.name: _encode(getattr(value, field.name)) for field in attrs.fields(type(value))}
    if isinstance(value, (tuple, list)):
        return [_encode(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ConfigError(f"cannot write a {type(value).__name__} ({value!r}) as JSON; line fields hold plain values")


def _decode(value, hint, where: str):
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if isinstance(hint, type) and attrs.has(hint):
        return _decode_attrs(value, hint, where)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        if len(options) != 1:
            raise ConfigError(f"{where}: cannot read a field typed {hint}")
        return _decode(value, options[0], where)
    if origin is tuple:
        if not isinstance(value, list):
            raise ConfigError(f"{where} must be a list; got {type(value).__name__}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(v, args[0], f"{where}[{i}]") for i, v in enumerate(value))
        if len(value) != len(args):
            raise ConfigError(f"{where} must hold {len(args)} values; got {len(value)}")
        return tuple(_decode(v, a, f"{where}[{i}]") for i, (v, a) in enumerate(zip(value, args)))
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false; got {value!r}")
        return value
    if hint is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConfigError(f"{where} must be an integer; got {value!r}")
        return value
    if hint is float:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise ConfigError(f"{where} must be a number; got {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a string; got {value!r}")
        return value
    raise ConfigError(f"{where}: cannot read a field typed {hint}")


def _decode_attrs(value, cls, where: str):
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be an object of {cls.__name__}'s fields; got {type(value).__name__}")
    fields = {field.name: field for field in attrs.fields(cls)}
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise ConfigError(
            f"{where} has fields {cls.__name__} does not know: {unknown} (written by a newer charles_core?)"
        )
    hints = _hints(cls)
    kwargs = {name: _decode(item, hints[name], f"{where}.{name}") for name, item in value.items()}
    try:
        return cls(**kwargs)
    except (ValueError, TypeError) as error:  # the validators' errors (ConfigError is a ValueError)
        raise ConfigError(f"{where} is not a valid {cls.__name__}: {error}") from None
