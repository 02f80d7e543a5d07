"""What a paper tells citers and machines: BibTeX, RIS, a plain citation, citation meta
tags, schema.org JSON-LD, Open Graph, the sitemap and the funders it declares.

Pure functions over a :class:`Citable` (a paper, its edition, its place in the volume
and its URLs), so that the Sphinx extension, tests and scripts all produce the same text.
"""

from proceedings.export.bibtex import (
    bibtex,
    bibtex_entry,
    bibtex_key,
    bibtex_keys,
    joined_bibtex,
    latex_text,
    volume_bibtex,
)
from proceedings.export.citable import ANONYMOUS, Citable
from proceedings.export.funders import funders
from proceedings.export.text import plain_citation, ris
from proceedings.export.web import highwire_tags, json_ld, json_ld_script, open_graph_tags, shorten, sitemap

__all__ = [
    "ANONYMOUS",
    "Citable",
    "bibtex",
    "bibtex_entry",
    "bibtex_key",
    "bibtex_keys",
    "funders",
    "highwire_tags",
    "joined_bibtex",
    "json_ld",
    "json_ld_script",
    "latex_text",
    "open_graph_tags",
    "plain_citation",
    "ris",
    "shorten",
    "sitemap",
    "volume_bibtex",
]
