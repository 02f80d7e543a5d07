"""What the site tells machines: citation meta tags, JSON-LD and Open Graph in each page's
head, the citation files beside each paper, and a sitemap.

Every absolute URL comes from one setting, Sphinx's ``html_baseurl`` (which also gives
each page its canonical link). Without it, pages carry no absolute URLs and no sitemap
is written. sphinx-sitemap and sphinxext-opengraph are not used: the first gathers pages
in a queue on ``app`` rather than in the environment, and the second describes a page by
its first text, which on a paper page is its byline, not its abstract; both are a few
lines here, built from the same :class:`~proceedings.export.Citable` as the exports.
"""

from __future__ import annotations

import html
import posixpath
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from proceedings.export import (
    Citable,
    bibtex,
    bibtex_keys,
    highwire_tags,
    joined_bibtex,
    json_ld,
    json_ld_script,
    open_graph_tags,
    ris,
    shorten,
    sitemap,
)
from proceedings.layout import WORKSHOP_FILE, paper_id, volume_of, volumes
from proceedings.model import MetadataError, load_workshop
from proceedings.sphinxext.directives import pdf_link
from proceedings.sphinxext.domain import ProceedingsDomain

__all__ = [
    "VolumeDownloads",
    "add_page_metadata",
    "citable",
    "citation_files",
    "load_workshops",
    "note_workshop",
    "repair_roles",
    "volume_bib_path",
    "write_exports",
]

logger = logging.getLogger(__name__)

WEB_BUILDERS = frozenset({"html", "dirhtml"})



def load_workshops(app: Sphinx) -> None:
    """Read every edition's ``workshop.yml`` once per build, for exports and meta tags."""
    domain = ProceedingsDomain.of(app.env)
    domain.workshops.clear()
    for volume in volumes(Path(app.srcdir)):
        path = Path(app.srcdir) / volume / WORKSHOP_FILE
        try:
            domain.workshops[volume] = load_workshop(path)
        except (OSError, MetadataError) as exc:
            logger.warning("%s: %s", path, exc, location=str(path), type="proceedings", subtype="workshop")


def note_workshop(app: Sphinx, doctree: nodes.document) -> None:
    """A paper's citation names its volume: editing ``workshop.yml`` must rewrite the paper."""
    if paper_id(app.env.docname) is not None:
        app.env.note_dependency(str(Path(app.srcdir) / volume_of(app.env.docname) / WORKSHOP_FILE))


def _absolute(app: Sphinx, path: str) -> str:
    base = app.config.html_baseurl
    return posixpath.join(base, path) if base else ""


def citable(app: Sphinx, docname: str) -> Citable | None:
    """Everything needed to cite the paper at ``docname``, or None if it is not a valid paper."""
    domain = ProceedingsDomain.of(app.env)
    paper, ident = domain.papers.get(docname), paper_id(docname)
    workshop = domain.workshops.get(volume_of(docname))
    if paper is None or ident is None or workshop is None:
        return None
    volume = volume_of(docname)
    return Citable(
        paper=paper, workshop=workshop, volume=volume, paper_id=ident,
        url=_absolute(app, app.builder.get_target_uri(docname)),
        pdf_url="" if paper.pdf_to_come else _absolute(app, f"pdf/{volume}/{ident}.pdf"),
        pages=domain.pages.get(docname),
    )


def citation_files(app: Sphinx, docname: str) -> tuple[str, str]:
    """Where a paper's ``.bib`` and ``.ris`` go, relative to the output folder (beside its page)."""
    ident = paper_id(docname) or "paper"
    folder = posixpath.dirname(app.builder.get_target_uri(docname))
    return posixpath.join(folder, f"{ident}.bib"), posixpath.join(folder, f"{ident}.ris")


def volume_bib_path(volume: str) -> str:
    return f"{volume}/{volume}-proceedings.bib"


def _description(doctree: nodes.document) -> str:
    """The page's first paragraph of text (an image's alt text is not a description)."""
    for paragraph in doctree.findall(nodes.paragraph):
        text = " ".join("".join(t.astext() for t in paragraph.findall(nodes.Text)).split())
        if text:
            return text
    return ""


def add_page_metadata(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """Open Graph on every page; on paper pages also Highwire ``citation_*`` tags and JSON-LD."""
    if doctree is None or app.builder.name not in WEB_BUILDERS:
        return
    title = app.env.titles[pagename].astext() if pagename in app.env.titles else app.config.project
    paper = citable(app, pagename)
    description = paper.paper.abstract if paper else _description(doctree)
    tags = [("description", shorten(description, 300))] if description else []
    head = []
    if paper is not None:
        tags += highwire_tags(paper)
        head.append(f'<script type="application/ld+json">{json_ld_script(json_ld(paper))}</script>')
    url = _absolute(app, app.builder.get_target_uri(pagename))
    site = app.config.html_title or app.config.project
    properties = open_graph_tags(title=title, url=url, description=description, site_name=site, article=bool(paper))
    lines = [f'<meta name="{name}" content="{html.escape(value)}">' for name, value in tags]
    lines += [f'<meta property="{name}" content="{html.escape(value)}">' for name, value in properties]
    context["metatags"] = context.get("metatags", "") + "\n".join([*lines, *head]) + "\n"


def repair_roles(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """Two ARIA errors that axe-core reports as critical in markup from upstream.

    Sphinx writes a toctree caption (furo's sidebar "Editions") as ``role="heading"``
    with no ``aria-level``; docutils wraps ``doc-biblioentry`` references in a
    ``role="list"``, which may only own list items (their context is ``doc-bibliography``).
    Runs after furo has built its navigation tree.
    """
    if app.builder.format != "html":
        return
    tree = context.get("furo_navigation_tree")
    if isinstance(tree, str):
        context["furo_navigation_tree"] = tree.replace('role="heading">', 'role="heading" aria-level="2">')
    body = context.get("body")
    if isinstance(body, str):
        old, new = '<div role="list" class="citation-list">', '<div role="doc-bibliography" class="citation-list">'
        context["body"] = body.replace(old, new)


def _write(path: Path, text: str) -> None:
    """Write only what changed, so that an unchanged file keeps its date."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")


def write_exports(app: Sphinx, exception: BaseException | None) -> None:
    """Each paper's ``.bib`` and ``.ris`` beside its page, each volume's ``.bib``, and ``sitemap.xml``.

    They depend on the papers and the base URL only: when a change tracker knows which
    papers this build read, the others keep the files the last build wrote for them.
    """
    if exception is not None or app.builder.name not in WEB_BUILDERS:
        return
    outdir = Path(app.outdir)
    domain = ProceedingsDomain.of(app.env)
    stamp = Path(app.doctreedir) / "proceedings-exports.txt"
    made_for = f"{outdir}\nhtml_baseurl={app.config.html_baseurl}\n"
    known = stamp.is_file() and stamp.read_text(encoding="utf-8") == made_for
    read = domain.read_this_build if known else None
    made = [outdir / volume_bib_path(volume) for volume in domain.workshops]
    if read is not None and not read and all(path.is_file() for path in made):
        return  # no paper was read: every file is as the last build wrote it
    for volume in sorted(domain.workshops):
        papers = [(doc, cited) for doc, _paper in domain.papers_of(volume) if (cited := citable(app, doc))]
        entries = []
        for (docname, paper), key in zip(papers, bibtex_keys(c for _doc, c in papers), strict=True):
            bib, ris_file = (outdir / name for name in citation_files(app, docname))
            kept = bib.read_text(encoding="utf-8") if read is not None and docname not in read and bib.is_file() else ""
            if kept.startswith(f"@inproceedings{{{key},") and ris_file.is_file():
                entries.append(kept)
                continue
            entries.append(bibtex(paper, key))
            _write(bib, entries[-1])
            _write(ris_file, ris(paper))
        _write(outdir / volume_bib_path(volume), joined_bibtex(entries))
    if app.config.html_baseurl:
        urls = [_absolute(app, app.builder.get_target_uri(doc)) for doc in sorted(app.env.found_docs)]
        _write(outdir / "sitemap.xml", sitemap(urls))
    _write(stamp, made_for)


class VolumeDownloads(SphinxDirective):
    """Links to the whole volume: its PDF and the BibTeX of all its papers."""

    def run(self) -> list[nodes.Node]:
        volume = volume_of(self.env.docname)
        line = nodes.paragraph("", "The whole volume: ", classes=["volume-downloads"])
        line += pdf_link(self.env, f"{volume}-proceedings.pdf")
        line += nodes.Text(" (PDF) · ")
        up = "../" * self.env.docname.count("/")
        line += nodes.reference("", f"{volume}-proceedings.bib", refuri=up + volume_bib_path(volume))
        line += nodes.Text(" (BibTeX of every paper)")
        return [addnodes.only("", line, expr="html")]
