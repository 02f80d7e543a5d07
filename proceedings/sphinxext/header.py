"""The block under a paper's title: who wrote it, what it is about, who paid for it, how to cite it."""

from __future__ import annotations

import posixpath
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.writers.html5 import HTML5Translator

from proceedings.check.markdown import scan_markdown
from proceedings.export import bibtex, plain_citation
from proceedings.layout import WORKSHOP_FILE, paper_id, volume_of
from proceedings.model import Paper, load_workshop
from proceedings.sphinxext.directives import pdf_link
from proceedings.sphinxext.domain import ProceedingsDomain
from proceedings.sphinxext.indexes import header_link
from proceedings.sphinxext.metadata import citable, citation_files, volume_bib_path
from proceedings.sphinxext.nodes import paper_header, skip_node

__all__ = ["PaperHeader", "cite_box", "fill_citation", "paper_cite", "register"]


logger = logging.getLogger(__name__)


class paper_cite(nodes.General, nodes.Element):
    """Placeholder for "Cite this paper", filled when the page is written: its URL and pages are known then."""


class cite_box(nodes.General, nodes.Element):
    """"Cite this paper" as a ``<details>`` element: closed, it costs the reader one line."""


class PaperHeader(SphinxDirective):
    """The block under a paper's title. Added by the extension to every paper; not for authors."""

    def run(self) -> list[nodes.Node]:
        domain = ProceedingsDomain.of(self.env)
        paper = domain.papers.get(self.env.docname)
        ident = paper_id(self.env.docname)
        if paper is None or ident is None:
            return []
        header = paper_header(paper_id=ident, **self._running_heads(paper))
        header += self._byline(paper)
        volume = volume_of(self.env.docname)
        header += addnodes.only("", self._links(paper, ident, volume), expr="html")
        header += nodes.rubric("", "Abstract")
        header += self._abstract(paper.abstract)
        header += self._facts(paper)
        header += addnodes.only("", paper_cite(), expr="html")
        return [header]

    def _running_heads(self, paper: Paper) -> dict[str, str]:
        """What the volume prints around a paper: running heads, first-page stamp, contents line."""
        workshop_file = Path(self.env.srcdir, volume_of(self.env.docname), WORKSHOP_FILE)
        self.env.note_dependency(str(workshop_file))
        workshop = load_workshop(workshop_file)
        if paper.anonymous:
            authors = "Anonymous"
        elif len(paper.authors) > 3:
            authors = f"{paper.author_names[0]} et al."
        else:
            authors = ", ".join(paper.author_names)
        return {
            "running_authors": authors,
            "running_title": paper.short_title or paper.title,
            "stamp": workshop.short_name,
            "byline": paper.byline,
        }

    def _abstract(self, text: str) -> list[nodes.Node]:
        """The abstract as MyST, unless it holds what no submission may (raw HTML, file inclusion):
        collect refuses those, and a paper placed in the source tree by hand gets the same scan here."""
        threats = scan_markdown(text, "abstract")
        if not threats:
            return self.parse_text_to_nodes(text)
        for threat in threats:
            logger.warning(
                "paper %r: field 'abstract': %s [%s]", paper_id(self.env.docname), threat.message, threat.field,
                location=self.env.docname, type="proceedings", subtype="unsafe",
            )
        return [nodes.paragraph("", text)]

    def _facts(self, paper: Paper) -> nodes.field_list:
        """Track, presentation, keywords and both disclosures; names link into the volume's indexes."""
        docname = self.env.docname
        presentation: list[nodes.Node] = [nodes.Text(paper.presentation.value.capitalize())]
        if paper.session:
            presentation += [nodes.Text(", "), header_link("sessions", paper.session, docname)]
        keywords: list[nodes.Node] = []
        for number, keyword in enumerate(paper.keywords):
            keywords += [nodes.Text(", ")] if number else []
            keywords.append(header_link("keywords", keyword, docname))
        facts: list[tuple[str, list[nodes.Node]]] = [
            ("Track", [header_link("tracks", paper.track, docname)]),
            ("Presentation", presentation),
        ]
        if keywords:
            facts.append(("Keywords", keywords))
        facts.append(("Funding", [nodes.Text(paper.funding)]))
        if paper.llm_disclosure:
            facts.append(("LLM use", [nodes.Text(paper.llm_disclosure)]))
        field_list = nodes.field_list(classes=["paper-facts"])
        for name, value in facts:
            body = nodes.field_body("", nodes.paragraph("", "", *value))
            field_list += nodes.field("", nodes.field_name("", name), body)
        return field_list

    def _links(self, paper: Paper, ident: str, volume: str) -> nodes.paragraph:
        """This paper's PDF, the volume's, and where else the paper lives."""
        links = nodes.paragraph(classes=["paper-downloads"])
        links += nodes.Text("PDF: ")
        links += nodes.Text("to come") if paper.pdf_to_come else pdf_link(self.env, f"{volume}/{ident}.pdf")
        links += nodes.Text(" · whole volume: ")
        links += pdf_link(self.env, f"{volume}-proceedings.pdf")
        if paper.openreview:
            links += nodes.Text(" · ")
            links += nodes.reference("", "OpenReview", refuri=f"https://openreview.net/forum?id={paper.openreview}")
        if paper.published_version:
            links += nodes.Text(" · ")
            links += nodes.reference("", "published version", refuri=paper.published_version)
        return links

    def _byline(self, paper: Paper) -> list[nodes.Node]:
        if paper.anonymous:
            return [nodes.paragraph("", "Anonymous authors", classes=["paper-authors"])]
        affiliations = paper.affiliations
        authors = nodes.paragraph(classes=["paper-authors"])
        for number, author in enumerate(paper.authors):
            if number:
                authors += nodes.Text(", ")
            name = nodes.inline("", "", classes=["paper-author"])
            name += header_link("authors", author.name, self.env.docname, nodes.strong("", author.name))
            marks = ",".join(str(affiliations.index(a) + 1) for a in author.affiliations)
            if marks:
                name += nodes.superscript("", marks)
            if author.orcid:
                orcid = nodes.reference(
                    "", "ORCID", refuri=f"https://orcid.org/{author.orcid}", classes=["orcid"],
                    reftitle=f"ORCID iD of {author.name}",
                )
                name += addnodes.only("", nodes.inline("", " ", orcid), expr="html")
            authors += name
        places = nodes.paragraph(classes=["paper-affiliations"])
        for number, affiliation in enumerate(affiliations, start=1):
            if number > 1:
                places += nodes.Text("; ")
            places += nodes.superscript("", str(number))
            places += nodes.Text(affiliation)
        return [authors, places] if affiliations else [authors]


def fill_citation(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """The citation in plain text and BibTeX, a copy button, and the ``.bib`` and ``.ris`` downloads."""
    for placeholder in list(doctree.findall(paper_cite)):
        paper = citable(app, docname) if app.builder.format == "html" else None
        if paper is None:
            placeholder.parent.remove(placeholder)
            continue
        text = bibtex(paper)
        block_id = f"bibtex-{paper.paper_id}"
        box = cite_box(classes=["no-search"])
        box += nodes.paragraph("", plain_citation(paper), classes=["paper-cite-text"])
        box += nodes.literal_block(text, text, language="bibtex", ids=[block_id])
        actions = nodes.paragraph(classes=["paper-cite-actions"])
        actions += nodes.raw(
            "", f'<button type="button" class="paper-cite-copy" data-copy="{block_id}" hidden>Copy BibTeX</button> ',
            format="html",
        )
        bib, ris_file = (posixpath.basename(path) for path in citation_files(app, docname))
        up = "../" * docname.count("/")
        actions += nodes.Text("Download: ")
        actions += nodes.reference("", "BibTeX (.bib)", refuri=bib)
        actions += nodes.Text(" · ")
        actions += nodes.reference("", "RIS (.ris)", refuri=ris_file)
        actions += nodes.Text(" · ")
        actions += nodes.reference("", "BibTeX of the whole volume", refuri=up + volume_bib_path(paper.volume))
        actions += nodes.raw("", '<span class="paper-cite-status" role="status"></span>', format="html")
        box += actions
        placeholder.replace_self(box)


def _visit_cite_html(self: HTML5Translator, node: cite_box) -> None:
    self.body.append(self.starttag(node, "details", CLASS="paper-cite") + "<summary>Cite this paper</summary>\n")


def _depart_cite_html(self: HTML5Translator, node: cite_box) -> None:
    self.body.append("</details>\n")



def register(app: Sphinx) -> None:
    """Nodes, directive and handlers; ``setup()`` calls this."""
    skip = (skip_node, None)
    app.add_node(paper_cite, html=skip, latex=skip, text=skip, man=skip, texinfo=skip)
    app.add_node(cite_box, html=(_visit_cite_html, _depart_cite_html), latex=skip, text=skip, man=skip, texinfo=skip)
    app.add_directive("paper-header", PaperHeader)
    app.connect("doctree-resolved", fill_citation)
