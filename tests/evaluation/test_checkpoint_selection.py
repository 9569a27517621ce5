"""select_checkpoint: candidates driven on validation tracks from the training range; the best is kept."""

import shutil

import pytest

from charles_core.errors import ConfigError
from charles_core.evaluation.checkpoint_selection import select_checkpoint
from charles_core.models import create_model
from charles_core.training.checkpoints import save_checkpoint

VALIDATION = (100_060,)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    model = create_model("charles_pilotnet_v2", input_size=(61, 64), seed=3, load_sources=False)
    return save_checkpoint(model, tmp_path_factory.mktemp("run"), "charles_pilotnet_v2", 10)


def test_every_candidate_is_driven_and_a_tie_keeps_the_later_one(checkpoint, tmp_path):
    later = tmp_path / "charles_pilotnet_v2-batch00000020.keras"
    shutil.copy(checkpoint, later)  # the same weights: the same drive, a tie
    lines = []
    best, scores = select_checkpoint([checkpoint, later], VALIDATION, max_steps=60, log=lines.append)
    assert best == later
    assert [s["checkpoint"] for s in scores] == [str(checkpoint), str(later)]
    assert scores[0]["reward"] == scores[1]["reward"] and scores[0]["laps"] == scores[1]["laps"] == 0
    assert len(lines) == 2 and "0/1 laps" in lines[0]


def test_the_checkpoint_with_more_laps_wins_over_a_later_one(checkpoint, tmp_path, monkeypatch):
    from charles_core.sim import evaluate as evaluate_module

    later = tmp_path / "charles_pilotnet_v2-batch00000020.keras"
    shutil.copy(checkpoint, later)
    results = iter(
        [{"lap_finished": {100_060: True}, "mean": 500.0}, {"lap_finished": {100_060: False}, "mean": 900.0}]
    )
    monkeypatch.setattr(evaluate_module, "evaluate", lambda *a, **k: next(results))
    best, scores = select_checkpoint([checkpoint, later], VALIDATION)
    assert best == checkpoint and [s["laps"] for s in scores] == [1, 0]


def test_evaluation_tracks_and_an_empty_list_are_refused(checkpoint):
    with pytest.raises(ConfigError, match="evaluation"):
        select_checkpoint([checkpoint], (3,))
    with pytest.raises(ConfigError, match="at least one"):
        select_checkpoint([], VALIDATION)
