"""`charles eval` end to end with a tiny checkpoint, and its one-line refusals."""

import json

import pytest

from charles_core import cli
from charles_core.cli.eval_commands import parse_seeds
from charles_core.errors import ConfigError

pytest.importorskip("gymnasium")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_seed_specifications():
    assert parse_seeds("0-2,5, 7") == (0, 1, 2, 5, 7)
    assert parse_seeds("4") == (4,)
    with pytest.raises(ConfigError, match="longer than"):
        parse_seeds("0-999999999")
    with pytest.raises(ConfigError, match="names no track"):
        parse_seeds(" , ")


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    from charles_core.models import create_model

    model = create_model("charles_pilotnet_v1", input_size=(61, 64), seed=3, load_sources=False)
    path = tmp_path_factory.mktemp("eval") / "charles_pilotnet_v1-batch00000007.keras"
    model.save(path)
    return path


def test_charles_eval_json_and_chart(checkpoint, tmp_path, capsys):
    code = cli.main(
        [
            "eval",
            "--checkpoint",
            str(checkpoint),
            "--seeds",
            "3-4",
            "--max-steps",
            "60",
            "--json",
            "--no-progress",
            "--chart-dir",
            str(tmp_path),
            "--resamples",
            "500",
        ]
    )
    out = capsys.readouterr().out.strip().splitlines()
    assert code == 0 and len(out) == 1
    result = json.loads(out[0])
    assert result["line"] == "charles_pilotnet_v1" and result["input_size"] == [61, 64]
    assert result["seeds"] == [3, 4] and list(result["drivers"]) == ["charles", "npc", "baseline"]
    assert [row["steps"] for row in result["drivers"]["charles"]["tracks"]] == [60, 60]
    assert set(result["paired"]) == {"charles_vs_npc", "baseline_vs_npc"}
    with open(result["chart"], "rb") as handle:
        assert handle.read(8) == PNG_MAGIC
    assert result["chart"].startswith(str(tmp_path))


def test_charles_eval_table_without_npc_or_baseline(checkpoint, tmp_path, capsys):
    code = cli.main(
        [
            "eval",
            "charles_pilotnet_v1",
            "--checkpoint",
            str(checkpoint),
            "--tracks",
            "1",
            "--max-steps",
            "20",
            "--no-npc",
            "--no-baseline",
            "--no-progress",
            "--no-chart",
            "--resamples",
            "200",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "charles" in out and "reward [95% CI]" in out and " vs " not in out and "chart:" not in out


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--tracks", "0"], "--tracks must be a positive integer"),
        (["--resamples", "5"], "--resamples must be at least 100"),
        (["--seeds", "100000-100002"], "training tracks"),
        (["--seeds", "5-3"], "runs backwards"),
        (["--seeds", "a,b"], "comma-separated"),
    ],
)
def test_bad_inputs_exit_2_with_one_line(checkpoint, capsys, arguments, message):
    code = cli.main(["eval", "--checkpoint", str(checkpoint), "--no-progress", *arguments])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and message in err[0] and err[0].startswith("charles: error:")


def test_a_missing_checkpoint_or_another_line_exit_2(tmp_path, checkpoint, capsys):
    code = cli.main(["eval", "--checkpoint", str(tmp_path / "charles_pilotnet_v1-batch00000001.keras")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "does not exist" in err[0]
    code = cli.main(["eval", "model_0003_xception_v1", "--checkpoint", str(checkpoint)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "not model_0003_xception_v1" in err[0]
