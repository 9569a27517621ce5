"""Run in a fresh process: two logical CPU devices must be set before TensorFlow starts."""

import json
import sys
import tempfile

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import numpy as np  # noqa: E402

from charles_core.collect.buffer_feed import BufferFeed  # noqa: E402
from charles_core.data.buffer_set import BufferSet  # noqa: E402
from charles_core.data.sample import Sample  # noqa: E402
from charles_core.training.trainer import Trainer  # noqa: E402
from charles_core.training.training_config import TrainingConfig  # noqa: E402

strategy = sys.argv[1]
work = tempfile.mkdtemp()
rng = np.random.default_rng(0)
buffers = BufferSet(f"{work}/buffers", ("throttle", "steering"), (61, 64), capacity=200, pause_fraction=0.05)
for name in buffers.outputs:
    for _ in range(200):
        buffers.add(
            name,
            Sample(
                rng.integers(0, 256, (61, 64, 3), dtype=np.uint8),
                throttle=float(rng.uniform(-1, 1)),
                steering=float(rng.uniform(-1, 1)),
            ),
        )
devices = ["/cpu:0", "/cpu:1"] if strategy == "mirrored" else None
trainer = Trainer(
    "model_0003_xception_v1",
    f"{work}/run",
    backbone="pilotnet",
    input_size=(61, 64),
    config=TrainingConfig(strategy=strategy, devices=devices, batch_per_buffer=4, checkpoint_every=100, progress=False),
)
result = trainer.train(BufferFeed(buffers), until_batch=3)
print(
    json.dumps(
        {
            "replicas": trainer.strategy.num_replicas_in_sync,
            "strategy": type(trainer.strategy).__name__,
            "multi_worker": isinstance(trainer.strategy, tf.distribute.MultiWorkerMirroredStrategy),
            "batch": trainer.batch,
            "losses": result["final_losses"],
        }
    )
)
