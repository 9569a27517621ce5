"""The trained-model path a user runs: `charles drive` on the simulator through the player loop."""

import json

import pytest

from charles_core import cli
from charles_core.driving.drive import drive_simulator
from charles_core.models import create_model

pytest.importorskip("gymnasium")


def test_player_loop_drives_exactly_like_the_direct_policy():
    from charles_core.collect.model_policy import ModelPolicy
    from charles_core.sim.evaluate import evaluate

    model = create_model("charles_pilotnet_v1", input_size=(61, 64), seed=3, load_sources=False)
    through_player = drive_simulator(model, (4,), rate_hz=0, max_steps=80, runtime="keras", status=lambda s: None)
    policy = ModelPolicy(model, (61, 64))
    direct = evaluate(policy, (4,), max_steps=80, action_repeat=2, reset_policy=policy.reset)
    # same frames, same predictions, same controls: the loop adds no lag and drops nothing
    assert through_player["per_seed"][4] == pytest.approx(direct["per_seed"][4], abs=1e-6)
    assert through_player["pps"] > 0


def test_charles_drive_json_on_the_simulator(tmp_path, capsys):
    model = create_model("charles_pilotnet_v1", input_size=(61, 64), seed=3, load_sources=False)
    path = tmp_path / "charles_pilotnet_v1-batch00000007.keras"
    model.save(path)
    code = cli.main(
        [
            "drive",
            "charles_pilotnet_v1",
            "--checkpoint",
            str(path),
            "--seeds",
            "4,5",
            "--json",
            "--rate-hz",
            "0",
            "--max-steps",
            "40",
        ]
    )
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0
    assert set(result["per_seed"]) == {"4", "5"}
    assert result["mean_reward"] == pytest.approx(sum(result["per_seed"].values()) / 2, abs=0.01)


def test_charles_drive_refuses_a_checkpoint_of_another_line(tmp_path, capsys):
    from charles_core.training.checkpoints import save_checkpoint

    model = create_model("charles_pilotnet_v1", input_size=(61, 64), load_sources=False)
    path = save_checkpoint(model, tmp_path, "charles_pilotnet_v1", 7)
    renamed = path.rename(tmp_path / "model_0003_xception_v1-batch00000007.keras")  # the name does not decide
    code = cli.main(["drive", "model_0003_xception_v1", "--checkpoint", str(renamed)])
    assert code == 2 and "belongs to line charles_pilotnet_v1, not model_0003_xception_v1" in capsys.readouterr().err
