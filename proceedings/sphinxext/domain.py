"""Where the extension keeps what it learns about papers, so that it survives
incremental and parallel builds (``clear_doc`` / ``merge_domaindata``)."""

from __future__ import annotations

from collections.abc import Iterable, Set
from typing import Any, ClassVar, cast

from sphinx.domains import Domain
from sphinx.environment import BuildEnvironment

from proceedings.layout import ALL_EDITIONS, volume_of
from proceedings.model import Paper, Workshop
from proceedings.names import sort_key
from proceedings.programme import Slot

__all__ = ["ProceedingsDomain"]


class ProceedingsDomain(Domain):
    name = "proceedings"
    label = "Proceedings"
    data_version = 6
    initial_data: ClassVar[dict[str, Any]] = {
        "papers": {}, "pages": {}, "workshops": {}, "index_pages": {}, "linked_indexes": {}, "navigation": {},
        "author_keys": {}, "title_toctrees": {}, "programme": {}, "programme_pages": {},
        "slots": {},
    }
    read_this_build: set[str] | None = None
    """The documents read in this build, when a change tracker knows them (the optional
    ``proceedings.sphinxext_fast``). None means unknown: every step then does its whole work."""

    def nothing_read(self) -> bool:
        """True when a change tracker knows that this build read no document and removed none."""
        return self.read_this_build is not None and not self.read_this_build

    @property
    def papers(self) -> dict[str, Paper]:
        """Validated front matter by paper docname."""
        return self.data["papers"]

    @property
    def navigation(self) -> dict[str, tuple[str, ...]]:
        """Every page's title and top-level headings when the site was last written.

        The sidebar shows the titles, and a toctree of depth one the top-level headings:
        a change rewrites every page.
        """
        return self.data["navigation"]

    @property
    def title_toctrees(self) -> dict[str, tuple[str, ...]]:
        """By page, the documents its toctrees show by title at most (hidden, or of depth one)."""
        return self.data["title_toctrees"]

    @property
    def pages(self) -> dict[str, tuple[int, int]]:
        """Each paper's first and last page in its volume, once the PDF stage has run."""
        return self.data["pages"]

    @property
    def workshops(self) -> dict[str, Workshop]:
        """Each volume's ``workshop.yml``, read again on every build."""
        return self.data["workshops"]

    @property
    def index_pages(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Pages filled from every paper of a volume: docname to (volume, kinds of list or index).

        They must be written again whenever a paper of their volume changes.
        """
        return self.data["index_pages"]

    @staticmethod
    def of(env: BuildEnvironment) -> ProceedingsDomain:
        """The proceedings domain of ``env``."""
        return cast(ProceedingsDomain, env.get_domain("proceedings"))

    @property
    def linked_indexes(self) -> dict[str, tuple[str, ...]]:
        """The index kinds that paper pages linked to when last written, by volume."""
        return self.data["linked_indexes"]

    @property
    def author_keys(self) -> dict[str, tuple[int, ...]]:
        """Authors' collation keys, kept between builds: the collator takes a third of a second to load."""
        return self.data["author_keys"]

    def author_sort_key(self, name: str) -> tuple[int, ...]:
        if name not in self.author_keys:
            self.author_keys[name] = sort_key(name)
        return self.author_keys[name]

    def note_index_page(self, docname: str, volume: str, kind: str) -> None:
        _volume, kinds = self.index_pages.get(docname, (volume, ()))
        self.index_pages[docname] = (volume, tuple(sorted({*kinds, kind})))

    def index_page(self, volume: str, kind: str) -> str | None:
        """The page that holds a volume's index of this kind, if any (the first by name)."""
        pages = sorted(d for d, (v, kinds) in self.index_pages.items() if v == volume and kind in kinds)
        return pages[0] if pages else None

    @property
    def slots(self) -> dict[str, Slot]:
        """Each paper's session and presentation by docname, as last read: read again when Sphinx
        finds the paper changed, so that an unchanged paper's front matter is not parsed twice."""
        return self.data["slots"]

    @property
    def programme_pages(self) -> dict[str, str]:
        """Pages whose contents follow the programme (see :mod:`proceedings.sphinxext.editions`), by volume.

        They are read again whenever the programme changes.
        """
        return self.data["programme_pages"]

    def clear_doc(self, docname: str) -> None:
        self.papers.pop(docname, None)
        self.index_pages.pop(docname, None)
        self.title_toctrees.pop(docname, None)
        self.programme_pages.pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        self.author_keys.update(otherdata["author_keys"])
        for key in ("papers", "index_pages", "title_toctrees", "programme_pages"):
            self.data[key].update((d, entry) for d, entry in otherdata[key].items() if d in docnames)

    def resolve_any_xref(self, *args: Any, **kwargs: Any) -> list[Any]:
        return []

    def programme(self, volume: str) -> list[str]:
        """The paper docnames of ``volume`` (or of every edition, newest first) in programme order.

        The order is read before any document (see :mod:`proceedings.sphinxext.editions`),
        so toctrees can follow it too.
        """
        programme: dict[str, list[str]] = self.data["programme"]
        if volume != ALL_EDITIONS:
            return [f"{volume}/papers/{ident}/paper" for ident in programme.get(volume, ())]
        newest = sorted(self.workshops, key=lambda edition: self.workshops[edition].date, reverse=True)
        return [doc for edition in newest for doc in self.programme(edition)]

    def papers_of(self, volume: str) -> Iterable[tuple[str, Paper]]:
        """A volume's papers (:data:`ALL_EDITIONS`: every edition's) in programme order, which is the volume's."""
        ordered = [(d, self.papers[d]) for d in self.programme(volume) if d in self.papers]
        listed = {d for d, _p in ordered}
        others = sorted(
            (d, p) for d, p in self.papers.items() if volume in (volume_of(d), ALL_EDITIONS) and d not in listed
        )
        return ordered + others
