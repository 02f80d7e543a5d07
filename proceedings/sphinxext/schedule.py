"""Schedule entries that link to their papers: by the paper id an entry gives, or by its title.

The schedule is read before every paper is, so each talk's title becomes a placeholder
that is resolved once the papers are known (``doctree-resolved``). A title change
rewrites every page anyway (each sidebar shows the titles), so the link follows it.
"""

from __future__ import annotations

from collections.abc import Iterable

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

from proceedings.layout import paper_id
from proceedings.model import Workshop
from proceedings.sphinxext.domain import ProceedingsDomain
from proceedings.sphinxext.indexes import fold
from proceedings.sphinxext.nodes import pass_node

__all__ = ["link_schedule", "register", "resolve_schedule", "schedule_paper"]

logger = logging.getLogger(__name__)


class schedule_paper(nodes.Inline, nodes.TextElement):
    """A talk's title in the schedule: a link to its paper once every paper is read."""


def link_schedule(table: Iterable[nodes.Node], workshop: Workshop, volume: str, title_column: int) -> None:
    """Wrap each schedule row's title in a :class:`schedule_paper`, resolved by :func:`resolve_schedule`."""
    rows = [row for node in table for row in node.findall(nodes.row) if row.parent.tagname == "tbody"]
    for row, item in zip(rows, workshop.schedule, strict=False):
        if item.kind == "break" or not item.title:
            continue
        paragraphs = list(row.children[title_column].findall(nodes.paragraph))
        if not paragraphs:
            continue
        target = schedule_paper("", "", paper=item.paper or "", title=item.title, volume=volume)
        target.extend(paragraphs[0].children)
        paragraphs[0].children = []
        paragraphs[0] += target


def resolve_schedule(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Link each talk to its paper, by the paper id given in the schedule or by its title."""
    domain = ProceedingsDomain.of(app.env)
    for node in list(doctree.findall(schedule_paper)):
        papers = domain.papers_of(node["volume"])
        if node["paper"]:
            found = next((doc for doc, _paper in papers if paper_id(doc) == node["paper"]), None)
        else:
            found = next((doc for doc, paper in papers if fold(paper.title) == fold(node["title"])), None)
        if found is None and node["paper"]:
            logger.warning(
                "schedule: no paper %r in %s", node["paper"], node["volume"],
                location=docname, type="proceedings", subtype="schedule",
            )
        if found is None:
            node.replace_self(node.children)
            continue
        uri = app.builder.get_relative_uri(docname, found)
        link = nodes.reference("", "", *node.children, internal=True, refuri=uri, classes=["schedule-paper"])
        node.replace_self(link)



def register(app: Sphinx) -> None:
    """The placeholder node and its resolution; ``setup()`` calls this."""
    through = (pass_node, pass_node)
    app.add_node(schedule_paper, html=through, latex=through, text=through, man=through, texinfo=through)
    app.connect("doctree-resolved", resolve_schedule)
