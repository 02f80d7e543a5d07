"""Figure numbers per paper, and work Sphinx repeats on every build done only when needed.

Sphinx numbers figures, tables and listings across the whole site in toctree order, so
a volume's fifth paper would open with "Figure 5"; and to do so it loads every doctree
on every build. Each paper numbers its own from 1, as its PDF does, so only the
documents read in a build need numbering. The exports (BibTeX, RIS, sitemap) also depend
only on the documents: a build that read none (a rebuild with nothing changed) keeps them.
Jinja compiles the theme's templates again in every build; their compiled code is kept
beside the doctrees.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.nodes import Element
from jinja2 import FileSystemBytecodeCache
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.domains.std import StandardDomain
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors.toctree import TocTreeCollector

from proceedings.sphinxext.domain import ProceedingsDomain

__all__ = [
    "PaperTocTreeCollector",
    "cache_compiled_templates",
    "documents_read",
    "nothing_changed",
    "number_figures",
    "use_paper_toctree_collector",
]


@dataclass
class _Changes:
    read: list[str] = field(default_factory=list)
    removed: int = 0


# Per environment: the documents read and removed in this build.
_changes: weakref.WeakKeyDictionary[BuildEnvironment, _Changes] = weakref.WeakKeyDictionary()


def note_removed(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    _changes[env] = _Changes(removed=len(removed))
    return []


def note_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    _changes.setdefault(env, _Changes()).read.extend(docnames)


def nothing_changed(env: BuildEnvironment) -> bool:
    """True when this build read no document and removed none."""
    changes = _changes.get(env)
    return changes is not None and not changes.read and not changes.removed


def documents_read(env: BuildEnvironment) -> set[str] | None:
    """The documents this build read, or None if that is not known."""
    changes = _changes.get(env)
    return set(changes.read) if changes is not None and not changes.removed else None


def _enumerable_type(env: BuildEnvironment, node: Element) -> str | None:
    """The kind of a numbered node (figure, table, code-block), as Sphinx decides it."""
    for domain in env.domains.sorted():
        kind = domain.get_enumerable_node_type(node)
        if isinstance(domain, StandardDomain) and not domain.get_numfig_title(node):
            continue  # an uncaptioned node has no number
        if kind:
            return kind
    return None


def number_figures(env: BuildEnvironment, docname: str) -> dict[str, dict[str, tuple[int, ...]]]:
    """The document's figures, tables and listings, each kind numbered from 1 in reading order."""
    numbers: dict[str, dict[str, tuple[int, ...]]] = {}
    for node in env.get_doctree(docname).findall(Element):
        kind = _enumerable_type(env, node) if node["ids"] else None
        if kind:
            of_kind = numbers.setdefault(kind, {})
            of_kind[node["ids"][0]] = (len(of_kind) + 1,)
    return numbers


class PaperTocTreeCollector(TocTreeCollector):
    """Sphinx's toctree collector, numbering figures within each document, and only those read."""

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        """Also note the documents this one's toctrees show by title at most (hidden, or of depth one)."""
        super().process_doc(app, doctree)
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

    def get_updated_docs(self, app: Sphinx, env: BuildEnvironment) -> list[str]:
        if nothing_changed(env):
            return []
        renumbered = self.assign_section_numbers(env)
        if not env.config.numfig:
            return renumbered
        changes = _changes.get(env)
        for docname in changes.read if changes is not None else sorted(env.found_docs):
            numbers = number_figures(env, docname)
            if numbers != env.toc_fignumbers.get(docname, {}):
                renumbered.append(docname)
            env.toc_fignumbers[docname] = numbers
        for docname in set(env.toc_fignumbers) - env.found_docs:
            del env.toc_fignumbers[docname]
        return renumbered



# Per environment: Sphinx's record of which pages show which documents' headings.
_all_toctree_pages: weakref.WeakKeyDictionary[BuildEnvironment, dict[str, set[str]]] = weakref.WeakKeyDictionary()


def write_fewer_toctree_pages(app: Sphinx, builder: Any) -> None:
    """A page is not written again for an edit to a document its toctrees show by title at most.

    Sphinx writes a toctree's page whenever a document in it was read, as the headings it
    shows may have changed: at a volume's scale, an edit to one paper also wrote the papers
    list and the volume page. A hidden toctree shows nothing, and one of depth one only
    titles and top-level headings, whose changes rewrite every page anyway
    (``events.refresh_navigation``). Sphinx's record is narrowed for writing only: it also
    tells which documents are in no toctree, and is put back when the build ends.
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


def use_paper_toctree_collector(app: Sphinx) -> None:
    """Put :class:`PaperTocTreeCollector` in the place of Sphinx's own."""
    for listener in list(app.events.listeners.get("env-get-updated", [])):
        collector: Any = getattr(listener.handler, "__self__", None)
        if type(collector) is TocTreeCollector:
            collector.disable(app)
            app.add_env_collector(PaperTocTreeCollector)
    app.connect("env-get-outdated", note_removed, priority=100)
    app.connect("env-before-read-docs", note_read, priority=900)
    app.connect("write-started", write_fewer_toctree_pages)
    app.connect("build-finished", restore_toctree_pages)


def cache_compiled_templates(app: Sphinx) -> None:
    """Keep Jinja's compiled templates between builds (it checks each against its source)."""
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if environment is not None and environment.bytecode_cache is None:
        folder = Path(app.doctreedir) / "templates"
        folder.mkdir(parents=True, exist_ok=True)
        environment.bytecode_cache = FileSystemBytecodeCache(str(folder))
