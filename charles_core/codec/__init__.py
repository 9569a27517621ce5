"""A line's tensors both ways, in one place: frames and history -> model inputs, labels -> targets, outputs -> controls."""
