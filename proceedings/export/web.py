"""What a page tells machines: citation meta tags, schema.org JSON-LD, Open Graph and the sitemap."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from xml.sax.saxutils import escape as xml_escape

from proceedings.export.citable import Citable
from proceedings.export.funders import funders
from proceedings.export.text import _one_line


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
