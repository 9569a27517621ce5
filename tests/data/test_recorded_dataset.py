def test_inspect_a_buffer_set_on_disk(tmp_path, capsys):
    import json as json_module

    import numpy as np

    from charles_core import cli
    from charles_core.data.buffer_set import BufferSet
    from charles_core.data.sample import Sample

    rng = np.random.default_rng(0)
    with BufferSet(tmp_path / "buffers", ("throttle", "steering"), (12, 16), capacity=10) as buffers:
        for value in (-0.95, 0.0, 0.55):
            buffers.add(
                "steering", Sample(rng.integers(0, 256, (12, 16, 3), dtype=np.uint8), throttle=0.3, steering=value)
            )
    plot = tmp_path / "hist.png"
    assert cli.main(["data", "inspect", str(tmp_path / "buffers"), "--json", "--plot", str(plot)]) == 0
    summary = json_module.loads(capsys.readouterr().out)
    assert summary["counts"] == {"throttle": 0, "steering": 3}
    counts = summary["buffers"]["steering"]["steering"]["counts"]
    assert sum(counts) == 3 and counts[0] == 1 and counts[10] == 1 and counts[16] == 1  # (-1,-0.9), 0.0, (0.5,0.6)
    assert plot.read_bytes()[:4] == b"\x89PNG"
