"""Bad input stops the build with a message that names the paper and the file."""

from __future__ import annotations

import pytest

from proceedings.pdf.compile import LatexError, compile_volume

from conftest import MiniSite, paper_text

GOOD_BIB = "@book{known, author = {Doe, Jane}, title = {A Known Book}, publisher = {P}, year = {2020}}\n"


def test_a_clean_paper_builds_without_warnings(mini_site: MiniSite) -> None:
    mini_site.add_paper("p1", paper_text(body="See {cite:p}`known`."), GOOD_BIB)
    run = mini_site.sphinx()
    assert run.returncode == 0, run.warnings
    assert run.warnings == ""


def test_malformed_bib_entry_is_reported_by_paper_and_file(mini_site: MiniSite) -> None:
    bib = GOOD_BIB + "@article{broken, author = {Smith, John, Jr, Extra}, title = {T}, year = {2021}}\n"
    mini_site.add_paper("p1", paper_text(body="See {cite:p}`known` and {cite:p}`broken`."), bib)
    run = mini_site.sphinx()
    assert run.returncode != 0
    expected = "paper.bib:2: WARNING: paper 'p1': bibliography: paper.bib, entry 'broken': Too many commas"
    assert "vol/papers/p1/" + expected in run.warnings
    # the rest of the file still loads: only the broken key is unresolved
    assert 'could not find bibtex key "p1:broken"' in run.warnings
    assert 'p1:known"' not in run.warnings


def test_bib_syntax_error_is_reported(mini_site: MiniSite) -> None:
    mini_site.add_paper("p1", paper_text(body="{cite:p}`known`"), GOOD_BIB + "@article{oops, title = {unclosed\n")
    run = mini_site.sphinx()
    assert run.returncode != 0
    assert "paper.bib:2: WARNING: paper 'p1': bibliography: paper.bib, entry 'oops': syntax error" in run.warnings


def test_unknown_citation_key_names_the_paper(mini_site: MiniSite) -> None:
    mini_site.add_paper("p1", paper_text(body="See {cite:p}`nobody2020`."), GOOD_BIB)
    run = mini_site.sphinx()
    assert run.returncode != 0
    assert "vol/papers/p1/paper.md" in run.warnings
    assert 'could not find bibtex key "p1:nobody2020"' in run.warnings


def test_missing_figure_names_the_paper_and_the_file(mini_site: MiniSite) -> None:
    body = "```{figure} nowhere.png\n:alt: nothing\n\nA caption.\n```\n"
    mini_site.add_paper("p1", paper_text(body=body))
    run = mini_site.sphinx()
    assert run.returncode != 0
    assert "vol/papers/p1/paper.md" in run.warnings and "nowhere.png" in run.warnings


def test_missing_funding_disclosure_is_an_error(mini_site: MiniSite) -> None:
    text = paper_text().replace("funding: No funding.\n", "")
    mini_site.add_paper("p1", text)
    run = mini_site.sphinx()
    assert run.returncode != 0
    assert "paper 'p1': field 'funding': Field required" in run.warnings


def test_anonymous_paper_listing_its_authors_is_refused(mini_site: MiniSite) -> None:
    text = paper_text().replace("track:", "anonymous: true\ntrack:")
    mini_site.add_paper("p1", text)
    run = mini_site.sphinx()
    assert run.returncode != 0
    assert "an anonymous paper must not list its authors" in run.warnings


def test_same_key_in_two_papers_resolves_within_each(mini_site: MiniSite) -> None:
    other = "@book{known, author = {Roe, Richard}, title = {Another Book}, publisher = {Q}, year = {2021}}\n"
    mini_site.add_paper("p1", paper_text(title="One", body="{cite:p}`known`"), GOOD_BIB)
    mini_site.add_paper("p2", paper_text(title="Two", body="{cite:p}`known`"), other)
    run = mini_site.sphinx()
    assert run.returncode == 0, run.warnings
    out = mini_site.srcdir.parent / "out-html" / "vol" / "papers"
    one = (out / "p1" / "paper.html").read_text(encoding="utf-8")
    two = (out / "p2" / "paper.html").read_text(encoding="utf-8")
    assert "A Known Book" in one and "Another Book" not in one
    assert "Another Book" in two and "A Known Book" not in two


def test_character_no_font_has_fails_the_pdf(mini_site: MiniSite) -> None:
    """A "Missing character" in the LaTeX log is a build error, not a silently dropped glyph."""
    mini_site.add_paper("p1", paper_text(title="Signs \U00013000 of Peace"))
    run = mini_site.sphinx("latex")
    assert run.returncode == 0, run.warnings
    with pytest.raises(LatexError, match=r"Missing character: There is no \U00013000"):
        compile_volume(mini_site.srcdir.parent / "out-latex" / "vol-proceedings.tex")
