"""``charles bench live`` end to end at a tiny size: every part runs and the figures agree with each other.

The speeds are machine-dependent (docs/benchmarks.md has the measured ones);
this checks the benchmark's arithmetic and its JSON, not the speeds.
"""

import json

import pytest

from charles_core import cli
from charles_core.benchmarks.live import BATCH_RATIO_BAR, ceiling_run
from charles_core.recipes.quickstart import QuickstartConfig


@pytest.mark.parametrize("line", ["charles_pilotnet_v1", "charles_pilotnet_v2"])  # frames only; + speed history
def test_the_ceiling_is_raw_training_in_batches_per_second(line):
    result = ceiling_run(line, (64, 80), batch_per_buffer=2, batches=3, collect_seconds=0)
    assert result["batches_per_s"] > 0 and result["train_cpu_s_per_batch"] > 0
    assert "machine_batches_per_s" not in result  # no collection measured


def test_the_machine_ceiling_charges_each_batch_its_training_and_its_samples():
    result = ceiling_run("charles_pilotnet_v1", (64, 80), batch_per_buffer=2, batches=3, collect_seconds=5)
    per_sample = result["collect_cpu_s_per_sample"]
    assert per_sample > 0
    shares = result["buffer_shares"]
    assert set(shares) == {"throttle", "steering"} and sum(shares.values()) == pytest.approx(1, abs=0.01)
    # the slowest-filling buffer must get its 2 samples a batch, the other overflows meanwhile
    assert result["collected_per_batch"] == pytest.approx(2 / min(shares.values()), abs=0.1)
    assert result["collected_per_batch"] >= 4  # 2 buffers x 2: at least the batch itself
    even = result["train_cpu_s_per_batch"] + 4 * per_sample
    assert result["machine_batches_per_s_even_buffers"] == pytest.approx(result["cores"] / even, rel=0.01)
    uneven = result["train_cpu_s_per_batch"] + result["collected_per_batch"] * per_sample
    assert result["machine_batches_per_s"] == pytest.approx(result["cores"] / uneven, rel=0.02)
    assert result["machine_batches_per_s"] <= result["machine_batches_per_s_even_buffers"]
    assert result["machine_batches_per_s"] < result["batches_per_s"] * result["cores"]


@pytest.mark.slow
def test_bench_live_reports_every_part_and_their_ratios(ray_token, tmp_path, capsys):
    """The compared live run has no player (the quickstart drives none); a second run with one gives the push."""
    code = cli.main(
        [
            "bench",
            "live",
            "--line",
            "charles_pilotnet_v1",
            "--input-size",
            "64x80",
            "--minutes",
            "0.3",
            "--collect-seconds",
            "3",
            "--sweep",
            "1",
            "--collectors",
            "1",
            "--players",
            "0",
            "--push-minutes",
            "0.2",
            "--cars",
            "1",
            "--capacity",
            "48",
            "--batch-per-buffer",
            "4",
            "--publish-every",
            "5",
            "--ceiling-batches",
            "5",
            "--directory",
            str(tmp_path),
            "--json",
        ]
    )
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0
    in_process, live, ceiling = result["in_process"], result["live"], result["trainer_ceiling"]
    assert in_process["batches"] > 0 and in_process["npc_steps"] > 0
    assert result["batch_ratio"] == round(live["batches"] / in_process["batches"], 2)
    assert result["batch_ratio_ok"] == (result["batch_ratio"] >= BATCH_RATIO_BAR)
    assert in_process["cores_used"] == pytest.approx(in_process["cpu_s"] / in_process["seconds"], abs=0.02)
    assert in_process["cpu_s_per_batch"] == pytest.approx(in_process["cpu_s"] / in_process["batches"], rel=0.01)
    assert result["equal_work_ratio_bound"] == pytest.approx(result["cpu_count"] / in_process["cores_used"], rel=0.02)
    assert live["players"] == 0 and live["player_episodes"] == 0
    # both paths trained with the quickstart's checkpoints and weight average
    quickstart = QuickstartConfig()
    for path in ("in_process", "live"):
        assert result["checkpoint_every"][path] == quickstart.checkpoint_every
        assert result["weight_average"][path] == quickstart.weight_average
    assert 0 < live["busy_cores"] <= result["cpu_count"] + 0.1
    assert live["busy_core_s_per_batch"] > 0
    pushed = result["weight_push_run"]
    assert pushed["players"] == 1 and len(pushed["player_peak_rss_mb"]) == 1
    assert result["weight_push_s"]["count"] >= 1  # the player fetched at least the first weights
    assert ceiling["batches_per_s"] > 0
    assert ceiling["batches_in_the_same_time"] == round(ceiling["batches_per_s"] * in_process["seconds"])
    assert ceiling["ratio_to_in_process"] == round(ceiling["batches_in_the_same_time"] / in_process["batches"], 2)
    assert ceiling["machine_batches_in_the_same_time"] == round(
        ceiling["machine_batches_per_s"] * in_process["seconds"]
    )
    assert ceiling["bar_reachable"] == (ceiling["machine_ratio_to_in_process"] >= BATCH_RATIO_BAR)
    assert set(result["collector_sweep"]) == {"1"} and result["collector_sweep"]["1"]["samples_in_per_s"] >= 0
    assert live["trainer_peak_rss_mb"] > 0 and len(live["collector_peak_rss_mb"]) == 1
