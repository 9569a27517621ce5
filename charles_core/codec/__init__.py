"""A line's tensors both ways: frames and history -> model inputs, labels -> targets, outputs -> controls."""
