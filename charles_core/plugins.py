"""The plugin manager: built-in default plugins, then installed packages.

Third-party packages are found through the entry-point group ``charles_core``.
Set ``CHARLES_CORE_BLOCK_PLUGINS`` to a comma-separated list of entry-point
names to skip them, or to ``*`` to load built-ins only (the test suite does).
"""

from __future__ import annotations

import importlib
import os
from importlib import metadata

import pluggy

from charles_core import hookspecs
from charles_core.registry import Registry

ENTRY_POINT_GROUP = "charles_core"
BLOCK_ENV_VAR = "CHARLES_CORE_BLOCK_PLUGINS"

DEFAULT_PLUGINS = (
    "charles_core.models.backbones.keras_applications",
    "charles_core.models.backbones.pilotnet",
    "charles_core.models.initializers.scratch",
    "charles_core.models.initializers.imagenet",
    "charles_core.models.initializers.checkpoint",
    "charles_core.lines.published",
    "charles_core.data.plugin",
    "charles_core.driving.plugin",
    "charles_core.sim.plugin",
    "charles_core.runtimes.plugin",
    "charles_core.collect.plugin",
    "charles_core.collect.recording_collector",
    "charles_core.driving.game_collector",
    "charles_core.cli.plugin",
)

_pm: pluggy.PluginManager | None = None


def blocked_plugins() -> set[str] | None:
    """Entry-point names blocked by the environment; ``None`` means all external ones."""
    value = os.environ.get(BLOCK_ENV_VAR, "").strip()
    if value == "*":
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


def _load_entry_points(pm: pluggy.PluginManager) -> None:
    blocked = blocked_plugins()
    if blocked is None:
        return
    for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        if entry_point.name in blocked or pm.get_plugin(entry_point.name) is not None:
            continue
        pm.register(entry_point.load(), name=entry_point.name)


def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager, created on first use."""
    global _pm
    if _pm is None:
        pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        pm.add_hookspecs(hookspecs)
        for module_name in DEFAULT_PLUGINS:
            pm.register(importlib.import_module(module_name), name=module_name)
        _load_entry_points(pm)
        _pm = pm
    return _pm


backbones = Registry("backbone", "charles_register_backbones", get_plugin_manager)
initializers = Registry("initializer", "charles_register_initializers", get_plugin_manager)
lines = Registry("line", "charles_register_lines", get_plugin_manager)
environments = Registry("environment", "charles_register_environments", get_plugin_manager)
frame_sources = Registry("frame source", "charles_register_frame_sources", get_plugin_manager)
controllers = Registry("controller", "charles_register_controllers", get_plugin_manager)
game_links = Registry("game link", "charles_register_game_links", get_plugin_manager)
balancers = Registry("balancer", "charles_register_balancers", get_plugin_manager)
runtimes = Registry("runtime", "charles_register_runtimes", get_plugin_manager)
commands = Registry("command", "charles_register_commands", get_plugin_manager)
collectors = Registry("collector", "charles_register_collectors", get_plugin_manager)

REGISTRIES = (
    backbones,
    initializers,
    lines,
    environments,
    frame_sources,
    controllers,
    game_links,
    balancers,
    runtimes,
    commands,
    collectors,
)


def register_plugin(plugin, name: str | None = None) -> None:
    """Register a plugin object or module at run time (tests, notebooks)."""
    get_plugin_manager().register(plugin, name=name)
    reset_registries()


def unregister_plugin(name: str) -> None:
    get_plugin_manager().unregister(name=name)
    reset_registries()


def reset_registries() -> None:
    for registry in REGISTRIES:
        registry.reset()


def reset() -> None:
    """Drop the plugin manager; the next lookup rebuilds it (re-reads the environment)."""
    global _pm
    _pm = None
    reset_registries()
