"""What a paper tells citers and machines: BibTeX, RIS, a plain citation, citation meta
tags, schema.org JSON-LD, Open Graph, the sitemap and the funders it declares.

Pure functions over a :class:`Citable` (a paper, its edition, its place in the volume
and its URLs), so that the Sphinx extension, tests and scripts all produce the same text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape as xml_escape

from pybtex.database import BibliographyData, Entry, Person
from pybtex.database.output.bibtex import Writer

from proceedings.model import Paper, Workshop

__all__ = [
    "ANONYMOUS",
    "Citable",
    "bibtex",
    "bibtex_entry",
    "bibtex_key",
    "bibtex_keys",
    "funders",
    "highwire_tags",
    "joined_bibtex",
    "json_ld",
    "json_ld_script",
    "latex_text",
    "open_graph_tags",
    "plain_citation",
    "ris",
    "shorten",
    "sitemap",
    "volume_bibtex",
]

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


# -- BibTeX ------------------------------------------------------------------------------

_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
    "&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_", "$": r"\$",
    "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
}
_MATH = re.compile(r"(\$[^$]+\$)")


def latex_text(text: str) -> str:
    """Text safe in a BibTeX field: LaTeX specials escaped and braces balanced, ``$math$`` kept."""
    parts = _MATH.split(text)
    return "".join(
        part if index % 2 else "".join(_LATEX_SPECIALS.get(char, char) for char in part)
        for index, part in enumerate(parts)
    )


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
        "author": [Person(latex_text(name)) for name in citable.authors],
        "editor": [Person(latex_text(name)) for name in workshop.editors],
    }
    return Entry("inproceedings", fields=fields, persons=persons)


class _LatexWriter(Writer):
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
    return str(_LatexWriter().to_string(data))


def volume_bibtex(citables: Iterable[Citable]) -> str:
    """Every paper of a volume in one file, in the volume's order: the papers' own entries."""
    citables = list(citables)
    return joined_bibtex(bibtex(c, key) for c, key in zip(citables, bibtex_keys(citables), strict=True))


def joined_bibtex(entries: Iterable[str]) -> str:
    """Papers' entries (from :func:`bibtex`) as one file."""
    return "\n".join(entries)


# -- RIS and plain text ----------------------------------------------------------------


def _one_line(text: str) -> str:
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
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines) + "ER  - \r\n"


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


# -- Funders -----------------------------------------------------------------------------

_PARTS = re.compile(r";|(?-i:(?<=[a-z0-9)\]])\.\s+(?=[A-Z]))|,\s+and\s+|\s+and\s+(?=the\s)", re.IGNORECASE)
_LEAD = re.compile(
    r"^(?:(?:this|the|our)\s+(?:work|research|project|study|paper)\s+(?:was|is|has\s+been)\s+"
    r"(?:\w+\s+)?(?:supported|funded|financed)\s+(?:in\s+part\s+)?by\s+"
    r"|(?:partly\s+|partially\s+)?(?:supported|funded|financed)\s+(?:in\s+part\s+)?by\s+|and\s+|also\s+|the\s+)+",
    re.IGNORECASE,
)
_GRANT = re.compile(
    r"(?:\s*[,(]\s*|\s+[\u2013\u2014-]\s+|\s+under\s+|\s+through\s+)(?:the\s+)?(?:grants?|awards?|contracts?|agreements?|projects?|no\.)\b.*$"
    r"|\s+(?:grants?|awards?)\s+(?:no\.?\s*)?\S*\d\S*.*$",
    re.IGNORECASE,
)
_NONE = re.compile(
    r"^(?:none|n/?a|nil)\b|\b(?:no|not|without)\b.*\b(?:fund\w*|financ\w*|support\w*|sponsor\w*)", re.IGNORECASE
)


def funders(paper: Paper) -> tuple[str, ...]:
    """The organisations named in a paper's funding disclosure, each once.

    A paper's optional ``funders`` list is taken as it is. Otherwise the free-text
    ``funding`` is split on ``;``, sentence ends, ", and" and "and the"; lead-ins such
    as "This work was supported by" and grant details after a comma ("…, grant X-1")
    are dropped; parts that say there was no funding name nobody.
    """
    if paper.funders is not None:
        return tuple(dict.fromkeys(" ".join(name.split()) for name in paper.funders if name.strip()))
    found: dict[str, str] = {}
    for part in _PARTS.split(paper.funding):
        part = " ".join(part.split()).strip(" .,;:")
        if not part or _NONE.search(part):
            continue
        name = _GRANT.sub("", _LEAD.sub("", part)).strip(" .,;:")
        if name.count("(") > name.count(")"):
            name += ")"
        if len(name) > 1:
            found.setdefault(name.casefold(), name)
    return tuple(found.values())


# -- Meta tags, JSON-LD, Open Graph, sitemap -----------------------------------------


def highwire_tags(citable: Citable) -> list[tuple[str, str]]:
    """Highwire Press ``citation_*`` tags, as Google Scholar and Zotero read them. Anonymous: no authors."""
    paper, workshop = citable.paper, citable.workshop
    tags = [("citation_title", _one_line(paper.title))]
    if not paper.anonymous:
        for author in paper.authors:
            tags.append(("citation_author", author.name))
            tags += [("citation_author_institution", affiliation) for affiliation in author.affiliations]
            if author.orcid:
                tags.append(("citation_author_orcid", author.orcid))
    tags += [
        ("citation_publication_date", workshop.date.strftime("%Y/%m/%d")),
        ("citation_conference_title", workshop.volume_title),
    ]
    if citable.pdf_url:
        tags.append(("citation_pdf_url", citable.pdf_url))
    if citable.pages is not None:
        tags += [("citation_firstpage", str(citable.pages[0])), ("citation_lastpage", str(citable.pages[1]))]
    if citable.url:
        tags.append(("citation_abstract_html_url", citable.url))
    if paper.keywords:
        tags.append(("citation_keywords", "; ".join(paper.keywords)))
    return tags


_CC = re.compile(r"^CC[- ]?(BY(?:[- ](?:SA|NC|ND))*)[- ]?(\d\.\d)$", re.IGNORECASE)


def _license_url(license: str | None) -> str | None:
    if license is None:
        return None
    match = _CC.match(license.strip())
    if match is None:
        return license if license.startswith("https://") else None
    kind = match.group(1).lower().replace(" ", "-")
    return f"https://creativecommons.org/licenses/{kind}/{match.group(2)}/"


def json_ld(citable: Citable) -> dict[str, object]:
    """A schema.org ScholarlyArticle. An anonymous paper has no ``author`` at all."""
    paper, workshop = citable.paper, citable.workshop
    article: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "name": _one_line(paper.title),
        "headline": shorten(paper.title, 110),
        "abstract": _one_line(paper.abstract),
        "datePublished": workshop.date.isoformat(),
        "inLanguage": "en",
        "isPartOf": {
            "@type": "Book",
            "name": workshop.volume_title,
            "editor": [{"@type": "Person", "name": name} for name in workshop.editors],
        },
    }
    if not paper.anonymous:
        authors: list[dict[str, object]] = []
        for author in paper.authors:
            person: dict[str, object] = {"@type": "Person", "name": author.name}
            if author.affiliations:
                person["affiliation"] = [{"@type": "Organization", "name": a} for a in author.affiliations]
            if author.orcid:
                person["identifier"] = f"https://orcid.org/{author.orcid}"
            authors.append(person)
        article["author"] = authors
    if paper.keywords:
        article["keywords"] = list(paper.keywords)
    names = funders(paper)
    if names:
        article["funder"] = [{"@type": "Organization", "name": name} for name in names]
    if citable.url:
        article["url"] = citable.url
    if citable.pdf_url:
        article["encoding"] = {
            "@type": "MediaObject", "contentUrl": citable.pdf_url, "encodingFormat": "application/pdf",
        }
    if citable.pages is not None:
        article["pageStart"], article["pageEnd"] = citable.pages
        article["pagination"] = citable.page_range
    same_as = [f"https://openreview.net/forum?id={paper.openreview}"] if paper.openreview else []
    same_as += [paper.published_version] if paper.published_version else []
    if same_as:
        article["sameAs"] = same_as
    license_url = _license_url(paper.license)
    if license_url:
        article["license"] = license_url
    return article


def json_ld_script(data: dict[str, object]) -> str:
    """JSON that cannot close its ``<script>`` element early."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def open_graph_tags(*, title: str, url: str, description: str, site_name: str, article: bool) -> list[tuple[str, str]]:
    """Open Graph properties for link previews; ``og:url`` only with an absolute URL."""
    kind = "article" if article else "website"
    tags = [("og:title", _one_line(title)), ("og:type", kind), ("og:site_name", site_name)]
    if url:
        tags.append(("og:url", url))
    if description:
        tags.append(("og:description", shorten(description, 300)))
    return tags


def shorten(text: str, limit: int) -> str:
    """Text on one line, cut at a word before ``limit`` characters."""
    text = _one_line(text)
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def sitemap(urls: Iterable[str]) -> str:
    """A sitemaps.org ``urlset`` listing each URL once, in the order given."""
    entries = "".join(f"  <url><loc>{xml_escape(url)}</loc></url>\n" for url in dict.fromkeys(urls))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + entries + "</urlset>\n"
    )
