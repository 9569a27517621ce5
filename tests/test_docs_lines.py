"""Every registered model line has its page in docs/lines/."""

from pathlib import Path

import pytest

from charles_core import plugins

LINES_DIR = Path(__file__).resolve().parents[1] / "docs" / "lines"
LINES = sorted({plugins.lines.get(name).line for name in plugins.lines.names()})


@pytest.mark.parametrize("line", LINES)
def test_line_has_a_page_naming_it(line):
    page = LINES_DIR / f"{line}.md"
    assert page.is_file(), f"docs/lines/{line}.md is missing"
    assert line in page.read_text().splitlines()[0], f"{page.name} must start with a title naming {line}"


@pytest.mark.parametrize("line", LINES)
def test_line_page_lists_every_registered_version(line):
    text = (LINES_DIR / f"{line}.md").read_text()
    versions = [n for n in plugins.lines.names() if plugins.lines.get(n).line == line]
    missing = [n for n in versions if n not in text]
    assert not missing, f"docs/lines/{line}.md does not mention {missing}"
