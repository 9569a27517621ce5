"""Every hook a plugin can implement is documented: a docstring and a section in docs/hooks.md."""

import inspect
import re
from pathlib import Path

import pytest

from charles_core import hookspecs

HOOKS_PAGE = Path(__file__).resolve().parents[1] / "docs" / "hooks.md"
HOOKS = sorted(
    name for name, value in vars(hookspecs).items() if inspect.isfunction(value) and hasattr(value, "charles_core_spec")
)


def test_hookspecs_are_found():
    assert HOOKS, "no hookspec found in charles_core.hookspecs"


@pytest.mark.parametrize("name", HOOKS)
def test_hook_has_a_docstring(name):
    assert inspect.getdoc(getattr(hookspecs, name)), f"hookspec {name} has no docstring"


@pytest.mark.parametrize("name", HOOKS)
def test_hook_has_a_section_in_docs_hooks(name):
    headings = re.findall(r"^#{2,4}\s+`?([A-Za-z0-9_]+)`?\s*$", HOOKS_PAGE.read_text(), flags=re.M)
    assert name in headings, f"docs/hooks.md has no '## {name}' section"
