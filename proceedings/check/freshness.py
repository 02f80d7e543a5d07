"""Proof that no output is stale: each paper's title, authors and pages the same in its page, its
exports, the volume's BibTeX, the sidebars and lists, its PDF and its source."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pybtex.database import Person
from pypdf import PdfReader

from proceedings.check.output import _PAGE, Finding, _Memo, _page_facts, _text
from proceedings.export.bibtex import bibtex_name, latex_text
from proceedings.layout import PAPER_FILE
from proceedings.model import MetadataError, load_paper


@dataclass(frozen=True)
class _Cited:
    """A paper as its page cites it: what every other output must say too."""

    volume: str
    paper: str
    title: str
    authors: list[str]
    pages: tuple[str, str] | None


def _fields(path: Path) -> list[dict[str, list[str]]]:
    """The entries of an exported ``.bib`` (``name = "value"`` or, for a value holding a double quote,
    ``name = {value}`` lines) or ``.ris`` (``TAG  - value``)."""
    entries: list[dict[str, list[str]]] = []
    for line in _text(path).splitlines():
        bib = re.match(r'^\s+(\w+) = (?:"(.*)"|\{(.*)\}),?$', line)
        ris = re.match(r"^([A-Z][A-Z0-9])  - (.*)$", line)
        if line.startswith(("@", "TY  - ")) or not entries:
            entries.append({})
        if bib:
            entries[-1].setdefault(bib[1], []).append(bib[2] if bib[2] is not None else bib[3])
        elif ris:
            entries[-1].setdefault(ris[1], []).append(ris[2])
    return [entry for entry in entries if entry]


def _pdf_info(path: Path) -> dict[str, str]:
    info: Any = PdfReader(path).metadata or {}
    return {"title": str(info.get("/Title", "")), "author": str(info.get("/Author", ""))}


def _plain(text: str) -> str:
    """Text as compared across outputs: Sphinx's smart quotes and dashes undone, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text).translate(str.maketrans("\u2018\u2019\u201c\u201d", "''\"\""))
    return " ".join(text.replace("\u2014", "---").replace("\u2013", "--").split())


def _cited_papers(html: Path, memo: _Memo) -> list[_Cited]:
    found = []
    for page in sorted(html.glob("*/papers/*/paper.html")):
        facts = memo.of(page, _PAGE, _page_facts(html, memo))
        titles = [value for name, value in facts["cited"] if name == "citation_title"]
        if not titles:
            continue
        meta = facts["meta"]
        pages = (meta["citation_firstpage"], meta["citation_lastpage"]) if "citation_firstpage" in meta else None
        authors = [value for name, value in facts["cited"] if name == "citation_author"]
        found.append(_Cited(page.parts[-4], page.parts[-2], titles[0], authors, pages))
    return found


def _disagreements(cited: _Cited, entry: dict[str, list[str]], bib: bool) -> Iterator[str]:
    """What an exported entry says differently from the paper's page."""
    title = " ".join(cited.title.split())
    said_title = entry.get("title" if bib else "TI", [""])[0]
    if said_title != ("{" + latex_text(title) + "}" if bib else title):
        yield f"title {said_title!r}, where its page has {title!r}"
    if cited.authors:
        names = [str(bibtex_name(name) if bib else Person(name)) for name in cited.authors]
        said = entry.get("author", [""])[0].split(" and ") if bib else entry.get("AU", [])
        if said != names:
            yield f"authors {said!r}, where its page has {names!r}"
    if cited.pages is not None:
        first, last = cited.pages
        said_pages = entry.get("pages", [""])[0] if bib else "--".join(entry.get("SP", []) + entry.get("EP", []))
        if said_pages not in ({f"{first}--{last}", first} if bib and first == last else {f"{first}--{last}"}):
            yield f"pages {said_pages!r}, where its page has {first}--{last}"


def _against_sources(cited: _Cited, srcdir: Path, where: str) -> Iterator[Finding]:
    """The paper's page against its source's front matter: a page left stale is found too."""
    source = srcdir / cited.volume / "papers" / cited.paper / PAPER_FILE
    try:
        paper = load_paper(source)
    except (OSError, MetadataError):
        return  # a paper without a readable source is the build's concern, not a stale output
    title = " ".join(paper.title.split())
    if " ".join(cited.title.split()) != title:
        yield Finding("stale", where, f"title {cited.title!r}, where its source has {title!r}")
    names = [] if paper.anonymous else list(paper.author_names)
    if cited.authors != names:
        yield Finding("stale", where, f"authors {cited.authors!r}, where its source has {names!r}")


def freshness(html: Path, memo: _Memo, srcdir: Path | None) -> Iterator[Finding]:
    """Each paper's title, authors and pages as its page has them (and, given the sources, as its
    source has them), the same in its exports, the volume's BibTeX, the sidebars and lists that
    name it, and its PDF: no output left stale."""
    cited = _cited_papers(html, memo)
    by_page = {f"{c.volume}/papers/{c.paper}/paper.html": c for c in cited}
    for paper in cited:
        folder = html / paper.volume / "papers" / paper.paper
        if srcdir is not None:
            yield from _against_sources(paper, srcdir, str((folder / "paper.html").relative_to(html)))
        url = f"{paper.volume}/papers/{paper.paper}/paper.html"
        exports = [(folder / f"{paper.paper}.bib", True), (folder / f"{paper.paper}.ris", False),
                   (html / paper.volume / f"{paper.volume}-proceedings.bib", True)]
        for path, bib in exports:
            if not path.is_file():
                continue
            entries = [
                entry for entry in memo.of(path, "fields", _fields)
                if any(link.endswith(url) for link in entry.get("url", entry.get("UR", [])))
            ]
            if not entries:
                yield Finding("stale", str(path.relative_to(html)), f"has no entry for paper {paper.paper!r}")
            for entry in entries:
                for detail in _disagreements(paper, entry, bib):
                    yield Finding("stale", str(path.relative_to(html)), f"paper {paper.paper!r}: {detail}")
        pdf = html / "pdf" / paper.volume / f"{paper.paper}.pdf"
        if pdf.is_file():
            info = memo.of(pdf, "info", _pdf_info)
            where = str(pdf.relative_to(html))
            # Cut from the volume, a paper's PDF carries its title and authors; without the volume
            # (a build without PDFs) a PDF-only paper's own PDF, cleaned at collect, carries none.
            cut = (html / "pdf" / f"{paper.volume}-proceedings.pdf").is_file()
            if (cut or info["title"]) and _plain(info["title"]) != _plain(paper.title):
                yield Finding("stale", where, f"title {info['title']!r}, where its page has {paper.title!r}")
            if paper.authors and (cut or info["author"]) and info["author"] != "; ".join(paper.authors):
                yield Finding("stale", where, f"authors {info['author']!r}, where its page has {paper.authors!r}")
    shown: dict[str, str] = {}
    for path in sorted(html.rglob("*.html")):
        facts = memo.of(path, _PAGE, _page_facts(html, memo))
        shown.setdefault(facts["titles"], str(path.relative_to(html)))
        for target, text in facts["listed"]:
            named = by_page.get(target)
            if named is not None and _plain(text) != _plain(named.title):
                yield Finding("stale", str(path.relative_to(html)), f"lists paper {named.paper!r} as {text!r}")
    for name, where in shown.items():
        for target, text in memo.lists[name]:
            named = by_page.get(target)
            if named is not None and _plain(text) != _plain(named.title):
                yield Finding("stale", where, f"sidebar names paper {named.paper!r} {text!r}, not {named.title!r}")
