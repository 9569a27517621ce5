"""Architecture diagrams like the published model plots, drawn with matplotlib.

Keras's ``plot_model`` needs the Graphviz binary; this draws the same
top-level graph (backbones collapsed into one box each, as in the published
plots) with matplotlib alone.
"""

from __future__ import annotations

from collections import defaultdict


def layer_graph(model):
    """``[(name, class name, output shapes, parent names)]`` in topological order."""
    rows = []
    for layer in model.layers:
        parents = []
        for node in layer._inbound_nodes:
            for tensor in node.input_tensors:
                parents.append(tensor._keras_history.operation.name)
        outputs = layer.output if isinstance(layer.output, (list, tuple)) else [layer.output]
        shapes = [tuple(output.shape) for output in outputs]
        rows.append((layer.name, type(layer).__name__, shapes, parents))
    return rows


def _shape_text(shapes) -> str:
    return ", ".join("(" + ", ".join("None" if d is None else str(d) for d in s) + ")" for s in shapes)


def plot_model(model, path: str, title: str | None = None) -> str:
    """Draw ``model``'s layer graph to ``path`` (PNG); returns the path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    rows = layer_graph(model)
    depth: dict[str, int] = {}
    for name, _, _, parents in rows:
        depth[name] = 1 + max((depth[p] for p in parents), default=-1)
    by_depth: dict[int, list[str]] = defaultdict(list)
    for name, *_ in rows:
        by_depth[depth[name]].append(name)
    width = max(len(names) for names in by_depth.values())
    levels = max(by_depth) + 1
    position = {}
    for level, names in by_depth.items():
        for index, name in enumerate(names):
            position[name] = ((index + 0.5) * width / len(names), levels - level)

    box_w, box_h = 0.92, 0.62
    figure, axes = plt.subplots(figsize=(max(6.0, 3.4 * width), max(4.0, 1.15 * levels)))
    info = {name: (kind, shapes) for name, kind, shapes, _ in rows}
    for name, kind, _shapes, parents in rows:
        x, y = position[name]
        for parent in parents:
            px, py = position[parent]
            axes.annotate(
                "",
                xy=(x, y + box_h / 2),
                xytext=(px, py - box_h / 2),
                arrowprops=dict(arrowstyle="->", color="#555555", lw=1.0),
            )
        colour = "#cfe2f3" if kind in ("Functional", "TimeDistributed") else "#ffffff"
        axes.add_patch(
            FancyBboxPatch(
                (x - box_w / 2, y - box_h / 2), box_w, box_h, boxstyle="round,pad=0.02", fc=colour, ec="#333333"
            )
        )
        axes.text(x, y + 0.1, f"{name}: {kind}", ha="center", va="center", fontsize=8, weight="bold")
        axes.text(x, y - 0.14, _shape_text(info[name][1]), ha="center", va="center", fontsize=7)
    axes.set_xlim(0, width)
    axes.set_ylim(0.3, levels + 0.7)
    axes.axis("off")
    axes.set_title(title or model.name, fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
