import itertools

import numpy as np
import pytest

from charles_core.data import plugin
from charles_core.data.balancer import LABELS_ALL, LABELS_OWN
from charles_core.data.balancing_v1 import BalancerV1, BalancerV1Config
from charles_core.data.balancing_v2 import BalancerV2
from charles_core.data.balancing_v3 import BalancerV3
from charles_core.data.balancing_v4 import BalancerV4, BalancerV4Config
from charles_core.data.bins import (
    V1_PEDAL_BINS,
    V1_STEERING_BINS,
    V1_THROTTLE_BINS,
    V2_SIGNED_BINS,
    V2_UNIT_BINS,
    BinSpec,
    imbalance,
)
from charles_core.data.sample import Sample, label
from charles_core.errors import ConfigError, DataError

FRAME = np.zeros((4, 4, 3), np.uint8)


def representative(spec: BinSpec) -> list[float]:
    """One value inside each bin, in bin order."""
    values = []
    for name in spec.labels():
        if name.startswith("("):
            low, high = (float(v) for v in name.strip("()").split(","))
            values.append((low + high) / 2)
        else:
            values.append(float(name))
    return values


def test_spec_bins():
    assert V1_PEDAL_BINS.labels() == ["0.0", "(0, 0.2)", "(0.2, 0.8)", "(0.8, 1)", "1.0"]
    assert V1_STEERING_BINS.labels() == [
        "-1.0",
        "(-1, -0.6)",
        "(-0.6, -0.2)",
        "(-0.2, 0)",
        "0.0",
        "(0, 0.2)",
        "(0.2, 0.6)",
        "(0.6, 1)",
        "1.0",
    ]
    assert V1_THROTTLE_BINS.count == 9
    assert V2_UNIT_BINS.count == 12 and V2_UNIT_BINS.labels()[0] == "0.0" and V2_UNIT_BINS.labels()[-1] == "1.0"
    assert V2_SIGNED_BINS.count == 21 and V2_SIGNED_BINS.labels()[10] == "0.0"
    assert all(name.startswith("(") for i, name in enumerate(V2_SIGNED_BINS.labels()) if i != 10)
    for spec in (V1_PEDAL_BINS, V1_STEERING_BINS, V1_THROTTLE_BINS, V2_UNIT_BINS, V2_SIGNED_BINS):
        assert spec.indices(representative(spec)).tolist() == list(range(spec.count))


def test_exact_values_and_edges():
    # exact bins catch the value (within tolerance); edges go to the range away from zero
    assert V1_PEDAL_BINS.index(0.0) == 0 and V1_PEDAL_BINS.index(1e-9) == 0 and V1_PEDAL_BINS.index(1e-3) == 1
    assert V1_PEDAL_BINS.index(1.0) == 4 and V1_PEDAL_BINS.index(0.9999) == 3
    assert V1_PEDAL_BINS.index(0.2) == 2 and V1_PEDAL_BINS.index(0.8) == 3
    assert V1_STEERING_BINS.index(-0.2) == 2 and V1_STEERING_BINS.index(0.2) == 6
    assert V1_STEERING_BINS.index(-1.0) == 0 and V1_STEERING_BINS.index(-0.99) == 1
    # v2 steering has no exact +-1 bins: the ends fall in the outermost ranges
    assert V2_SIGNED_BINS.index(-1.0) == 0 and V2_SIGNED_BINS.index(1.0) == 20
    assert V2_SIGNED_BINS.index(0.1) == 12 and V2_SIGNED_BINS.index(-0.1) == 8


@pytest.mark.parametrize(
    "kwargs, words",
    [
        (dict(edges=(0.0,)), "at least 2"),
        (dict(edges=(0.0, 0.5, 0.5, 1.0)), "strictly increasing"),
        (dict(edges=(0.0, 1.0), exact=(2.0,)), "outside"),
        (dict(edges=(0.0, 1.0), exact=(0.0, 0.0)), "twice"),
    ],
)
def test_bin_spec_validation(kwargs, words):
    with pytest.raises(ConfigError, match=words):
        BinSpec(**kwargs)


def test_imbalance_measure():
    spec = BinSpec(edges=(0.0, 1.0), exact=(0.0, 1.0))
    assert imbalance([0.0, 0.5, 1.0], spec) == pytest.approx(0.0)
    assert imbalance([0.0] * 9, spec) == pytest.approx(2 / 3)
    assert imbalance([], spec) == 0.0


def fill_every_combination(balancer, outputs, specs):
    samples = []
    for combo in itertools.product(*(representative(specs[o]) for o in outputs)):
        values = dict(zip(outputs, combo))
        if "throttle" not in values:  # 3-output set: pedals are derived from throttle
            values["throttle"] = values["acceleration"] - values.get("braking", 0.0)
        samples.append(Sample(FRAME, throttle=values["throttle"], steering=values["steering"]))
    return samples


def test_v1_three_outputs_set_of_225():
    outputs = ("acceleration", "braking", "steering")
    balancer = BalancerV1(outputs)
    assert balancer.set_size == 225 == len(balancer.combinations())
    assert balancer.buffer_names == ("all",) and balancer.label_mode == LABELS_ALL
    # Combinations with both pedals pressed cannot come from a throttle-only sample;
    # fill the reachable ones and check the set stays open until all 225 slots are filled.
    reachable = [
        s
        for s in fill_every_combination(
            balancer, ("acceleration", "steering"), {"acceleration": V1_PEDAL_BINS, "steering": V1_STEERING_BINS}
        )
    ]
    balancer.extend(reachable)
    assert balancer.progress()["all"] == (45, 225)
    assert balancer.take_ready() == {"all": []}


def test_v1_three_outputs_can_skip_impossible_pedal_combinations():
    balancer = BalancerV1(("acceleration", "braking", "steering"), BalancerV1Config(skip_impossible=True))
    assert balancer.set_size == 81
    throttles = representative(V1_PEDAL_BINS) + [-v for v in representative(V1_PEDAL_BINS)[1:]]
    samples = [Sample(FRAME, throttle=t, steering=s) for t in throttles for s in representative(V1_STEERING_BINS)]
    balancer.extend(samples)
    ready = balancer.take_ready()["all"]
    assert len(ready) == 81 and balancer.progress()["all"] == (0, 81)


def test_v1_two_outputs_emits_one_sample_per_combination():
    outputs = ("throttle", "steering")
    balancer = BalancerV1(outputs)
    assert balancer.set_size == 81
    samples = fill_every_combination(balancer, outputs, {"throttle": V1_THROTTLE_BINS, "steering": V1_STEERING_BINS})
    balancer.extend(samples[:-1])
    balancer.add(samples[0])  # a duplicate bin combination: dropped ("first" keeps the original)
    assert balancer.take_ready() == {"all": []} and balancer.discarded == 1
    balancer.add(samples[-1])
    ready = balancer.take_ready()["all"]
    assert len(ready) == 81 and ready[0] is samples[0]
    keys = {(V1_THROTTLE_BINS.index(s.throttle), V1_STEERING_BINS.index(s.steering)) for s in ready}
    assert len(keys) == 81
    assert balancer.take_ready() == {"all": []}  # handed over once
    assert balancer.stats()["sets_completed"] == {"all": 1}


def test_v1_keep_latest_and_config_errors():
    balancer = BalancerV1(("throttle", "steering"), BalancerV1Config(keep="latest", buffer_name="combined"))
    first, second = Sample(FRAME, throttle=1.0, steering=0.0), Sample(FRAME, throttle=1.0, steering=0.0)
    balancer.extend([first, second])
    assert balancer._slots[(8, 4)] is second and balancer.buffer_names == ("combined",)
    with pytest.raises(ConfigError, match="braking"):
        BalancerV1(("throttle", "steering"), BalancerV1Config(bins={"braking": V1_PEDAL_BINS}))
    with pytest.raises(ConfigError):
        BalancerV1Config(bins={"steering": (0, 1)})
    with pytest.raises(ValueError):
        BalancerV1Config(keep="random")
    with pytest.raises(DataError, match="Sample"):
        balancer.add({"throttle": 1.0})
    with pytest.raises(DataError, match="gear"):
        BalancerV1(("gear",))


@pytest.mark.parametrize("cls, mode", [(BalancerV2, LABELS_OWN), (BalancerV3, LABELS_ALL)])
def test_v2_v3_per_output_sets(cls, mode):
    balancer = cls(("acceleration", "braking", "steering"))
    assert balancer.set_sizes == {"acceleration": 12, "braking": 12, "steering": 21}
    assert balancer.label_mode == mode and balancer.buffer_names == ("acceleration", "braking", "steering")
    # one sample per steering bin, all with throttle 0 (acceleration 0, braking 0)
    steer = [Sample(FRAME, throttle=0.0, steering=v) for v in representative(V2_SIGNED_BINS)]
    balancer.extend(steer)
    ready = balancer.take_ready()
    assert len(ready["steering"]) == 21 and ready["acceleration"] == [] and ready["braking"] == []
    assert [V2_SIGNED_BINS.index(s.steering) for s in ready["steering"]] == list(range(21))
    # acceleration values fill the acceleration set; its 0.0 slot already holds steer[0]
    accel = [Sample(FRAME, throttle=v, steering=0.0) for v in representative(V2_UNIT_BINS)[1:]]
    balancer.extend(accel)
    ready = balancer.take_ready()
    assert len(ready["acceleration"]) == 12
    assert [V2_UNIT_BINS.index(label(s, "acceleration")) for s in ready["acceleration"]] == list(range(12))
    assert balancer.progress()["braking"] == (1, 12)  # only braking 0.0 so far


def skewed_stream(n, seed=0):
    """Mostly full gas or none and nearly straight steering, like the published charts."""
    rng = np.random.default_rng(seed)
    samples = []
    for _ in range(n):
        if rng.random() < 0.8:
            throttle = float(rng.choice([1.0, 0.0, -1.0], p=[0.6, 0.3, 0.1]))
        else:
            throttle = float(rng.uniform(-1, 1))
        r = rng.random()
        if r < 0.3:
            steering = 0.0
        else:
            steering = float(np.clip(rng.normal(0, 0.15), -1, 1)) if r < 0.85 else float(rng.uniform(-1, 1))
        samples.append(Sample(FRAME, throttle=throttle, steering=steering))
    return samples


def test_v4_sets_complete_and_balance_other_outputs_better_than_v3():
    outputs = ("throttle", "steering")
    stream = skewed_stream(6000)
    v3, v4 = BalancerV3(outputs), BalancerV4(outputs, BalancerV4Config(candidates_per_bin=16))
    v3.extend(stream)
    v4.extend(stream)
    r3, r4 = v3.take_ready(), v4.take_ready()
    for ready, balancer in ((r3, v3), (r4, v4)):
        for output in outputs:
            assert ready[output], f"{balancer.name} completed no {output} set"
            assert len(ready[output]) % 21 == 0
            # within each set: exactly one sample per bin of the buffer's own output
            for start in range(0, len(ready[output]), 21):
                chunk = ready[output][start : start + 21]
                assert [V2_SIGNED_BINS.index(label(s, output)) for s in chunk] == list(range(21))
    other = {"throttle": "steering", "steering": "throttle"}
    for output in outputs:
        values3 = [label(s, other[output]) for s in r3[output]]
        values4 = [label(s, other[output]) for s in r4[output]]
        i3, i4 = imbalance(values3, V2_SIGNED_BINS), imbalance(values4, V2_SIGNED_BINS)
        assert i4 < i3 - 0.05, f"{other[output]} in the {output} buffer: v4 {i4:.3f} vs v3 {i3:.3f}"


def test_v4_config_validation():
    with pytest.raises(ValueError):
        BalancerV4Config(candidates_per_bin=0)
    with pytest.raises(ConfigError, match="memory_decay"):
        BalancerV4Config(memory_decay=0.0)
    balancer = BalancerV4(("throttle",), BalancerV4Config(candidates_per_bin=1))
    balancer.extend([Sample(FRAME, throttle=0.0, steering=0.0)] * 3)
    assert balancer.discarded == 2 and balancer.progress() == {"throttle": (1, 21)}


def test_plugin_registers_v1_to_v4():
    specs = []
    plugin.charles_register_balancers(register=specs.append)
    assert [s.name for s in specs] == ["v1", "v2", "v3", "v4"]
    built = {s.name: s.factory(("throttle", "steering")) for s in specs}
    assert isinstance(built["v1"], BalancerV1) and built["v1"].set_size == 81
    assert isinstance(built["v4"], BalancerV4)
    assert specs[2].factory(("steering",), keep="latest").config.keep == "latest"
    assert all(s.description for s in specs)


def test_plot_label_histograms(tmp_path):
    from charles_core.data.plots import plot_label_histograms

    path = plot_label_histograms(skewed_stream(50), tmp_path / "hist.png", title="skewed")
    assert (tmp_path / "hist.png").stat().st_size > 1000 and path.endswith("hist.png")
    plot_label_histograms({"acceleration": [0.0, 1.0, 0.5]}, tmp_path / "acc.png")
    assert (tmp_path / "acc.png").exists()
    with pytest.raises(DataError, match="gear"):
        plot_label_histograms({"gear": [1]}, tmp_path / "x.png")
