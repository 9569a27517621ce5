"""Built-in plugin: the ``game`` collector (screen capture plus the game link: the game's NPC driving).

Listed in ``charles_core.plugins.DEFAULT_PLUGINS``. It lives in the driving layer because it
needs the screen source and the game link; the balancing is the collect layer's
:class:`~charles_core.collect.stream_collector.StreamCollector` (collect sits below driving, so
driving imports it, never the other way round).
"""

from __future__ import annotations

from charles_core.hookspecs import hookimpl
from charles_core.registry import ComponentSpec


def create_game_collector(
    line,
    input_size,
    *,
    seed: int = 0,
    source: str = "screen",
    source_options=None,
    link: str = "socket",
    link_options=None,
    token_file: str | None = None,
    wait_s: float = 60.0,
    max_skew_s: float = 0.05,
    max_quiet_s: float = 10.0,
    bins: str = "spec",
    max_seconds_per_call: float = 2.0,
    frame_source=None,
    game_link=None,
):
    """Factory of the ``game`` collector: screen frames and the NPC's controls, in sync, balanced.

    Args:
        line: the line being trained.
        input_size: ``(height, width)`` of the stored frames (the screen source resizes to it).
        seed: unused (the game's NPC drives).
        source: a registered frame source (``screen``), made with ``source_options``
            (``left``, ``top``, ``width``, ``height``, ``monitor``; ``output_size`` defaults to
            ``input_size``).
        link: a registered game link (``socket``), made with ``link_options`` (``host``,
            ``port``, ...); ``token_file`` gives its token (``load_or_create_token``).
        wait_s: how long to wait for the game script's first controls, speed and purpose.
        max_skew_s: the most time between a telemetry line and its frame.
        max_quiet_s: a script silent this long is an error.
        bins: ``"spec"`` (default) or ``"coarse"``.
        max_seconds_per_call: the longest one ``collect`` call takes.
        frame_source: an already-open frame source, instead of ``source`` (tests, notebooks).
        game_link: an already-open game link, instead of ``link``.

    Raises:
        GameLinkError: no script sent controls, speed and purpose within ``wait_s``.
    """
    from charles_core import plugins
    from charles_core.collect.stream_collector import StreamCollector
    from charles_core.driving.game_stream import GameStream

    del seed
    if game_link is None:
        options = dict(link_options or {})
        if token_file is not None:
            from charles_core.driving.socket_game_link import load_or_create_token

            options["token"] = load_or_create_token(token_file)
        game_link = plugins.game_links.get(link).factory(**options)
    try:
        if frame_source is None:
            frame_source = plugins.frame_sources.get(source).factory(
                **{"output_size": tuple(input_size), **dict(source_options or {})}
            )
        stream = GameStream(frame_source, game_link, max_skew_s=max_skew_s, max_quiet_s=max_quiet_s)
        stream.wait_for_game(wait_s)
        return StreamCollector(stream, line, input_size, bins=bins, max_seconds_per_call=max_seconds_per_call)
    except BaseException:
        game_link.close()
        if frame_source is not None:
            frame_source.close()
        raise


@hookimpl
def charles_register_collectors(register):
    register(
        ComponentSpec(
            name="game",
            factory=create_game_collector,
            description="the game's NPC: screen frames and the game link's controls, speed and purpose, in sync",
        )
    )
