"""Built-in plugin: the ``recording`` collector (a recorded dataset replayed as a live stream).

Listed in ``charles_core.plugins.DEFAULT_PLUGINS``. The factory reads a recording, or a
recording stream that it can follow as a writer adds to it (a game machine writing into a
shared folder: docs/live.md, "A Windows game machine").
"""

from __future__ import annotations

from charles_core.hookspecs import hookimpl
from charles_core.registry import ComponentSpec


def create_recording_collector(
    line,
    input_size,
    *,
    seed: int = 0,
    path=None,
    follow: bool = False,
    poll_s: float = 0.5,
    bins: str = "spec",
    verify_frames: bool = False,
    max_seconds_per_call: float = 2.0,
):
    """Factory of the ``recording`` collector: a recording's samples, balanced by the line's balancer.

    Args:
        line: the line being trained.
        input_size: ``(height, width)`` of the stored frames (recorded frames are resized).
        seed: unused (a recording is read in its own order; history needs time order).
        path: the recording or recording stream (required).
        follow: keep reading a recording stream as it grows (see ``RecordingStream``).
        poll_s: the least time between two looks at the folder for a new segment.
        bins: ``"spec"`` (default) or ``"coarse"``.
        verify_frames: check every frame of a segment when it opens.
        max_seconds_per_call: the longest one ``collect`` call takes.
    """
    from charles_core.collect.recording_stream import RecordingStream
    from charles_core.collect.stream_collector import StreamCollector
    from charles_core.errors import ConfigError

    del seed
    if path is None:
        raise ConfigError("the recording collector needs path=: a recording or recording stream folder")
    stream = RecordingStream(path, follow=follow, poll_s=poll_s, verify_frames=verify_frames)
    return StreamCollector(stream, line, input_size, bins=bins, max_seconds_per_call=max_seconds_per_call)


@hookimpl
def charles_register_collectors(register):
    register(
        ComponentSpec(
            name="recording",
            factory=create_recording_collector,
            description="a recorded dataset replayed as a live stream (follow=True: a recording stream as it grows)",
        )
    )
