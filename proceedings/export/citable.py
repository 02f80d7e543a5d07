"""A paper with everything a citation of it needs, shared by every export."""

from __future__ import annotations

from dataclasses import dataclass

from proceedings.model import Paper, Workshop

ANONYMOUS = "Anonymous"
"""How an anonymous paper's author is cited, as OpenReview does."""


@dataclass(frozen=True)
class Citable:
    """A paper with everything a citation needs; ``url`` and ``pdf_url`` are absolute or empty."""

    paper: Paper
    workshop: Workshop
    volume: str
    paper_id: str
    url: str = ""
    pdf_url: str = ""
    pages: tuple[int, int] | None = None

    @property
    def authors(self) -> tuple[str, ...]:
        return (ANONYMOUS,) if self.paper.anonymous else self.paper.author_names

    @property
    def page_range(self) -> str:
        """``3\u20135`` (with an en dash), or empty while the PDF stage has not numbered the volume."""
        if self.pages is None:
            return ""
        first, last = self.pages
        return str(first) if first == last else f"{first}\u2013{last}"
