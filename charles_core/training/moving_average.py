"""Drive and save the moving average of the weights, train on the weights themselves.

With ``TrainingConfig.weight_average`` set, Adam keeps an exponential moving
average of every trainable variable (Keras's ``use_ema``, updated inside the
compiled step). Checkpoints and published weights carry that average; the
training step goes on from the raw weights. One run's raw checkpoints 250
batches apart drove 1 and 15 of 20 unseen laps (docs/recovery.md): the
average smooths the last few hundred steps' noise out of what is driven.
"""

from __future__ import annotations

import contextlib


def keeps_moving_average(model) -> bool:
    """Whether ``model``'s optimizer keeps a built moving average of its weights."""
    optimizer = getattr(model, "optimizer", None)
    return bool(
        optimizer is not None
        and getattr(optimizer, "use_ema", False)
        and getattr(optimizer, "_model_variables_moving_average", None)
    )


@contextlib.contextmanager
def moving_average_weights(model):
    """Inside the block ``model`` holds its moving-average weights; the raw ones come back after.

    Without a moving average (or before the first step) the model is left as it is.

    Example:

    ```text
    with moving_average_weights(trainer.model):
        trainer.model.save("averaged.keras")
    ```
    """
    if not keeps_moving_average(model):
        yield model
        return
    variables = model.trainable_variables
    raw = [variable.numpy() for variable in variables]
    model.optimizer.finalize_variable_values(variables)
    try:
        yield model
    finally:
        for variable, value in zip(variables, raw):
            variable.assign(value)
