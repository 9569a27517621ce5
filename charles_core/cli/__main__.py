"""``python -m charles_core.cli.commands``: the ``charles`` command."""

import sys

from charles_core.cli.commands import main

sys.exit(main())
