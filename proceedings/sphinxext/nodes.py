"""The extension's own nodes and how each builder writes them."""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.writers.html5 import HTML5Translator
from sphinx.writers.latex import LaTeXTranslator

__all__ = [
    "author_index",
    "paper_end",
    "paper_header",
    "paper_list",
    "paper_pdf",
    "paper_references",
    "pass_node",
    "register",
    "skip_node",
]


class paper_header(nodes.General, nodes.Element):
    """Title block of a paper: authors, abstract, disclosures. ``paper_id`` marks its start in the PDF."""


class paper_end(nodes.General, nodes.Element):
    """Marks where a paper ends, so that the PDF stage can cut it out of the volume."""


class paper_pdf(nodes.General, nodes.Element):
    """The pages of a PDF-only paper's camera-ready PDF, placed in the volume."""


class author_index(nodes.General, nodes.Element):
    """The volume's author index, with page numbers: in LaTeX only (the site has its own page)."""


class paper_list(nodes.General, nodes.Element):
    """Placeholder for the list of a volume's papers, filled in once every paper is read."""


class paper_references(nodes.General, nodes.Element):
    """A paper's own reference list in LaTeX, kept at the end of the paper.

    Sphinx's LaTeX writer moves every ``citation`` node to one bibliography at the end
    of the volume; the citations of a paper are moved in here instead, as ``paper_citation``.
    """


class paper_citation(nodes.General, nodes.Element):
    """A citation that Sphinx's LaTeX bibliography gathering does not pick up."""


def _visit_header_html(self: HTML5Translator, node: paper_header) -> None:
    self.body.append(self.starttag(node, "div", CLASS="paper-header"))


def _depart_header_html(self: HTML5Translator, node: paper_header) -> None:
    self.body.append("</div>\n")


def _visit_header_latex(self: LaTeXTranslator, node: paper_header) -> None:
    """Mark the paper's start, set its running heads, first-page stamp and contents line."""
    ident = node["paper_id"]
    stamp = (
        f"{self.encode(node['stamp'])} \\textperiodcentered{{}} "
        f"pages \\pageref*{{paper:{ident}}}\\textendash{{}}\\pageref*{{paperend:{ident}}}"
    )
    self.body.append(
        f"\n\\hypertarget{{paper.{ident}}}{{}}\\label{{paper:{ident}}}%\n"
        f"\\proceedingspaper{{{self.encode(node['running_authors'])}}}{{{self.encode(node['running_title'])}}}"
        f"{{{stamp}}}{{{self.encode(node['byline'])}}}%\n"
        "\\begin{proceedingspaperheader}\n"
    )


def _depart_header_latex(self: LaTeXTranslator, node: paper_header) -> None:
    self.body.append("\\end{proceedingspaperheader}\n")


def end_mark(paper_id: str) -> str:
    """The LaTeX that marks a paper's last page, for the PDF stage and for page references."""
    return f"\\hypertarget{{paperend.{paper_id}}}{{}}\\label{{paperend:{paper_id}}}"


def _visit_end_latex(self: LaTeXTranslator, node: paper_end) -> None:
    self.body.append(f"\n{end_mark(node['paper_id'])}\n")


def _visit_pdf_latex(self: LaTeXTranslator, node: paper_pdf) -> None:
    """Every page numbered as the volume; the last one carries the paper's end mark."""
    path, last, end = node["path"], node["pages"], end_mark(node["paper_id"])
    if last > 1:
        self.body.append(f"\n\\includepdf[pages=1-{last - 1},pagecommand={{\\thispagestyle{{plain}}}}]{{{path}}}")
    self.body.append(f"\n\\includepdf[pages={last},pagecommand={{\\thispagestyle{{plain}}{end}}}]{{{path}}}")
    self.body.append("\n")


def _visit_author_index_latex(self: LaTeXTranslator, node: author_index) -> None:
    self.body.append("\n\\begin{proceedingsauthorindex}\n")
    for name, paper_ids in node["entries"]:
        pages = ", ".join(f"\\hyperref[paper:{i}]{{\\pageref*{{paper:{i}}}}}" for i in paper_ids)
        self.body.append(f"\\proceedingsindexentry{{{self.encode(name)}}}{{{pages}}}\n")
    self.body.append("\\end{proceedingsauthorindex}\n")
    raise nodes.SkipNode


def _visit_references_latex(self: LaTeXTranslator, node: paper_references) -> None:
    widest = max((child["label"] for child in node.children), key=len, default="0")
    self.body.append(f"\n\\begin{{proceedingsreferences}}{{{self.encode(widest)}}}\n")


def _depart_references_latex(self: LaTeXTranslator, node: paper_references) -> None:
    self.body.append("\\end{proceedingsreferences}\n")


def _visit_citation_latex(self: LaTeXTranslator, node: paper_citation) -> None:
    self.body.append(
        f"\\bibitem[{self.encode(node['label'])}]{{{node['docname']}:{node['ids'][0]}}}"
        f"\\label{{\\detokenize{{{node['docname']}:{node['ids'][0]}}}}}"
    )


def skip_node(self: Any, node: nodes.Node) -> None:
    """A visitor for builders that show nothing of a node."""
    raise nodes.SkipNode


def pass_node(self: Any, node: nodes.Node) -> None:
    """A visitor (or departure) that writes nothing of the node itself."""
    pass


def register(app: Any) -> None:
    other = {"text": (skip_node, None), "man": (skip_node, None), "texinfo": (skip_node, None)}
    app.add_node(
        paper_header,
        html=(_visit_header_html, _depart_header_html),
        latex=(_visit_header_latex, _depart_header_latex),
        text=(pass_node, pass_node),
    )
    app.add_node(paper_end, html=(skip_node, None), latex=(_visit_end_latex, pass_node), **other)
    app.add_node(paper_pdf, html=(skip_node, None), latex=(_visit_pdf_latex, pass_node), **other)
    app.add_node(author_index, html=(skip_node, None), latex=(_visit_author_index_latex, None), **other)
    app.add_node(paper_list, html=(skip_node, None), latex=(skip_node, None), **other)
    app.add_node(paper_references, latex=(_visit_references_latex, _depart_references_latex))
    app.add_node(paper_citation, latex=(_visit_citation_latex, pass_node))
