"""How a paper is read: its own keys, its own reference list, its front matter kept from myst-parser."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from conftest import MiniSite, page, paper_text

BIB = """\
@article{{smith,
  author = {{Smith, Jo}},
  title = {{{title}}},
  journal = {{Journal}},
  year = {{2024}},
}}
@article{{doe,
  author = {{Doe, Al}},
  title = {{The Other Entry}},
  journal = {{Journal}},
  year = {{2023}},
}}
"""


def built(mini_site: MiniSite, ident: str) -> BeautifulSoup:
    run = mini_site.sphinx()
    assert run.returncode == 0, run.warnings
    return page(mini_site.srcdir.parent / "out-html" / "vol" / "papers" / ident / "paper.html")


def references(soup: BeautifulSoup) -> list[str]:
    return [item.get_text(" ", strip=True) for item in soup.select("div.citation, .citation-list > *")]


def headings(soup: BeautifulSoup, tag: str) -> list[str]:
    return [h.get_text().rstrip("¶").strip() for h in soup.select(f"article {tag}")]


def test_two_papers_with_the_same_key_each_cite_their_own_entry(mini_site: MiniSite) -> None:
    mini_site.add_paper("one", paper_text("One", "As {cite:p}`smith` shows."), bib=BIB.format(title="Title of One"))
    mini_site.add_paper("two", paper_text("Two", "As {cite:t}`smith` shows."), bib=BIB.format(title="Title of Two"))
    one, two = built(mini_site, "one"), built(mini_site, "two")
    assert "Title of One" in " ".join(references(one)) and "Title of Two" not in one.get_text()
    assert "Title of Two" in " ".join(references(two)) and "Title of One" not in two.get_text()


@pytest.mark.parametrize("cite", [
    "{cite}`smith`",
    "{cite:p}`smith,doe`",
    "{cite:t}`{see}smith{p. 3}`",
    "{cite:ps}` smith , doe `",
    "{cite:p}`{compare}smith{pp. 3, 5},doe`",
])
def test_every_form_of_the_cite_role_reads_the_papers_own_keys(mini_site: MiniSite, cite: str) -> None:
    mini_site.add_paper("one", paper_text("One", f"As {cite} shows."), bib=BIB.format(title="Own Title"))
    soup = built(mini_site, "one")
    links = soup.select("article a[href^='#one']") or soup.select("article a.reference.internal[href*='smith']")
    assert links, soup.select_one("article")
    assert "Own Title" in " ".join(references(soup))
    assert "one:" not in soup.select_one("article").get_text()


def test_a_citation_inside_a_directive_keeps_the_reference_list(mini_site: MiniSite) -> None:
    body = ":::{note}\nAs {cite:p}`doe` says.\n:::\n"
    mini_site.add_paper("one", paper_text("One", body), bib=BIB.format(title="T"))
    soup = built(mini_site, "one")
    assert headings(soup, "h2") == ["Introduction", "References"]
    assert ["The Other Entry" in r for r in references(soup)] == [True]


def test_a_paper_that_cites_nothing_has_no_reference_list(mini_site: MiniSite) -> None:
    mini_site.add_paper("one", paper_text("One", "No citations here."), bib=BIB.format(title="T"))
    soup = built(mini_site, "one")
    assert headings(soup, "h2") == ["Introduction"]
    assert not references(soup)
    assert "References" not in soup.get_text()  # nor in the page's table of contents


def test_a_citation_in_the_abstract_reads_the_papers_own_key(mini_site: MiniSite) -> None:
    text = paper_text("One", "Body.").replace("abstract: An abstract.", "abstract: 'Builds on {cite:p}`doe`.'")
    mini_site.add_paper("one", text, bib=BIB.format(title="T"))
    soup = built(mini_site, "one")
    assert soup.select(".paper-header .bibtex-citation a[href^='#']")
    assert ["The Other Entry" in r for r in references(soup)] == [True]


def test_the_title_prints_as_written(mini_site: MiniSite) -> None:
    title = "A *starred* `ticked` $x$ <b>tagged</b> [linked](https://example.org) title"
    mini_site.add_paper("one", paper_text(f'"{title}"', "Text."))
    soup = built(mini_site, "one")
    assert headings(soup, "h1") == [title]
    assert not soup.select("article h1 em, article h1 code, article h1 b, article h1 a[href^='https']")


@pytest.mark.parametrize("extra", [
    "myst:\n  enable_extensions: [html_image, substitution]",
    "substitutions:\n  x: planted",
    "html_meta:\n  description: planted",
])
def test_front_matter_keys_do_not_reach_myst_parser(mini_site: MiniSite, extra: str) -> None:
    """A hand-placed paper's front matter cannot switch on what the site keeps off or print its fields."""
    text = paper_text("One", "Text {{ x }}.").replace(
        "funding:", extra + "\nfunding:"
    )
    mini_site.add_paper("one", text)
    run = mini_site.sphinx()
    html = (mini_site.srcdir.parent / "out-html" / "vol" / "papers" / "one" / "paper.html").read_text()
    assert "planted" not in html, run.warnings
    assert "{{ x }}" in BeautifulSoup(html, "html.parser").select_one("article").get_text()
