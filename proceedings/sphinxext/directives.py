"""Directives that turn the shared data (paper front matter, ``workshop.yml``) into pages."""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.texescape import escape as tex

from proceedings.layout import WORKSHOP_FILE, volume_of
from proceedings.model import MetadataError, Workshop, load_workshop
from proceedings.sphinxext.nodes import author_index, paper_list
from proceedings.sphinxext.schedule import link_schedule

__all__ = ["AuthorIndex", "PaperList", "VolumeFrontMatter", "WorkshopSection", "pdf_link"]

logger = logging.getLogger(__name__)


def _md_escape(text: str) -> str:
    """Escape text taken from data files before it is parsed as Markdown."""
    return "".join("\\" + char if char in "\\`*_{}[]<>()#+-.!|$~" else char for char in text)


def pdf_link(env: BuildEnvironment, pdf: str) -> nodes.Element:
    """A link from the current page to a PDF that the PDF stage puts in the site's ``pdf/`` folder.

    In a build without PDFs (no TeX), the name stands without a link that would lead nowhere.
    """
    name = pdf.rsplit("/", 1)[-1]
    if not env.config.proceedings_pdf:
        return nodes.inline("", f"{name} (not built)", classes=["pdf-link"])
    up = "../" * env.docname.count("/")
    return nodes.reference("", name, refuri=f"{up}pdf/{pdf}", classes=["pdf-link"])


class _WorkshopDirective(SphinxDirective):
    def workshop(self) -> Workshop | None:
        """The workshop edition that this document's volume belongs to."""
        path = Path(self.env.srcdir) / volume_of(self.env.docname) / WORKSHOP_FILE
        self.env.note_dependency(str(path))
        try:
            return load_workshop(path)
        except (OSError, MetadataError) as exc:
            logger.warning(
                "%s: %s", path.name, exc, location=self.get_location(), type="proceedings", subtype="workshop"
            )
            return None

    def markdown(self, text: str) -> list[nodes.Node]:
        return self.parse_text_to_nodes(text)


class WorkshopSection(_WorkshopDirective):
    """One page section generated from ``workshop.yml``: ``{workshop} speakers`` and so on."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        workshop = self.workshop()
        if workshop is None:
            return []
        render = getattr(self, "_" + self.arguments[0].replace("-", "_"), None)
        if render is None:
            logger.warning(
                "unknown workshop section %r", self.arguments[0],
                location=self.get_location(), type="proceedings", subtype="workshop",
            )
            return []
        result = self.markdown(render(workshop))
        if self.arguments[0] == "schedule":
            link_schedule(result, workshop, volume_of(self.env.docname), title_column=3)
        return result

    @staticmethod
    def _people(people: tuple) -> str:
        lines = []
        for person in people:
            name = f"[{_md_escape(person.name)}]({person.web})" if person.web else _md_escape(person.name)
            affiliation = f", {_md_escape(person.affiliation)}" if person.affiliation else ""
            lines.append(f"- **{name}**{affiliation}")
        return "\n".join(lines)

    def _facts(self, w: Workshop) -> str:
        return (
            f"**{_md_escape(w.theme)}**\n\n"
            f"{w.date:%-d %B %Y} · {_md_escape(w.city)} · {_md_escape(w.venue)}"
        )

    def _speakers(self, w: Workshop) -> str:
        return self._people(w.speakers)

    def _organizers(self, w: Workshop) -> str:
        return self._people(w.organizers)

    def _call_for_papers(self, w: Workshop) -> str:
        cfp = w.call_for_papers
        topics = "\n".join(f"- {_md_escape(t)}" for t in cfp.topics)
        out = "\n".join(f"- {_md_escape(t)}" for t in cfp.out_of_scope)
        tracks = "\n".join(
            f"- **{_md_escape(t.name)}**"
            + (f" ({_md_escape(t.limit)})" if t.limit else "")
            + f": {_md_escape(t.outcome)}"
            for t in cfp.tracks
        )
        timeline = "\n".join(f"| {i.date:%-d %B %Y} | {_md_escape(i.event)} |" for i in cfp.timeline)
        archival = "archival" if cfp.archival else "non-archival"
        return (
            f"We invite submissions on topics including:\n\n{topics}\n\n"
            f"Out of scope:\n\n{out}\n\n"
            f"Tracks (both {archival}):\n\n{tracks}\n\n"
            f"Review is {_md_escape(cfp.review)}. "
            + ("Authors may publish anonymously. " if cfp.anonymous_option else "")
            + f"Funding disclosure is {_md_escape(cfp.funding_disclosure)}. "
            f"LLM use: {_md_escape(cfp.llm_policy)}.\n\n"
            f"| Date (23:59 AoE) | Milestone |\n|---|---|\n{timeline}"
        )

    def _schedule(self, w: Workshop) -> str:
        rows = []
        for item in w.schedule:
            what = _md_escape(item.title or item.kind.capitalize())
            who = _md_escape(item.who or "") + (" (online)" if item.online else "")
            rows.append(f"| {item.start} | {item.minutes} min | {_md_escape(item.kind)} | {what} | {who} |")
        return (
            f"{w.date:%A %-d %B %Y}, local time in {_md_escape(w.city)}.\n\n"
            "| Start | Length | Kind | Title | Who |\n|---|---|---|---|---|\n" + "\n".join(rows)
        )

    def _contact(self, w: Workshop) -> str:
        reviews = f"\n\nSubmissions and reviews: OpenReview group `{w.openreview_group}`." if w.openreview_group else ""
        return f"Write to the organizers at <{w.contact_email}>.{reviews}"


class PaperList(SphinxDirective):
    """The volume's papers, filled in after all papers are read (see ``fill_paper_lists``)."""

    def run(self) -> list[nodes.Node]:
        return [paper_list(volume=volume_of(self.env.docname))]


class AuthorIndex(SphinxDirective):
    """The volume's author index; filled in once every paper is read (see ``fill_author_index``)."""

    def run(self) -> list[nodes.Node]:
        return [author_index(volume=volume_of(self.env.docname), entries=[])]


class VolumeFrontMatter(_WorkshopDirective):
    """Title page and colophon of a volume's PDF; on the web, where to download it."""

    def run(self) -> list[nodes.Node]:
        w = self.workshop()
        if w is None:
            return []
        volume = volume_of(self.env.docname)
        web = nodes.paragraph("", "The complete volume as one PDF: ")
        web += pdf_link(self.env, f"{volume}-proceedings.pdf")
        web += nodes.Text(". Each paper's page links to its own PDF.")
        editors = r" \\ ".join(tex(e) for e in w.editors)
        archival = "" if w.call_for_papers.archival else (
            r"\par\medskip The contributions in this volume are non-archival: "
            r"their authors are free to publish them elsewhere."
        )
        latex = "\n".join([
            r"\begin{titlepage}\centering",
            rf"{{\Huge\bfseries {tex(w.name)}\par}}\vspace{{1em}}",
            rf"{{\Large {tex(w.theme)}\par}}\vspace{{3em}}",
            rf"{{\large Proceedings of the workshop at {tex(w.venue)}\par}}\vspace{{1em}}",
            rf"{{\large {tex(w.city)} \textperiodcentered{{}} {w.date:%-d %B %Y}\par}}\vfill",
            r"{\large Edited by\par}\vspace{0.5em}",
            rf"{{\begin{{tabular}}{{c}}{editors}\end{{tabular}}\par}}",
            r"\end{titlepage}",
            r"\thispagestyle{empty}\null\vfill{\small",
            rf"\noindent {tex(w.volume_title)}.\par\medskip",
            rf"\noindent Each contribution is published under the {tex(w.licence)} licence unless "
            r"its first page says otherwise; copyright stays with its authors." + archival,
            r"\par}\cleardoublepage",
            rf"\renewcommand\proceedingsrunningtitle{{{tex(w.volume_title)}}}",
            rf"\renewcommand\proceedingsrunningauthors{{{tex(w.volume_title)}}}",
            r"\sphinxtableofcontents",
        ])
        return [nodes.raw("", latex, format="latex"), addnodes.only("", web, expr="html")]
