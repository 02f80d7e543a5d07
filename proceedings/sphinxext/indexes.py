"""A volume's indexes: authors, keywords, funders, sessions and tracks.

An index needs every paper of its volume, so the ``paper-index`` directive leaves a
placeholder that is filled at ``doctree-resolved`` from the domain, and the pages that
hold one are written again whenever a paper of their volume changes (see
``outdated_paper_lists``). Paper headers link their names, keywords, session and track
into these indexes through ``index_link`` nodes, resolved at the same moment.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from proceedings.export import funders
from proceedings.layout import ALL_EDITIONS, WORKSHOP_FILE, volume_of
from proceedings.model import Paper, Workshop
from proceedings.names import index_form, sort_key
from proceedings.sphinxext.domain import ProceedingsDomain
from proceedings.sphinxext.nodes import paper_list, pass_node, skip_node

__all__ = [
    "KINDS",
    "IndexEntry",
    "PaperIndex",
    "anchor",
    "by_author",
    "by_funder",
    "by_keyword",
    "by_session",
    "by_track",
    "fill_indexes",
    "header_link",
    "index_link",
    "note_index_pages",
    "paper_index",
    "register",
    "relink_papers",
]

logger = logging.getLogger(__name__)

KINDS = ("authors", "keywords", "funding", "sessions", "tracks")
"""What ``{paper-index}`` can list."""

LINKED = ("authors", "keywords", "sessions", "tracks")
"""The indexes that a paper's header links its names, keywords, session and track into."""

PaperRef = tuple[str, Paper]


class paper_index(nodes.General, nodes.Element):
    """Placeholder for one of a volume's indexes, filled once every paper is read."""


class index_link(nodes.Inline, nodes.TextElement):
    """A name, keyword, session or track in a paper's header: a link into the volume's index, if it has one."""


# -- Grouping (pure) ---------------------------------------------------------------------

_LATIN = str.maketrans({
    "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae", "Æ": "AE",
    "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "Th", "\u0131": "i",
})


def fold(text: str) -> str:
    """Text without case or accents, so that Émile sorts with E and Łukasiewicz with L."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LATIN))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def anchor(kind: str, text: str) -> str:
    """The fragment id of an index entry; entries whose text folds the same are one entry."""
    return f"{kind}-" + "-".join(re.findall(r"\w+", fold(text)))


def _sort_key(text: str) -> tuple[int, str]:
    """Latin script first, then other scripts by code point."""
    folded = fold(text)
    return (0 if folded[:1].isascii() else 1, folded)


@dataclass
class IndexEntry:
    """One heading of an index: what it is about and the papers under it."""

    label: str
    anchor: str
    papers: list[PaperRef] = field(default_factory=list)
    orcid: str | None = None


def _group(papers: Iterable[PaperRef], keys: Callable[[Paper], Iterable[str]], kind: str) -> dict[str, IndexEntry]:
    entries: dict[str, IndexEntry] = {}
    for docname, paper in papers:
        for label in keys(paper):
            entry = entries.setdefault(anchor(kind, label), IndexEntry(label, anchor(kind, label)))
            if (docname, paper) not in entry.papers:
                entry.papers.append((docname, paper))
    return entries


def by_author(papers: Iterable[PaperRef], key: Callable[[str], tuple[int, ...]] = sort_key) -> list[IndexEntry]:
    """Every named author with their papers, surname first and in the printed index's order.

    Anonymous papers name nobody. ``key`` is the names' collation key.
    """
    papers = list(papers)
    entries = _group(papers, lambda paper: () if paper.anonymous else paper.author_names, "author")
    for _docname, paper in papers:
        for author in () if paper.anonymous else paper.authors:
            entry = entries[anchor("author", author.name)]
            entry.orcid = entry.orcid or author.orcid
    ordered = sorted(entries.values(), key=lambda entry: key(entry.label))
    for entry in ordered:
        entry.label = index_form(entry.label)
    return ordered


def by_keyword(papers: Iterable[PaperRef]) -> list[IndexEntry]:
    return sorted(_group(papers, lambda paper: paper.keywords, "keyword").values(), key=lambda e: _sort_key(e.label))


def by_funder(papers: Iterable[PaperRef]) -> list[IndexEntry]:
    """Every funder named in a disclosure (see :func:`proceedings.export.funders`)."""
    entries = _group(papers, funders, "funder").values()
    return sorted(entries, key=lambda e: _sort_key(re.sub(r"^the\s+", "", e.label, flags=re.IGNORECASE)))


def by_session(papers: Iterable[PaperRef]) -> list[IndexEntry]:
    """Sessions in the order of ``papers``, the programme's (see :mod:`proceedings.programme`); papers
    without a session last."""
    entries = list(_group(papers, lambda paper: (paper.session or "No session",), "session").values())
    return sorted(entries, key=lambda entry: entry.label == "No session")


def by_track(papers: Iterable[PaperRef], workshop: Workshop | None) -> list[IndexEntry]:
    """Tracks in the order the call for papers gives them, then any others by name."""
    order = [track.name for track in workshop.call_for_papers.tracks] if workshop else []
    entries = _group(papers, lambda paper: (paper.track,), "track").values()
    return sorted(entries, key=lambda e: (order.index(e.label) if e.label in order else len(order), fold(e.label)))


# -- Sphinx --------------------------------------------------------------------------------



class PaperIndex(SphinxDirective):
    """``{paper-index} authors`` (or keywords, funding, sessions, tracks): an index of this volume's papers."""

    required_arguments = 1
    option_spec = {"editions": lambda value: directives.choice(value, ("this", "all"))}  # noqa: RUF012

    def run(self) -> list[nodes.Node]:
        kind = self.arguments[0]
        volume = ALL_EDITIONS if self.options.get("editions") == "all" else volume_of(self.env.docname)
        if kind not in KINDS:
            logger.warning(
                "unknown paper index %r; use one of %s", kind, ", ".join(KINDS),
                location=self.get_location(), type="proceedings", subtype="index",
            )
            return []
        if kind == "tracks":  # in the order of the call for papers
            self.env.note_dependency(str(Path(self.env.srcdir) / volume_of(self.env.docname) / WORKSHOP_FILE))
        level = min(max(self.state.memo.section_level + 1, 2), 6)
        return [paper_index(kind=kind, volume=volume, level=level)]


def note_index_pages(app: Sphinx, doctree: nodes.document) -> None:
    """Remember which pages list a volume's papers, so that they follow every paper's changes."""
    domain = ProceedingsDomain.of(app.env)
    docname = app.env.docname
    for node in doctree.findall(paper_list):
        domain.note_index_page(docname, node["volume"], "papers")
    for node in doctree.findall(paper_index):
        domain.note_index_page(docname, node["volume"], node["kind"])


def relink_papers(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Papers whose header links point to an index that appeared or went away must be written again."""
    domain = ProceedingsDomain.of(env)
    volumes = {volume_of(d) for d in domain.papers} | set(domain.linked_indexes)
    stale = []
    for volume in sorted(volumes):
        linked = tuple(kind for kind in LINKED if domain.index_page(volume, kind))
        if domain.linked_indexes.get(volume) != linked:
            domain.linked_indexes[volume] = linked
            stale += [docname for docname, _paper in domain.papers_of(volume)]
    return stale


def fill_indexes(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Fill every index placeholder and resolve the header links of a page, for HTML."""
    if app.builder.format != "html":
        return
    domain = ProceedingsDomain.of(app.env)
    for link in list(doctree.findall(index_link)):
        target = domain.index_page(link["volume"], link["kind"])
        if target is None:
            link.replace_self(link.children)
            continue
        uri = app.builder.get_relative_uri(docname, target) + "#" + link["anchor"]
        link.replace_self(nodes.reference("", "", *link.children, internal=True, refuri=uri, classes=["index-link"]))
    for placeholder in list(doctree.findall(paper_index)):
        writer = _IndexWriter(app, docname, placeholder["volume"], placeholder["level"])
        placeholder.replace_self(writer.render(placeholder["kind"]))


@dataclass
class _IndexWriter:
    app: Sphinx
    docname: str
    volume: str
    level: int

    @property
    def domain(self) -> ProceedingsDomain:
        return ProceedingsDomain.of(self.app.env)

    def render(self, kind: str) -> nodes.Element:
        papers = list(self.domain.papers_of(self.volume))
        box = nodes.container(classes=["paper-index", f"paper-index-{kind}"])
        if kind == "authors":
            box += self._authors(papers)
        elif kind == "keywords":
            box += self._entries(by_keyword(papers))
        elif kind == "funding":
            box += self._funding(papers)
        elif kind == "sessions":
            box += self._grouped(by_session(papers), lambda p: f"{p.byline} · {p.presentation.value}")
        elif kind == "tracks":
            workshop = self.domain.workshops.get(self.volume)
            box += self._grouped(by_track(papers, workshop), self._track_details)
        return box

    @staticmethod
    def _track_details(paper: Paper) -> str:
        return " · ".join(filter(None, (paper.byline, paper.presentation.value, paper.session)))

    def _link(self, paper_doc: str, paper: Paper) -> nodes.reference:
        uri = self.app.builder.get_relative_uri(self.docname, paper_doc)
        return nodes.reference("", paper.title, internal=True, refuri=uri)

    def _pages(self, paper_doc: str) -> str:
        pages = self.domain.pages.get(paper_doc)
        if pages is None:
            return ""
        return f"p. {pages[0]}" if pages[0] == pages[1] else f"pp. {pages[0]}\u2013{pages[1]}"

    def _titles(self, papers: Sequence[PaperRef]) -> nodes.bullet_list:
        """Paper titles with their pages in the volume, as a printed index gives them."""
        items = nodes.bullet_list(classes=["paper-index-papers"])
        for paper_doc, paper in papers:
            line = nodes.paragraph("", "", self._link(paper_doc, paper))
            pages = self._pages(paper_doc)
            edition = self.domain.workshops.get(volume_of(paper_doc))
            if self.volume == ALL_EDITIONS and edition is not None:
                pages = ", ".join(filter(None, (edition.venue_short, pages)))
            if pages:
                line += nodes.Text(", ")
                line += nodes.inline("", pages, classes=["paper-index-pages"])
            items += nodes.list_item("", line)
        return items

    def _entries(self, entries: Sequence[IndexEntry], extra: Callable[[IndexEntry], list[nodes.Node]] | None = None,
                 ) -> nodes.definition_list:
        terms = nodes.definition_list(classes=["paper-index-entries"])
        for entry in entries:
            term = nodes.term("", entry.label, ids=[entry.anchor])
            if extra is not None:
                term += extra(entry)
            terms += nodes.definition_list_item("", term, nodes.definition("", self._titles(entry.papers)))
        return terms

    def _heading(self, text: str, ident: str) -> nodes.rubric:
        return nodes.rubric("", text, ids=[ident], **{"heading-level": self.level})

    def _authors(self, papers: Sequence[PaperRef]) -> list[nodes.Node]:
        entries = by_author(papers, self.domain.author_sort_key)
        letters: dict[str, list[IndexEntry]] = {}
        for entry in entries:
            letters.setdefault(fold(entry.label)[:1].upper(), []).append(entry)
        jump = nodes.paragraph(classes=["paper-index-letters"])
        for number, letter in enumerate(letters):
            if number:
                jump += nodes.Text(" ")
            jump += nodes.reference("", letter, internal=True, refuri=f"#{anchor('letter', letter)}")
        out: list[nodes.Node] = [jump] if len(letters) > 1 else []
        for letter, group in letters.items():
            out.append(self._heading(letter, anchor("letter", letter)))
            out.append(self._entries(group, self._orcid))
        if any(paper.anonymous for _doc, paper in papers):
            note = "Papers published anonymously name no author here."
            out.append(nodes.paragraph("", note, classes=["paper-index-note"]))
        return out

    @staticmethod
    def _orcid(entry: IndexEntry) -> list[nodes.Node]:
        if entry.orcid is None:
            return []
        link = nodes.reference("", "ORCID", refuri=f"https://orcid.org/{entry.orcid}", classes=["orcid"])
        return [nodes.Text(" "), link]

    def _funding(self, papers: Sequence[PaperRef]) -> list[nodes.Node]:
        out: list[nodes.Node] = [self._entries(by_funder(papers))]
        unnamed = [(doc, paper) for doc, paper in papers if not funders(paper)]
        if unnamed:
            out.append(self._heading("Papers that name no funder", "funder-none"))
            items = nodes.bullet_list(classes=["paper-index-papers"])
            for paper_doc, paper in unnamed:
                details = nodes.paragraph("", paper.funding, classes=["paper-list-details"])
                items += nodes.list_item("", nodes.paragraph("", "", self._link(paper_doc, paper)), details)
            out.append(items)
        return out

    def _grouped(self, entries: Sequence[IndexEntry], details: Callable[[Paper], str]) -> list[nodes.Node]:
        out: list[nodes.Node] = []
        for entry in entries:
            out.append(self._heading(entry.label, entry.anchor))
            items = nodes.bullet_list(classes=["paper-list"])
            for paper_doc, paper in entry.papers:
                line = nodes.paragraph("", "", nodes.strong("", "", self._link(paper_doc, paper)))
                items += nodes.list_item("", line, nodes.paragraph("", details(paper), classes=["paper-list-details"]))
            out.append(items)
        return out


def header_link(kind: str, text: str, docname: str, child: nodes.Node | None = None) -> index_link:
    """Wrap ``child`` (or ``text``) so that it links to its entry in the volume's ``kind`` index."""
    prefix = {"authors": "author", "keywords": "keyword", "sessions": "session", "tracks": "track"}[kind]
    link = index_link("", "", kind=kind, anchor=anchor(prefix, text), volume=volume_of(docname))
    link += child if child is not None else nodes.Text(text)
    return link




def register(app: Sphinx) -> None:
    """Nodes, directive and handlers; ``setup()`` calls this."""
    through = (pass_node, pass_node)
    app.add_node(index_link, html=through, latex=through, text=through, man=through, texinfo=through)
    skip = (skip_node, None)
    app.add_node(paper_index, html=skip, latex=skip, text=skip, man=skip, texinfo=skip)
    app.add_directive("paper-index", PaperIndex)
    app.connect("doctree-read", note_index_pages)
    app.connect("env-updated", relink_papers)
    app.connect("doctree-resolved", fill_indexes)
