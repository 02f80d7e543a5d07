"""Figures, tables and listings numbered within each paper, from 1, as its PDF numbers them.

Sphinx numbers them across the whole site in toctree order, so a volume's fifth paper
would open with "Figure 5". A document's numbers depend on that document alone: when a
change tracker knows which documents a build read, only those are numbered again.
"""

from __future__ import annotations

from typing import Any

from docutils.nodes import Element
from sphinx.application import Sphinx
from sphinx.domains.std import StandardDomain
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors.toctree import TocTreeCollector

from proceedings.sphinxext.domain import ProceedingsDomain

__all__ = ["PaperTocTreeCollector", "number_figures", "use_paper_toctree_collector"]


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
    """Sphinx's toctree collector, numbering figures within each document."""

    def get_updated_docs(self, app: Sphinx, env: BuildEnvironment) -> list[str]:
        read = ProceedingsDomain.of(env).read_this_build
        if read is not None and not read:
            return []
        renumbered = self.assign_section_numbers(env)
        if not env.config.numfig:
            return renumbered
        for docname in sorted(read if read is not None else env.found_docs):
            numbers = number_figures(env, docname)
            if numbers != env.toc_fignumbers.get(docname, {}):
                renumbered.append(docname)
            env.toc_fignumbers[docname] = numbers
        for docname in set(env.toc_fignumbers) - env.found_docs:
            del env.toc_fignumbers[docname]
        return renumbered




def use_paper_toctree_collector(app: Sphinx) -> None:
    """Put :class:`PaperTocTreeCollector` in the place of Sphinx's own."""
    for listener in list(app.events.listeners.get("env-get-updated", [])):
        collector: Any = getattr(listener.handler, "__self__", None)
        if type(collector) is TocTreeCollector:
            collector.disable(app)
            app.add_env_collector(PaperTocTreeCollector)
