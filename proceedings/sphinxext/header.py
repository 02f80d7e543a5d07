"""The block under a paper's title: who wrote it, what it is about, who paid for it."""

from __future__ import annotations

from typing import cast

from docutils import nodes
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective

from proceedings.layout import paper_id, volume_of
from proceedings.model import Paper
from proceedings.sphinxext.directives import pdf_link
from proceedings.sphinxext.domain import ProceedingsDomain
from proceedings.sphinxext.nodes import paper_header

__all__ = ["PaperHeader"]


class PaperHeader(SphinxDirective):
    """The block under a paper's title. Appended by the extension to every paper; not for authors."""

    def run(self) -> list[nodes.Node]:
        domain = cast(ProceedingsDomain, self.env.get_domain("proceedings"))
        paper = domain.papers.get(self.env.docname)
        ident = paper_id(self.env.docname)
        if paper is None or ident is None:
            return []
        header = paper_header(paper_id=ident)
        header += self._byline(paper)
        volume = volume_of(self.env.docname)
        header += addnodes.only("", self._links(paper, ident, volume), expr="html")
        header += nodes.rubric("", "Abstract")
        header += self.parse_text_to_nodes(paper.abstract)
        facts = [("Track", f"{paper.track} · {paper.presentation.value.capitalize()}")]
        if paper.session:
            facts.append(("Session", paper.session))
        if paper.keywords:
            facts.append(("Keywords", ", ".join(paper.keywords)))
        facts.append(("Funding", paper.funding))
        if paper.llm_disclosure:
            facts.append(("LLM use", paper.llm_disclosure))
        field_list = nodes.field_list(classes=["paper-facts"])
        for name, value in facts:
            field_list += nodes.field("", nodes.field_name("", name), nodes.field_body("", nodes.paragraph("", value)))
        header += field_list
        return [header]

    def _links(self, paper: Paper, ident: str, volume: str) -> nodes.paragraph:
        """This paper's PDF, the volume's, and where else the paper lives."""
        links = nodes.paragraph(classes=["paper-downloads"])
        links += nodes.Text("PDF: ")
        links += pdf_link(self.env.docname, f"{volume}/{ident}.pdf")
        links += nodes.Text(" · whole volume: ")
        links += pdf_link(self.env.docname, f"{volume}-proceedings.pdf")
        if paper.openreview:
            links += nodes.Text(" · ")
            links += nodes.reference("", "OpenReview", refuri=f"https://openreview.net/forum?id={paper.openreview}")
        if paper.published_version:
            links += nodes.Text(" · ")
            links += nodes.reference("", "published version", refuri=paper.published_version)
        return links

    @staticmethod
    def _byline(paper: Paper) -> list[nodes.Node]:
        if paper.anonymous:
            return [nodes.paragraph("", "Anonymous authors", classes=["paper-authors"])]
        affiliations = paper.affiliations
        authors = nodes.paragraph(classes=["paper-authors"])
        for number, author in enumerate(paper.authors):
            if number:
                authors += nodes.Text(", ")
            authors += nodes.strong("", author.name)
            marks = ",".join(str(affiliations.index(a) + 1) for a in author.affiliations)
            if marks:
                authors += nodes.superscript("", marks)
            if author.orcid:
                orcid = nodes.reference(
                    "", "ORCID", refuri=f"https://orcid.org/{author.orcid}", classes=["orcid"],
                    reftitle=f"ORCID of {author.name}",
                )
                authors += addnodes.only("", nodes.inline("", " ", orcid), expr="html")
        places = nodes.paragraph(classes=["paper-affiliations"])
        for number, affiliation in enumerate(affiliations, start=1):
            if number > 1:
                places += nodes.Text("; ")
            places += nodes.superscript("", str(number))
            places += nodes.Text(affiliation)
        return [authors, places] if affiliations else [authors]
