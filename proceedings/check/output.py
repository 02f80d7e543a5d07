"""The check stage: proof, read off the built output, that it is fit to publish.

It fails when an anonymous author's name or e-mail appears anywhere (pages, search
index, sitemap, exports, PDF text and metadata, image metadata), when an internal link
or image is broken, when an image has no alt text, when a paper page lacks its funding
disclosure, when page ranges disagree between outputs, or when an output is stale
(:mod:`.freshness`).

Every output type is read by an entry of :data:`READERS`, any other file as text. What a
file says is kept in ``doctrees/check-memo.json`` beside the site, by the file's size and
modification time (by its bytes, for whether it names an anonymous author), so that after
a rebuild that wrote a few pages only those are read again; the findings themselves are
made afresh every time.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import subprocess
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup
from PIL import Image
from pypdf import PdfReader

from proceedings.build.sphinx import Output
from proceedings.check.leaks import leak_form, leak_forms, svg_text
from proceedings.frontmatter import load_mapping
from proceedings.pdf.pages import read_page_ranges

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
    ".gif": _image,
    ".webp": _image,
    ".tif": _image,
    ".tiff": _image,
}
"""How each type of output is read for names; any other file is read as text, whatever it holds."""


def load_private_authors(private_dir: Path) -> dict[str, list[str]]:
    """Names and e-mails of anonymous authors, by paper id, from the organizers' files."""
    found: dict[str, list[str]] = {}
    for path in sorted(private_dir.glob("*/anonymous-authors.yml")):
        for paper_id, authors in load_mapping(path.read_text(encoding="utf-8"), str(path)).items():
            for author in authors or []:
                entry = author if isinstance(author, dict) else {"name": author}
                found.setdefault(str(paper_id), []).extend(
                    str(entry[key]) for key in ("name", "email") if entry.get(key)
                )
    return found


def _outputs(root: Path) -> Iterator[Path]:
    """Every published file: a type no reader knows (a Markdown source, a font) is still read."""
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield path


class _Memo:
    """What each output file said when last read, kept by the file's size and modification time.

    Keys are paths within the site, so the staged copy of a site (copied with its dates)
    and the published one share answers. Long lists said by many files (every page's
    sidebar links) are kept once. Only what this run asked about is kept.
    """

    def __init__(self, path: Path, site: Path) -> None:
        self.path, self.site = path, site
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))
            self.said: dict[str, list[Any]] = kept["said"]
            self.lists: dict[str, list[Any]] = kept["lists"]
        except (OSError, ValueError, KeyError, TypeError):
            self.said, self.lists = {}, {}
        self.asked: set[str] = set()

    def of(self, file: Path, question: str, read: Callable[[Path], Any], by_content: bool = False) -> Any:
        """The answer ``read`` gave for ``file``, read again only if the file changed since.

        ``by_content`` tells changes by the file's bytes, not its size and date: for the
        question whether an output names an anonymous author, which must never be stale.
        """
        status = file.stat()
        key = f"{question} {file.relative_to(self.site).as_posix()}"
        stamp = [hashlib.sha256(file.read_bytes()).hexdigest()] if by_content else [status.st_size, status.st_mtime_ns]
        kept = self.said.get(key)
        if kept is None or kept[0] != stamp:
            kept = self.said[key] = [stamp, read(file)]
        self.asked.add(key)
        return kept[1]

    def shared(self, items: list[Any]) -> str:
        """A name for ``items``, kept once however many files say it."""
        name = hashlib.sha256(json.dumps(items).encode()).hexdigest()[:16]
        self.lists.setdefault(name, items)
        return name

    def save(self) -> None:
        said = {key: self.said[key] for key in sorted(self.asked)}
        names = {answer.get(key) for _stamp, answer in said.values() if isinstance(answer, dict)
                 for key in ("sidebar", "titles")}
        lists = {name: self.lists[name] for name in sorted(n for n in names if n is not None)}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps({"said": said, "lists": lists}), encoding="utf-8")


def _leaks(root: Path, secrets: dict[str, list[str]], memo: _Memo) -> Iterator[Finding]:
    needles = {leak_form(needle).strip(): paper for paper, values in secrets.items() for needle in values}
    needles.pop("", None)
    if not needles:
        return
    question = "names " + hashlib.sha256("\n".join(sorted(needles)).encode()).hexdigest()

    def named(path: Path) -> list[str]:
        text = READERS.get(path.suffix.lower(), _text)(path)
        forms = leak_forms(svg_text(path.read_bytes()) if path.suffix.lower() == ".svg" else text)
        return [needle for needle in needles if any(needle in form for form in forms)]

    for path in _outputs(root):
        try:
            found = memo.of(path, question, named, by_content=True)
        except Exception as exc:  # an unreadable output is itself a reason not to publish
            yield Finding("unreadable", str(path.relative_to(root)), f"{type(exc).__name__}: {exc}")
            continue
        for needle in found:
            where, paper = str(path.relative_to(root)), needles[needle]
            yield Finding("anonymity", where, f"names an anonymous author of paper {paper!r}")


_LINKS = (("a", "href"), ("img", "src"), ("link", "href"), ("script", "src"))
_PAGE = "page 2"  # the question a page's facts answer; a new number when the facts change
_PAPER_PAGE = re.compile(r"(?P<volume>[^/]+)/papers/(?P<paper>[^/]+)/paper\.html")


def _internal_target(site: Path, page: Path, url: str) -> str | None:
    """The file an internal link or image points to, within the site; None for external URLs."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None
    folder = page.parent.relative_to(site).as_posix()
    path = unquote(parts.path) or page.name  # an anchor on the page itself
    return posixpath.normpath(posixpath.join(folder, path))


def _page_facts(site: Path, memo: _Memo) -> Callable[[Path], dict[str, Any]]:
    """What the checks need from a page: its link targets (its sidebar's kept once), images
    without alt text, the facts of a paper's header and its page meta tags."""

    def read(path: Path) -> dict[str, Any]:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        sidebar_tree = soup.select_one(".sidebar-tree")
        in_sidebar = {id(e) for e in sidebar_tree.find_all("a")} if sidebar_tree is not None else set()
        own, sidebar, titles, listed = [], set(), set(), []
        for tag, attribute in _LINKS:
            for element in soup.find_all(tag):
                url = element.get(attribute)
                target = _internal_target(site, path, str(url)) if url else None
                if target is None:
                    continue
                shown = [target, element.get_text()] if tag == "a" and _PAPER_PAGE.fullmatch(target) else None
                if id(element) in in_sidebar:
                    sidebar.add(target)
                    if shown:
                        titles.add(tuple(shown))
                else:
                    own.append((f"<{tag} {attribute}={url!r}>", target))
                    if shown and element.find_parent(class_="paper-list") is not None:
                        listed.append(shown)
        header = soup.select_one(".paper-header")
        return {
            "links": own,
            "sidebar": memo.shared(sorted(sidebar)),
            "no_alt": [str(image.get("src")) for image in soup.find_all("img")
                       if not str(image.get("alt") or "").strip() and image.get("role") != "presentation"],
            "facts": None if header is None else [
                dt.get_text(strip=True).rstrip(":") for dt in header.select(".paper-facts dt")
            ],
            "meta": {name: str(tag.get("content")) for tag in soup.find_all("meta")
                     if (name := str(tag.get("name"))) in ("citation_firstpage", "citation_lastpage")},
            "titles": memo.shared(sorted(titles)),
            "listed": listed,
            "cited": [
                [str(tag.get("name")), str(tag.get("content"))]
                for tag in soup.find_all("meta", attrs={"name": ("citation_title", "citation_author")})
            ],
        }

    return read


def _links_images_funding(html: Path, memo: _Memo) -> Iterator[Finding]:
    exists: dict[str, bool] = {}

    def is_file(target: str) -> bool:
        if target not in exists:
            path = html / target
            exists[target] = (path / "index.html" if path.is_dir() else path).is_file()
        return exists[target]

    read = _page_facts(html, memo)
    for path in sorted(html.rglob("*.html")):
        where, facts = str(path.relative_to(html)), memo.of(path, _PAGE, read)
        links = [*facts["links"], *((f"<a href={t!r}> in the sidebar", t) for t in memo.lists[facts["sidebar"]])]
        for link, target in links:
            if not is_file(target):
                yield Finding("broken-link", where, f"{link} has no target")
        for source in facts["no_alt"]:
            yield Finding("alt-text", where, f"image {source!r} has no alt text")
        if facts["facts"] is not None and "Funding" not in facts["facts"]:
            yield Finding("funding", where, "the paper page shows no funding disclosure")


def _page_ranges(pages_file: Path, html: Path, memo: _Memo) -> Iterator[Finding]:
    """Page ranges from the PDF stage against the per-paper PDFs and the pages' citation tags."""
    for volume, papers in read_page_ranges(pages_file).items():
        for paper, (first, last) in ((paper, (r.first, r.last)) for paper, r in papers.items()):
            pdf = html / "pdf" / volume / f"{paper}.pdf"
            where = str(pdf.relative_to(html))
            if not pdf.is_file():
                yield Finding("pages", where, "per-paper PDF is missing")
            elif memo.of(pdf, "pages", lambda p: len(PdfReader(p).pages)) != last - first + 1:
                yield Finding("pages", where, f"does not have the {last - first + 1} pages {first}-{last}")
            page = html / volume / "papers" / paper / "paper.html"
            if page.is_file():
                meta = memo.of(page, _PAGE, _page_facts(html, memo))["meta"]
                for name, expected in (("citation_firstpage", first), ("citation_lastpage", last)):
                    found = meta.get(name)
                    if found is not None and found != str(expected):
                        yield Finding("pages", str(page.relative_to(html)), f"{name} is {found}, not {expected}")


def check_output(out: Path, private_dir: Path, site: str = "html", srcdir: Path | None = None) -> list[Finding]:
    """Everything wrong with a built output folder (``build/``, its site in ``site``), as findings;
    given the source tree ``srcdir``, papers' pages are checked against their sources too."""
    html = out / site
    memo = _Memo(out / "doctrees" / "check-memo.json", html)
    findings = list(_leaks(html, load_private_authors(private_dir), memo))
    findings.extend(_links_images_funding(html, memo))
    findings.extend(_page_ranges(Output(out, site).pages, html, memo))
    from proceedings.check.freshness import freshness  # it reads pages through this module's memo

    findings.extend(freshness(html, memo, srcdir))
    memo.save()
    return findings

