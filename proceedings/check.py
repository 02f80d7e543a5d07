"""The check stage: proof, read off the built output, that it is fit to publish.

It fails when an anonymous author's name or e-mail appears anywhere (pages, search
index, sitemap, exports, PDF text and metadata, image metadata), when an internal link
or image is broken, when an image has no alt text, when a paper page lacks its funding
disclosure, or when page ranges disagree between outputs.

Every output type is read by one entry of :data:`READERS`; a new output type to scan
is one more entry there.
"""

from __future__ import annotations

import json
import subprocess
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml
from bs4 import BeautifulSoup
from PIL import Image
from pypdf import PdfReader

__all__ = ["READERS", "Finding", "check_output", "load_private_authors"]


@dataclass(frozen=True)
class Finding:
    """One reason not to publish: what, where, and the detail an organizer needs."""

    kind: str
    file: str
    detail: str

    def __str__(self) -> str:
        return f"{self.file}: {self.kind}: {self.detail}"


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _pdf(path: Path) -> str:
    """Every page's text (poppler's pdftotext: fast), the document information and XMP metadata."""
    reader = PdfReader(path)
    parts = [str(value) for value in (reader.metadata or {}).values()]
    metadata = reader.root_object.get("/Metadata")
    if metadata is not None:
        parts.append(metadata.get_object().get_data().decode("utf-8", "replace"))
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    parts.append(unicodedata.normalize("NFKC", text.decode("utf-8", "replace")))
    return "\n".join(parts)


def _image(path: Path) -> str:
    """What an image says about itself: EXIF values and PNG text chunks."""
    with Image.open(path) as image:
        parts = [str(value) for value in image.info.values() if isinstance(value, (str, bytes))]
        parts.extend(str(value) for value in image.getexif().values())
    return "\n".join(p.decode("utf-8", "replace") if isinstance(p, bytes) else p for p in parts)


READERS: dict[str, Callable[[Path], str]] = {
    ".html": _text,
    ".txt": _text,
    ".js": _text,
    ".json": _text,
    ".xml": _text,
    ".bib": _text,
    ".ris": _text,
    ".svg": _text,
    ".tex": _text,
    ".pdf": _pdf,
    ".png": _image,
    ".jpg": _image,
    ".jpeg": _image,
}


def load_private_authors(private_dir: Path) -> dict[str, list[str]]:
    """Names and e-mails of anonymous authors, by paper id, from the organizers' files."""
    found: dict[str, list[str]] = {}
    for path in sorted(private_dir.glob("*/anonymous-authors.yml")):
        for paper_id, authors in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            for author in authors or []:
                entry = author if isinstance(author, dict) else {"name": author}
                found.setdefault(str(paper_id), []).extend(
                    str(entry[key]) for key in ("name", "email") if entry.get(key)
                )
    return found


def _outputs(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix.lower() in READERS:
            yield path


def _leaks(root: Path, secrets: dict[str, list[str]]) -> Iterator[Finding]:
    needles = {needle.casefold(): paper for paper, values in secrets.items() for needle in values}
    if not needles:
        return
    for path in _outputs(root):
        try:
            text = READERS[path.suffix.lower()](path).casefold()
        except Exception as exc:  # an unreadable output is itself a reason not to publish
            yield Finding("unreadable", str(path.relative_to(root)), f"{type(exc).__name__}: {exc}")
            continue
        for needle, paper in needles.items():
            if needle in text:
                yield Finding("anonymity", str(path.relative_to(root)), f"names an anonymous author of paper {paper!r}")


def _pages(html: Path) -> Iterator[tuple[Path, BeautifulSoup]]:
    for path in sorted(html.rglob("*.html")):
        yield path, BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _internal_target(page: Path, url: str) -> Path | None:
    """The file an internal link or image points to, or None for external URLs and anchors."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    target = (page.parent / unquote(parts.path)).resolve()
    return target / "index.html" if target.is_dir() else target


def _links_images_funding(html: Path) -> Iterator[Finding]:
    for path, soup in _pages(html):
        where = str(path.relative_to(html))
        for tag, attribute in (("a", "href"), ("img", "src"), ("link", "href"), ("script", "src")):
            for element in soup.find_all(tag):
                url = element.get(attribute)
                target = _internal_target(path, str(url)) if url else None
                if target is not None and not target.is_file():
                    yield Finding("broken-link", where, f"<{tag} {attribute}={url!r}> has no target")
        for image in soup.find_all("img"):
            if not str(image.get("alt") or "").strip() and image.get("role") != "presentation":
                yield Finding("alt-text", where, f"image {image.get('src')!r} has no alt text")
        header = soup.select_one(".paper-header")
        if header is not None:
            facts = [dt.get_text(strip=True).rstrip(":") for dt in header.select(".paper-facts dt")]
            if "Funding" not in facts:
                yield Finding("funding", where, "the paper page shows no funding disclosure")


def _page_ranges(pages_file: Path, html: Path) -> Iterator[Finding]:
    """Page ranges from the PDF stage against the per-paper PDFs and the pages' citation tags."""
    if not pages_file.is_file():
        return
    for volume, papers in json.loads(pages_file.read_text(encoding="utf-8")).items():
        for paper, (first, last) in papers.items():
            pdf = html / "pdf" / volume / f"{paper}.pdf"
            where = str(pdf.relative_to(html))
            if not pdf.is_file():
                yield Finding("pages", where, "per-paper PDF is missing")
            elif len(PdfReader(pdf).pages) != last - first + 1:
                yield Finding("pages", where, f"does not have the {last - first + 1} pages {first}-{last}")
            page = html / volume / "papers" / paper / "paper.html"
            if page.is_file():
                soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
                for name, expected in (("citation_firstpage", first), ("citation_lastpage", last)):
                    tag = soup.find("meta", attrs={"name": name})
                    if tag is not None and tag.get("content") != str(expected):
                        found = tag.get("content")
                        yield Finding("pages", str(page.relative_to(html)), f"{name} is {found}, not {expected}")


def check_output(out: Path, private_dir: Path, site: str = "html") -> list[Finding]:
    """Everything wrong with a built output folder (``build/``, its site in ``site``), as findings."""
    html = out / site
    findings = list(_leaks(html, load_private_authors(private_dir)))
    findings.extend(_links_images_funding(html))
    findings.extend(_page_ranges(out / "latex" / "pages.json", html))
    return findings

