"""``charles bench train|drive|buffers`` at a tiny size: they run and their figures are consistent.

The figures themselves are machine-dependent; these tests check the commands
work for every kind of line they are documented for, not the speeds.
"""

import json

import pytest

from charles_core import cli


def _last_json(capsys):
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


@pytest.mark.parametrize("line", ["charles_pilotnet_v1", "charles_pilotnet_v2"])  # frames only; frames + history
def test_bench_train_reports_both_loops_and_their_ratio(line, capsys):
    code = cli.main(
        [
            "bench",
            "train",
            line,
            "--input-size",
            "61x64",
            "--batch",
            "2",
            "--batches",
            "3",
            "--warmup",
            "1",
            "--rounds",
            "2",
            "--json",
        ]
    )
    result = _last_json(capsys)
    assert code == 0
    assert result["line"] == line and result["batch"] == 4 and len(result["ratio_per_round"]) == 2
    assert result["trainer_samples_per_s"] > 0 and result["raw_train_on_batch_samples_per_s"] > 0
    expected = result["trainer_samples_per_s"] / result["raw_train_on_batch_samples_per_s"]
    assert result["ratio"] == pytest.approx(expected, abs=2e-3)
    assert result["ok"] == (result["ratio"] >= result["ratio_bar"])


@pytest.mark.parametrize("line", ["charles_pilotnet_v1", "charles_pilotnet_v2"])  # frames only; + speed history
def test_bench_drive_times_every_runtime_and_drives_on_the_fastest(line, capsys):
    code = cli.main(["bench", "drive", line, "--input-size", "61x64", "--predictions", "3", "--warmup", "1", "--json"])
    result = _last_json(capsys)
    assert code == 0 and result["precision"] == "float32"
    from charles_core.runtimes.line_predictor import available_runtimes

    timed = {name: result[f"raw_{name}_pps"] for name in available_runtimes()}
    assert result["runtime"] == max(timed, key=timed.get) and result["raw_pps"] == timed[result["runtime"]]
    assert result["loop_over_raw"] == pytest.approx(result["loop_pps"] / result["raw_pps"], abs=2e-3)
    assert result["loop_over_predict"] == pytest.approx(result["loop_pps"] / result["predict_pps"], rel=1e-3, abs=1e-2)


def test_bench_buffers_reports_memory_and_draws_as_one_json_line(tmp_path, capsys):
    code = cli.main(
        [
            "bench",
            "buffers",
            "--capacity",
            "40",
            "--frame-size",
            "32x48",
            "--batch",
            "4",
            "--batches",
            "5",
            "--directory",
            str(tmp_path),
            "--json",
        ]
    )
    out = capsys.readouterr().out.strip().splitlines()
    result = json.loads(out[-1])  # --json: the whole result on the last line
    assert code == 0 and result["capacity"] == 40 and result["frame_shape"] == [32, 48, 3]
    assert result["draws_per_s"] > 0 and 0 < result["rss_gib"] <= 3 and result["rss_ok"]
    assert not list(tmp_path.iterdir())  # the temporary buffers are gone
