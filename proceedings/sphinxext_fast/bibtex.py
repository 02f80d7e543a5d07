"""sphinxcontrib-bibtex's domain, with formatted bibliographies kept between builds.

sphinxcontrib-bibtex formats every entry of every bibliography in ``env-updated``, on
every build, even when nothing changed: at 200 papers that is most of a no-change
rebuild. A bibliography's formatting depends only on its entries (its ``.bib`` files'
modification times), the keys cited in the project, in citation order, and its options;
when those are the same as last time, the last result is reused. Results that warned
(a missing field) are not kept, so the warning comes back on every build. A build that
read no document keeps the last build's citations whole, unless one of them warned.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, cast

import pybtex.plugin
import pybtex.style.formatting
import sphinxcontrib.bibtex.domain
from pybtex.database import BibliographyData, BibliographyDataError
from pybtex.database.input.bibtex import Parser
from pybtex.richtext import Tag
from pybtex.scanner import PybtexError
from sphinx.application import Sphinx
from sphinxcontrib.bibtex.bibfile import BibData, BibFile, get_mtime, is_bibdata_outdated
from sphinxcontrib.bibtex.citation_target import parse_citation_targets
from sphinxcontrib.bibtex.domain import BibtexDomain

from proceedings.sphinxext.domain import ProceedingsDomain

__all__ = ["CachedBibtexDomain", "cache_pybtex_plugins", "parse_changed_bibfiles"]


def cache_pybtex_plugins() -> None:
    """Look each pybtex plugin up once per process.

    ``pybtex.plugin.find_plugin`` scans every installed package's entry points on each
    call, and sphinxcontrib-bibtex calls it for every citation it resolves and every
    bibliography it formats: measured at 50 papers, 704 calls took 10.6 s of a 36 s build.
    """
    if not hasattr(pybtex.plugin.find_plugin, "cache_info"):
        pybtex.plugin.find_plugin = cache(pybtex.plugin.find_plugin)
        # Styles look up their name, label and sorting plugins under their own module's name.
        pybtex.style.formatting.find_plugin = pybtex.plugin.find_plugin


def parse_changed_bibfiles(app: Sphinx) -> None:
    """Parse only the ``.bib`` files that changed, before sphinxcontrib-bibtex looks.

    It parses every file again when one changed (200 files for one edit). Each paper's
    derived file stands alone (its own keys, no ``@string`` shared with others), so the
    entries of unchanged files are taken from the last build; sphinxcontrib-bibtex then
    finds its data up to date. A file that fails to parse is left to it, to report.
    """
    domain = cast(BibtexDomain, app.env.get_domain("cite"))
    old, encoding = domain.bibdata, app.config.bibtex_encoding
    files = [(Path(app.confdir) / name).resolve() for name in app.config.bibtex_bibfiles]
    if old.encoding != encoding or not is_bibdata_outdated(old, files, encoding):
        return
    data, parsed = BibliographyData(), {}
    try:
        for path in files:
            kept = old.bibfiles.get(path)
            if kept is not None and kept.mtime == get_mtime(path):
                entries = {key: old.data.entries[key] for key in kept.keys}
            else:
                entries = dict(Parser(encoding).parse_file(path).entries) if path.is_file() else {}
            for key, entry in entries.items():
                data.add_entry(key, entry)
            parsed[path] = BibFile(mtime=get_mtime(path), keys=dict.fromkeys(entries))
    except (BibliographyDataError, PybtexError, KeyError):
        return
    domain.data["bibdata"] = BibData(encoding=encoding, bibfiles=parsed, data=data)


class _LabelWarningsDropped:
    """sphinxcontrib-bibtex's logger, less its ``duplicate_label`` warnings.

    Every paper numbers its references from [1], so each label is a "duplicate": the
    site suppresses the warning (``suppress_warnings``), but Sphinx builds and filters a
    log record for each, about 2,000 at 200 papers, a tenth of a rebuild.
    """

    def __init__(self, logger: Any) -> None:
        self._logger = logger

    def warning(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("subtype") != "duplicate_label":
            self._logger.warning(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._logger, name)


@contextmanager
def _without_duplicate_label_warnings() -> Iterator[None]:
    logger = sphinxcontrib.bibtex.domain.logger
    sphinxcontrib.bibtex.domain.logger = cast(Any, _LabelWarningsDropped(logger))
    try:
        yield
    finally:
        sphinxcontrib.bibtex.domain.logger = logger


class CachedBibtexDomain(BibtexDomain):
    initial_data: ClassVar[dict[str, Any]] = {**BibtexDomain.initial_data, "formatted": {}}
    _citation_order: dict[str, int]
    _indexed: tuple[int, int] | None = None
    _references_indexed: list[Any] | None = None

    def clear_doc(self, docname: str) -> None:
        super().clear_doc(docname)
        self.data.setdefault("formatted", {})
        for key in [k for k in self.data["formatted"] if k[0] == docname]:
            del self.data["formatted"][key]

    def env_updated(self) -> Iterable[str]:
        self._indexed = self._references_indexed = None  # both are made again below
        formatted = self.data.setdefault("formatted", {})
        if ProceedingsDomain.of(self.env).nothing_read() and all(key in formatted for key in self.bibliographies):
            return []  # the citations and labels of the last build stand (they are kept with the environment)
        cited = dict.fromkeys(self.get_all_cited_keys(sorted(self.env.found_docs)))
        self._citation_order = {key: number for number, key in enumerate(cited)}
        with _without_duplicate_label_warnings():
            return super().env_updated()

    def _citations_by_key(self) -> dict[str, list[Any]]:
        citations = self.data["citations"]
        if getattr(self, "_indexed", None) != (id(citations), len(citations)):
            self._by_key: dict[str, list[Any]] = {}
            for citation in citations:
                self._by_key.setdefault(citation.key, []).append(citation)
            self._indexed = (id(citations), len(citations))
        return self._by_key

    def resolve_xref(  # type: ignore[override]
        self, env: Any, fromdocname: str, builder: Any, typ: str, target: str, node: Any, contnode: Any
    ) -> Any:
        """sphinxcontrib-bibtex's resolution, shown only the citations of the keys cited.

        It scans every citation of the site twice for each reference: at 1,000 papers,
        10,000 references times 10,000 citations. The citations of a key keep their order.
        """
        by_key = self._citations_by_key()
        everything = self.data["citations"]
        cited = dict.fromkeys(t.key for t in parse_citation_targets(target))
        self.data["citations"] = [citation for key in cited for citation in by_key.get(key, ())]
        try:
            return super().resolve_xref(env, fromdocname, builder, typ, target, node, contnode)
        finally:
            self.data["citations"] = everything

    def _signature(self, bibliography_key: Any, tooltips: bool, tooltips_style: str) -> tuple[Any, ...]:
        bibliography = self.bibliographies[bibliography_key]
        own = {bibliography.keyprefix + key for f in bibliography.bibfiles for key in self.bibdata.bibfiles[f].keys}
        order = self._citation_order
        return (
            tuple((str(f), self.bibdata.bibfiles[f].mtime) for f in bibliography.bibfiles),
            tuple(sorted((key for key in own if key in order), key=order.__getitem__)),
            tuple(bibliography.keys),
            bibliography.style, bibliography.labelprefix, bibliography.keyprefix, bibliography.list_,
            ast.dump(bibliography.filter_), tooltips, tooltips_style,
        )

    def _references_to(self, bibliography_key: Any) -> list[Any]:
        """The citation references to a bibliography's entries, in the site's order.

        sphinxcontrib-bibtex looks through every reference of the site for each entry it
        formats (quadratic at conference scale); shown these only, it finds the same.
        """
        references = self.data["citation_refs"]
        if getattr(self, "_references_indexed", None) is not references:
            self._reference_positions: dict[str, list[int]] = {}
            for position, reference in enumerate(references):
                for target in reference.targets:
                    self._reference_positions.setdefault(target.key, []).append(position)
            self._references_indexed = references
        bibliography = self.bibliographies[bibliography_key]
        positions = {
            position
            for f in bibliography.bibfiles
            for key in self.bibdata.bibfiles[f].keys
            for position in self._reference_positions.get(bibliography.keyprefix + key, ())
        }
        return [references[position] for position in sorted(positions)]

    def get_formatted_entries(
        self, bibliography_key: Any, docnames: list[str], tooltips: bool, tooltips_style: str
    ) -> Iterable[tuple[Any, Any, Any]]:
        cache: dict[Any, tuple[tuple[Any, ...], list[tuple[Any, Any, Any]]]] = self.data.setdefault("formatted", {})
        signature = self._signature(bibliography_key, tooltips, tooltips_style)
        cached = cache.get(bibliography_key)
        if cached is not None and cached[0] == signature:
            return cached[1]
        everything = self.data["citation_refs"]
        self.data["citation_refs"] = self._references_to(bibliography_key)
        try:
            formatted = list(super().get_formatted_entries(bibliography_key, docnames, tooltips, tooltips_style))
        finally:
            self.data["citation_refs"] = everything
        if not any(isinstance(entry.text, Tag) and entry.text.name == "b" for _, entry, _ in formatted):
            cache[bibliography_key] = (signature, formatted)
        return formatted
