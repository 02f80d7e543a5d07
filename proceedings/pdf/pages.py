"""Each paper's printed pages in its volume: what the PDF stage hands on to the site and the check.

The PDF stage learns them by compiling the volume; the web pages print them (citation meta
tags, BibTeX) and the check compares them with the cut PDFs. One file carries them, written
and read only here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from proceedings.atomic import write_atomically

__all__ = ["PageRange", "PageRanges", "read_page_ranges", "write_page_ranges"]


@dataclass(frozen=True, order=True)
class PageRange:
    first: int
    last: int

    @property
    def count(self) -> int:
        return self.last - self.first + 1


PageRanges = dict[str, dict[str, PageRange]]
"""By edition, then by paper id."""


def read_page_ranges(path: Path) -> PageRanges:
    """The ranges of the last PDF stage; none before the first one (or in a build without PDFs)."""
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        volume: {paper: PageRange(int(first), int(last)) for paper, (first, last) in papers.items()}
        for volume, papers in data.items()
    }


def write_page_ranges(path: Path, ranges: Mapping[str, Mapping[str, PageRange]]) -> None:
    """Write the ranges, atomically and only when they changed: the site rebuilds the pages whose ranges moved."""
    data = {volume: {paper: [r.first, r.last] for paper, r in papers.items()} for volume, papers in ranges.items()}
    text = json.dumps(data, indent=1, sort_keys=True) + "\n"
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, text)
