"""Front matter validation: mystmd's names, our fields, errors that name the field."""

from __future__ import annotations

import pytest

from proceedings.model import MetadataError, paper_from_frontmatter, split_frontmatter

BASE = {"title": "T", "abstract": "A.", "track": "Tiny papers", "funding": "None.", "authors": ["Ada"]}


def test_mystmd_author_forms_are_accepted() -> None:
    paper = paper_from_frontmatter(
        BASE | {"authors": ["Ada Lovelace", {"name": "Bo", "affiliation": "Inst"}], "keywords": "a, b"}
    )
    assert paper.author_names == ("Ada Lovelace", "Bo")
    assert paper.authors[1].affiliations == ("Inst",)
    assert paper.keywords == ("a", "b")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"funding": None}, "funding"),
        ({"title": ""}, "title"),
        ({"presentation": "keynote"}, "presentation"),
        ({"authors": [{"name": "A", "orcid": "1234"}]}, "authors.0.orcid"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_errors_name_the_field(change: dict, field: str) -> None:
    data = {k: v for k, v in (BASE | change).items() if v is not None}
    with pytest.raises(MetadataError) as error:
        paper_from_frontmatter(data)
    assert error.value.field == field


def test_split_frontmatter_keeps_body_line() -> None:
    data, body, line = split_frontmatter("---\ntitle: X\nfunding: Y\n---\n\n## Intro\n")
    assert data == {"title": "X", "funding": "Y"}
    assert body == "\n## Intro\n" and line == 5


def test_unclosed_frontmatter_is_an_error() -> None:
    with pytest.raises(MetadataError, match="not closed"):
        split_frontmatter("---\ntitle: X\n")



@pytest.mark.parametrize(("text", "body", "line"), [
    ("---\ntitle: T\n---\nBody.\n", "Body.\n", 4),
    ("---  \ntitle: T\n--- \t\nBody.\n", "Body.\n", 4),  # blanks after the fences, as myst-parser allows
    ("---\ntitle: T\n---", "", 3),  # the closing fence is the file's last line
])
def test_one_front_matter_rule_for_every_reader(text: str, body: str, line: int) -> None:
    """The collector's mystmd conversion and the build read front matter with this same function."""
    assert split_frontmatter(text) == ({"title": "T"}, body, line)
