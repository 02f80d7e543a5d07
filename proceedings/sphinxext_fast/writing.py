"""Fewer pages written after an edit, and the theme's templates compiled once.

Sphinx writes a toctree's page whenever a document in it was read, as the headings it
shows may have changed: at a volume's scale, an edit to one paper also wrote the papers
list and the volume page. A hidden toctree shows nothing, and one of depth one only
titles and top-level headings, whose changes rewrite every page anyway
(``events.refresh_navigation``). Jinja compiles the theme's templates again in every
build; their compiled code is kept beside the doctrees.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any

from docutils import nodes
from jinja2 import FileSystemBytecodeCache
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from proceedings.sphinxext.domain import ProceedingsDomain

__all__ = ["cache_compiled_templates", "note_title_toctrees", "restore_toctree_pages", "write_fewer_toctree_pages"]

# Per environment: Sphinx's record of which pages show which documents' headings.
_all_toctree_pages: weakref.WeakKeyDictionary[BuildEnvironment, dict[str, set[str]]] = weakref.WeakKeyDictionary()


def note_title_toctrees(app: Sphinx, doctree: nodes.document) -> None:
    """Note the documents this page's toctrees show by title at most (hidden, or of depth one)."""
    toctrees = list(doctree.findall(addnodes.toctree))
    shown = {
        child
        for toctree in toctrees
        if not toctree.get("hidden") and toctree.get("maxdepth", -1) != 1
        for child in toctree["includefiles"]
    }
    titles_only = {child for toctree in toctrees for child in toctree["includefiles"]} - shown
    if titles_only:
        ProceedingsDomain.of(app.env).title_toctrees[app.env.docname] = tuple(sorted(titles_only))


def write_fewer_toctree_pages(app: Sphinx, builder: Any) -> None:
    """A page is not written again for an edit to a document its toctrees show by title at most.

    Sphinx's record is narrowed for writing only: it also tells which documents are in no
    toctree, and is put back when the build ends.
    """
    env, title_toctrees = app.env, ProceedingsDomain.of(app.env).title_toctrees
    _all_toctree_pages[env] = env.files_to_rebuild
    env.files_to_rebuild = {
        child: {page for page in pages if child not in title_toctrees.get(page, ())}
        for child, pages in env.files_to_rebuild.items()
    }


def restore_toctree_pages(app: Sphinx, exception: BaseException | None) -> None:
    if app.env in _all_toctree_pages:
        app.env.files_to_rebuild = _all_toctree_pages.pop(app.env)


def cache_compiled_templates(app: Sphinx) -> None:
    """Keep Jinja's compiled templates between builds (it checks each against its source)."""
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if environment is not None and environment.bytecode_cache is None:
        folder = Path(app.doctreedir) / "templates"
        folder.mkdir(parents=True, exist_ok=True)
        environment.bytecode_cache = FileSystemBytecodeCache(str(folder))
