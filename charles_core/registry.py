"""One registry per kind of plugin-provided thing, filled through the hooks.

Registries are filled lazily, on first lookup, by calling every hook
implementation with a ``register`` callback bound to that implementation's
plugin name, so a name registered twice is reported with both plugins.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from charles_core.errors import CharlesError, ConfigError, RegistryError


@attrs.frozen
class ComponentSpec:
    """A named factory: environments, frame sources, controllers, balancers.

    Args:
        name: the name users select it by (``--source screen``).
        factory: called with keyword options, returns the component.
        description: one line shown by the CLI.
    """

    name: str = attrs.field(validator=attrs.validators.instance_of(str))
    factory: Callable[..., Any] = attrs.field(validator=attrs.validators.is_callable())
    description: str = ""


@attrs.frozen
class Entry:
    """A registered value and the plugin that registered it."""

    value: Any
    plugin: str


class Registry:
    """Name -> spec lookups for one kind (``"backbone"``, ``"line"``, ...).

    Args:
        kind: singular noun used in messages.
        hook_name: the ``charles_register_*`` hook that fills it.
        plugin_manager_getter: returns the ``pluggy.PluginManager`` to read.
    """

    def __init__(self, kind: str, hook_name: str, plugin_manager_getter: Callable):
        self.kind = kind
        self.hook_name = hook_name
        self._get_pm = plugin_manager_getter
        self._entries: dict[str, Entry] | None = None

    def _load(self) -> dict[str, Entry]:
        if self._entries is None:
            entries: dict[str, Entry] = {}
            pm = self._get_pm()
            hook = getattr(pm.hook, self.hook_name)
            for impl in reversed(hook.get_hookimpls()):  # registration order
                plugin = impl.plugin_name

                def register(value, _plugin=plugin):
                    name = getattr(value, "name", None)
                    if not isinstance(name, str) or not name:
                        raise RegistryError(
                            f"plugin {_plugin!r} registered a {self.kind} without a string 'name': {value!r}"
                        )
                    if name in entries:
                        raise RegistryError(
                            f"{self.kind} {name!r} is registered twice: by plugin "
                            f"{entries[name].plugin!r} and by plugin {_plugin!r}. "
                            "Uninstall or block one of them "
                            "(CHARLES_CORE_BLOCK_PLUGINS=name)."
                        )
                    entries[name] = Entry(value, _plugin)

                try:
                    impl.function(register=register)
                except RegistryError:
                    raise
                except (CharlesError, TypeError, ValueError) as error:
                    # a plugin's config that fails validation (attrs raises TypeError for a missing or
                    # mistyped field): one line naming the plugin, not a traceback from inside it
                    raise ConfigError(f"plugin {plugin!r} registers a bad {self.kind}: {error}") from error
            self._entries = entries
        return self._entries

    def reset(self) -> None:
        """Forget what was loaded; the next lookup asks the plugins again."""
        self._entries = None

    def names(self) -> list[str]:
        return sorted(self._load())

    def __contains__(self, name: str) -> bool:
        return name in self._load()

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def get(self, name: str) -> Any:
        """The spec registered as ``name``; a clear error for unknown names."""
        entries = self._load()
        if name not in entries:
            close = difflib.get_close_matches(str(name), entries, n=3)
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            raise RegistryError(f"unknown {self.kind} {name!r}.{hint} Known: {', '.join(sorted(entries)) or 'none'}.")
        return entries[name].value

    def plugin_of(self, name: str) -> str:
        """The name of the plugin that registered ``name``."""
        self.get(name)
        return self._load()[name].plugin

    def items(self) -> list[tuple[str, Any, str]]:
        """``(name, spec, plugin)`` triples, sorted by name."""
        return [(n, e.value, e.plugin) for n, e in sorted(self._load().items())]
