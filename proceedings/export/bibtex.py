"""BibTeX of a paper and of a volume, written by pybtex."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pybtex.database import BibliographyData, Entry, Person
from pybtex.database.output.bibtex import Writer

from proceedings.export.citable import Citable

_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
    "&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_", "$": r"\$",
    "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
}
_MATH = re.compile(r"(\$[^$]+\$)")
_AND = re.compile(r"(?<=\s)(and)(?=\s)", re.IGNORECASE)


def latex_text(text: str) -> str:
    """Text safe in a BibTeX field: LaTeX specials escaped and braces balanced, ``$math$`` kept."""
    parts = _MATH.split(text)
    return "".join(
        part if index % 2 else "".join(_LATEX_SPECIALS.get(char, char) for char in part)
        for index, part in enumerate(parts)
    )


def bibtex_name(name: str) -> Person:
    """One person, even when the name holds the word "and", which BibTeX reads as between two people."""
    return Person(_AND.sub(r"{\1}", latex_text(name)))


def bibtex_key(volume: str, paper_id: str) -> str:
    """``<volume>:<paper id>``: unique in a volume and stable when other papers change."""
    return re.sub(r"[^\w:.-]", "-", f"{volume}:{paper_id}", flags=re.ASCII)


def bibtex_entry(citable: Citable) -> Entry:
    """An ``@inproceedings`` entry. The title is brace-protected so that styles keep its capitals."""
    paper, workshop = citable.paper, citable.workshop
    fields = {
        "title": "{" + latex_text(" ".join(paper.title.split())) + "}",
        "booktitle": latex_text(workshop.volume_title),
        "year": str(workshop.date.year),
        "address": latex_text(workshop.city),
    }
    if citable.pages is not None:
        first, last = citable.pages
        fields["pages"] = f"{first}--{last}" if first != last else str(first)
    if citable.url:
        fields["url"] = citable.url
    if paper.keywords:
        fields["keywords"] = latex_text(", ".join(paper.keywords))
    persons = {
        "author": [bibtex_name(name) for name in citable.authors],
        "editor": [bibtex_name(name) for name in workshop.editors],
    }
    return Entry("inproceedings", fields=fields, persons=persons)


class LatexSourceWriter(Writer):
    """pybtex's BibTeX writer for fields that are LaTeX already (see :func:`latex_text`).

    Its own escaping treats every field as plain text: it would escape ``\\&`` twice
    and turn ``$x_1$`` into ``$x\\_1$``.
    """

    def _encode(self, text: str) -> str:
        return text


def bibtex_keys(citables: Iterable[Citable]) -> list[str]:
    """Each paper's key in a volume: the key readers know from OpenReview's BibTeX when it has
    one and no earlier paper took it, else ``<volume>:<paper id>``. Anonymous papers never
    take OpenReview's key, which begins with an author's name."""
    keys: list[str] = []
    for citable in citables:
        key = citable.paper.citation_key if not citable.paper.anonymous else None
        keys.append(key if key and key not in keys else bibtex_key(citable.volume, citable.paper_id))
    return keys


def bibtex(citable: Citable, key: str | None = None) -> str:
    """One paper's entry; ``key`` as :func:`bibtex_keys` gives it within the paper's volume."""
    data = BibliographyData({key or bibtex_keys([citable])[0]: bibtex_entry(citable)})
    return str(LatexSourceWriter().to_string(data))


def volume_bibtex(citables: Iterable[Citable]) -> str:
    """Every paper of a volume in one file, in the volume's order: the papers' own entries."""
    citables = list(citables)
    return joined_bibtex(bibtex(c, key) for c, key in zip(citables, bibtex_keys(citables), strict=True))


def joined_bibtex(entries: Iterable[str]) -> str:
    """Papers' entries (from :func:`bibtex`) as one file."""
    return "\n".join(entries)
