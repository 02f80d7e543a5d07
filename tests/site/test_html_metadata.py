"""What paper pages tell machines: citation meta tags, JSON-LD, Open Graph, canonical links, sitemap."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree

from bs4 import BeautifulSoup

from proceedings.build import Output
from proceedings.layout import paper_dirs
from proceedings.model import Paper, load_paper, load_workshop

from conftest import DOCS, ROOT, page

BASE = "https://ai-for-peace.github.io/proceedings/"
WORKSHOP = load_workshop(DOCS / "iclr2026" / "workshop.yml")


def _papers() -> list[tuple[str, Paper]]:
    return [(folder.name, load_paper(folder / "paper.md")) for folder in paper_dirs(DOCS, "iclr2026")]


def _meta(soup: BeautifulSoup, name: str) -> list[str]:
    return [str(tag["content"]) for tag in soup.find_all("meta", attrs={"name": name})]


def _property(soup: BeautifulSoup, name: str) -> list[str]:
    return [str(tag["content"]) for tag in soup.find_all("meta", attrs={"property": name})]


def _json_ld(soup: BeautifulSoup) -> dict:
    scripts = soup.find_all("script", attrs={"type": "application/ld+json"})
    assert len(scripts) == 1
    return json.loads(scripts[0].string)


def test_citation_tags_match_front_matter_and_page_ranges(site: Output) -> None:
    ranges = json.loads(site.pages.read_text(encoding="utf-8"))["iclr2026"]
    for ident, paper in _papers():
        soup = page(site.html / "iclr2026" / "papers" / ident / "paper.html")
        url = f"{BASE}iclr2026/papers/{ident}/paper.html"
        assert _meta(soup, "citation_title") == [paper.title]
        assert _meta(soup, "citation_author") == ([] if paper.anonymous else list(paper.author_names))
        assert _meta(soup, "citation_publication_date") == ["2026/04/26"]
        assert _meta(soup, "citation_conference_title") == [WORKSHOP.volume_title]
        assert _meta(soup, "citation_pdf_url") == [f"{BASE}pdf/iclr2026/{ident}.pdf"]
        assert _meta(soup, "citation_firstpage") == [str(ranges[ident][0])]
        assert _meta(soup, "citation_lastpage") == [str(ranges[ident][1])]
        assert _meta(soup, "citation_abstract_html_url") == [url]
        link = soup.find("link", attrs={"rel": "canonical"})
        assert link is not None and link["href"] == url


def test_citation_author_tags_keep_each_authors_affiliations_together(site: Output) -> None:
    soup = page(site.html / "iclr2026/papers/ex01-dual-use-audit/paper.html")
    tags = [(t["name"], t["content"]) for t in soup.find_all("meta") if "citation_author" in str(t.get("name"))]
    assert tags[:5] == [
        ("citation_author", "José Muñoz"),
        ("citation_author_institution", "Institute for Peaceful Computing, Lisbon"),
        ("citation_author_institution", "Centre for Imaginary Policy Studies, Valparaíso"),
        ("citation_author_orcid", "0000-0002-1473-8298"),
        ("citation_author", "Ewa Łukasiewicz"),
    ]


def test_json_ld_is_a_scholarly_article(site: Output) -> None:
    ranges = json.loads(site.pages.read_text(encoding="utf-8"))["iclr2026"]
    for ident, paper in _papers():
        data = _json_ld(page(site.html / "iclr2026" / "papers" / ident / "paper.html"))
        assert data["@context"] == "https://schema.org" and data["@type"] == "ScholarlyArticle"
        assert data["name"] == paper.title
        assert data["datePublished"] == "2026-04-26"
        assert data["isPartOf"]["name"] == WORKSHOP.volume_title
        assert [data["pageStart"], data["pageEnd"]] == ranges[ident]
        assert data["encoding"]["contentUrl"] == f"{BASE}pdf/iclr2026/{ident}.pdf"
        assert data["keywords"] == list(paper.keywords)
        if paper.anonymous:
            assert "author" not in data
        else:
            assert [a["name"] for a in data["author"]] == list(paper.author_names)
    first = _json_ld(page(site.html / "iclr2026/papers/ex01-dual-use-audit/paper.html"))
    assert first["author"][0]["identifier"] == "https://orcid.org/0000-0002-1473-8298"
    assert first["funder"] == [{"@type": "Organization", "name": "Fictional Foundation for Open Science"}]
    assert first["license"] == "https://creativecommons.org/licenses/by/4.0/"


def test_open_graph_on_every_page(site: Output) -> None:
    home = page(site.html / "index.html")
    assert _property(home, "og:type") == ["website"]
    assert _property(home, "og:url") == [f"{BASE}index.html"]
    assert _property(home, "og:description")[0].startswith("AI for Peace is a workshop")
    soup = page(site.html / "iclr2026/papers/ex04-landmine-sensing/paper.html")
    paper = load_paper(DOCS / "iclr2026/papers/ex04-landmine-sensing/paper.md")
    assert _property(soup, "og:type") == ["article"]
    assert _property(soup, "og:title") == [paper.title]
    assert _property(soup, "og:description")[0].startswith(" ".join(paper.abstract.split()[:12]))
    assert len(_property(soup, "og:description")[0]) <= 300


def test_anonymous_page_head_names_nobody(site: Output) -> None:
    soup = page(site.html / "iclr2026/papers/ex03-anonymous-surveillance/paper.html")
    assert "author" not in _json_ld(soup)
    assert not [t for t in soup.find_all("meta") if "citation_author" in str(t.get("name"))]
    assert soup.select_one(".paper-authors").get_text() == "Anonymous authors"


def test_sitemap_lists_every_page(site: Output) -> None:
    tree = ElementTree.parse(site.html / "sitemap.xml")
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    listed = {loc.text for loc in tree.getroot().findall("s:url/s:loc", namespace)}
    # every page built from a source; an edition without papers builds no volume or index pages yet
    sources = {
        path.relative_to(DOCS).with_suffix(".html").as_posix()
        for path in DOCS.rglob("*.md")
        if not path.name == "README.md" and (site.html / path.relative_to(DOCS).with_suffix(".html")).is_file()
    }
    assert BASE + "iclr2026/volume.html" in listed and BASE + "neurips2026/volume.html" not in listed
    assert listed == {BASE + source for source in sources}
    for url in listed:
        assert (site.html / url.removeprefix(BASE)).is_file(), url


def test_one_base_url_setting() -> None:
    """Every absolute URL comes from conf.py's html_baseurl; no module knows the site's address."""
    conf = (DOCS / "conf.py").read_text(encoding="utf-8")
    assert re.findall(r"^html_baseurl = \"(.+)\"$", conf, re.MULTILINE) == [BASE]
    package = ROOT / "proceedings"
    assert not [p for p in package.rglob("*.py") if "github.io" in p.read_text(encoding="utf-8")]
