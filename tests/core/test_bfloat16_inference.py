"""Opt-in bfloat16 inference: it takes effect when enabled first, and says so when it cannot.

Each case runs in a fresh interpreter: the switch is process-wide.
"""

import subprocess
import sys
from pathlib import Path

import pytest

CPU_HAS_BFLOAT16 = (
    any(flag in Path("/proc/cpuinfo").read_text().split() for flag in ("avx512_bf16", "amx_bf16"))
    if Path("/proc/cpuinfo").exists()
    else False
)


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)


ENABLE_THEN_PREDICT = """
import numpy as np
from charles_core.runtimes.bfloat16_inference import enable_bfloat16_inference
from charles_core.errors import ConfigError
try:
    enable_bfloat16_inference()
except ConfigError as error:
    print("REFUSED", error)
    raise SystemExit(0)
from charles_core.runtimes.frozen_predictor import FrozenPredictor
from charles_core.models import create_model
model = create_model("model_0003_xception_v1", input_size=(71, 71), seed=1, load_sources=False)
frame = np.random.default_rng(0).uniform(0, 255, (71, 71, 3)).astype(np.float32)
fast = FrozenPredictor(model).predict({"frame": frame})
exact = {k: np.asarray(v)[0] for k, v in model({"frame": frame[None]}).items()}  # eager: float32
print("DIFF", max(float(abs(fast[k] - exact[k]).max()) for k in exact))
"""


def test_enabled_first_it_computes_in_bfloat16_or_refuses_clearly():
    result = _run(ENABLE_THEN_PREDICT)
    assert result.returncode == 0, result.stderr[-2000:]
    if CPU_HAS_BFLOAT16:
        diff = float(result.stdout.split("DIFF")[1])
        assert 0 < diff < 0.05, "outputs should move a little (bfloat16 inside), not stay exact or break"
    else:
        assert "REFUSED" in result.stdout and "AVX512-BF16" in result.stdout


def test_it_is_off_unless_enabled():
    result = _run("""
from charles_core.runtimes.bfloat16_inference import bfloat16_in_effect
print("IN EFFECT", bfloat16_in_effect())
""")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "IN EFFECT False" in result.stdout


@pytest.mark.skipif(not CPU_HAS_BFLOAT16, reason="this CPU has no bfloat16 instructions")
def test_bench_drive_runs_in_bfloat16(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "charles_core.cli",
            "bench",
            "drive",
            "charles_pilotnet_v1",
            "--input-size",
            "61x64",
            "--predictions",
            "3",
            "--warmup",
            "1",
            "--precision",
            "bfloat16",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert '"precision": "bfloat16"' in result.stdout.strip().splitlines()[-1]
