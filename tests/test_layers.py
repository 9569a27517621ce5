"""The package shows its layers: lower layers never import higher ones, and the top level is only the front door."""

import subprocess
import sys
from pathlib import Path

import charles_core

PACKAGE = Path(charles_core.__file__).resolve().parent
FRONT_DOOR = {"__init__.py", "errors.py", "hookspecs.py", "plugins.py", "registry.py"}


def test_import_layers_hold():
    """import-linter's layers contract in pyproject.toml (`lint-imports`): a lower layer never imports a higher one."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=PACKAGE.parent, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "1 kept, 0 broken" in result.stdout


def test_top_level_holds_only_the_front_door_and_packages():
    modules = {path.name for path in PACKAGE.glob("*.py")}
    assert modules == FRONT_DOOR, f"modules outside a package: {sorted(modules - FRONT_DOOR)}"
    for directory in PACKAGE.iterdir():
        if directory.is_dir() and directory.name != "__pycache__":
            assert (directory / "__init__.py").exists(), f"{directory.name}/ is not a package"
