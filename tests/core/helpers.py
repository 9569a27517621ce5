"""Parameter arithmetic from the spec's layer widths, for the count tests."""


def dense_params(inputs: int, units: int) -> int:
    return inputs * units + units


def stack_params(inputs: int, widths) -> tuple[int, int]:
    """(params, output width) of consecutive Dense layers."""
    total = 0
    for units in widths:
        total += dense_params(inputs, units)
        inputs = units
    return total, inputs


def head_params(features: int, line) -> int:
    """Common stack plus one head per output, as the spec describes."""
    common, width = stack_params(features, line.common_layers)
    total = common
    for output in line.outputs:
        head, head_width = stack_params(width, line.head_layers)
        total += head + dense_params(head_width, output.units)
    return total
