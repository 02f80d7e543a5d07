"""Converting papers written for mystmd: each rule on small inputs (the real corpus is in test_corpus.py)."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from pdfs import tiny_pdf
from PIL import Image
from pybtex.database import parse_string
from sphinxcontrib.bibtex.citation_target import parse_citation_targets

from proceedings.collect import Overrides, Status, collect, from_package
from proceedings.collect.mystmd import Converted, convert_package, find_main
from proceedings.model import paper_from_frontmatter

from conftest import DOCS, MiniSite, page, write_files

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg"}
def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (1, 1)).save(out, "PNG")
    return out.getvalue()


PNG = _png()  # a 1x1 PNG
HEAD = "---\ntitle: T\n---\n\n"


def convert(tmp_path: Path, body: str, keys: tuple[str, ...] = (), **files: str | bytes) -> Converted:
    """Convert a package whose main.md is ``body`` (titled unless it has front matter) beside ``files``.

    File names are keyword arguments, so ``__`` stands for ``/`` in them.
    """
    text = body if body.startswith("---\n") else HEAD + body
    folder = write_files(tmp_path / "pkg", {"main.md": text, **{k.replace("__", "/"): v for k, v in files.items()}})
    return convert_package(folder, folder / "main.md", set(keys))


# --- finding the main file ---------------------------------------------------------------------


def test_find_main_prefers_paper_md_then_main_md(tmp_path: Path) -> None:
    folder = write_files(tmp_path, {"main.md": HEAD, "paper.md": HEAD, "other.md": HEAD})
    assert find_main(folder) == folder / "paper.md"
    (folder / "paper.md").unlink()
    assert find_main(folder) == folder / "main.md"


def test_find_main_reads_myst_yml_exports_article(tmp_path: Path) -> None:
    config = "version: 1\nproject:\n  exports:\n    - format: pdf\n      article: article.md\n"
    folder = write_files(tmp_path, {"myst.yml": config, "article.md": "No front matter.\n", "x.md": HEAD})
    assert find_main(folder) == folder / "article.md"


def test_find_main_refuses_an_article_outside_the_folder(tmp_path: Path) -> None:
    write_files(tmp_path, {"secret.md": HEAD})
    folder = write_files(tmp_path / "pkg", {"myst.yml": "project:\n  article: ../secret.md\n"})
    assert find_main(folder) is None


def test_find_main_takes_the_single_titled_markdown_file(tmp_path: Path) -> None:
    folder = write_files(tmp_path, {"01-paper.md": HEAD, "README.md": "# Read me\n"})
    assert find_main(folder) == folder / "01-paper.md"
    write_files(folder, {"02-other.md": HEAD})
    assert find_main(folder) is None


# --- front matter --------------------------------------------------------------------------------

MYST_YML = """\
version: 1
extends: ../papers.yml
project:
  title: Title from myst.yml
  keywords: one, two
  license: {content: CC-BY-4.0, code: MIT}
  abbreviations: {ML: machine learning}
  error_rules: [{rule: doi-exists, severity: ignore}]
  affiliations:
    - id: uw
      name: University of Wisconsin
    - id: nv
      institution: NVIDIA
  authors:
    - name: Ada Lovelace
      email: ada@example.org
      orcid: https://orcid.org/0000-0002-1825-0097
      affiliations: [uw, Somewhere Else]
      corresponding: true
      roles: [Writing]
    - name: {given: Grace, family: Hopper}
      affiliation: nv
    - Cleopatra
"""


def test_metadata_comes_from_myst_yml_with_affiliation_ids_resolved(tmp_path: Path) -> None:
    result = convert(tmp_path, "---\nabstract: The abstract.\nnumbering: {headings: true}\n---\n\nText.\n",
                     **{"myst.yml": MYST_YML})
    assert result.frontmatter == {
        "title": "Title from myst.yml",
        "authors": [
            {"name": "Ada Lovelace", "affiliations": ["University of Wisconsin", "Somewhere Else"],
             "orcid": "0000-0002-1825-0097", "email": "ada@example.org", "corresponding": True},
            {"name": "Grace Hopper", "affiliations": ["NVIDIA"]},
            {"name": "Cleopatra"},
        ],
        "abstract": "The abstract.",
        "keywords": ["one", "two"],
        "license": "CC-BY-4.0",
    }
    assert result.notes[0] == "myst.yml:2: 'extends: ../papers.yml' not followed: it points outside the paper's package"
    assert "main.md:1: front matter not published: 'numbering'" in result.notes
    paper = paper_from_frontmatter({**result.frontmatter, "track": "Tiny papers", "funding": "None."})
    assert paper.author_names == ("Ada Lovelace", "Grace Hopper", "Cleopatra")


def test_the_main_file_wins_over_myst_yml(tmp_path: Path) -> None:
    main = "---\ntitle: Main title\nauthors:\n  - name: Solo\n    affiliations: [Home]\nabstract: A.\n---\n\nText.\n"
    result = convert(tmp_path, main, **{"myst.yml": MYST_YML})
    assert result.frontmatter["title"] == "Main title"
    assert result.frontmatter["authors"] == [{"name": "Solo", "affiliations": ["Home"]}]
    assert result.frontmatter["keywords"] == ["one", "two"]


def test_acknowledgments_in_front_matter_become_the_last_section(tmp_path: Path) -> None:
    main = "---\ntitle: T\nacknowledgments: |\n  We thank [@k].\n---\n\n## Intro\n\nText.\n"
    result = convert(tmp_path, main, keys=("k",))
    assert result.body.endswith("## Acknowledgments\n\nWe thank {cite:p}`k`.\n")
    assert "acknowledgments" not in result.frontmatter


# --- abstract and parts ---------------------------------------------------------------------------


def test_abstract_part_is_lifted_out_and_block_breaks_dropped(tmp_path: Path) -> None:
    body = '+++ {"part": "abstract"}\n\nWe study things.\nCarefully.\n\n+++\n\n## Intro\n\nText.\n\n+++\n\nMore.\n'
    result = convert(tmp_path, body)
    assert result.frontmatter["abstract"] == "We study things.\nCarefully."
    assert result.body == "## Intro\n\nText.\n\nMore.\n"


@pytest.mark.parametrize("fence", [":::", "```"])
def test_abstract_directive_is_lifted_out(tmp_path: Path, fence: str) -> None:
    result = convert(tmp_path, f"{fence}{{abstract}}\nShort.\n{fence}\n\n## Intro\n")
    assert result.frontmatter["abstract"] == "Short."
    assert result.body == "## Intro\n"


def test_front_matter_abstract_wins_over_one_in_the_body(tmp_path: Path) -> None:
    body = '---\ntitle: T\nabstract: Front.\n---\n+++ {"part": "abstract"}\nBody.\n+++\nText.\n'
    result = convert(tmp_path, body)
    assert result.frontmatter["abstract"] == "Front."
    assert result.body == "Text.\n"
    assert result.notes == ["main.md:5: abstract in the body dropped: the front matter has one"]


def test_citations_in_the_abstract_are_written_as_author_and_year(tmp_path: Path) -> None:
    folder = write_files(tmp_path / "pkg", {"main.md": "---\ntitle: T\nabstract: As in [@k; @j] and @k.\n---\nText.\n"})
    result = convert_package(folder, folder / "main.md", {"k", "j"}, {"k": "Doe et al. 2020", "j": "Roe 2019"})
    assert result.frontmatter["abstract"] == "As in (Doe et al. 2020; Roe 2019) and Doe et al. 2020."
    assert result.notes == ["main.md:3: 3 citation(s) in the abstract written as author and year: "
                            "the header cannot link them"]


def test_citations_in_the_abstract_missing_from_the_bib_are_reported(tmp_path: Path) -> None:
    result = convert(tmp_path, "---\ntitle: T\nabstract: As in [@k].\n---\nText.\n", keys=("k",))
    assert result.problems == ["main.md:3: the abstract cites references that are not in the package's .bib"]


# --- includes -------------------------------------------------------------------------------------


def test_includes_are_inlined_recursively_without_their_front_matter(tmp_path: Path) -> None:
    result = convert(
        tmp_path, ":::{include} sections/intro.md\n:::\n\n```{include} end.md\n```\n",
        **{"sections__intro.md": "---\ntitle: Ignored\n---\n## Intro\n\n```{include} deeper.md\n```\n",
           "sections__deeper.md": "Deep [@nokey].\n", "end.md": "## End\n"},
    )
    assert result.body == "## Intro\n\nDeep \\[nokey\\].\n\n## End\n"
    assert result.problems == ["sections/deeper.md:1: citation key 'nokey' is not in the package's .bib files: "
                               "shown as [nokey]"]


def test_include_paths_reaching_outside_the_package_are_refused(tmp_path: Path) -> None:
    (tmp_path / "outside.md").write_text("SECRET\n", encoding="utf-8")
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "link.md").symlink_to(tmp_path / "outside.md")
    body = "".join(f":::{{include}} {target}\n:::\n" for target in
                   (tmp_path / "outside.md", "../outside.md", "sub/../../outside.md", "link.md", "gone.md"))
    result = convert(tmp_path, body)
    assert "SECRET" not in result.body and "include" not in result.body
    assert [p.split(": ", 1)[1] for p in result.problems] == [
        f"include of {str(tmp_path / 'outside.md')!r} not inlined: absolute paths are not allowed",
        "include of '../outside.md' not inlined: the path leaves the paper's folder",
        "include of 'sub/../../outside.md' not inlined: the path leaves the paper's folder",
        "include of 'link.md' not inlined: symlinks are not followed",
        "include of 'gone.md' not inlined: no such file in the package",
    ]


def test_an_include_that_includes_itself_stops(tmp_path: Path) -> None:
    result = convert(tmp_path, ":::{include} a.md\n:::\n", **{"a.md": "A\n\n:::{include} a.md\n:::\n"})
    assert result.body == "A\n"
    assert result.problems == ["a.md:3: include of 'a.md' not inlined: it includes itself"]


def test_an_include_shown_in_a_code_block_is_left_alone(tmp_path: Path) -> None:
    body = "````markdown\n:::{include} other.md\n:::\n````\n"
    assert convert(tmp_path, body, **{"other.md": "INLINED\n"}).body == body


# --- citations --------------------------------------------------------------------------------------

KEYS = ("a", "b", "hume48", "carlz-at-us.ibm.com2020")


@pytest.mark.parametrize(("text", "expected"), [
    ("See [@a].", "See {cite:p}`a`."),
    ("See [@a; @b].", "See {cite:p}`a,b`."),
    ("See [@a, p. 3].", "See {cite:p}`a{p. 3}`."),
    ("See [see @a, p. 3].", "See {cite:p}`{see}a{p. 3}`."),
    ("See [see @a; @b, ch. 2].", "See {cite:p}`{see}a,b{ch. 2}`."),
    ("Hume [-@hume48] says.", "Hume {cite:year}`hume48` says."),
    ("As @a shows.", "As {cite:t}`a` shows."),
    ("Shown by @a.", "Shown by {cite:t}`a`."),
    ("(@a) and @carlz-at-us.ibm.com2020.", "({cite:t}`a`) and {cite:t}`carlz-at-us.ibm.com2020`."),
    ("classes[@a] here", "classes{cite:p}`a` here"),
    ("over two [@a;\n@b] lines", "over two {cite:p}`a,b` lines"),
    ("Mail a@b.org or me@a.", "Mail a@b.org or me@a."),
    ("Use @property or @dataclass.", "Use @property or @dataclass."),
    ("Code `[@a]` and `` @a ``.", "Code `[@a]` and `` @a ``."),
    ("A link [@a](https://x.org/@a).", "A link [@a](https://x.org/@a)."),
    ("Not a citation [write to a@b.org].", "Not a citation [write to a@b.org]."),
    ("A note [@a, pp. 3, 5].", "A note {cite:p}`a{pp. 3; 5}`."),
])
def test_citations(tmp_path: Path, text: str, expected: str) -> None:
    assert convert(tmp_path, text + "\n", keys=KEYS).body == expected + "\n"


def test_citations_in_code_blocks_are_left_alone(tmp_path: Path) -> None:
    body = "```python\n@a\ndef f(): ...  # [@a]\n```\n\n```{code-block} bibtex\n@book{a,}\n```\n"
    assert convert(tmp_path, body, keys=KEYS).body == body


def test_citations_in_captions_and_admonitions_are_converted(tmp_path: Path) -> None:
    body = ":::{table} Data from [@a]\n| x |\n|---|\n| 1 |\n:::\n\n:::{note}\nSee @b.\n:::\n"
    result = convert(tmp_path, body, keys=KEYS)
    assert result.body == (
        ":::{table} Data from {cite:p}`a`\n| x |\n|---|\n| 1 |\n:::\n\n:::{note}\nSee {cite:t}`b`.\n:::\n"
    )


def test_an_unknown_key_is_shown_as_text_and_reported(tmp_path: Path) -> None:
    result = convert(tmp_path, "Line one.\nSee [@zz] and @zz.\n", keys=KEYS)
    assert result.body == "Line one.\nSee \\[zz\\] and @zz.\n"
    assert result.problems == ["main.md:6: citation key 'zz' is not in the package's .bib files: shown as [zz]"]
    assert result.notes == ["main.md:6: '@zz' left as text: it is neither a key of the package's .bib nor a label"]


def test_converted_citations_are_targets_sphinxcontrib_bibtex_reads(tmp_path: Path) -> None:
    body = convert(tmp_path, "[see @a, p. 3; @b] [-@a] @a [@a, pp. 3, 5]\n", keys=KEYS).body
    targets = [list(parse_citation_targets(role)) for role in re.findall(r"`([^`]*)`", body)]
    assert [[(t.pre, t.key, t.post) for t in role] for role in targets] == [
        [("see", "a", "p. 3"), ("", "b", "")], [("", "a", "")], [("", "a", "")], [("", "a", "pp. 3; 5")],
    ]


def test_mystmd_cite_roles_get_their_keys_checked(tmp_path: Path) -> None:
    result = convert(tmp_path, "{cite:p}`a,zz` and {cite:t}`doi:10.1/x`\n", keys=KEYS)
    assert result.body == "{cite:p}`a` \\[zz\\] and {cite:t}`doi-10-1-x`\n"
    assert result.problems == ["main.md:5: citation key 'zz' is not in the package's .bib files: shown as [zz]"]


# --- DOIs ---------------------------------------------------------------------------------------------


def test_dois_get_a_bib_entry_each(tmp_path: Path) -> None:
    body = "First [@doi:10.1234/X.y; @a].\nAgain [@10.1234/x.y] and @doi:10.5555/(abc)1.\n"
    result = convert(tmp_path, body, keys=KEYS)
    assert result.body == (
        "First {cite:p}`doi-10-1234-x-y,a`.\nAgain {cite:p}`doi-10-1234-x-y` and {cite:t}`doi-10-5555-abc-1`.\n"
    )
    entries = parse_string(result.extra_bib, "bibtex").entries
    assert list(entries) == ["doi-10-1234-x-y", "doi-10-5555-abc-1"]
    entry = entries["doi-10-1234-x-y"]
    assert entry.type == "misc"
    assert dict(entry.fields) == {
        "doi": "10.1234/X.y", "url": "https://doi.org/10.1234/X.y", "title": "DOI 10.1234/X.y",
        "note": "Reference given only by its DOI",
    }
    assert result.notes == [
        "main.md:5: DOI 10.1234/X.y has no entry in the package's .bib: entry 'doi-10-1234-x-y' added "
        "with the DOI only",
        "main.md:6: DOI 10.5555/(abc)1 has no entry in the package's .bib: entry 'doi-10-5555-abc-1' added "
        "with the DOI only",
    ]
    assert result.problems == []


def test_a_doi_the_bib_already_has_cites_that_entry(tmp_path: Path) -> None:
    bib = "@article{matplotlib,\n  title = {Matplotlib},\n  doi = {10.1109/MCSE.2007.55},\n}\n"
    result = convert(tmp_path, "As [@doi:10.1109/mcse.2007.55].\n", keys=("matplotlib",), **{"refs.bib": bib})
    assert result.body == "As {cite:p}`matplotlib`.\n"
    assert result.extra_bib == ""


def test_a_doi_slug_never_takes_an_existing_key(tmp_path: Path) -> None:
    result = convert(tmp_path, "[@doi:10.1/a]\n", keys=("doi-10-1-a",))
    assert result.body == "{cite:p}`doi-10-1-a-2`\n"


# --- labels and cross-references ---------------------------------------------------------------------


def test_labels_become_names_except_on_math(tmp_path: Path) -> None:
    body = (
        ":::{figure} f.png\n:label: fig:one\n:class: wide\n:placeholder: p.png\n:kind: figure\nCaption.\n:::\n\n"
        "```{list-table} Caption\n:label: tbl:one\n* - a\n```\n\n"
        "```{code} python\n:label: lst:one\n:filename: run.py\nx = 1\n```\n\n"
        "```{math}\n:label: eq:one\nx = 1\n```\n"
    )
    result = convert(tmp_path, body, **{"f.png": PNG})
    assert result.body == (
        ":::{figure} f.png\n:name: fig:one\n:class: wide\nCaption.\n:::\n\n"
        "```{list-table} Caption\n:name: tbl:one\n* - a\n```\n\n"
        "```{code-block} python\n:name: lst:one\n:caption: run.py\nx = 1\n```\n\n"
        "```{math}\n:label: eq:one\nx = 1\n```\n"
    )
    assert result.notes == ["main.md:5: {figure} options not known to Sphinx dropped: placeholder, kind"]


def test_references_are_written_the_way_sphinx_numbers_them(tmp_path: Path) -> None:
    body = (
        "(sec:intro)=\n## Intro\n\n:::{figure} f.png\n:label: fig:one\nCaption.\n:::\n\n"
        "```{math}\n:label: eq:one\nx = 1\n```\n\n"
        "See @fig:one, [@fig:one a], [Figure %s](#fig:one), [](#fig:one), [the figure](#fig:one),\n"
        "@eq:one, [](#eq:one), {ref}`eq:one`, {numref}`eq:one`, @sec:intro and [](#sec:intro).\n"
    )
    result = convert(tmp_path, body, **{"f.png": PNG})
    assert result.body.endswith(
        "See {numref}`fig:one`, ({numref}`fig:one` a), {numref}`Figure %s <fig:one>`, {numref}`fig:one`, "
        "[the figure](#fig:one),\n{eq}`eq:one`, {eq}`eq:one`, {eq}`eq:one`, {eq}`eq:one`, [](#sec:intro) and "
        "[](#sec:intro).\n"
    )
    assert result.body.startswith("(sec:intro)=\n## Intro\n")


# --- headings -----------------------------------------------------------------------------------------


def test_headings_from_hash_move_down_one_level(tmp_path: Path) -> None:
    body = "(intro)=\n# Intro\n\n```python\n# not a heading\n```\n\n## Sub\n\n:::{note}\n### In a note\n:::\n"
    result = convert(tmp_path, body)
    assert result.body == (
        "(intro)=\n## Intro\n\n```python\n# not a heading\n```\n\n### Sub\n\n:::{note}\n#### In a note\n:::\n"
    )
    assert result.notes == ["main.md:6: 3 heading(s) moved to start at '##' and go down one level at a time: "
                            "main.md:6, main.md:12, main.md:15"]


def test_headings_from_three_hashes_and_skipped_levels_are_evened_out(tmp_path: Path) -> None:
    body = "### A\n\n##### A.1\n\n### B\n\n#### B.1\n"
    result = convert(tmp_path, body)
    assert result.body == "## A\n\n### A.1\n\n## B\n\n### B.1\n"


def test_headings_already_from_two_hashes_stay(tmp_path: Path) -> None:
    body = "## Intro\n\n```python\n# comment\n```\n"
    result = convert(tmp_path, body)
    assert result.body == body and result.notes == []


def test_a_leading_heading_is_the_title_when_the_front_matter_has_none(tmp_path: Path) -> None:
    result = convert(tmp_path, "---\nauthors: [Ada]\n---\n# The Title\n\n# Part\n\nText.\n")
    assert result.frontmatter["title"] == "The Title"
    assert result.body == "## Part\n\nText.\n"


# --- directives ---------------------------------------------------------------------------------------


def test_unknown_directives_keep_their_content_or_go(tmp_path: Path) -> None:
    body = (
        "::::{grid} 1 2 2 2\n:::{card} Card title\nCard text [@a].\n:::\n::::\n\n"
        "```{mermaid}\ngraph TD; A-->B\n```\n\n"
        "```{iframe} https://example.org/demo\n```\n\n"
        ":::{aside}\nAside.\n:::\n\n"
        ":::{warning}\nKeep.\n:::\n"
    )
    result = convert(tmp_path, body, keys=KEYS)
    assert result.body == (
        "**Card title**\n\nCard text {cite:p}`a`.\n\n"
        "<https://example.org/demo>\n\n"
        ":::{sidebar}\nAside.\n:::\n\n"
        ":::{warning}\nKeep.\n:::\n"
    )
    assert result.problems == [
        "main.md:6: {card} is not known to Sphinx; its content is kept without it",
        "main.md:5: {grid} is not known to Sphinx; its content is kept without it",
        "main.md:11: {mermaid} is not known to Sphinx; it was dropped",
        "main.md:15: {iframe} is not known to Sphinx; it was dropped (its link kept)",
    ]
    assert result.notes == ["main.md:18: {aside} became a sidebar"]


def test_image_paths_get_their_extension_and_escaped_spaces(tmp_path: Path) -> None:
    body = (
        ":::{figure} shot\n:label: fig:a\nA.\n:::\n\n```{figure} images/RCS Architecture.png\nB.\n```\n\n"
        ":::{figure} missing.png\nC.\n:::\n\n:::{figure} ../secret.png\nD.\n:::\n"
    )
    result = convert(tmp_path, body, **{"shot.png": PNG, "images__RCS Architecture.png": PNG})
    assert result.body == (
        ":::{figure} shot.png\n:name: fig:a\nA.\n:::\n\n```{figure} images/RCS\\ Architecture.png\nB.\n```\n\n"
        ":::{figure} missing.png\nC.\n:::\n\nD.\n"
    )
    assert result.notes == ["main.md:5: image 'shot' has no extension; 'shot.png' is used"]
    assert result.problems == [
        "main.md:14: image 'missing.png' is not in the package",
        "main.md:18: image '../secret.png' refused: the path leaves the paper's folder",
    ]


def test_paths_in_included_files_are_relative_to_them(tmp_path: Path) -> None:
    result = convert(tmp_path, ":::{include} part/text.md\n:::\n",
                     **{"part__text.md": ":::{figure} img/a.png\nA.\n:::\n", "part__img__a.png": PNG})
    assert result.body == ":::{figure} part/img/a.png\nA.\n:::\n"


def test_subfigures_become_one_figure(tmp_path: Path) -> None:
    body = (
        "::::{figure}\n:label: fig:both\n\n:::{figure} a\n:alt: First\n:::\n\n"
        ":::{figure} b.png\n:alt: Second\n:::\n\nBoth images.\n::::\n"
    )
    result = convert(tmp_path, body, **{"a.png": PNG, "b.png": PNG})
    assert result.body == (
        "::::{figure} a.png\n:name: fig:both\n:alt: First\n\nBoth images.\n\n"
        ":::{image} b.png\n:alt: Second\n:::\n::::\n"
    )


def test_an_html_table_becomes_a_list_table(tmp_path: Path) -> None:
    body = (
        ":::{table} Places\n:label: tbl:places\n<table>\n<thead><tr><th>Country</th><th>Park</th></tr></thead>\n"
        "<tr><td rowspan=\"2\">Côte&nbsp;d'Ivoire</td><td>Taï <code>NP</code></td></tr>\n"
        "<tr><td>Comoé</td></tr>\n<tr><td colspan=\"2\">Total</td></tr>\n</table>\n:::\n"
    )
    result = convert(tmp_path, body)
    assert result.body == (
        ":::{list-table} Places\n:name: tbl:places\n:header-rows: 1\n\n"
        "* - Country\n  - Park\n* - Côte d'Ivoire\n  - Taï `NP`\n* -\n  - Comoé\n* - Total\n  -\n:::\n"
    )


def test_literalinclude_reads_only_the_package(tmp_path: Path) -> None:
    body = (
        "```{literalinclude} code/x.toml\n:label: lst:x\n:filename: x.toml\n:start-line: 0\n:end-line: 4\n```\n\n"
        "```{literalinclude} /etc/passwd\n```\n"
    )
    result = convert(tmp_path, body, **{"code__x.toml": "a = 1\n"})
    assert result.body == "```{literalinclude} code/x.toml\n:name: lst:x\n:caption: x.toml\n:lines: 1-4\n```\n"
    assert result.problems == ["main.md:12: included file '/etc/passwd' refused: absolute paths are not allowed"]


def test_a_listing_missing_from_the_package_gets_a_numbered_stand_in(tmp_path: Path) -> None:
    body = "```{literalinclude} code/gone.toml\n:label: lst:gone\n:caption: The manifest\n:lines: 1-3\n```\n"
    result = convert(tmp_path, body)
    assert result.body == (
        "```{code-block} text\n:name: lst:gone\n:caption: The manifest\n"
        "[code/gone.toml was not in the camera-ready package]\n```\n"
    )
    assert result.problems == [
        "main.md:5: included file 'code/gone.toml' is not in the package; a placeholder listing stands in"
    ]


def test_raw_latex_is_left_out_and_raw_html_is_left_for_the_safety_check(tmp_path: Path) -> None:
    body = "```{raw} latex\n\\input{/etc/passwd}\n```\n\n```{raw} html\n<b>x</b>\n```\n"
    result = convert(tmp_path, body)
    assert "passwd" not in result.body and "```{raw} html\n<b>x</b>\n```" in result.body
    assert result.problems == ["main.md:5: {raw} latex block (1 lines) left out: raw LaTeX or Typst is not "
                               "accepted, and the web page never showed it"]


def test_converting_writes_nothing(tmp_path: Path) -> None:
    folder = write_files(tmp_path / "pkg", {"main.md": HEAD + "[@doi:10.1/x]\n", "myst.yml": MYST_YML, "a.png": PNG})
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.rglob("*")}
    convert_package(folder, folder / "main.md", set())
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.rglob("*")} == before


# --- built with the real extension -----------------------------------------------------------------------


def paper_source(converted: Converted) -> str:
    frontmatter = {**converted.frontmatter, "track": "Tiny papers", "funding": "Test funding."}
    return "---\n" + yaml.safe_dump(frontmatter, allow_unicode=True, sort_keys=False) + "---\n\n" + converted.body


def warnings_of(stderr: str, srcdir: Path) -> list[str]:
    """Each warning's message, without the temporary path and line number."""
    found = []
    for line in stderr.splitlines():
        match = re.search(r"(?:WARNING|ERROR): (.*)$", line)
        if match:
            found.append(match.group(1).replace(str(srcdir), "<src>"))
    return found


def build_html(mini_site: MiniSite) -> list[str]:
    """Build with the site's own static files (conf.py names its favicon there); return the warnings."""
    shutil.copytree(DOCS / "_static", mini_site.srcdir / "_static", dirs_exist_ok=True)
    return warnings_of(mini_site.sphinx("html").warnings, mini_site.srcdir)


def prose_text(html_file: Path) -> str:
    soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
    article = soup.find("article")
    assert article is not None
    for code in article.find_all(["code", "pre"]):
        code.decompose()
    return article.get_text(" ")


def test_a_converted_package_builds_without_warnings(tmp_path: Path, mini_site: MiniSite) -> None:
    bib = "@article{a,\n  author = {Doe, Jane},\n  title = {A},\n  journal = {J},\n  year = {2020},\n}\n"
    body = (
        "# Intro\n\nAs @a shows [see @a, pp. 3, 5; @doi:10.1/x.y] and [-@a].\n\n"
        ":::{figure} f.png\n:label: fig:f\n:placeholder: p.png\nA figure.\n:::\n\n"
        "```{code} toml\n:label: lst:l\n:filename: pixi.toml\na = 1\n```\n\n"
        "```{math}\n:label: eq:e\nx = 1\n```\n\n"
        "See [Figure %s](#fig:f), @lst:l and {ref}`eq:e`.\n\n:::{card} Card\nText.\n:::\n"
    )
    converted = convert(tmp_path, "---\ntitle: T\nauthors: [Ada]\nabstract: A.\n---\n" + body, keys=("a",),
                        **{"f.png": PNG, "refs.bib": bib})
    folder = mini_site.add_paper("conv", paper_source(converted), bib + "\n" + converted.extra_bib)
    (folder / "f.png").write_bytes(PNG)
    assert build_html(mini_site) == []
    text = " ".join(prose_text(mini_site.srcdir.parent / "out-html/vol/papers/conv/paper.html").split())
    assert "As Doe [ 1 ] shows [see 1 , pp. 3; 5, 2 ] and 2020 ." in text
    assert "See Figure 1 , Listing 1 and (1) ." in text


def test_a_package_named_through_dot_dot_keeps_its_own_files(tmp_path: Path) -> None:
    """``../shared/corpus/x`` on the command line: the package's figures are still its own."""
    main = HEAD + "```{figure} a.png\n:alt: A\n```\n"
    folder = write_files(tmp_path / "pkg", {"main.md": main, "a.png": PNG, "sub/keep": ""})
    via_dot_dot = folder / "sub" / ".."
    result = convert_package(via_dot_dot, via_dot_dot / "main.md", set())
    assert result.problems == [] and "```{figure} a.png" in result.body


# --- what real packages do ----------------------------------------------------------------------


def test_html_comments_are_dropped_even_around_a_fence(tmp_path: Path) -> None:
    body = ("One <!-- inline --> two.\n\n<!-- :::{figure} x.png\n:label: fig:x\nCaption\n::: -->\n\n"
            "<!--\nmore\n-->\nEnd.\n")
    result = convert(tmp_path, body)
    assert result.body == "One  two.\n\nEnd.\n"
    assert result.notes == ["main.md:5: 3 HTML comment(s) left out, as mystmd leaves them out: "
                            "main.md:5, main.md:7, main.md:12"]


def test_a_citation_followed_by_a_colon_is_converted(tmp_path: Path) -> None:
    result = convert(tmp_path, "- Item [@k]: text.\n\n[@k]: https://example.org\n", keys=("k",))
    assert result.body == "- Item {cite:p}`k`: text.\n\n[@k]: https://example.org\n"


def test_section_numbers_in_link_text_become_the_linked_title(tmp_path: Path) -> None:
    result = convert(tmp_path, "(sec)=\n## Methods\n\nSee [Section %s](#sec) and [Figure %s](#f).\n\n"
                     "```{figure} a.png\n:label: f\nCap\n```\n", **{"a.png": PNG})
    assert "See Section [](#sec) and {numref}`Figure %s <f>`." in result.body


def test_inline_raw_roles_are_left_out_and_reported(tmp_path: Path) -> None:
    result = convert(tmp_path, "A {raw:typst}`#fullwidth[` B {raw:latex}`\\newpage`.\n")
    assert result.body == "A  B .\n"
    assert [n.split(": ")[0] for n in result.notes] == ["main.md:5", "main.md:5"]


def test_an_unreferenced_footnote_is_kept_as_a_paragraph(tmp_path: Path) -> None:
    result = convert(tmp_path, "Text[^a]: see.\n\n[^a]: Used.\n\n[^b]: Never used.\n")
    assert result.body == "Text[^a]: see.\n\n[^a]: Used.\n\nNever used.\n"
    assert result.notes == ["main.md:9: footnote [^b] is never referred to: kept as a paragraph"]


@pytest.mark.parametrize(("fence", "language"), [
    ("```log\nINFO x\n```", "text"), ("```{code-block} nosuchlanguage\nx\n```", "text"),
    ("```json\n{'not': json,}\n```", "text"), ("```python\nprint(1)\n```", "python"),
])
def test_code_in_an_unknown_or_wrong_language_is_plain_text(tmp_path: Path, fence: str, language: str) -> None:
    result = convert(tmp_path, fence + "\n")
    assert result.body.split("\n")[0].endswith(language)


def test_figures_are_published_under_printable_formats_and_unused_files_are_not(tmp_path: Path) -> None:
    image = Image.new("RGB", (4, 4), "red")
    webp, gif = io.BytesIO(), io.BytesIO()
    image.save(webp, "WEBP")
    image.save(gif, "GIF")
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" content="&lt;mxfile host=x&gt;"><switch>'
           '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">Label</div></foreignObject>'
           '<text>Label</text></switch></svg>')
    body = "```{figure} a.webp\nA\n```\n\n![B](b.gif)\n\n```{figure} c.svg\nC\n```\n"
    result = convert(tmp_path, body, **{"a.webp": webp.getvalue(), "b.gif": gif.getvalue(),
                     "c.svg": svg, "unused.ipynb": "{}"})
    assert "```{figure} a.png" in result.body and "![B](<b.png>)" in result.body
    assert sorted(result.files) == ["a.png", "b.png", "c.svg"]
    assert result.files["a.png"].startswith(b"\x89PNG")
    assert b"foreignObject" not in result.files["c.svg"] and b"<text>Label</text>" in result.files["c.svg"]
    assert b"mxfile" not in result.files["c.svg"]
    assert any("c.svg: 1 <foreignObject>" in n for n in result.notes)


def test_the_authors_workshop_fields_are_kept(tmp_path: Path) -> None:
    head = "---\ntitle: T\nabstract: A.\nanonymous: true\nfunding: Grant 1.\ntrack: Tiny papers\nexports: []\n---\n"
    result = convert(tmp_path, head + "Text.\n")
    assert {k: result.frontmatter[k] for k in ("anonymous", "funding", "track")} == {
        "anonymous": True, "funding": "Grant 1.", "track": "Tiny papers"}
    assert result.notes == ["main.md:1: front matter not published: 'exports'"]


def test_mystmd_link_schemes_become_links(tmp_path: Path) -> None:
    body = ("<wiki:Big_bang>, [bang](wiki:Big_bang), <rrid:SCR_008394>, <ror:02mhbdp94>, [](github:o/r), "
            "<doi:10.1/x>, [paper](doi:10.1/y_z).\n")
    result = convert(tmp_path, body)
    assert result.body.split("\n")[0] == (
        "[Big bang](<https://en.wikipedia.org/wiki/Big_bang>), [bang](<https://en.wikipedia.org/wiki/Big_bang>), "
        "[RRID:SCR_008394](<https://scicrunch.org/resolver/RRID:SCR_008394>), "
        "[ROR 02mhbdp94](<https://ror.org/02mhbdp94>), "
        "[o/r](<https://github.com/o/r>), {cite:p}`doi-10-1-x`, [paper](<https://doi.org/10.1/y_z>)."
    )


@pytest.mark.parametrize("kept", [
    "$x \\; @a$",
    "`` a ` @a ``",
    "[see @a](https://example.org/)",
    "[mail](mailto:ada@a.example)",
    "<https://social.example/@a>",
    '<span title="see @a">x</span>',
    "{math}`x @a`",
])
def test_what_markdown_it_reads_as_code_math_links_or_html_keeps_its_at_signs(tmp_path: Path, kept: str) -> None:
    result = convert(tmp_path, f"Before {kept} after.\n", keys=KEYS)
    assert result.body.split("\n")[0] == f"Before {kept} after."


def test_images_are_read_as_markdown_it_reads_them(tmp_path: Path) -> None:
    body = '![a [nested] alt](<figs/one (1).png> "Its title") and ![](figs/two.png)\n'
    result = convert(tmp_path, body, **{"figs__one (1).png": PNG, "figs__two.png": PNG})
    assert result.body.split("\n")[0] == '![a [nested] alt](<figs/one (1).png> "Its title") and ![](<figs/two.png>)'
    assert set(result.files) == {"figs/one (1).png", "figs/two.png"}


def test_a_link_to_a_label_with_a_title_or_across_a_line_is_converted(tmp_path: Path) -> None:
    body = ":::{figure} f.png\n:label: fig-x\nCap.\n:::\n\nSee [Figure %s](#fig-x \"hover\") and [](\n#fig-x).\n"
    result = convert(tmp_path, body, **{"f.png": PNG})
    assert "See {numref}`Figure %s <fig-x>` and {numref}`fig-x`." in result.body


def test_a_comment_inside_a_paragraph_is_dropped_and_reported_once(tmp_path: Path) -> None:
    result = convert(tmp_path, "Kept <!-- a note\nover two lines --> text [@a].\n", keys=KEYS)
    assert result.body.split("\n")[0] == "Kept  text {cite:p}`a`."
    assert any("comment" in note for note in result.notes)


def test_a_listing_caption_is_converted_like_the_text(tmp_path: Path) -> None:
    body = ("```{code} python\n:label: code-x\n:caption: Shown in [](#fig-missing), as [@a] says.\nx = 1\n```\n\n"
            "See [](#code-x).\n")
    result = convert(tmp_path, body, keys=KEYS)
    assert ":caption: Shown in fig-missing, as {cite:p}`a` says.\n" in result.body
    assert result.problems == [
        "main.md:5: link to '#fig-missing': the paper has no such label or heading; its text 'fig-missing' is kept"
    ]


def test_a_link_with_code_in_its_text_to_a_missing_label_keeps_its_text(tmp_path: Path) -> None:
    body = "(here)=\nSee [the `x` extension](#appendix-x) and [the `y` part](#here).\n"
    result = convert(tmp_path, body)
    assert "See the `x` extension and [the `y` part](#here)." in result.body
    assert result.problems == [
        "main.md:6: link to '#appendix-x': the paper has no such label or heading; its text 'the `x` extension' is kept"
    ]


def test_an_include_of_a_code_file_is_a_numbered_listing(tmp_path: Path) -> None:
    body = "```{include} code/run.py\n:lang: python\n:caption: The runner\n:label: lst-run\n```\n\nSee [](#lst-run).\n"
    result = convert(tmp_path, body, **{"code__run.py": "print(1)\n"})
    assert result.body == ("```{literalinclude} code/run.py\n:caption: The runner\n:name: lst-run\n:language: python\n"
                           "```\n\nSee {numref}`lst-run`.\n")
    assert result.files == {"code/run.py": b"print(1)\n"}


def test_a_figure_holding_code_is_a_captioned_listing_that_keeps_its_label(tmp_path: Path) -> None:
    body = "::::{figure}\n:label: code-x\n```python\nx = 1\n```\nThe code.\n::::\n\nSee [](#code-x).\n"
    result = convert(tmp_path, body)
    assert result.body == ("::::{code-block} python\n:caption: The code.\n:name: code-x\nx = 1\n::::\n\n"
                           "See {numref}`code-x`.\n")


def test_a_table_wrapping_a_list_table_is_the_list_table(tmp_path: Path) -> None:
    body = "::::{table} Results\n:label: tbl-r\n:::{list-table}\n:header-rows: 1\n* - a\n::::\n"
    result = convert(tmp_path, body)
    assert result.body == ":::{list-table} Results\n:header-rows: 1\n:name: tbl-r\n* - a\n:::\n"


def test_remote_images_become_links_and_are_reported(tmp_path: Path) -> None:
    body = "```{figure} https://x.org/a.png\n:label: f\nCap.\n```\n\nSee [Figure %s](#f) and ![logo](https://x.org/l.png).\n"
    result = convert(tmp_path, body)
    assert "[Figure: a.png](<https://x.org/a.png>)" in result.body and "(f)=" in result.body
    assert "See [Figure](#f) and [logo](<https://x.org/l.png>)." in result.body
    assert len(result.problems) == 2 and result.files == {}


def test_the_block_structure_is_markdown_its(tmp_path: Path) -> None:
    """Indented code, a fence shown inside a longer fence and a list item's fence stay as written."""
    body = ("Text [@k].\n\n    indented [@k] code\n\n````md\n```{figure} x.png\n```\n````\n\n"
            "- item [@k]\n\n  ```python\n  [@k]\n  ```\n")
    result = convert(tmp_path, body, keys=("k",))
    assert result.body == ("Text {cite:p}`k`.\n\n    indented [@k] code\n\n````md\n```{figure} x.png\n```\n````\n\n"
                           "- item {cite:p}`k`\n\n  ```python\n  [@k]\n  ```\n")


def test_links_to_labels_the_paper_lacks_keep_their_text_and_are_reported(tmp_path: Path) -> None:
    body = ("## Known heading\n\n"
            "See [the part](#nowhere), [](#known-heading), {numref}`Figure %s <gone>` and {ref}`gone2`.\n")
    result = convert(tmp_path, body)
    assert "See the part, [](#known-heading), Figure and gone2." in result.body
    assert [p.split(": ", 1)[0] for p in result.problems] == ["main.md:7"] * 3


def test_an_authors_own_anonymity_choice_is_honoured_when_collected(tmp_path: Path) -> None:
    head = ("---\ntitle: T\nabstract: A.\nanonymous: true\nfunding: None.\ntrack: Tiny papers\n"
            "authors:\n  - name: Ada Lovelace\n    email: ada@example.org\n---\n")
    folder = write_files(tmp_path / "pkg", {"main.md": head + "Text.\n"})
    [outcome] = collect([from_package(folder, tmp_path / "work")], tmp_path / "vol", tmp_path / "private", Overrides())
    assert outcome.status == Status.collected, outcome.messages
    published = (tmp_path / "vol" / "papers" / "pkg" / "paper.md").read_text(encoding="utf-8")
    assert "anonymous: true" in published and "Ada" not in published
    assert "Ada Lovelace" in (tmp_path / "private" / "vol" / "anonymous-authors.yml").read_text(encoding="utf-8")


def test_raw_directives_by_format_and_latex_includes_are_left_out(tmp_path: Path) -> None:
    body = (":::{raw:latex}\n\\newpage\n:::\n\n::::{table} Sample\n:label: tab:t\n\n:::{include} t.tex\n:::\n::::\n\n"
            "Text.\n")
    result = convert(tmp_path, body, **{"t.tex": "\\begin{tabular}{l}x\\end{tabular}\n"})
    assert "newpage" not in result.body and "tabular" not in result.body and "{table}" not in result.body
    assert "**Sample**" in result.body and result.body.endswith("Text.\n")
    assert sorted(p.split(": ")[0] for p in result.problems) == ["main.md:12", "main.md:5", "main.md:9"]


def test_pdf_figures_become_png_and_notebook_outputs_keep_their_caption(tmp_path: Path) -> None:
    body = "```{figure} plot.pdf\n:label: f1\nA plot.\n```\n\n```{figure} #cell-output\n:label: f2\nAn output.\n```\n"
    result = convert(tmp_path, body, **{"plot.pdf": tiny_pdf("x")})
    assert "```{figure} plot.png" in result.body and result.files["plot.png"].startswith(b"\x89PNG")
    assert "(f2)=" in result.body and "An output." in result.body and "#cell-output" not in result.body
    assert [p.split(": ", 1)[0] for p in result.problems] == ["main.md:10"]


def test_an_embedded_notebook_output_is_left_out_with_a_line(tmp_path: Path) -> None:
    result = convert(tmp_path, "Before ![the plot](#fig-cell) after.\n")
    assert result.body == "Before the plot after.\n"
    assert result.problems == ["main.md:5: embedded notebook output '#fig-cell' left out: the build runs no notebook"]


def test_a_figure_of_markdown_images_with_target_lines_keeps_its_images_and_labels(tmp_path: Path) -> None:
    body = (":::{figure}\n:label: fig:both\n(part-a)=\n![](./images/a.png)\n(part-b)=\n![B](images/b.png)\n\n"
            "Both parts.\n:::\n\nSee [Figure 1a](#part-a) and [](#fig:both).\n")
    result = convert(tmp_path, body, **{"images__a.png": PNG, "images__b.png": PNG})
    # The figure's fence is longer than its images' fences: the first bare ':::' would end it.
    assert result.body.startswith("(part-a)=\n(part-b)=\n::::{figure} images/a.png\n:name: fig:both\n")
    assert ":::{image} images/b.png\n:alt: B\n:::\n::::\n" in result.body
    assert "See [Figure 1a](#part-a) and {numref}`fig:both`." in result.body
    assert sorted(result.files) == ["images/a.png", "images/b.png"] and result.problems == []


def test_mystmd_habits_build_without_warnings(tmp_path: Path, mini_site: MiniSite) -> None:
    """Titled admonitions, a glossary, a figure of Markdown images, a code figure, a table in a table, footnotes."""
    body = (
        ":::{note} My title\nBody.\n:::\n\n:::{glossary}\nMyST\n: Markedly Structured Text\n:::\n\n"
        "See {term}`MyST`[^used].\n\n[^used]: Used.\n\n[^unused]: Never used.\n\n"
        ":::{figure}\n:label: fig:both\n(part-a)=\n![](a.png)\n(part-b)=\n![B](a.png)\n![C](a.png)\n\nBoth.\n:::\n\n"
        "::::{figure}\n:label: code-x\n```javascript\nlet x = 1;\n```\nThe code.\n::::\n\n"
        "::::{table} Results\n:label: tbl-r\n:::{list-table}\n* - a\n:::\n::::\n\n"
        "See [Figure %s](#fig:both), [part a](#part-a), [](#code-x), [Table %s](#tbl-r) and [Section %s](#s).\n\n"
        "(s)=\n### Deep start\n\n##### Skipped level\n\n```log\nINFO └── done\n```\n"
    )
    converted = convert(tmp_path, "---\ntitle: T\nauthors: [Ada]\nabstract: A.\n---\n" + body, **{"a.png": PNG})
    folder = mini_site.add_paper("conv", paper_source(converted))
    for name, content in converted.files.items():
        (folder / name).write_bytes(content)
    assert build_html(mini_site) == []
    article = page(mini_site.srcdir.parent / "out-html/vol/papers/conv/paper.html")
    figure = article.select_one("figure#fig-both, figure[id*='both']")
    assert figure is not None and len(figure.select("img")) == 3, "every image must stay in its figure"
    headings = [h.get_text().rstrip("¶") for h in article.select("section > h2, section > h3, section > h4")]
    assert headings[-2:] == ["Deep start", "Skipped level"]
    bare = [div for div in article.select("div.container") if div["class"] == ["docutils", "container"]]
    assert not bare, "no fence left open swallows the rest of the paper"
    assert not [pre for pre in article.select("pre") if ":::" in pre.get_text()], "nor shows it as code"
    assert article.select_one("#code-x pre") is not None and article.select_one("table#tbl-r") is not None
    text = " ".join(prose_text(mini_site.srcdir.parent / "out-html/vol/papers/conv/paper.html").split())
    assert "See Figure 1 , part a , Listing 1 , Table 1 and Section Deep start ." in text


def test_an_included_notebook_shows_its_cells_without_outputs(tmp_path: Path) -> None:
    notebook = {"cells": [
        {"cell_type": "markdown", "source": ["## From the notebook\n", "\n", "See [@a].\n"]},
        {"cell_type": "code", "source": "x = 1", "outputs": [{"output_type": "stream", "text": "1"}]},
    ], "metadata": {"kernelspec": {"language": "python"}}, "nbformat": 4}
    body = "Intro.\n\n```{include} nb/demo.ipynb\n```\n\n![Shot](figures/shot.PNG)\n"
    result = convert(tmp_path, body, keys=("a",), **{"nb__demo.ipynb": json.dumps(notebook), "figures__shot.PNG": PNG})
    assert "## From the notebook\n\nSee {cite:p}`a`.\n\n```python\nx = 1\n```" in result.body
    assert "![Shot](<figures/shot.png>)" in result.body and list(result.files) == ["figures/shot.png"]
    assert "nb/demo.ipynb" in result.sources
    assert result.notes == ["nb/demo.ipynb:1: 1 code cell output(s) of the notebook left out: "
                            "the build runs no notebook"]


def test_a_label_given_twice_is_renamed_at_its_second_place(tmp_path: Path) -> None:
    body = "```{figure} a.png\n:label: f\nOne.\n```\n\n```{figure} a.png\n:label: f\nTwo.\n```\n\nSee [](#f).\n"
    result = convert(tmp_path, body, **{"a.png": PNG})
    assert ":name: f\n" in result.body and ":name: f-2\n" in result.body and "See {numref}`f`." in result.body
    assert result.problems == ["main.md:10: label 'f' is already used earlier in the paper: this one is f-2"]


def test_files_the_paper_does_not_use_are_listed_not_checked_nor_measured(tmp_path: Path) -> None:
    head = "---\ntitle: T\nabstract: A.\nfunding: None.\ntrack: Tiny papers\nauthors: [Ada]\n---\n"
    folder = write_files(tmp_path / "pkg", {"main.md": head + "![A](a.png)\n", "a.png": PNG,
                                            "analysis.ipynb": "{}", "data/raw.bin": ""})
    with (folder / "data" / "raw.bin").open("wb") as data:
        data.truncate(60 * 1024 * 1024)  # over the package limit, but sparse: no disk used
    submission = from_package(folder, tmp_path / "work")
    assert sorted(submission.files) == ["a.png"]
    assert "not published, as the paper does not use them: analysis.ipynb, data/raw.bin" in submission.notes


def test_a_labelled_reference_followed_by_a_colon_is_converted(tmp_path: Path) -> None:
    body = "```{figure} a.png\n:label: fig:x\nCap.\n```\n\n- See [@fig:x]: the plot.\n"
    result = convert(tmp_path, body, **{"a.png": PNG})
    assert "- See ({numref}`fig:x`): the plot." in result.body


def test_a_video_figure_keeps_its_caption_and_is_reported(tmp_path: Path) -> None:
    body = "```{figure} demo.mp4\n:label: vid\nThe demo.\n```\n"
    result = convert(tmp_path, body, **{"demo.mp4": "not really a video"})
    assert "demo.mp4" not in result.body and "The demo." in result.body
    assert [p.split(": ", 1)[1] for p in result.problems] == [
        "video 'demo.mp4' left out: the printed volume shows no video; its caption is kept"]


def test_an_option_value_with_a_hash_keeps_it() -> None:
    from proceedings.collect.mystmd.blocks import _option_value

    assert _option_value("Step #1 and #2") == '"Step #1 and #2"'
    assert _option_value("#hash") == '"#hash"'
    assert _option_value("C# code") == "C# code"


def test_mystmd_attribute_form_of_a_directive_becomes_its_options(tmp_path: Path) -> None:
    body = '```{code filename="page.md" lang=markdown}\n# A page\n```\n'
    result = convert(tmp_path, body)
    assert "{code" not in result.body.replace("{code-block}", "")
    assert "# A page" in result.body
