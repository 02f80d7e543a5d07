"""`proceedings check`: every planted leak and broken link is caught; a clean build passes."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from pdfs import tiny_pdf
from PIL import Image, PngImagePlugin
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

from proceedings.build import Output
from proceedings.check.output import READERS, check_output
from proceedings.cli import main

SECRET = "Valentina Quiroga-Secret"
PRIVATE = f"ex03-anonymous-surveillance:\n  - {{name: {SECRET}, email: vq@example.net}}\n"


@pytest.fixture
def output(site: Output, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the real built site, and a private folder naming one anonymous author."""
    out = tmp_path / "build"
    shutil.copytree(site.html, out / "html")
    (out / "latex").mkdir()
    shutil.copy(site.pages, out / "latex" / "pages.json")
    private = tmp_path / "private"
    (private / "iclr2026").mkdir(parents=True)
    (private / "iclr2026" / "anonymous-authors.yml").write_text(PRIVATE)
    return out, private


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _pdf_with_xmp(path: Path) -> None:
    writer = PdfWriter(clone_from=PdfReader(path))
    stream = DecodedStreamObject()
    stream.set_data(f"<x:xmpmeta><dc:creator>{SECRET}</dc:creator></x:xmpmeta>".encode())
    stream[NameObject("/Type")] = NameObject("/Metadata")
    writer.root_object[NameObject("/Metadata")] = writer._add_object(stream)
    writer.write(path)


def _png_text(path: Path) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", SECRET)
    Image.new("RGB", (4, 4), "white").save(path, pnginfo=info)


def _jpeg_exif(path: Path) -> None:
    exif = Image.Exif()
    exif[0x013B] = SECRET
    Image.new("RGB", (4, 4), "white").save(path, exif=exif)


def _gif_comment(path: Path) -> None:
    Image.new("P", (2, 2)).save(path, "GIF", comment=SECRET.encode())


PLANTS: dict[str, tuple[str, Callable[[Path], None]]] = {
    "page": ("iclr2026/papers/ex03-anonymous-surveillance/paper.html", lambda p: _append(p, f"<p>{SECRET}</p>")),
    "meta tag": ("iclr2026/overview.html", lambda p: _append(p, f'<meta name="citation_author" content="{SECRET}">')),
    "search index": ("searchindex.js", lambda p: _append(p, f'"{SECRET.lower()}"')),
    "sitemap": ("sitemap.xml", lambda p: p.write_text(f"<urlset><url>{SECRET}</url></urlset>")),
    "bibtex": ("iclr2026/planted.bib", lambda p: p.write_text(f"@misc{{x, author = {{{SECRET}}}}}")),
    "ris": ("iclr2026/planted.ris", lambda p: p.write_text(f"TY  - CONF\nAU  - {SECRET}\nER  - \n")),
    "json-ld": ("iclr2026/planted.json", lambda p: p.write_text(f'{{"author": "{SECRET}"}}')),
    "e-mail": ("iclr2026/contact.html", lambda p: _append(p, "mailto:VQ@example.net")),
    "volume pdf text": ("pdf/iclr2026-proceedings.pdf", lambda p: p.write_bytes(tiny_pdf(SECRET))),
    "paper pdf info": ("pdf/iclr2026/ex03-anonymous-surveillance.pdf",
                       lambda p: p.write_bytes(tiny_pdf("clean", author=SECRET))),
    "paper pdf xmp": ("pdf/iclr2026/ex01-dual-use-audit.pdf", _pdf_with_xmp),
    "png text chunk": ("_images/planted.png", _png_text),
    "jpeg exif": ("_images/planted.jpg", _jpeg_exif),
    "svg": ("_images/*figure*.svg", lambda p: _append(p, f"<!-- {SECRET} -->")),  # as the build names it
    "gif comment": ("_images/planted.gif", lambda p: _gif_comment(p)),
    "markdown source": ("_sources/planted.md", lambda p: p.write_text(f"# {SECRET}\n")),
    "any other file": ("_static/planted.woff2", lambda p: p.write_bytes(b"\x00wOF2" + SECRET.encode() + b"\x00")),
}


def test_clean_build_passes(output: tuple[Path, Path]) -> None:
    out, private = output
    assert check_output(out, private) == []
    assert main(["check", "--out", str(out), "--private", str(private)]) == 0


@pytest.mark.parametrize("kind", sorted(PLANTS))
def test_planted_leak_is_caught(output: tuple[Path, Path], kind: str) -> None:
    out, private = output
    relative, plant = PLANTS[kind]
    if "*" in relative:
        relative = sorted(p.relative_to(out / "html").as_posix() for p in (out / "html").glob(relative))[0]
    target = out / "html" / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    plant(target)
    leaks = [(f.kind, f.file) for f in check_output(out, private) if f.kind == "anonymity"]
    assert leaks == [("anonymity", relative)]
    assert main(["check", "--out", str(out), "--private", str(private)]) == 1


def test_every_output_type_has_a_planted_leak() -> None:
    planted = {Path(relative).suffix for relative, _ in PLANTS.values()}
    assert planted >= set(READERS) - {".txt", ".tex", ".jpeg", ".webp", ".tif", ".tiff"}


def test_broken_link_missing_alt_missing_funding_and_pages_are_caught(output: tuple[Path, Path]) -> None:
    out, private = output
    paper = out / "html" / "iclr2026" / "papers" / "ex01-dual-use-audit" / "paper.html"
    html = paper.read_text(encoding="utf-8")
    html = html.replace('alt="', 'data-alt="', 1).replace("<dt", "<dt hidden", 0)
    html = html.replace("Funding", "Fundraising")
    paper.write_text(html + '<a href="../nowhere.html">x</a>', encoding="utf-8")
    (out / "html" / "pdf" / "iclr2026" / "ex02-funding-trails.pdf").write_bytes(tiny_pdf("short", pages=1))
    kinds = sorted((f.kind, f.file) for f in check_output(out, private))
    paper_file = "iclr2026/papers/ex01-dual-use-audit/paper.html"
    assert kinds == [
        ("alt-text", paper_file),
        ("broken-link", paper_file),
        ("funding", paper_file),
        ("pages", "pdf/iclr2026/ex02-funding-trails.pdf"),
        # "Funding Trails" is another paper's title, in this page's sidebar; the tiny PDF has neither its title
        # nor its authors
        ("stale", paper_file),
        ("stale", "pdf/iclr2026/ex02-funding-trails.pdf"),
        ("stale", "pdf/iclr2026/ex02-funding-trails.pdf"),
    ]


def test_a_page_read_before_is_checked_again_against_what_exists_now(output: tuple[Path, Path]) -> None:
    """Pages are read once and kept by size and date, but every link is looked up on each check."""
    out, private = output
    assert check_output(out, private) == []
    assert (out / "doctrees" / "check-memo.json").is_file()
    (out / "html" / "iclr2026" / "papers" / "ex02-funding-trails" / "ex02-funding-trails.bib").unlink()
    (out / "html" / "iclr2026" / "funding.html").unlink()
    broken = sorted({(f.kind, f.file) for f in check_output(out, private)})
    assert ("broken-link", "iclr2026/papers/ex02-funding-trails/paper.html") in broken
    assert ("broken-link", "iclr2026/papers/ex01-dual-use-audit/paper.html") in broken  # its sidebar
    assert {kind for kind, _file in broken} == {"broken-link"}


def test_a_name_planted_with_the_files_size_and_date_kept_is_still_caught(output: tuple[Path, Path]) -> None:
    """Whether a file names an anonymous author is asked again whenever its bytes changed."""
    out, private = output
    assert check_output(out, private) == []
    target = out / "html" / "iclr2026" / "overview.html"
    status, text = target.stat(), target.read_text(encoding="utf-8")
    at = text.index("<p>") + len("<p>")
    target.write_text(text[:at] + SECRET + text[at + len(SECRET):], encoding="utf-8")
    os.utime(target, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert target.stat().st_size == status.st_size
    leaks = [(f.kind, f.file) for f in check_output(out, private) if f.kind == "anonymity"]
    assert leaks == [("anonymity", "iclr2026/overview.html")]
