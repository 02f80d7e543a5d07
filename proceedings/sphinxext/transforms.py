"""Transforms: labels kept within their paper, and what a particular builder needs done to a page."""

from __future__ import annotations

from typing import Any, cast

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform

from proceedings.layout import paper_id
from proceedings.sphinxext.equations import own_equations
from proceedings.sphinxext.nodes import paper_citation, paper_references

__all__ = ["KeepReferencesWithPaper", "PaperLabels"]


class PaperLabels(SphinxTransform):
    """A paper's labels are its own: ``fig-overview`` in two papers must not clash.

    Sphinx keeps one label namespace for the whole site, so the second paper to use a
    label would fail the build (and, left out, take the blame for the first). Before
    Sphinx records the labels (``SphinxDomains``, priority 850), each explicit label of a
    paper is prefixed with the paper's id, and so are the paper's references to it.
    Anchors in the page keep their names, but for equations' (see :mod:`.equations`).
    """

    default_priority = 840

    def apply(self, **kwargs: Any) -> None:
        ident = paper_id(self.env.docname)
        if ident is None:
            return
        document = self.document
        own_equations(document, self.env.docname)
        renamed = {name: f"{ident}:{name}" for name, explicit in document.nametypes.items() if explicit}
        if not renamed:
            return
        for name, new in renamed.items():
            document.nameids[new] = document.nameids.pop(name)
            document.nametypes[new] = document.nametypes.pop(name)
        for node in document.findall(nodes.Element):
            if node.get("names"):
                node["names"] = [renamed.get(name, name) for name in node["names"]]
        for xref in document.findall(addnodes.pending_xref):
            if xref.get("refdomain") in ("std", "", None) and xref.get("reftarget") in renamed:
                xref["reftarget"] = renamed[xref["reftarget"]]
        for link in document.findall(nodes.reference):  # MyST's [text](#label), resolved after this
            target = str(link.get("refuri", ""))[1:]
            if link.get("id_link") and target in renamed:
                link["refuri"] = "#" + renamed[target]


class KeepReferencesWithPaper(SphinxPostTransform):
    """In LaTeX, keep every reference list where it stands instead of at the volume's end.

    Runs after sphinxcontrib-bibtex has filled in its bibliographies (priority 5) and
    before Sphinx gathers all ``citation`` nodes into one list (priority 750).
    """

    default_priority = 600
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        for container in list(self.document.findall(nodes.container)):
            citations = container.children
            if not citations or not all(isinstance(c, nodes.citation) for c in citations):
                continue
            references = paper_references()
            for citation in cast(list[nodes.citation], citations):
                label = citation.children[0].astext() if isinstance(citation.children[0], nodes.label) else ""
                kept = paper_citation(ids=citation["ids"], docname=citation["docname"], label=label)
                kept.extend(child.deepcopy() for child in citation.children if not isinstance(child, nodes.label))
                references += kept
            container.replace_self(references)
