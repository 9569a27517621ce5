"""``charles live`` refuses bad settings in one line, before any Ray process starts."""

import pytest

from charles_core.cli.commands import main

pytest.importorskip("ray")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--collectors", "0", "--players", "0"], "nothing to train on"),
        (["--collector", "no_such_collector"], "collector 'no_such_collector'"),
        (["charles_pilotnet_v1", "--input-size", "48x64"], "below the minimum side of 61"),
        (["--minutes", "none"], "minutes or batches"),
        (["--collector-resource", "GPU"], "custom Ray resource"),
        (["--run-dir", "x", "--run-root", "y"], "not both"),
    ],
)
def test_bad_settings_are_one_line_errors(argv, message, capsys, tmp_path, monkeypatch):
    import ray

    monkeypatch.chdir(tmp_path)
    assert main(["live", *argv]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("charles: error: ") and message in error and "\n" not in error
    assert not ray.is_initialized()


def test_collector_option_must_be_key_value(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["live", "--collector-option", "8"])
    assert exit_info.value.code == 2
    assert "must be KEY=VALUE" in capsys.readouterr().err
