"""Child process of the kill test: adds samples to a BufferSet until it is killed.

Usage: python kill_child.py DIRECTORY FIRST_ID CAPACITY
Prints "open" once the set is open, then each id after ``add`` returned.
Sample ``i`` goes to buffer ``i % 2``.
"""

import sys

from charles_core.data.buffer_set import BufferSet
from tests.data.data_samples import SHAPE, sample_for

OUTPUTS = ("throttle", "steering")

directory, first, capacity = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
buffers = BufferSet(directory, OUTPUTS, SHAPE, capacity=capacity)
print("open", flush=True)
ident = first
while True:
    buffers.add(OUTPUTS[ident % 2], sample_for(ident))
    print(ident, flush=True)
    ident += 1
