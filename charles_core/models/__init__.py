"""How a line becomes a keras.Model: the factory, builder, heads, history branch, parts, plot, Convcam;
the built-in backbones and initializers (plugins)."""

from charles_core.models.factory import (
    apply_transfer,
    create_model,
    get_line,
    list_backbones,
    list_initializers,
    list_lines,
)

__all__ = ["apply_transfer", "create_model", "get_line", "list_backbones", "list_initializers", "list_lines"]
