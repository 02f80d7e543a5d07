"""The build stage: Sphinx HTML and LaTeX from one source tree, then the PDF finish.

Output, under one folder (``build/`` by default)::

    html/                     the site; ``html/pdf/`` holds the PDFs it links to
    html/pdf/<volume>-proceedings.pdf
    html/pdf/<volume>/<paper id>.pdf
    latex/                    the LaTeX sources and logs
    doctrees/                 Sphinx's cache, shared by both builders
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from sphinx.cmd.build import build_main

from proceedings.layout import PAPER_FILE, WORKSHOP_FILE, paper_dirs, volumes
from proceedings.model import MetadataError, Paper, load_paper, load_workshop
from proceedings.pdf import compile_volume, paper_pages, publish_volume, split_volume

__all__ = ["BuildError", "Output", "build", "build_html", "build_pdfs", "missing_tex_tools"]

TEX_TOOLS = ("xelatex", "latexmk", "rsvg-convert")


class BuildError(RuntimeError):
    """A build step failed; the message says which and why."""


@dataclass(frozen=True)
class Output:
    root: Path

    @property
    def html(self) -> Path:
        return self.root / "html"

    @property
    def latex(self) -> Path:
        return self.root / "latex"

    @property
    def doctrees(self) -> Path:
        return self.root / "doctrees"

    @property
    def pdf(self) -> Path:
        return self.html / "pdf"

    @property
    def pages(self) -> Path:
        """Each paper's page range in its volume, written by the PDF stage for the HTML build."""
        return self.root / "pages.json"


def missing_tex_tools() -> list[str]:
    return [tool for tool in TEX_TOOLS if shutil.which(tool) is None]


def _sphinx(builder: str, srcdir: Path, out: Output, outdir: Path, jobs: str) -> None:
    argv = ["-b", builder, "-W", "--keep-going", "-q", "-j", jobs, "-d", str(out.doctrees),
            "-D", f"proceedings_pages_file={out.pages}", str(srcdir), str(outdir)]
    if build_main(argv) != 0:
        raise BuildError(f"the {builder} build failed or warned (see the messages above)")


def build_html(srcdir: Path, out: Output, jobs: str = "1") -> None:
    """The site; PDF-only papers' camera-ready PDFs are published at once, until the volume replaces them."""
    _sphinx("html", srcdir, out, out.html, jobs)
    for volume in volumes(srcdir):
        for folder in paper_dirs(srcdir, volume):
            camera_ready = folder / "paper.pdf"
            published = out.pdf / volume / f"{folder.name}.pdf"
            if camera_ready.is_file() and not published.is_file():
                published.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(camera_ready, published)


def _papers(srcdir: Path, volume: str) -> dict[str, Paper]:
    papers = {}
    for folder in paper_dirs(srcdir, volume):
        try:
            papers[folder.name] = load_paper(folder / PAPER_FILE)
        except MetadataError as exc:
            raise BuildError(f"paper {folder.name!r}: {folder / PAPER_FILE}: {exc}") from None
    return papers


def build_pdfs(srcdir: Path, out: Output, jobs: str = "1") -> list[Path]:
    """Write the LaTeX, compile each volume and cut it into per-paper PDFs."""
    _sphinx("latex", srcdir, out, out.latex, jobs)
    written = []
    pages: dict[str, dict[str, list[int]]] = {}
    for volume in volumes(srcdir):
        volume_pdf = compile_volume(out.latex / f"{volume}-proceedings.tex")
        out.pdf.mkdir(parents=True, exist_ok=True)
        published = out.pdf / volume_pdf.name
        workshop = load_workshop(srcdir / volume / WORKSHOP_FILE)
        publish_volume(volume_pdf, published, f"{workshop.short_name}: {workshop.theme}", workshop.name)
        written.append(published)
        papers = _papers(srcdir, volume)
        written.extend(split_volume(published, out.pdf / volume, papers, workshop.short_name).values())
        pages[volume] = {p.paper_id: [p.first, p.last] for p in paper_pages(published)}
    text = json.dumps(pages, indent=1, sort_keys=True) + "\n"
    if not out.pages.is_file() or out.pages.read_text(encoding="utf-8") != text:
        out.pages.write_text(text, encoding="utf-8")
    return written


def build(srcdir: Path, out: Output, *, pdf: bool = True, jobs: str = "1") -> list[Path]:
    """PDFs first, so that the site can give every paper its pages in the volume."""
    written = build_pdfs(srcdir, out, jobs) if pdf else []
    build_html(srcdir, out, jobs)
    return written
