"""The volume's indexes (authors, keywords, funders, sessions, tracks), header links into them,
search, and how all of it follows a changed paper in incremental and parallel builds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

from proceedings.build import Output
from proceedings.export import funders
from proceedings.layout import paper_dirs
from proceedings.model import Paper, load_paper
from proceedings.names import index_form

from conftest import DOCS, MiniSite, page

EDITION = "iclr2026"


def _papers() -> list[tuple[str, Paper]]:
    return [(folder.name, load_paper(folder / "paper.md")) for folder in paper_dirs(DOCS, EDITION)]


def _entries(soup: BeautifulSoup) -> dict[str, list[str]]:
    """Each index term (without its ORCID label) and the paper folders it links to."""
    found = {}
    for term in soup.select("dl.paper-index-entries > dt"):
        label = "".join(term.find_all(string=True, recursive=False)).strip()
        links = term.find_next_sibling("dd").select("a")
        found[label] = [a["href"].split("/")[-2] for a in links]
    return found


def test_author_index_lists_every_named_author_and_never_an_anonymous_paper(site: Output) -> None:
    soup = page(site.html / EDITION / "authors.html")
    expected: dict[str, list[str]] = {}
    for ident, paper in _papers():
        for name in paper.author_names:
            expected.setdefault(index_form(name), []).append(ident)
    assert _entries(soup) == expected
    anonymous = [paper.title for _ident, paper in _papers() if paper.anonymous]
    assert anonymous and not any(title in soup.select_one(".paper-index").get_text() for title in anonymous)
    assert "ex03" not in str(soup.select_one(".paper-index"))
    orcid = soup.select_one("#author-jose-munoz a.orcid")
    assert orcid is not None and orcid["href"] == "https://orcid.org/0000-0002-1473-8298"


def test_author_index_gives_pages_in_the_volume(site: Output) -> None:
    ranges = json.loads(site.pages.read_text(encoding="utf-8"))[EDITION]
    soup = page(site.html / EDITION / "authors.html")
    first, last = ranges["ex02-funding-trails"]
    entry = soup.select_one("#author-emile-dubois").find_next_sibling("dd")
    assert entry.get_text(" ", strip=True).endswith(f"pp. {first}\u2013{last}")


def test_keyword_index(site: Output) -> None:
    expected: dict[str, list[str]] = {}
    for ident, paper in _papers():
        for keyword in paper.keywords:
            expected.setdefault(keyword, []).append(ident)
    assert _entries(page(site.html / EDITION / "keywords.html")) == dict(sorted(expected.items()))


def test_funding_index_names_every_declared_funder(site: Output) -> None:
    expected: dict[str, list[str]] = {}
    for ident, paper in _papers():
        for funder in funders(paper):
            expected.setdefault(funder, []).append(ident)
    found = _entries(page(site.html / EDITION / "funding.html"))
    assert found == dict(sorted(expected.items()))
    assert found["Fictional Foundation for Open Science"] == ["ex01-dual-use-audit", "ex02-funding-trails"]


def test_sessions_and_tracks(site: Output) -> None:
    soup = page(site.html / EDITION / "sessions.html")
    sessions = {}
    for heading in soup.select(".paper-index-sessions .rubric"):
        items = heading.find_next_sibling("ul").select("li > p > strong > a")
        sessions[heading.get_text()] = [a["href"].split("/")[-2] for a in items]
    assert list(sessions) == ["Oral session 1", "Spotlight session", "Poster session 1", "Poster session 2"]
    assert sessions["Poster session 2"] == ["ex03-anonymous-surveillance", "ex05-multilingual-monitoring"]
    tracks = [h.get_text() for h in soup.select(".paper-index-tracks .rubric")]
    assert tracks == ["Tiny papers", "Previously published work"]
    assert soup.select_one(".paper-index-sessions .rubric").name == "h3"


def test_paper_header_links_into_the_indexes(site: Output) -> None:
    soup = page(site.html / EDITION / "papers/ex01-dual-use-audit/paper.html")
    hrefs = [a["href"] for a in soup.select(".paper-header a.index-link")]
    assert hrefs[0] == "../../authors.html#author-jose-munoz"
    assert "../../sessions.html#session-oral-session-1" in hrefs
    assert "../../sessions.html#track-tiny-papers" in hrefs
    assert "../../keywords.html#keyword-dual-use" in hrefs
    for href in hrefs:
        path, fragment = urlsplit(href).path, unquote(urlsplit(href).fragment)
        target = page((site.html / EDITION / "papers/ex01-dual-use-audit" / path).resolve())
        assert target.find(id=fragment) is not None, href


def test_search_index_finds_titles_names_and_abstract_words(site: Output) -> None:
    text = (site.html / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    docnames = index["docnames"]

    def documents(term: str) -> set[str]:
        found: set[str] = set()
        for kind in ("terms", "titleterms"):
            hits = index[kind].get(term, [])
            found |= {docnames[i] for i in ([hits] if isinstance(hits, int) else hits)}
        return found

    for _ident, paper in _papers():
        assert paper.title in index["titles"]
    assert f"{EDITION}/papers/ex01-dual-use-audit/paper" in documents("muñoz")
    assert f"{EDITION}/papers/ex02-funding-trails/paper" in documents("王小明")
    assert f"{EDITION}/papers/ex05-multilingual-monitoring/paper" in documents("ceasefir")  # title
    assert f"{EDITION}/papers/ex05-multilingual-monitoring/paper" in documents("analyst")  # abstract
    # the BibTeX box is kept out of the index
    assert not documents("booktitl") and not documents("inproceed")


# -- small sites: anonymity, incremental and parallel builds --------------------------------

INDEX_PAGES = {"authors": "authors", "keywords": "keywords", "funding": "funding", "sessions": "sessions"}

ANONYMOUS = """\
---
title: Quiet Paper
anonymous: true
abstract: Nobody is named here.
keywords: [privacy]
track: Tiny papers
session: Poster session 1
funding: Fictional Trust, grant FT-1.
---

## Introduction

Text.
"""

NAMED = """\
---
title: Loud Paper
authors:
  - name: Ada Example
    affiliations: [Example Institute]
    orcid: 0000-0002-1825-0097
abstract: Everybody is named here.
keywords: [{keyword}]
track: Tiny papers
session: Oral session 1
presentation: oral
funding: Example Foundation, grant EF-2.
---

## Introduction

Text.
"""


def _with_indexes(site: MiniSite) -> None:
    for name, kind in INDEX_PAGES.items():
        (site.srcdir / "vol" / f"{name}.md").write_text(
            f"# {name.capitalize()}\n\n```{{paper-index}} {kind}\n```\n", encoding="utf-8"
        )
    pages = "\n".join(["vol/papers/index", *(f"vol/{name}" for name in INDEX_PAGES)])
    (site.srcdir / "index.md").write_text(f"# Test site\n\n```{{toctree}}\n{pages}\n```\n", encoding="utf-8")


def _touch(path: Path, text: str) -> None:
    before = path.stat().st_mtime
    path.write_text(text, encoding="utf-8")
    os.utime(path, (before + 5, before + 5))


def test_anonymous_authors_never_reach_the_output(mini_site: MiniSite) -> None:
    secret = "Zbigniew Quillfeather"
    private = mini_site.srcdir.parent / "private"
    private.mkdir()
    (private / "quiet.yml").write_text(f"authors:\n  - name: {secret}\n", encoding="utf-8")
    _with_indexes(mini_site)
    mini_site.add_paper("quiet", ANONYMOUS)
    mini_site.add_paper("loud", NAMED.format(keyword="loudness"))
    run = mini_site.sphinx()
    assert run.returncode == 0, run.warnings
    out = mini_site.srcdir.parent / "out-html"
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert secret.encode() not in data and b"Quillfeather" not in data, path
    index = (out / "searchindex.js").read_text(encoding="utf-8")
    assert "quiet paper" in index.lower() and "ada" in index.lower()
    authors = page(out / "vol" / "authors.html")
    assert list(_entries(authors)) == ["Example, Ada"]
    assert "Quiet Paper" not in authors.select_one(".paper-index").get_text()


def test_indexes_follow_a_changed_paper(mini_site: MiniSite) -> None:
    _with_indexes(mini_site)
    folder = mini_site.add_paper("loud", NAMED.format(keyword="loudness"))
    assert mini_site.sphinx().returncode == 0
    out = mini_site.srcdir.parent / "out-html"
    assert list(_entries(page(out / "vol" / "keywords.html"))) == ["loudness"]
    _touch(folder / "paper.md", NAMED.format(keyword="silence").replace("Ada Example", "Bea Example"))
    run = mini_site.sphinx()
    assert run.returncode == 0, run.warnings
    assert list(_entries(page(out / "vol" / "keywords.html"))) == ["silence"]
    assert list(_entries(page(out / "vol" / "authors.html"))) == ["Example, Bea"]
    assert 'author = "Example, Bea"' in (out / "vol/papers/loud/loud.bib").read_text(encoding="utf-8")


def test_header_links_appear_when_an_index_page_is_added(mini_site: MiniSite) -> None:
    mini_site.add_paper("loud", NAMED.format(keyword="loudness"))
    assert mini_site.sphinx().returncode == 0
    out = mini_site.srcdir.parent / "out-html"
    assert not page(out / "vol/papers/loud/paper.html").select(".paper-header a.index-link")
    _with_indexes(mini_site)
    run = mini_site.sphinx()
    assert run.returncode == 0, run.warnings
    hrefs = [a["href"] for a in page(out / "vol/papers/loud/paper.html").select(".paper-header a.index-link")]
    assert "../../authors.html#author-ada-example" in hrefs


def test_parallel_build_writes_the_same_indexes(mini_site: MiniSite) -> None:
    _with_indexes(mini_site)
    for number in range(6):
        text = NAMED.format(keyword=f"topic {number % 3}").replace("Loud Paper", f"Paper {number}")
        mini_site.add_paper(f"p{number}", text)
    mini_site.add_paper("quiet", ANONYMOUS)
    assert mini_site.sphinx().returncode == 0
    parallel = mini_site.srcdir.parent / "out-parallel"
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "-q", "-j", "2",
               "-d", str(mini_site.srcdir.parent / "doctrees-parallel"), str(mini_site.srcdir), str(parallel)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    serial = mini_site.srcdir.parent / "out-html"
    for name in (*INDEX_PAGES, "papers/index"):
        ours, theirs = page(serial / "vol" / f"{name}.html"), page(parallel / "vol" / f"{name}.html")
        assert str(ours.select_one("article")) == str(theirs.select_one("article")), name
    assert (serial / "vol/vol-proceedings.bib").read_text() == (parallel / "vol/vol-proceedings.bib").read_text()
