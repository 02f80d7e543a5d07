"""The Sphinx extension that turns MyST papers into proceedings.

``setup()`` only registers; each concern lives in its own module. What it adds:

* every paper (``<volume>/papers/<id>/paper.md``) is read by its own parser: its front
  matter validated and kept, its citation keys read as its own, a header (authors,
  abstract, disclosures) under its title and its own reference list at its end;
* the volume's pages are generated from ``<volume>/workshop.yml``;
* on the web, each paper page carries citation meta tags, JSON-LD and a "Cite this
  paper" box (BibTeX, RIS), and each volume has author, keyword, funding, session and
  track indexes (``{paper-index}``) and a sitemap;
* in LaTeX, each paper keeps its references at its end and marks where it starts and
  ends, so that the PDF stage can cut one PDF per paper out of the volume.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from proceedings.sphinxext import editions, events, header, indexes, mathjax, metadata, nodes, numbering, schedule
from proceedings.sphinxext.bibliography import use_paper_keys
from proceedings.sphinxext.directives import AuthorIndex, PaperList, VolumeFrontMatter, WorkshopSection
from proceedings.sphinxext.domain import ProceedingsDomain
from proceedings.sphinxext.equations import PaperMathDomain
from proceedings.sphinxext.images import name_images
from proceedings.sphinxext.reading import PaperParser, drop_unused_references
from proceedings.sphinxext.transforms import KeepReferencesWithPaper, PaperLabels

__all__ = ["setup"]


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("myst_parser")
    app.setup_extension("sphinxcontrib.bibtex")
    app.setup_extension("sphinxcontrib.rsvgconverter")
    app.add_domain(ProceedingsDomain)
    app.add_domain(PaperMathDomain, override=True)
    nodes.register(app)
    app.add_directive("workshop", WorkshopSection)
    app.add_directive("paper-list", PaperList)
    app.add_directive("volume-front-matter", VolumeFrontMatter)
    app.add_directive("author-index", AuthorIndex)
    app.add_transform(PaperLabels)
    app.add_post_transform(KeepReferencesWithPaper)
    app.setup_extension("proceedings.sphinxext.mathguard")
    app.add_config_value("proceedings_pages_file", "", "", types=frozenset({str}))
    app.add_config_value("proceedings_exclude", [], "env", types=frozenset({list}))
    app.add_config_value("proceedings_pdf", True, "env", types=frozenset({bool}))
    app.add_config_value("proceedings_code", "", "env", types=frozenset({str}))
    app.connect("config-inited", events.note_code_version)
    app.connect("config-inited", events.exclude_papers)
    app.connect("config-inited", events.prepare_bibliographies, priority=600)
    app.connect("builder-inited", events.load_page_ranges)
    app.add_source_parser(PaperParser, override=True)
    use_paper_keys(app)
    app.connect("doctree-read", drop_unused_references, priority=100)
    app.connect("doctree-read", events.mark_paper_end)
    app.connect("build-finished", events.copy_paper_pdfs)
    app.connect("env-get-outdated", events.outdated_paper_lists)
    app.connect("env-get-updated", events.rewrite_paper_lists)
    app.connect("env-get-updated", name_images)
    app.connect("env-updated", events.refresh_navigation)
    app.connect("doctree-resolved", events.fill_paper_lists)
    app.connect("doctree-resolved", events.fill_author_index)
    app.connect("config-inited", events.add_static_files)
    app.connect("config-inited", mathjax.use_local_mathjax)
    app.connect("write-started", mathjax.copy_mathjax)
    app.add_css_file("proceedings.css")
    header.register(app)
    indexes.register(app)
    editions.register(app)
    schedule.register(app)
    app.add_directive("volume-downloads", metadata.VolumeDownloads)
    app.connect("builder-inited", metadata.load_workshops)
    app.connect("doctree-read", metadata.note_workshop)
    app.connect("html-page-context", metadata.add_page_metadata)
    app.connect("html-page-context", metadata.repair_roles, priority=600)
    numbering.use_paper_toctree_collector(app)
    app.connect("build-finished", metadata.write_exports)
    app.add_js_file("proceedings.js", loading_method="defer")
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 2}
