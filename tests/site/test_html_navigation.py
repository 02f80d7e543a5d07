"""The sidebar rendered once per build is, on every page, the tree furo renders for that page."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from bs4 import BeautifulSoup

from conftest import MiniSite, paper_text


def _sidebar(page: Path, root: Path) -> str:
    """The page's sidebar tree, its relative links made absolute so that pages at any depth compare."""
    tree = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one("div.sidebar-tree")
    assert tree is not None, page
    folder = page.parent.relative_to(root).as_posix()
    for link in tree.find_all("a", href=True):
        href = str(link["href"])
        if not href.startswith("#") and not re.match(r"[a-z]+:", href):
            link["href"] = "/" + posixpath.normpath(posixpath.join(folder, href))
    return str(tree)


def test_every_page_has_the_sidebar_furo_would_render(mini_site: MiniSite) -> None:
    for ident in ("a", "b", "c"):
        mini_site.add_paper(ident, paper_text(title=f"Paper {ident.upper()}"))
    shared, own = mini_site.srcdir.parent / "shared", mini_site.srcdir.parent / "own"
    assert mini_site.sphinx(out=shared).warnings == ""
    assert mini_site.sphinx(out=own, settings=("proceedings_shared_navigation=0",)).warnings == ""
    pages = sorted(p.relative_to(own) for p in own.rglob("*.html") if "sidebar-tree" in p.read_text(encoding="utf-8"))
    assert len(pages) >= 6
    for page in pages:
        assert _sidebar(shared / page, shared) == _sidebar(own / page, own), page
    paper_b = BeautifulSoup((shared / "vol/papers/b/paper.html").read_text(encoding="utf-8"), "html.parser")
    current = paper_b.select("div.sidebar-tree li.current")
    assert [li.a.get_text() for li in current] == ["Papers", "Paper B"]
    assert paper_b.select_one("div.sidebar-tree li.current-page a")["href"] == "#"
