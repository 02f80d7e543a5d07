"""How a paper is read: its front matter is the extension's, its body is MyST.

myst-parser would render front matter fields as a field list and obey a ``myst:`` key
there, which would let a paper switch on what the site keeps off (raw HTML, file
inclusion). So a paper's front matter is validated and kept in the domain, and
myst-parser gets the body alone, with the site's own settings. The title, the header
and the reference list go into the token stream it renders, beside the body's own
tokens: the header and the references are the ``paper-header`` and ``bibliography``
directives, run by myst-parser as any directive is, so sphinxcontrib-bibtex registers
the reference list itself.
"""

from __future__ import annotations

import os
from pathlib import Path

from docutils import nodes
from markdown_it.token import Token
from myst_parser.mdit_to_docutils.sphinx_ import SphinxRenderer
from myst_parser.parsers.mdit import create_md_parser
from myst_parser.parsers.sphinx_ import MystParser
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinxcontrib.bibtex.directives import BibliographyKey
from sphinxcontrib.bibtex.domain import BibtexDomain
from sphinxcontrib.bibtex.nodes import bibliography

from proceedings.layout import paper_id, volume_of
from proceedings.model import MetadataError, paper_from_frontmatter, split_frontmatter
from proceedings.sphinxext.domain import ProceedingsDomain

__all__ = ["PaperParser", "drop_unused_references", "namespaced_bib"]

logger = logging.getLogger(__name__)

REFERENCES = "References"


def namespaced_bib(doctreedir: str | os.PathLike[str], docname: str) -> Path:
    """Where a paper's namespaced ``.bib`` is derived: beside Sphinx's cache, out of the sources."""
    return Path(doctreedir) / "proceedings-bib" / volume_of(docname) / f"{paper_id(docname)}.bib"


class PaperParser(MystParser):
    """myst-parser for every page; for a paper, the body alone, between the extension's parts."""

    def parse(self, inputstring: str, document: nodes.document) -> None:
        env = document.settings.env
        ident = paper_id(env.docname)
        if ident is None:
            super().parse(inputstring, document)
            return
        try:
            frontmatter, body, body_line = split_frontmatter(inputstring)
        except MetadataError as exc:
            logger.warning("paper %r: %s", ident, exc, location=env.docname, type="proceedings", subtype="metadata")
            return
        domain = ProceedingsDomain.of(env)
        try:
            domain.papers[env.docname] = paper = paper_from_frontmatter(frontmatter)
        except MetadataError as exc:
            logger.warning("paper %r: %s", ident, exc, location=env.docname, type="proceedings", subtype="metadata")
        else:
            for name in paper.author_names:
                domain.author_sort_key(name)  # while reading, so that the key is kept with the environment
        title = str(frontmatter.get("title", ident))
        parser = create_md_parser(env.myst_config, SphinxRenderer)
        parser.disable("front_matter", ignoreInvalid=True)  # a second ``---`` block is body text
        parser.options["document"] = document
        md_env: dict[str, object] = {}
        # Blank lines keep the body's tokens on the author's line numbers.
        tokens = parser.parse("\n" * (body_line - 1) + body, md_env)
        bibfile = namespaced_bib(env.doctreedir, env.docname)
        references: list[Token] = []
        if bibfile.is_file():
            argument = os.path.relpath(bibfile, Path(env.srcdir, env.docname).parent)
            last = body_line + body.count("\n")
            references = [*_heading(2, REFERENCES, last), _directive("bibliography", argument, last)]
        tokens = [*_heading(1, title, 0), _directive("paper-header", "", 0), *tokens, *references]
        parser.renderer.render(tokens, parser.options, md_env)


def _heading(level: int, text: str, line: int) -> list[Token]:
    """A heading whose text is printed as written: a text token, never parsed as Markdown."""
    tag, markup, where = f"h{level}", "#" * level, [line, line + 1]
    inline = Token("inline", "", 0, content=text, map=where, children=[Token("text", "", 0, content=text)])
    opening = Token("heading_open", tag, 1, markup=markup, map=where)
    return [opening, inline, Token("heading_close", tag, -1, markup=markup)]


def _directive(name: str, argument: str, line: int) -> Token:
    """What myst-parser makes of a fenced directive: it runs the directive at ``line``."""
    return Token("fence", "code", 0, info=f"{{{name}}} {argument}".rstrip(), markup="```", map=[line, line + 1])


def drop_unused_references(app: Sphinx, doctree: nodes.document) -> None:
    """A paper that cites nothing has no reference list: its heading and bibliography go.

    Whether it cites is known only once the whole paper is read, directives' content
    included, so the list is added to every paper with a ``.bib`` and taken out here.
    """
    docname = app.env.docname
    if paper_id(docname) is None:
        return
    bibtex = app.env.get_domain("cite")
    assert isinstance(bibtex, BibtexDomain)
    if any(ref.docname == docname for ref in bibtex.citation_refs):
        return
    for node in list(doctree.findall(bibliography)):
        section = node.parent
        bibtex.bibliographies.pop(BibliographyKey(docname=docname, id_=node["ids"][0]), None)
        if isinstance(section, nodes.section) and section[0].astext() == REFERENCES:
            section.parent.remove(section)
        else:
            node.parent.remove(node)
