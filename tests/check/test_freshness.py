"""The check proves the outputs agree: a title left stale in any one of them fails it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from proceedings.build import Output, build
from proceedings.check.output import Finding, check_output

from conftest import make_mini_site, paper_text

TITLE, STALE = "A Fresh Title", "An Old Title"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Output:
    root = tmp_path_factory.mktemp("fresh")
    site = make_mini_site(root)
    site.add_paper("p1", paper_text(title=TITLE))
    site.add_paper("p2", paper_text(title="Another Paper"))
    # BibTeX then writes the title in braces, not in double quotes.
    site.add_paper("p3", paper_text(title="'A \"Quoted\" Title'"))
    out = Output(root / "build")
    build(site.srcdir, out, private=root / "private")
    return out


def _copy(built: Output, tmp_path: Path) -> Output:
    out = Output(tmp_path / "build")
    shutil.copytree(built.root, out.root)
    return out


def _plant(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_fresh_build_passes_the_check(built: Output) -> None:
    assert check_output(built.root, built.root / "private") == []


STALE_OUTPUTS = {
    "paper bib": ("vol/papers/p1/p1.bib", "vol/papers/p1/p1.bib: stale: paper 'p1': title '{An Old Title}', "
                  "where its page has 'A Fresh Title'"),
    "paper ris": ("vol/papers/p1/p1.ris", "vol/papers/p1/p1.ris: stale: paper 'p1': title 'An Old Title', "
                  "where its page has 'A Fresh Title'"),
    "volume bib": ("vol/vol-proceedings.bib", "vol/vol-proceedings.bib: stale: paper 'p1': title '{An Old Title}', "
                   "where its page has 'A Fresh Title'"),
    "papers list": ("vol/papers/index.html", "vol/papers/index.html: stale: lists paper 'p1' as 'An Old Title'"),
}


@pytest.mark.parametrize("output", STALE_OUTPUTS, ids=list(STALE_OUTPUTS))
def test_a_stale_title_in_one_output_fails_the_check(built: Output, tmp_path: Path, output: str) -> None:
    out = _copy(built, tmp_path)
    name, finding = STALE_OUTPUTS[output]
    path = out.html / name
    if name.endswith(".html"):
        text = path.read_text(encoding="utf-8")
        start = text.index('class="paper-list"')
        path.write_text(text[:start] + text[start:].replace(TITLE, STALE, 1), encoding="utf-8")
    else:
        _plant(path, TITLE, STALE)
    assert [str(f) for f in check_output(out.root, tmp_path / "private")] == [finding]


def test_a_stale_sidebar_fails_the_check(built: Output, tmp_path: Path) -> None:
    out = _copy(built, tmp_path)
    page = out.html / "vol" / "papers" / "p2" / "paper.html"
    text = page.read_text(encoding="utf-8")
    start = text.index('class="sidebar-tree"')
    page.write_text(text[:start] + text[start:].replace(TITLE, STALE), encoding="utf-8")
    assert check_output(out.root, tmp_path / "private") == [
        Finding("stale", "vol/papers/p2/paper.html", f"sidebar names paper 'p1' {STALE!r}, not {TITLE!r}")
    ]


@pytest.mark.latex
def test_a_stale_title_in_a_papers_pdf_fails_the_check(built: Output, tmp_path: Path) -> None:
    out = _copy(built, tmp_path)
    pdf = out.pdf / "vol" / "p1.pdf"
    writer = PdfWriter(clone_from=PdfReader(pdf))
    writer.add_metadata({"/Title": STALE})
    writer.write(pdf)
    assert check_output(out.root, tmp_path / "private") == [
        Finding("stale", "pdf/vol/p1.pdf", f"title {STALE!r}, where its page has {TITLE!r}")
    ]


def test_a_page_older_than_its_source_fails_the_check(built: Output, tmp_path: Path) -> None:
    """Outputs that agree with each other are still stale if the source says otherwise."""
    out = _copy(built, tmp_path)
    srcdir = tmp_path / "docs"
    shutil.copytree(built.root.parent / "docs", srcdir)
    _plant(srcdir / "vol" / "papers" / "p1" / "paper.md", TITLE, "A Newer Title")
    assert check_output(out.root, tmp_path / "private") == []
    assert check_output(out.root, tmp_path / "private", srcdir=srcdir) == [
        Finding("stale", "vol/papers/p1/paper.html", f"title {TITLE!r}, where its source has 'A Newer Title'")
    ]
