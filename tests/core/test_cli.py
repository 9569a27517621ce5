import json
import os
import subprocess
import sys

import pytest

from charles_core import cli


def _run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_lines_json_lists_every_registered_line(capsys):
    from charles_core import plugins

    code, out, _ = _run(capsys, "lines", "--json")
    assert code == 0
    assert [entry["id"] for entry in json.loads(out)] == plugins.lines.names()


def test_backbones_and_initializers_name_their_plugins(capsys):
    _, out, _ = _run(capsys, "backbones", "--json")
    backbones = {entry["name"]: entry for entry in json.loads(out)}
    assert backbones["pilotnet"]["plugin"] == "charles_core.models.backbones.pilotnet"
    assert backbones["xception"]["min_input_side"] == 71
    _, out, _ = _run(capsys, "initializers", "--json")
    assert {entry["name"] for entry in json.loads(out)} >= {"scratch", "imagenet", "checkpoint"}


def test_summary_json_reports_the_published_0004_counts(capsys):
    code, out, _ = _run(capsys, "summary", "model_0004_inceptionresnetv2_v3", "--json")
    summary = json.loads(out)
    assert code == 0
    assert summary["total_params"] == 56_470_434
    assert summary["trainable_params"] == 56_409_890
    assert summary["non_trainable_params"] == 60_544
    assert summary["input_size"] == [270, 480]
    assert [o["name"] for o in summary["outputs"]] == ["throttle", "steering"]


def test_summary_at_a_small_size_and_other_backbone(capsys):
    code, out, _ = _run(
        capsys, "summary", "model_0003_xception_v1", "--backbone", "pilotnet", "--input-size", "66x200", "--json"
    )
    summary = json.loads(out)
    assert code == 0 and summary["backbone"] == "pilotnet" and summary["input_size"] == [66, 200]
    assert summary["inputs"] == [{"name": "frame", "shape": [66, 200, 3]}]


def test_errors_are_one_clear_line(capsys):
    code, _, err = _run(capsys, "summary", "model_0004_inceptionresnetv2_v9")
    assert code == 2 and "unknown line 'model_0004_inceptionresnetv2_v9'" in err
    code, _, err = _run(capsys, "summary", "model_0004_inceptionresnetv2_v3", "--input-size", "50x60")
    assert code == 2 and "minimum side of 75" in err


def test_plot_writes_a_png(tmp_path, capsys):
    path = tmp_path / "plot.png"
    code, _, _ = _run(capsys, "plot", "charles_pilotnet_v1", str(path))
    assert code == 0 and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _broken_lines_plugin(**fields):
    from charles_core import hookimpl
    from charles_core.lines.line_config import LineConfig
    from charles_core.lines.output_spec import OutputSpec

    class BrokenLines:
        @hookimpl
        def charles_register_lines(self, register):
            register(
                LineConfig(
                    **{
                        "name": "broken_v1",
                        "line": "broken",
                        "version": 1,
                        "backbone": "pilotnet",
                        "outputs": (OutputSpec("steering"),),
                        **fields,
                    }
                )
            )

    return BrokenLines()


@pytest.mark.parametrize(
    "fields, words",
    [
        (dict(common_layers=(0,)), "LineConfig.common_layers must hold positive integers"),
        (dict(balancing="v9"), "LineConfig.balancing must name a registered balancer"),
        (dict(version="one"), "LineConfig.version must be of type int"),
        (dict(unknown_field=1), "unexpected keyword argument 'unknown_field'"),  # attrs' TypeError, from the plugin
    ],
)
@pytest.mark.parametrize("argv", [["lines"], ["summary", "charles_pilotnet_v1", "--json"]])
def test_a_plugin_registering_a_bad_line_is_one_line_and_exit_2(fields, words, argv, capsys):
    from charles_core import plugins

    plugins.register_plugin(_broken_lines_plugin(**fields), name="broken_lines")
    code, out, err = _run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("charles: error: plugin 'broken_lines' registers a bad line") and words in err
    assert len(err.strip().splitlines()) == 1


def test_verbose_may_come_before_or_after_the_command(capsys):
    assert _run(capsys, "--verbose", "lines", "--json")[0] == 0
    assert _run(capsys, "lines", "--json", "--verbose")[0] == 0


@pytest.mark.parametrize("argv", [["lines"], ["summary", "charles_pilotnet_v1", "--input-size", "72x96", "--json"]])
def test_the_terminal_shows_only_the_command_output(argv):
    # a fresh process: TensorFlow's C++ start-up notices (CUDA, oneDNN, absl) come at its first import
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "GRPC_", "GLOG_"))}
    result = subprocess.run(
        [sys.executable, "-m", "charles_core.cli", *argv], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    if "--json" in argv:
        assert json.loads(result.stdout)["input_size"] == [72, 96]
    else:
        assert result.stdout.startswith("LINE")
