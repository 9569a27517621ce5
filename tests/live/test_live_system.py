"""The live system end to end on a local Ray, then its faults, in one run (one Ray start on two cores).

A collector process killed is restarted and training goes on; the trainer killed is restarted
from its buffers on disk and its last checkpoint, the batch counter going on from there; a weight
push that fails leaves the player driving on the weights it has; a wait that runs out names what
it waited for.
"""

import os
import signal
import time

import numpy as np
import pytest

from tests.live.conftest import tiny_config

pytest.importorskip("ray")
pytest.importorskip("gymnasium")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live(ray_token, tmp_path_factory):
    import ray

    from charles_core.live.live_run import LiveRun

    run = LiveRun(tiny_config(), run_dir=tmp_path_factory.mktemp("live") / "run", progress=False)
    try:
        run.start()
        yield run
    finally:
        run.close()
        if ray.is_initialized():
            ray.shutdown()


def _checkpoint_batch(path: str) -> int:
    from charles_core.training.checkpoints import parse_checkpoint_name

    return parse_checkpoint_name(path)[1]


def test_collectors_feed_the_trainer_and_players_drive_new_weights(live):
    status = live.wait_for(
        lambda s: (
            s["trainer"]["batch"] >= 25
            and s["players"][0].get("episodes_total", 0) >= 1
            and (s["players"][0].get("driving") or {}).get("version", 0) >= 2
        ),
        150,
        "25 batches and a player episode on pushed weights",
    )
    assert all(c["stored"] > 0 and not c["error"] for c in status["collectors"])
    trainer = status["trainer"]
    assert trainer["error"] is None and trainer["samples_in"] >= 2 * tiny_config().capacity
    # every drawn batch takes 4 samples from each of the 2 buffers (the prefetcher draws ahead)
    assert trainer["samples_drawn"] % 8 == 0 and 8 * trainer["batch"] <= trainer["samples_drawn"]
    assert trainer["samples_drawn"] <= trainer["samples_in"]
    assert 0 < trainer["waiting_before_first_batch_s"] <= trainer["waiting_for_data_s"]
    player = status["players"][0]
    assert player["push_failures"] == 0 and player["pushes"]
    first = player["first_weights"]  # published before the player started: its start-up, not a push latency
    assert first is None or all(push["version"] > first["version"] for push in player["pushes"])
    episode = player["episodes"][-1]
    assert episode["version"] >= 1 and np.isfinite(episode["reward"])
    # every process is its own, and the collectors and player never see a GPU
    pids = {trainer["pid"], player["pid"], *(c["pid"] for c in status["collectors"])}
    assert len(pids) == 4
    # the trainer writes the players' rewards against the batch of the weights they drove
    live.wait_for(lambda s: s["trainer"]["episodes_total"] >= 1, 60, "an episode report at the trainer")
    assert list((live.run_dir / "logs" / "live").glob("events.out.tfevents.*"))


def test_a_wait_that_runs_out_names_what_it_waited_for(live):
    import ray

    from charles_core.live.live_timeout_error import LiveTimeoutError
    from charles_core.live.ray_support import bounded_get

    epoch = ray.get(live.board.latest.remote(), timeout=30)["epoch"]
    never = live.board.wait_newer.remote(epoch, 10**9, 30.0)
    with pytest.raises(LiveTimeoutError, match="waiting for a weight set that never comes"):
        bounded_get(ray, never, 0.5, "a weight set that never comes")


def test_a_failed_push_leaves_the_player_on_its_weights(live):
    import ray

    before = live.worker_status(live.players[0], "player 0")
    bad = ray.put([np.zeros(3, np.float32)])  # not this model's weights
    live.board.publish.remote(10**6, [bad], time.time())
    status = live.wait_for(
        lambda s: (
            s["players"][0]["push_failures"] > before["push_failures"]
            and s["players"][0]["episodes_total"] > before["episodes_total"] + 1
        ),
        90,
        "the player to refuse the bad weight set and drive on",
    )
    player = status["players"][0]
    assert "shape" in player["last_push_error"] or "arrays" in player["last_push_error"]
    assert player["driving"]["batch"] != 10**6 and player["error"] is None


def test_a_killed_collector_is_restarted_and_training_goes_on(live):
    status = live.status()
    victim = status["collectors"][0]
    os.kill(victim["pid"], signal.SIGKILL)
    batch = status["trainer"]["batch"]
    status = live.wait_for(
        lambda s: (
            not s["collectors"][0].get("unreachable")
            and s["collectors"][0]["restarted"]
            and s["collectors"][0]["stored"] > 0
            and s["trainer"]["batch"] > batch + 10
        ),
        150,
        "the killed collector to come back and training to go on",
    )
    assert status["collectors"][0]["pid"] != victim["pid"]
    assert status["collectors"][1]["error"] is None


def test_a_killed_trainer_resumes_from_its_storage_and_last_checkpoint(live):
    status = live.status()
    old = status["trainer"]
    assert old["checkpoint"], "a checkpoint every 20 batches"
    os.kill(old["pid"], signal.SIGKILL)
    time.sleep(1.0)
    new = live.trainer_status()  # answered by the restarted trainer
    assert new["incarnation"] == 1 and new["pid"] != old["pid"]
    resumed = new["start_batch"]
    assert resumed >= _checkpoint_batch(old["checkpoint"]) and resumed >= 20
    assert min(new["fill"].values()) > 0  # the buffers came back from disk
    sent = {c["index"]: c["sent"] for c in live.status()["collectors"]}
    status = live.wait_for(
        lambda s: (
            s["trainer"]["batch"] >= resumed + 10
            and s["trainer"]["samples_in"] > 0
            and all(c.get("sent", 0) > sent[c["index"]] for c in s["collectors"] if "index" in c)
        ),
        150,
        "training to go on after the restart, fed by the same collectors",
    )
    assert status["trainer"]["error"] is None
    assert all(c["error"] is None for c in status["collectors"])
    episodes = status["players"][0]["episodes_total"]
    live.wait_for(lambda s: s["players"][0]["episodes_total"] > episodes, 90, "the player to drive on")


def test_stop_writes_the_last_checkpoint_and_reports_the_run(live):
    result = live.stop()
    assert result["batch"] >= 30 and result["trainer_restarts"] == 1
    assert _checkpoint_batch(result["checkpoint"]) == result["batch"]
    assert os.path.exists(result["checkpoint"])
    assert result["samples_in"] > 0 and result["episodes"]
    assert all(c["sent"] > 0 for c in result["collectors"])
