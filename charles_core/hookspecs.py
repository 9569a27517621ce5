"""The hooks a charles_core plugin can implement.

Every hook receives a ``register`` callback and calls it once per thing it
provides. Built-in parts register through these same hooks (see
``charles_core.plugins.DEFAULT_PLUGINS``); third-party packages name their
module in the ``[project.entry-points."charles_core"]`` table.

Example:

```text
import charles_core

@charles_core.hookimpl
def charles_register_backbones(register):
    register(charles_core.BackboneSpec(name="tiny", build=build_tiny, ...))
```
"""

import pluggy

PROJECT_NAME = "charles_core"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def charles_register_backbones(register):
    """Register backbones: call ``register(BackboneSpec(...))`` for each.

    A backbone maps an image batch to a 4-D feature map (before pooling).
    The model builder adds pooling, frame stacking, recurrence and heads.
    """


@hookspec
def charles_register_initializers(register):
    """Register transfer-learning initializers: ``register(InitializerSpec(...))``.

    An initializer fills the weights of one part of a built model (backbone,
    recurrent branch, head) and may freeze that part.
    """


@hookspec
def charles_register_lines(register):
    """Register model lines: call ``register(LineConfig(...))`` for each version."""


@hookspec
def charles_register_environments(register):
    """Register driving environments: ``register(ComponentSpec(name, factory))``.

    ``factory(**options)`` returns an environment used by the collector and by
    ``charles drive --source sim``.
    """


@hookspec
def charles_register_frame_sources(register):
    """Register frame sources (screen capture, simulator): ``register(ComponentSpec(...))``.

    ``factory(**options)`` returns an object with ``read() -> numpy.ndarray``
    (an RGB uint8 frame) and ``close()``.
    """


@hookspec
def charles_register_controllers(register):
    """Register controllers (virtual gamepad, simulator): ``register(ComponentSpec(...))``.

    ``factory(**options)`` returns an object with ``apply(controls)`` taking a
    mapping of output name to value, and ``close()``.
    """


@hookspec
def charles_register_game_links(register):
    """Register links to a script inside the game: ``register(ComponentSpec(name, factory))``.

    ``factory(**options)`` returns an object with ``wait_for_game(timeout_s,
    needs)``, ``telemetry() -> mapping`` (any of ``speed``, ``position``,
    ``purpose``, ``controls``), ``relocate()`` (move the car to a random place:
    the game's side of unstuck) and ``close()``. A link the ``game`` collector
    and ``charles record --source game`` use also has ``next_telemetry(after,
    timeout_s) -> (number, fields, received_at)``: one message's own fields, in order.
    """


@hookspec
def charles_register_runtimes(register):
    """Register inference runtimes: ``register(RuntimeSpec(name, factory, available))``.

    ``factory(model)`` returns a batch-1 predictor (``predict(inputs)``,
    ``load_weights(path)``, ``model``); ``available()`` says whether its
    package is installed. ``charles drive --runtime auto`` times every
    available runtime on the model and keeps the fastest.
    """


@hookspec
def charles_register_balancers(register):
    """Register data balancers: ``register(ComponentSpec(name, factory))``.

    ``factory(outputs, **options)`` returns a balancer that sorts incoming
    samples into one balanced stream per buffer.
    """


@hookspec
def charles_register_commands(register):
    """Register ``charles`` sub-commands: ``register(ComponentSpec(name, factory))``.

    ``factory(commands)`` receives argparse's sub-parsers object and adds one
    or more sub-commands to it (``commands.add_parser(...)``, with
    ``set_defaults(func=...)``; ``func(args)`` returns the exit code and
    raises a ``CharlesError`` for a one-line error, exit code 2). The built-in
    command families register through this hook too.
    """


@hookspec
def charles_register_collectors(register):
    """Register sample collectors: ``register(ComponentSpec(name, factory))``.

    ``factory(line, input_size, *, seed, **options)`` returns a collector for
    ``line`` (a ``LineConfig``) recording frames at ``input_size`` ``(height,
    width)``; ``seed`` differs per collector process. A collector balances
    before it sends: it runs the line's balancer itself and provides

    - ``buffer_names``: the balancer's buffer names (the trainer's buffers);
    - ``collect(max_samples) -> dict[str, list[Sample]]``: balanced samples
      per buffer name, ready for ``BufferSet.add_ready``; returns in bounded
      time, with about ``max_samples`` samples (a balanced set is never split),
      fewer or none when its source had nothing ready;
    - ``finished``: ``True`` once a finite source (a recording) has nothing more;
    - ``close()``.

    ``charles live --collector NAME`` runs one per collector process.
    """
