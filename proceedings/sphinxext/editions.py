"""Several editions in one site, each shown only with what it already has.

Before any document is read, every edition's programme is read from the papers' front
matter (see :mod:`proceedings.programme`) into the domain; when it changed (a paper added
or removed, a session or presentation edited, an edition added), the pages whose contents
follow it are read again, and only they: an edit to a paper's text reads no other page.
Pages with nothing to show yet are left out of the build (``config-inited``): the volume,
papers list and indexes of an edition without papers, and the speakers and schedule
pages while ``workshop.yml`` has none. The directives here build their toctrees from the
same programme, so no page links to one that is left out.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterable
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from proceedings.edition import ordinal
from proceedings.layout import ALL_EDITIONS, WORKSHOP_FILE, editions, paper_dirs, paper_docname, paper_id, volume_of
from proceedings.model import MetadataError, Workshop, load_workshop
from proceedings.programme import programme_order, read_slot
from proceedings.sphinxext.directives import _md_escape as md_escape
from proceedings.sphinxext.domain import ProceedingsDomain

__all__ = [
    "CONTENTS",
    "TEMPLATE",
    "VOLUME_PAGES",
    "EditionContents",
    "Editions",
    "ProgrammeTocTree",
    "TemplateDownload",
    "register",
]

logger = logging.getLogger(__name__)

VOLUME_PAGES = ("volume", "papers/index", "sessions", "authors", "keywords", "funding")
"""An edition's pages that show its papers: built once it has some."""

CONTENTS = (
    "overview", "call-for-papers", "information-for-authors", "speakers", "organizers", "schedule",
    "papers/index", "sessions", "authors", "keywords", "funding", "contact",
)
"""The order of an edition's pages in its contents; other pages follow by name."""

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "camera-ready"
TEMPLATE_ZIP = "camera-ready-template.zip"


def _workshop(path: Path) -> Workshop | None:
    try:
        return load_workshop(path)
    except (OSError, MetadataError) as exc:
        logger.warning("%s: %s", path, exc, location=str(path), type="proceedings", subtype="workshop")
        return None


def _excluded(config: Config) -> set[tuple[str, str]]:
    """Papers left out of this build, as ``(edition, paper id)``."""
    return {(edition, ident) for edition, _, ident in (entry.partition("/") for entry in config.proceedings_exclude)}


def hide_empty_pages(app: Sphinx, config: Config) -> None:
    """Leave out the pages an edition cannot show yet, so that none of them is built empty."""
    srcdir = Path(app.srcdir)
    excluded = _excluded(config)
    hidden: list[str] = []
    for edition in editions(srcdir):
        workshop = _workshop(srcdir / edition / WORKSHOP_FILE)
        skip = {ident for volume, ident in excluded if volume == edition}
        empty = [] if any(folder.name not in skip for folder in paper_dirs(srcdir, edition)) else list(VOLUME_PAGES)
        if workshop is not None and not workshop.speakers:
            empty.append("speakers")
        if workshop is not None and not workshop.schedule:
            empty.append("schedule")
        hidden += [f"{edition}/{page}.md" for page in empty]
    config.exclude_patterns = [*config.exclude_patterns, *hidden]


def read_programme(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Every edition's papers in programme order; when it changed, the pages that follow it and the
    indexes of the editions concerned are read again."""
    srcdir = Path(app.srcdir)
    excluded = _excluded(app.config)
    domain = ProceedingsDomain.of(env)
    known = domain.slots
    for docname in removed:
        known.pop(docname, None)
    programme: dict[str, list[str]] = {}
    for edition in editions(srcdir):
        path = srcdir / edition / WORKSHOP_FILE
        listed = workshop.sessions if (workshop := _workshop(path)) is not None else ()
        slots = []
        for folder in paper_dirs(srcdir, edition):
            if (edition, folder.name) in excluded:
                continue
            docname = paper_docname(srcdir, folder)
            if docname in added or docname in changed or docname not in known:
                known[docname] = read_slot(folder)
            slots.append(known[docname])
        programme[edition] = programme_order(slots, listed)
    before: dict[str, list[str]] = domain.data["programme"]
    moved = {edition for edition in before.keys() | programme.keys() if before.get(edition) != programme.get(edition)}
    if not moved:
        return []
    domain.data["programme"] = programme
    indexes = {doc for doc, (volume, _kinds) in domain.index_pages.items() if volume in moved | {ALL_EDITIONS}}
    return sorted(doc for doc in domain.programme_pages.keys() | indexes if doc in env.found_docs)


class _TocTreeDirective(SphinxDirective):
    def toctree(self, entries: Iterable[str], *options: str) -> list[nodes.Node]:
        """A toctree of docnames, written relative to this page, as Sphinx's own directive reads it.

        The page is noted as one that follows the programme.
        """
        ProceedingsDomain.of(self.env).programme_pages[self.env.docname] = volume_of(self.env.docname)
        here = posixpath.dirname(self.env.docname)
        lines = [posixpath.relpath(entry, here or ".") for entry in entries]
        text = "```{toctree}\n" + "".join(f":{option}\n" for option in options) + "\n" + "\n".join(lines) + "\n```\n"
        return self.parse_text_to_nodes(text)


class ProgrammeTocTree(_TocTreeDirective):
    """``{programme-toctree}``: the pages given as content, then the edition's papers in programme order."""

    has_content = True
    option_spec = {"hidden": directives.flag, "maxdepth": directives.positive_int}  # noqa: RUF012

    def run(self) -> list[nodes.Node]:
        here = posixpath.dirname(self.env.docname)
        pages = [posixpath.normpath(posixpath.join(here, line.strip())) for line in self.content if line.strip()]
        programme = ProceedingsDomain.of(self.env).programme(volume_of(self.env.docname))
        papers = [doc for doc in programme if doc in self.env.found_docs]
        options = [f"maxdepth: {self.options.get('maxdepth', 1)}", *(["hidden:"] if "hidden" in self.options else [])]
        return self.toctree([*pages, *papers], *options)


class EditionContents(_TocTreeDirective):
    """``{edition-contents}``: the edition's pages that are built, in the order of :data:`CONTENTS`."""

    def run(self) -> list[nodes.Node]:
        edition = volume_of(self.env.docname)
        own = {doc for doc in self.env.found_docs if volume_of(doc) == edition and paper_id(doc) is None}
        known = [f"{edition}/{page}" for page in CONTENTS if f"{edition}/{page}" in own]
        others = sorted(own - {*known, self.env.docname, f"{edition}/volume"})
        return self.toctree([*known, *others], "maxdepth: 1")


class Editions(_TocTreeDirective):
    """``{editions}``: every edition, newest first, with what it holds, and the site's toctree of them."""

    def run(self) -> list[nodes.Node]:
        srcdir = Path(self.env.srcdir)
        found = []
        for edition in editions(srcdir):
            path = srcdir / edition / WORKSHOP_FILE
            self.env.note_dependency(str(path))
            workshop = _workshop(path)
            if workshop is not None and f"{edition}/index" in self.env.found_docs:
                found.append((edition, workshop))
        found.sort(key=lambda item: item[1].date, reverse=True)
        lines = []
        for edition, w in found:
            count = len(ProceedingsDomain.of(self.env).programme(edition))
            holds = (
                f"{count} paper{'s' if count != 1 else ''} and the proceedings volume" if count
                else "the call for papers and information for authors; its papers appear here once accepted"
            )
            lines.append(
                f"- [{md_escape(w.venue_short)}]({edition}/index.md), {md_escape(w.city)}, {w.date:%-d %B %Y}: "
                f"the {ordinal(w.edition)} edition, with {holds}."
            )
        listing = self.parse_text_to_nodes("\n".join(lines) + "\n") if lines else []
        tree = self.toctree([f"{edition}/index" for edition, _w in found], "hidden:", "caption: Editions")
        return [*listing, *tree]


class TemplateDownload(SphinxDirective):
    """``{template-download}``: a link to the camera-ready template package, zipped into the site."""

    def run(self) -> list[nodes.Node]:
        up = "../" * self.env.docname.count("/")
        line = nodes.paragraph("", "Download the template package: ")
        line += nodes.reference("", TEMPLATE_ZIP, refuri=up + TEMPLATE_ZIP, classes=["template-download"])
        line += nodes.Text(".")
        return [line]


def template_zip() -> bytes:
    """The template package as a zip, the same bytes for the same files."""
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(TEMPLATE.rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo(f"camera-ready/{path.relative_to(TEMPLATE).as_posix()}", (2026, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def write_template(app: Sphinx, exception: BaseException | None) -> None:
    """Put the template package in the site, when a page links to it."""
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / TEMPLATE_ZIP
    data = template_zip()
    if not target.is_file() or target.read_bytes() != data:
        target.write_bytes(data)


def outdated_cross_edition_pages(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Pages that index every edition are read again whenever a paper changed, appeared or went away."""
    moved = env.temp_data.get("proceedings_moved_pages") or ()
    if not moved and not any(paper_id(doc) for doc in added | changed | removed):
        return []
    pages = ProceedingsDomain.of(env).index_pages
    return sorted(doc for doc, (volume, _kinds) in pages.items() if volume == ALL_EDITIONS and doc in env.found_docs)


def register(app: Sphinx) -> None:
    """Configuration, directives and handlers; ``setup()`` calls this."""
    app.connect("config-inited", hide_empty_pages)
    app.connect("env-get-outdated", read_programme)
    app.add_directive("editions", Editions)
    app.add_directive("edition-contents", EditionContents)
    app.add_directive("programme-toctree", ProgrammeTocTree)
    app.add_directive("template-download", TemplateDownload)
    app.connect("env-get-outdated", outdated_cross_edition_pages)
    app.connect("build-finished", write_template)
