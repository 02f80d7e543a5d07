"""The proceedings extension's speed layer: optional, and proven to change no output.

``proceedings.sphinxext`` is correct on its own. At conference scale (hundreds of
papers) Sphinx, furo and sphinxcontrib-bibtex repeat work on every build that depends
only on what changed; this extension skips that work. It touches internals of those
libraries (the bibtex domain's data, furo's navigation HTML, the environment's
toctree record, the garbage collector), which is why it lives apart, why
``pyproject.toml`` bounds their versions, and why a parity test builds the same sources
with and without it and compares every output.

* :mod:`.changes` tells the core which documents a build read;
* :mod:`.bibtex` keeps formatted bibliographies and resolves citations by key;
* :mod:`.navigation` renders furo's sidebar tree once per build;
* :mod:`.writing` writes fewer pages after an edit and keeps compiled templates;
* :mod:`.garbage` keeps Python's collector off the loaded environment.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from proceedings.sphinxext_fast import changes, garbage, navigation, writing
from proceedings.sphinxext_fast.bibtex import CachedBibtexDomain, cache_pybtex_plugins, parse_changed_bibfiles

__all__ = ["setup"]


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("proceedings.sphinxext")
    app.add_domain(CachedBibtexDomain, override=True)
    cache_pybtex_plugins()
    app.connect("builder-inited", parse_changed_bibfiles, priority=400)
    app.connect("env-get-outdated", changes.note_outdated, priority=100)
    app.connect("env-before-read-docs", changes.note_read, priority=900)
    app.connect("doctree-read", writing.note_title_toctrees)
    app.connect("write-started", writing.write_fewer_toctree_pages)
    app.connect("build-finished", writing.restore_toctree_pages)
    app.connect("builder-inited", writing.cache_compiled_templates)
    app.add_config_value("proceedings_shared_navigation", True, "html", types=frozenset({bool}))
    app.connect("write-started", navigation.reset)
    app.connect("html-page-context", navigation.share_navigation_tree, priority=400)
    app.connect("html-page-context", navigation.mark_current_page, priority=550)
    garbage.register(app)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
