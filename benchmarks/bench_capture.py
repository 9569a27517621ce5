"""Script form of `charles bench capture`: see charles_core/benchmarks/capture.py."""

import sys

from charles_core.benchmarks.capture import main

if __name__ == "__main__":
    sys.exit(main())
