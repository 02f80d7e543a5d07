"""Post-transforms: what a particular builder needs done to a page."""

from __future__ import annotations

from typing import Any, cast

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from proceedings.sphinxext.nodes import paper_citation, paper_references

__all__ = ["KeepReferencesWithPaper"]


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
