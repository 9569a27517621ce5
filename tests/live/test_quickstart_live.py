"""``charles quickstart --path live``: the quickstart's recipe with collectors and the trainer on a local Ray."""

import json
from pathlib import Path

import pytest

from charles_core import cli
from charles_core.errors import ConfigError

pytest.importorskip("Box2D")


def test_the_live_quickstart_trains_chooses_and_evaluates_like_the_in_process_one(ray_token, tmp_path, capsys):
    code = cli.main(
        [
            "quickstart",
            "--path",
            "live",
            "--batches",
            "6",
            "--checkpoint-every",
            "3",
            "--select-from",
            "2",
            "--validation-tracks",
            "1",
            "--capacity",
            "40",
            "--input-size",
            "61x64",
            "--eval-seeds",
            "0",
            "--eval-steps",
            "120",
            "--run-root",
            str(tmp_path),
            "--no-progress",
        ]
    )
    out = capsys.readouterr().out.strip().splitlines()
    result = json.loads(out[-1])
    assert code == 0
    assert result["training_path"] == "live" and result["batches"] == 6
    validated = [Path(v["checkpoint"]).name for v in result["validation"]]
    assert validated == ["charles_pilotnet_v2-batch00000003.keras", "charles_pilotnet_v2-batch00000006.keras"]
    assert result["chosen_batch"] in (3, 6) and result["npc_steps"] > 0
    for key in ("checkpoint", "loss_plot", "evaluation_chart", "evaluation"):
        assert Path(result[key]).is_file(), key
    assert not (Path(result["checkpoint"]).parents[1] / "buffers").exists()  # the run's frames are removed
    assert any(line.startswith("training on the live path: 2 collectors of 4 cars") for line in out)


@pytest.mark.parametrize(
    "setting, value",
    [("dagger_rounds", 1), ("learning_rate", 1e-4), ("final_learning_fraction", 0.5)],
)
def test_the_live_quickstart_refuses_what_only_the_in_process_path_does(setting, value):
    from charles_core.recipes.quickstart import QuickstartConfig

    with pytest.raises(ConfigError, match=f"{setting}.*in-process"):
        QuickstartConfig(training_path="live", max_batches=100, **{setting: value})
    in_process = QuickstartConfig(training_path="in-process", max_batches=100, **{setting: value})
    assert getattr(in_process, setting) == value
    assert QuickstartConfig().training_path == "live"  # the default: it drove at least as well (docs/live.md)


def test_the_live_quickstart_without_ray_says_how_to_get_it_before_writing_anything(tmp_path, monkeypatch):
    import sys

    from charles_core.errors import MissingDependencyError
    from charles_core.recipes.quickstart import QuickstartConfig, run_quickstart

    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    config = QuickstartConfig(training_path="live", max_batches=2, run_root=str(tmp_path))
    with pytest.raises(MissingDependencyError, match=r"charles-core\[live\].*--path in-process"):
        run_quickstart(config, progress=False, log=lambda *args: None)
    assert not any(tmp_path.iterdir())


def test_a_live_quickstart_that_trains_no_batch_says_why(ray_token, tmp_path):
    from charles_core.errors import CharlesError
    from charles_core.recipes.quickstart import QuickstartConfig, run_quickstart

    config = QuickstartConfig(  # 3 seconds cannot fill two buffers of 5,000
        training_path="live", train_minutes=0.05, capacity=5000, input_size=(61, 64), run_root=str(tmp_path)
    )
    with pytest.raises(CharlesError, match=r"trained no batch in \d+ s.*buffers of 5000.*--minutes"):
        run_quickstart(config, progress=False, log=lambda *args: None)


def test_with_one_candidate_the_live_quickstart_evaluates_its_last_checkpoint(tmp_path):
    """``--select-from 1`` (or one checkpoint): no validation; the live run's summary has no Trainer behind it."""
    from charles_core.models import get_line
    from charles_core.recipes.quickstart import QuickstartConfig, _LiveTraining, choose_checkpoint

    for batch in (3, 6):
        (tmp_path / f"charles_pilotnet_v2-batch{batch:08d}.keras").write_bytes(b"")
    trained = _LiveTraining(line=get_line("charles_pilotnet_v2"), batch=6, checkpoint_dir=tmp_path, history=[])
    chosen, validation = choose_checkpoint(QuickstartConfig(select_from=1), trained, log=lambda *args: None)
    assert chosen == tmp_path / "charles_pilotnet_v2-batch00000006.keras" and validation == []
