"""The `charles` command: shared argument types, one module per command family."""

from charles_core.cli.commands import build_parser, main

__all__ = ["build_parser", "main"]
