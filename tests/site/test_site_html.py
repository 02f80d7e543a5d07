"""The repository's own site, built for real: pages, papers and their own references."""

from __future__ import annotations

import pytest
import yaml
from pybtex.database import parse_file

from proceedings.build import Output
from proceedings.layout import paper_dirs
from proceedings.model import load_paper

from conftest import DOCS, PROGRAMME, SHARED, page

FACTS = SHARED / "seed" / "workshop-facts.yml"


def _references(soup) -> list[str]:
    return [" ".join(entry.get_text("").split()) for entry in soup.select('[role="doc-biblioentry"]')]


def test_every_page_built(site: Output) -> None:
    for name in ("index", "overview", "call-for-papers", "speakers", "organizers", "schedule", "contact", "volume"):
        assert (site.html / "iclr2026" / f"{name}.html").is_file(), name
    assert (site.html / "index.html").is_file()


def test_overview_has_the_sixteen_references_with_their_links(site: Output) -> None:
    soup = page(site.html / "iclr2026" / "overview.html")
    references = _references(soup)
    assert len(references) == 16
    assert references[0].startswith("[1]") and "Atlas of AI" in references[0]
    assert "Hebron" in references[15] and references[15].startswith("[16]")
    hrefs = [a["href"] for a in soup.select('[role="doc-biblioentry"] a[href]')]
    for number, url in enumerate(_bib_urls(), start=1):
        assert url in hrefs, f"reference {number}: link {url} missing"
    # the text cites them as the homepage does: [1, 2] first
    first = soup.select_one("span.bibtex-citation")
    assert first is not None and first.get_text() == "[1, 2]"


def _bib_urls() -> list[str]:
    entries = parse_file(DOCS / "iclr2026" / "references.bib").entries.values()
    return [entry.fields["url"] for entry in entries]


@pytest.mark.skipif(not FACTS.is_file(), reason="the workshop's public facts are not beside this checkout")
def test_overview_references_link_where_the_workshop_says() -> None:
    facts = yaml.safe_load(FACTS.read_text(encoding="utf-8"))
    assert _bib_urls() == [facts["reference_links"][n] for n in range(1, 17)]


def test_each_paper_page_shows_header_text_and_own_references(site: Output) -> None:
    for folder in paper_dirs(DOCS, "iclr2026"):
        paper = load_paper(folder / "paper.md")
        soup = page(site.html / "iclr2026" / "papers" / folder.name / "paper.html")
        article = soup.select_one("article")
        assert article is not None
        assert article.select_one("h1").get_text().rstrip("¶") == paper.title
        byline = article.select_one(".paper-authors").get_text()
        if paper.anonymous:
            assert byline == "Anonymous authors"
        else:
            assert [a.get_text() for a in article.select(".paper-authors strong")] == list(paper.author_names)
        assert paper.abstract.split()[0] in article.select_one(".paper-header").get_text()
        assert paper.funding in article.select_one(".paper-facts").get_text(" ")
        references = _references(soup)
        assert len(references) == len(parse_file(folder / "paper.bib").entries), folder.name


def test_same_key_in_two_papers_keeps_each_papers_own_entry(site: Output) -> None:
    first = " ".join(_references(page(site.html / "iclr2026/papers/ex01-dual-use-audit/paper.html")))
    second = " ".join(_references(page(site.html / "iclr2026/papers/ex02-funding-trails/paper.html")))
    assert "Dual-Use Signals in Vision Benchmarks" in first and "Ledgers of War" not in first
    assert "Ledgers of War" in second and "Dual-Use Signals" not in second


def test_papers_page_lists_every_paper(site: Output) -> None:
    soup = page(site.html / "iclr2026" / "papers" / "index.html")
    listed = [a.get_text() for a in soup.select(".paper-list a")]
    expected = [load_paper(DOCS / "iclr2026" / "papers" / ident / "paper.md").title for ident in PROGRAMME]
    assert listed == expected
    assert "Anonymous authors" in soup.select_one(".paper-list").get_text()


def test_anonymous_paper_names_nobody(site: Output) -> None:
    html = (site.html / "iclr2026/papers/ex03-anonymous-surveillance/paper.html").read_text(encoding="utf-8")
    assert "Anonymous authors" in html
    assert "@example.org" not in html
    assert not any((site.html / "_sources").rglob("*.*"))


def test_figure_is_numbered_and_referenced(site: Output) -> None:
    soup = page(site.html / "iclr2026/papers/ex01-dual-use-audit/paper.html")
    figure = soup.select_one("figure")
    assert figure is not None and figure.select_one("img")["alt"]
    target = "#" + figure["id"]
    assert any(a.get("href") == target and "Figure" in a.get_text() for a in soup.select("a"))
