"""Where the extension keeps what it learns about papers, so that it survives
incremental and parallel builds (``clear_doc`` / ``merge_domaindata``)."""

from __future__ import annotations

from collections.abc import Iterable, Set
from typing import Any, ClassVar

from sphinx.domains import Domain

from proceedings.layout import volume_of
from proceedings.model import Paper

__all__ = ["ProceedingsDomain"]


class ProceedingsDomain(Domain):
    name = "proceedings"
    label = "Proceedings"
    data_version = 1
    initial_data: ClassVar[dict[str, Any]] = {"papers": {}, "bibfiles": {}, "pages": {}}

    @property
    def papers(self) -> dict[str, Paper]:
        """Validated front matter by paper docname."""
        return self.data["papers"]

    @property
    def bibfiles(self) -> dict[str, str]:
        """The namespaced ``.bib`` derived for each paper docname (set on every build)."""
        return self.data["bibfiles"]

    @property
    def pages(self) -> dict[str, tuple[int, int]]:
        """Each paper's first and last page in its volume, once the PDF stage has run."""
        return self.data["pages"]

    def clear_doc(self, docname: str) -> None:
        self.papers.pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for docname, paper in otherdata["papers"].items():
            if docname in docnames:
                self.papers[docname] = paper

    def resolve_any_xref(self, *args: Any, **kwargs: Any) -> list[Any]:
        return []

    def papers_of(self, volume: str) -> Iterable[tuple[str, Paper]]:
        """A volume's papers in the order of their folders, which is the volume's order."""
        return sorted((d, p) for d, p in self.papers.items() if volume_of(d) == volume)
