"""Equation labels are each paper's own, as its other labels are (see :class:`.transforms.PaperLabels`).

Sphinx keeps one table of equation labels for the whole site, filled while each page is
parsed: two papers made from the same template, both labelling an equation
``circarea``, failed the build. Here the math domain files a paper's equation labels
under ``<paper id>:<label>``, and :func:`own_equations` gives the paper's equations,
their anchors and the references to them that name before anything is numbered.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.builders import Builder
from sphinx.domains.math import MathDomain
from sphinx.environment import BuildEnvironment

from proceedings.layout import paper_id

__all__ = ["PaperMathDomain", "own_equations", "own_label"]


def own_label(docname: str, label: str) -> str:
    """An equation label as the site files it: within a paper, prefixed by the paper's id."""
    ident = paper_id(docname)
    return label if ident is None else f"{ident}:{label}"


def _anchor(label: str) -> str:
    return nodes.make_id(f"equation-{label}")


class PaperMathDomain(MathDomain):
    """Sphinx's math domain, with each paper's equation labels filed under the paper."""

    def note_equation(self, docname: str, labelid: str, location: Any = None) -> None:
        super().note_equation(docname, own_label(docname, labelid), location)

    def get_equation_number_for(self, labelid: str) -> int | None:
        """Asked while a page is parsed, right after :meth:`note_equation`, with the label as written."""
        return super().get_equation_number_for(own_label(self.env.docname, labelid))

    def resolve_xref(
        self, env: BuildEnvironment, fromdocname: str, builder: Builder, typ: str, target: str,
        node: addnodes.pending_xref, contnode: nodes.Element,
    ) -> nodes.reference | None:
        own = own_label(fromdocname, target)
        target = own if own in self.equations else target
        return super().resolve_xref(env, fromdocname, builder, typ, target, node, contnode)


def own_equations(document: nodes.document, docname: str) -> None:
    """A paper's numbered equations, their anchors and its ``{eq}`` references, under the filed label."""
    labels: set[str] = set()
    for block in document.findall(nodes.math_block):
        if block.get("label"):
            labels.add(block["label"])
            block["label"] = own_label(docname, block["label"])
    if not labels:
        return
    anchors = {_anchor(label): _anchor(own_label(docname, label)) for label in labels}
    for node in document.findall(nodes.Element):
        if any(i in anchors for i in node["ids"]):
            node["ids"] = [anchors.get(i, i) for i in node["ids"]]
    for old, new in anchors.items():
        if old in document.ids:
            document.ids[new] = document.ids.pop(old)
    for xref in document.findall(addnodes.pending_xref):
        if xref.get("refdomain") == "math" and xref.get("reftarget") in labels:
            xref["reftarget"] = own_label(docname, xref["reftarget"])
