"""Every ```python example in a docstring runs; examples that need a game, a model or data are ```text.

Each example runs in its module's namespace (as doctest does), in a fresh working directory.
"""

import ast
import importlib
import re
from pathlib import Path

import pytest

import charles_core

PACKAGE = Path(charles_core.__file__).resolve().parent
FENCE = re.compile(r"```python\n(.*?)```", re.S)


def _examples():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text()
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                for index, match in enumerate(FENCE.finditer(ast.get_docstring(node) or "")):
                    where = f"{module}:{getattr(node, 'name', 'module')}:{index}"
                    found.append(pytest.param(module, match.group(1), id=where))
    return found


EXAMPLES = _examples()


def test_examples_are_found():
    assert len(EXAMPLES) >= 20, "the docstring examples were not found"


@pytest.mark.parametrize(("module", "code"), EXAMPLES)
def test_docstring_example_runs(module, code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    namespace = dict(vars(importlib.import_module(module)))
    exec(compile(code, f"<example in {module}>", "exec"), namespace)
