"""Markdown section lookup used by the MCP server's ``read_skill_file``."""

from __future__ import annotations

import pytest

from loader.runtime.sections import find_section, headings, outline, slugify

DOC = """# Title

Intro.

## Setup & install

Step one.

```bash
# a comment, not a heading
~~~
```

### Details

More.

## Usage

Use it.
"""


@pytest.mark.parametrize("query", ["Setup & install", "setup & install", "## Setup & install", "#setup--install",
                                   "setup--install"])
def test_find_section_by_text_or_slug(query: str) -> None:
    section = find_section(DOC, query)
    assert section is not None
    assert section.startswith("## Setup & install\n") and "### Details" in section and "## Usage" not in section
    assert "# a comment, not a heading" in section


def test_last_section_runs_to_the_end() -> None:
    assert find_section(DOC, "usage") == "## Usage\n\nUse it.\n"


def test_missing_section_is_none() -> None:
    assert find_section(DOC, "Nowhere") is None


def test_headings_skip_fenced_code() -> None:
    assert outline(DOC) == ["# Title", "## Setup & install", "### Details", "## Usage"]
    assert [h.line for h in headings(DOC)] == [0, 4, 13, 17]


def test_slugify_like_github() -> None:
    assert slugify("Setup & Install!") == "setup--install"
