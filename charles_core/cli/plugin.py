"""The built-in command families, registered through ``charles_register_commands`` like a plugin's."""

from __future__ import annotations

import importlib

from charles_core.hookspecs import hookimpl
from charles_core.registry import ComponentSpec

# family name -> (module, function adding its sub-commands, description); imported only when the parser is built
BUILT_IN_COMMANDS = {
    "data": ("charles_core.cli.data_commands", "add_data_commands", "data inspect, data check"),
    "training": ("charles_core.cli.train_commands", "add_training_commands", "quickstart, train"),
    "driving": ("charles_core.cli.drive_commands", "add_driving_commands", "drive, convcam"),
    "bench": ("charles_core.cli.bench_commands", "add_bench_commands", "bench train|drive|buffers|capture"),
    "eval": ("charles_core.cli.eval_commands", "add_eval_commands", "eval"),
    "record": ("charles_core.cli.record_commands", "add_record_commands", "record"),
    "live": ("charles_core.cli.live_commands", "add_live_commands", "live"),
}


def _adder(module_name: str, function_name: str):
    def add(commands) -> None:
        getattr(importlib.import_module(module_name), function_name)(commands)

    return add


@hookimpl
def charles_register_commands(register):
    for name, (module_name, function_name, description) in BUILT_IN_COMMANDS.items():
        register(ComponentSpec(name=name, factory=_adder(module_name, function_name), description=description))
