"""Event handlers: what the extension does at each step of a Sphinx build."""

from __future__ import annotations

import hashlib
import re
import shutil
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from proceedings.layout import paper_dirs, paper_docname, paper_id, volume_of
from proceedings.model import Paper
from proceedings.pdf.pages import read_page_ranges
from proceedings.sphinxext.bibliography import namespace_bibfiles
from proceedings.sphinxext.domain import ProceedingsDomain
from proceedings.sphinxext.indexes import by_author
from proceedings.sphinxext.nodes import author_index, paper_end, paper_list, paper_pdf
from proceedings.sphinxext.reading import namespaced_bib

__all__ = [
    "add_static_files",
    "copy_paper_pdfs",
    "exclude_papers",
    "fill_author_index",
    "fill_paper_lists",
    "mark_paper_end",
    "note_code_version",
    "outdated_paper_lists",
    "prepare_bibliographies",
    "refresh_navigation",
    "rewrite_paper_lists",
]

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
PACKAGE = Path(__file__).resolve().parent.parent
_PAPER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def add_static_files(app: Sphinx, config: Config) -> None:
    config.html_static_path = [*config.html_static_path, str(STATIC)]


def note_code_version(app: Sphinx, config: Config) -> None:
    """The pipeline's own code is part of every document's build: when it changes (an upgrade, a fix),
    Sphinx reads every document again, as it does for a changed setting, instead of keeping
    doctrees, and warnings, that older code made."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in (".py", ".sty", ".css", ".js", ".html") and path.is_file():
            digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    config.proceedings_code = digest.hexdigest()


def exclude_papers(app: Sphinx, config: Config) -> None:
    """Papers left out of this build (``<volume>/<id>``), e.g. by ``build --skip-failing``."""
    config.exclude_patterns = [
        *config.exclude_patterns,
        *(f"{paper.split('/', 1)[0]}/papers/{paper.split('/', 1)[1]}" for paper in config.proceedings_exclude),
    ]


def prepare_bibliographies(app: Sphinx, config: Config) -> None:
    """Derive each paper's namespaced ``.bib`` and hand all of them to sphinxcontrib-bibtex.

    Done when the configuration is read, so that ``bibtex_bibfiles`` is the same value that
    the pickled environment holds and an unchanged project rewrites no page.
    """
    srcdir = Path(app.srcdir)
    bibfiles = [str(path) for path in sorted(srcdir.glob("*/references.bib"))]
    excluded = set(config.proceedings_exclude)
    for folder in paper_dirs(srcdir):
        docname = paper_docname(srcdir, folder)
        ident = folder.name
        if f"{volume_of(docname)}/{ident}" in excluded:
            continue
        if not _PAPER_ID.match(ident):
            logger.warning(
                "paper folder %r: use only ASCII letters, digits, '-' and '_' in a paper's folder name", ident,
                location=docname, type="proceedings", subtype="paper_id",
            )
            continue
        target = namespaced_bib(app.doctreedir, docname)
        report = namespace_bibfiles(sorted(folder.glob("*.bib")), target, ident)
        for problem in report.problems:
            logger.warning(
                "paper %r: bibliography: %s", ident, problem.message,
                location=problem.location, type="proceedings", subtype="bibtex",
            )
        bibfiles.append(str(target))
    config.bibtex_bibfiles = bibfiles


def load_page_ranges(app: Sphinx) -> None:
    """Take the volume's page ranges from the PDF stage; papers whose pages moved are outdated."""
    domain = ProceedingsDomain.of(app.env)
    path = app.config.proceedings_pages_file
    ranges = {
        f"{volume}/papers/{ident}/paper": (pages.first, pages.last)
        for volume, papers in (read_page_ranges(Path(path)) if path else {}).items()
        for ident, pages in papers.items()
    }
    moved = {d for d in ranges.keys() | domain.pages.keys() if ranges.get(d) != domain.pages.get(d)}
    domain.pages.clear()
    domain.pages.update(ranges)
    app.env.temp_data["proceedings_moved_pages"] = moved


def mark_paper_end(app: Sphinx, doctree: nodes.document) -> None:
    """Mark where the paper ends, or, for a PDF-only paper, which PDF the volume includes there."""
    ident = paper_id(app.env.docname)
    if ident is None:
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        return
    paper = ProceedingsDomain.of(app.env).papers.get(app.env.docname)
    pdf = Path(app.srcdir, app.env.docname).parent / paper.pdf if paper is not None and paper.pdf else None
    if pdf is not None and not pdf.is_file():
        logger.warning(
            "paper %r: field 'pdf': %s is missing", ident, pdf.name,
            location=app.env.docname, type="proceedings", subtype="metadata",
        )
    elif pdf is not None:
        from pypdf import PdfReader  # only PDF-only papers need it; keeps every build's start-up short

        app.env.note_dependency(str(pdf))
        section += paper_pdf(paper_id=ident, path=_latex_copy(app.env.docname), pages=len(PdfReader(pdf).pages))
    else:
        section += paper_end(paper_id=ident)


def _latex_copy(docname: str) -> str:
    """Where a PDF-only paper's PDF lies beside the volume's LaTeX: TeX reads nothing outside that folder."""
    return f"paper-pdfs/{volume_of(docname)}-{paper_id(docname)}.pdf"


def copy_paper_pdfs(app: Sphinx, exception: BaseException | None) -> None:
    """Copy PDF-only papers' PDFs beside the LaTeX sources, where the volume includes them from."""
    if exception is not None or app.builder.format != "latex":
        return
    for docname, paper in ProceedingsDomain.of(app.env).papers.items():
        source = Path(app.srcdir, docname).parent / paper.pdf if paper.pdf else None
        if source is None or not source.is_file():
            continue
        target = Path(app.outdir, _latex_copy(docname))
        if not target.is_file() or target.read_bytes() != source.read_bytes():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


@dataclass
class _BeforeReading:
    """What the papers about to be read looked like, and which papers moved in the volume."""

    papers: dict[str, Paper | None]
    moved: set[str]


_before_reading: weakref.WeakKeyDictionary[BuildEnvironment, _BeforeReading] = weakref.WeakKeyDictionary()


def outdated_paper_lists(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> Iterable[str]:
    """Papers whose pages moved are read again, as their header prints the pages.

    The metadata of the papers about to be read is noted, so that :func:`rewrite_paper_lists`
    can tell whether the lists and indexes that show it must be written again.
    """
    domain = ProceedingsDomain.of(env)
    moved = set(env.temp_data.get("proceedings_moved_pages") or ()) & env.found_docs
    papers = {d: domain.papers.get(d) for d in added | changed | removed if paper_id(d)}
    _before_reading[env] = _BeforeReading(papers, moved)
    return sorted(moved)


def rewrite_paper_lists(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """A volume's paper lists and indexes are written again when a paper's metadata changed.

    They are filled when written (see :func:`fill_paper_lists`), so they need not be read
    again; an edit to a paper's text alone leaves them as they are. The domain knows those
    pages from their last read (see ``indexes.note_index_pages``).
    """
    before = _before_reading.pop(env, None)
    if before is None:
        return []
    domain = ProceedingsDomain.of(env)
    touched = {d for d, paper in before.papers.items() if domain.papers.get(d) != paper} | before.moved
    volumes = {volume_of(d) for d in touched}
    return sorted(d for d, (volume, _kinds) in domain.index_pages.items() if volume in volumes)


def fill_paper_lists(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Replace each ``paper_list`` placeholder by the volume's papers, now that all are read."""
    domain = ProceedingsDomain.of(app.env)
    for placeholder in list(doctree.findall(paper_list)):
        entries = nodes.bullet_list(classes=["paper-list"])
        for paper_doc, paper in domain.papers_of(placeholder["volume"]):
            uri = app.builder.get_relative_uri(docname, paper_doc)
            link = nodes.reference("", paper.title, internal=True, refuri=uri)
            details = nodes.paragraph(classes=["paper-list-details"])
            details += nodes.Text(f"{paper.byline} · {paper.track} · {paper.presentation.value}")
            entries += nodes.list_item("", nodes.paragraph("", "", nodes.strong("", "", link)), details)
        placeholder.replace_self(entries)


def fill_author_index(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Every named author of the volume, surname first and in Unicode order, with their papers."""
    domain = ProceedingsDomain.of(app.env)
    for index in doctree.findall(author_index):
        entries = by_author(domain.papers_of(index["volume"]), domain.author_sort_key)
        index["entries"] = [(entry.label, [paper_id(doc) or "" for doc, _paper in entry.papers]) for entry in entries]


def _top_headings(env: BuildEnvironment, docname: str) -> tuple[str, ...]:
    toc = env.tocs.get(docname)
    return tuple(item[0].astext() for item in toc.children if item.children) if toc is not None else ()


def refresh_navigation(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Every page again when a title or the set of pages changed: each page's sidebar shows them all.

    Sphinx writes only the pages that changed, whose sidebars are then right while the
    others keep the old titles. Only titles, top-level headings (what a toctree of depth
    one shows) and the page set matter, so editing a paper's text still writes that paper
    alone (see ``PaperTocTreeCollector.process_doc``).
    """
    navigation = {
        docname: (env.titles[docname].astext(), *_top_headings(env, docname))
        for docname in env.found_docs
        if docname in env.titles
    }
    domain = ProceedingsDomain.of(env)
    if domain.navigation == navigation:
        return []
    first_build = not domain.navigation
    domain.navigation.clear()
    domain.navigation.update(navigation)
    return [] if first_build else sorted(env.found_docs)
