"""EvaluationReport: summaries, paired statistics, JSON and tables from known rows."""

import json

import pytest

from charles_core.errors import ConfigError
from charles_core.evaluation.bootstrap import Bootstrap
from charles_core.evaluation.eval_chart import plot_evaluation
from charles_core.evaluation.evaluation_report import EvaluationReport
from charles_core.evaluation.track_metrics import TrackMetrics

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _row(seed, reward, lap=True, completion=1.0, off_road=0.0, score=100.0):
    return TrackMetrics(
        seed=seed,
        reward=reward,
        lap_completed=lap,
        route_completion=completion,
        off_road_seconds=off_road,
        unstucks=0,
        steps=900,
        score=score,
    )


def _report(reference="npc"):
    seeds = (0, 1, 2, 3)
    charles = [
        _row(0, 920.0),
        _row(1, 300.0, lap=False, completion=0.4, off_road=8.0, score=26.5),
        _row(2, 915.0),
        _row(3, 905.0),
    ]
    npc = [_row(seed, reward) for seed, reward in zip(seeds, (925.0, 918.0, 921.0, 910.0))]
    return EvaluationReport(
        seeds,
        {"charles": charles, "npc": npc},
        reference=reference,
        bootstrap=Bootstrap(resamples=2000),
        settings={"max_steps": 1000},
    )


def test_summary_and_paired_statistics():
    report = _report()
    summary = report.summary("charles")
    assert summary["reward"].estimate == pytest.approx((920 + 300 + 915 + 905) / 4)
    assert summary["lap_completion"].estimate == 0.75
    assert summary["off_road_seconds"].estimate == pytest.approx(2.0)
    paired = report.paired("charles")
    assert paired["reward_ratio"].estimate == pytest.approx(760.0 / 918.5)
    assert paired["reward_ratio"].low < paired["reward_ratio"].estimate <= paired["reward_ratio"].high
    assert paired["reward_difference"].estimate == pytest.approx(760.0 - 918.5)


def test_json_holds_rows_summaries_and_the_pairing():
    data = json.loads(_report().to_json())
    assert data["seeds"] == [0, 1, 2, 3] and data["reference"] == "npc"
    assert data["drivers"]["charles"]["laps_completed"] == 3
    assert data["drivers"]["charles"]["tracks"][1]["lap_completed"] is False
    assert set(data["drivers"]["npc"]["summary"]) == {
        "reward",
        "score",
        "route_completion",
        "off_road_seconds",
        "unstucks",
        "lap_completion",
    }
    assert set(data["paired"]) == {"charles_vs_npc"}
    assert data["bootstrap"] == {"method": "percentile", "resamples": 2000, "seed": 0}


def test_tables_name_every_driver_and_the_ratio():
    report = _report()
    assert "3/4" in report.table() and "charles vs npc on the same 4 tracks: reward ratio 0.83" in report.table()
    assert len(report.track_table().splitlines()) == 1 + 4
    assert "vs" not in _report(reference=None).table()


def test_inconsistent_reports_are_refused():
    with pytest.raises(ConfigError, match="not among"):
        _report(reference="baseline")
    with pytest.raises(ConfigError, match="exactly the seeds"):
        EvaluationReport((0, 1), {"npc": [_row(0, 900.0)]})
    with pytest.raises(ConfigError, match="no reference"):
        _report(reference=None).paired("charles")


def test_the_chart_is_a_png(tmp_path):
    path = plot_evaluation(_report(), tmp_path / "charts" / "eval.png")
    with open(path, "rb") as handle:
        assert handle.read(8) == PNG_MAGIC
