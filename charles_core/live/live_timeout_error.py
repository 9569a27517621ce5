"""The error of a bounded wait that ran out: it names what was waited for."""

from __future__ import annotations

from charles_core.errors import CharlesError


class LiveTimeoutError(CharlesError, TimeoutError):
    """A live-system wait ran past its limit.

    Args:
        what: what was waited for (``"the trainer's status"``, ``"the first weights"``).
        seconds: how long it waited.
        hint: what to do, one short clause.
    """

    def __init__(self, what: str, seconds: float, hint: str = ""):
        self.what, self.seconds = what, float(seconds)
        message = f"timed out after {self.seconds:.0f} s waiting for {what}"
        super().__init__(message + (f"; {hint}" if hint else ""))
