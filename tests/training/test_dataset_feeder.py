"""DatasetFeeder: recordings feed history lines (strictly past history) and say when bins cannot fill."""

import numpy as np
import pytest

from charles_core import cli
from charles_core.collect.data_pipeline import make_balancer, make_buffers
from charles_core.collect.dataset_feeder import DatasetFeeder, check_recording_fills
from charles_core.data.recorded_dataset import RecordedDataset, RecordedDatasetWriter
from charles_core.data.sample import Sample
from charles_core.errors import DataError
from charles_core.models import get_line

SIZE = (40, 48)


def write_recording(path, steering, throttle, speed=None):
    rng = np.random.default_rng(0)
    with RecordedDatasetWriter(path, SIZE) as writer:
        for i, (s, t) in enumerate(zip(steering, throttle)):
            writer.append(
                Sample(
                    rng.integers(0, 256, (*SIZE, 3), dtype=np.uint8),
                    throttle=float(t),
                    steering=float(s),
                    speed=float(i if speed is None else speed[i]),
                    purpose=(float(i), 0.5),
                    timestamp=i / 30,
                )
            )
    return RecordedDataset(path)


class _Keep:
    """A balancer stand-in that keeps every sample it is given (no bins: the fill check is skipped)."""

    def __init__(self):
        self.samples = []

    def add(self, sample):
        self.samples.append(sample)

    def take_ready(self):
        return {}


class _NoBuffers:
    class config:
        capacity = 10

    def add_ready(self, ready):
        return {}

    def counts(self):
        return {}


def test_history_is_rebuilt_from_earlier_samples_strictly_past(tmp_path):
    line = get_line("charles_pilotnet_v2")  # the quickstart's line: a 4-step speed history
    steps = line.history.steps
    dataset = write_recording(tmp_path / "rec", steering=np.linspace(-0.5, 0.5, 12), throttle=np.full(12, 0.3))
    balancer = _Keep()
    feeder = DatasetFeeder(dataset, line, (30, 32), balancer, _NoBuffers())
    for _ in range(12):
        feeder.step()
    speeds = dataset.labels["speed"]
    for index, sample in enumerate(balancer.samples):
        past = list(speeds[max(0, index - steps) : index])
        expected = [0.0] * (steps - len(past)) + past  # padding first, newest last
        assert sample.history["speed"].tolist() == expected, index
        assert speeds[index] not in sample.history["speed"][-1:] or index == 0  # never its own value
        assert sample.frame.shape == (30 * line.frames, 32, 3)


def test_bins_no_label_reaches_are_named_with_what_to_do(tmp_path):
    line = get_line("charles_pilotnet_v1")
    rng = np.random.default_rng(1)
    n = 300
    dataset = write_recording(
        tmp_path / "rec", steering=rng.uniform(-1, 1, n), throttle=rng.uniform(-1, 1, n)
    )  # analog: never exactly 0.0
    balancer = make_balancer(line, "spec")
    buffers = make_buffers(line, tmp_path / "buffers", (30, 32), balancer, capacity=21)
    with pytest.raises(DataError) as info:
        DatasetFeeder(dataset, line, (30, 32), balancer, buffers)
    message = str(info.value)
    assert "no throttle label falls in bin(s) 0.0 " in message and "--bins coarse" in message
    assert "record more" not in message
    coarse = make_balancer(line, "coarse")
    DatasetFeeder(dataset, line, (30, 32), coarse, buffers)  # the coarse bins fit this recording
    buffers.close()


def test_with_coarse_bins_already_the_error_does_not_suggest_them(tmp_path):
    line = get_line("charles_pilotnet_v1")
    dataset = write_recording(tmp_path / "rec", steering=np.full(40, 0.5), throttle=np.full(40, 0.9))
    with pytest.raises(DataError) as info:
        check_recording_fills(dataset, make_balancer(line, "coarse"), capacity=20)
    assert "never fill" in str(info.value) and "--bins coarse" not in str(info.value)


def test_a_recording_too_small_for_the_capacity_says_how_much_it_can_give(tmp_path):
    line = get_line("charles_pilotnet_v1")
    n = 30
    dataset = write_recording(
        tmp_path / "rec", steering=np.resize([-0.5, 0.0, 0.5], n), throttle=np.resize([-0.2, 0.9], n)
    )
    balancer = make_balancer(line, "coarse")
    with make_buffers(line, tmp_path / "buffers", (30, 32), balancer, capacity=200) as buffers:
        with pytest.raises(DataError, match=r"at most \d+ samples .* lower --capacity"):
            DatasetFeeder(dataset, line, (30, 32), balancer, buffers)


def test_an_empty_recording_is_a_clear_error(tmp_path):
    line = get_line("charles_pilotnet_v1")
    dataset = write_recording(tmp_path / "rec", steering=[], throttle=[])
    balancer = make_balancer(line, "coarse")
    with make_buffers(line, tmp_path / "buffers", (30, 32), balancer, capacity=20) as buffers:
        with pytest.raises(DataError, match="holds no samples"):
            DatasetFeeder(dataset, line, (30, 32), balancer, buffers)


def test_the_quickstart_line_trains_from_a_recording(tmp_path, capsys):
    rng = np.random.default_rng(0)
    n = 300
    write_recording(
        tmp_path / "rec", steering=rng.uniform(-1, 1, n), throttle=rng.uniform(-1, 1, n), speed=rng.uniform(0, 20, n)
    )
    code = cli.main(
        [
            "train",
            "charles_pilotnet_v2",
            "--data",
            str(tmp_path / "rec"),
            "--input-size",
            "61x64",
            "--capacity",
            "12",
            "--batch-per-buffer",
            "2",
            "--batches",
            "1",
            "--bins",
            "coarse",
            "--no-progress",
            "--run-root",
            str(tmp_path / "runs"),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert '"batch": 1' in captured.out.strip().splitlines()[-1]


class _Labels:
    """A recording stand-in: only its labels (what the fill check reads)."""

    path = "REC"

    def __init__(self, throttle, steering):
        from charles_core.common.signals import split_throttle

        throttle = np.asarray(throttle, np.float32)
        acceleration, braking = split_throttle(throttle)
        self.arrays = {
            "throttle": throttle,
            "steering": np.asarray(steering, np.float32),
            "acceleration": acceleration,
            "braking": braking,
        }

    def label_arrays(self):
        return self.arrays


def test_balancing_v1_names_a_missing_bin_combination():
    from charles_core.data.balancing_v1 import BalancerV1, BalancerV1Config

    balancer = BalancerV1(("acceleration", "braking", "steering"), BalancerV1Config(skip_impossible=True))
    throttle = np.array([-1.0, -0.9, -0.5, -0.1, 0.0, 0.1, 0.5, 0.9, 1.0])  # every pedal bin, one pedal at a time
    steering = np.array([-1.0, -0.8, -0.4, -0.1, 0.0, 0.1, 0.4, 0.8, 1.0])
    grid_t, grid_s = np.meshgrid(throttle, steering)
    check_recording_fills(_Labels(grid_t.ravel(), grid_s.ravel()), balancer, capacity=balancer.set_size)
    keep = ~((grid_t.ravel() == 1.0) & (grid_s.ravel() == -1.0))  # full gas never with full left lock
    assert balancer.set_size == 81
    with pytest.raises(
        DataError,
        match=r"1 of 81 bin combinations .* \(acceleration 1\.0, braking 0\.0, "
        r"steering -1\.0\)",
    ):
        check_recording_fills(_Labels(grid_t.ravel()[keep], grid_s.ravel()[keep]), balancer, capacity=81)
    with pytest.raises(DataError, match="no steering label falls in bin"):
        check_recording_fills(_Labels(grid_t.ravel(), np.full(grid_t.size, 0.3)), balancer, capacity=81)
    with pytest.raises(DataError, match="at most 81 samples"):
        check_recording_fills(_Labels(grid_t.ravel(), grid_s.ravel()), balancer, capacity=162)


def test_charles_train_refuses_an_unfillable_recording_before_making_anything(tmp_path, capsys):
    write_recording(tmp_path / "rec", steering=np.full(40, 0.25), throttle=np.full(40, 0.5))
    (tmp_path / "runs").mkdir()
    code = cli.main(
        [
            "train",
            "charles_pilotnet_v1",
            "--data",
            str(tmp_path / "rec"),
            "--input-size",
            "61x64",
            "--capacity",
            "21",
            "--batch-per-buffer",
            "2",
            "--no-progress",
            "--run-root",
            str(tmp_path / "runs"),
        ]
    )
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "never fill" in err[0] and "--bins coarse" in err[0]
    assert "run directory" not in captured.out  # refused before the run directory and buffers were made
    assert list((tmp_path / "runs").iterdir()) == []
