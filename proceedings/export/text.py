"""RIS records and the plain-text citation."""

from __future__ import annotations

from collections.abc import Sequence

from pybtex.database import Person

from proceedings.export.citable import Citable


def _one_line(text: str) -> str:
    """Every kind of line break (CR, LF, U+2028...) as a space: in RIS a line break would start a new tag."""
    return " ".join(text.split())


def ris(citable: Citable) -> str:
    """A RIS record (``TY  - CPAPER`` ... ``ER  -``).

    Written by hand: RIS is one tag per line, and no maintained Python library writes it.
    Names are ``Last, First`` as RIS expects, split the way BibTeX splits them.
    """
    paper, workshop = citable.paper, citable.workshop
    lines = [("TY", "CPAPER"), ("TI", _one_line(paper.title))]
    lines += [("AU", str(Person(name))) for name in citable.authors]
    lines += [("PY", str(workshop.date.year)), ("DA", workshop.date.strftime("%Y/%m/%d/"))]
    if citable.pages is not None:
        lines += [("SP", str(citable.pages[0])), ("EP", str(citable.pages[1]))]
    lines += [("T2", workshop.volume_title), ("CY", workshop.city)]
    lines += [("ED", str(Person(name))) for name in workshop.editors]
    lines += [("AB", _one_line(paper.abstract))]
    lines += [("KW", keyword) for keyword in paper.keywords]
    if citable.url:
        lines.append(("UR", citable.url))
    if citable.pdf_url:
        lines.append(("L1", citable.pdf_url))
    return "".join(f"{tag}  - {_one_line(value)}\r\n" for tag, value in lines) + "ER  - \r\n"


def _names(names: Sequence[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


def plain_citation(citable: Citable) -> str:
    """One line a reader can paste into a text: authors. year. title. In volume, pages, place. URL"""
    workshop = citable.workshop
    text = f"{_names(citable.authors)}. {workshop.date.year}. {_one_line(citable.paper.title).rstrip('.')}. "
    text += f"In {workshop.volume_title}"
    if citable.pages is not None:
        text += f", {'page' if citable.pages[0] == citable.pages[1] else 'pages'} {citable.page_range}"
    text += f", {workshop.city}."
    return f"{text} {citable.url}" if citable.url else text
