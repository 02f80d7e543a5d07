"""The PDF side of a build: the LaTeX sources written when their inputs changed, each volume compiled and finished."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable
from importlib.metadata import version
from pathlib import Path

from proceedings.atomic import write_atomically
from proceedings.build.progress import progress
from proceedings.build.sphinx import BuildError, Output, _sphinx
from proceedings.layout import PAPER_FILE, WORKSHOP_FILE, paper_dirs, volumes
from proceedings.model import MetadataError, Paper, load_paper, load_workshop
from proceedings.pdf.compile import TEX_TIMEOUT, LatexError, compile_volume
from proceedings.pdf.cut import finish_volume
from proceedings.pdf.pages import PageRange, PageRanges, write_page_ranges


def _papers(srcdir: Path, volume: str, skip: set[str]) -> dict[str, Paper]:
    papers = {}
    for folder in paper_dirs(srcdir, volume):
        if f"{volume}/{folder.name}" in skip:
            continue
        try:
            papers[folder.name] = load_paper(folder / PAPER_FILE)
        except MetadataError as exc:
            raise BuildError(f"paper {folder.name!r}: {folder / PAPER_FILE}: {exc}") from None
    return papers


def _pdf_to_come(srcdir: Path) -> set[str]:
    """Papers published before their PDF arrived: the volumes leave them out until it does."""
    pending = set()
    for volume in volumes(srcdir):
        for folder in paper_dirs(srcdir, volume):
            try:
                if load_paper(folder / PAPER_FILE).pdf_to_come:
                    pending.add(f"{volume}/{folder.name}")
            except MetadataError:
                continue  # reported when the volume's papers are read
    return pending


def _stats(folder: Path) -> list[tuple[str, int, int]]:
    """Each file's path, size and modification time (ns)."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            status = path.stat()
            found.append((path.relative_to(folder).as_posix(), status.st_size, status.st_mtime_ns))
    return found


def _reproducible_dates(sources: list[tuple[str, int, int]]) -> None:
    """Date generated files by the sources, not the clock: an unchanged source tree then yields
    byte-identical figures (rsvg-convert) and latexmk finds nothing to run again."""
    newest = max((mtime for _path, _size, mtime in sources), default=0)
    os.environ.setdefault("SOURCE_DATE_EPOCH", str(newest // 1_000_000_000))


def _latex_made_from(sources: list[tuple[str, int, int]], excluded: set[str]) -> str:
    """What the LaTeX sources are made from: the source tree, the papers left out, this package
    and the versions of the tools it drives. Not the pages of the last PDF stage: the volume
    numbers its own pages, and only the web pages print those ranges."""
    tools = {name: version(name) for name in ("sphinx", "docutils", "myst-parser", "sphinxcontrib-bibtex", "pybtex")}
    made_from = [sources, sorted(excluded), _stats(Path(__file__).parent.parent), tools, sys.version]
    return hashlib.sha256(json.dumps(made_from).encode()).hexdigest()


def _compile(volume: str, tex: Path, timeout: float) -> Path:
    """The volume compiled; a LaTeX failure reported by paper (``<volume>/<id>``), like Sphinx's."""
    try:
        return compile_volume(tex, timeout, lambda step: progress().stage(f"{volume}: LaTeX, {step}"))
    except LatexError as exc:
        failures = {f"{volume}/{paper}" if paper else "": lines for paper, lines in exc.failures.items()}
        raise BuildError(str(exc), failures) from None


def build_pdfs(
    srcdir: Path, out: Output, jobs: str = "1", excluded: Iterable[str] = (), tex_timeout: float = TEX_TIMEOUT
) -> list[Path]:
    """Write the LaTeX, compile each volume (each within ``tex_timeout`` seconds) and cut it into per-paper PDFs."""
    skip, sources = set(excluded) | _pdf_to_come(srcdir), _stats(srcdir)
    _reproducible_dates(sources)
    made_from, stamp = _latex_made_from(sources, skip), out.latex / "latex-made-from.txt"
    written_before = all((out.latex / f"{volume}-proceedings.tex").is_file() for volume in volumes(srcdir))
    if not (written_before and stamp.is_file() and stamp.read_text(encoding="utf-8") == made_from):
        stamp.unlink(missing_ok=True)
        progress().stage("writing the LaTeX sources")
        _sphinx("latex", srcdir, out, out.latex, jobs, skip)
        write_atomically(stamp, made_from)
    written: list[Path] = []
    pages: PageRanges = {}
    for volume in volumes(srcdir):
        volume_pdf = _compile(volume, out.latex / f"{volume}-proceedings.tex", tex_timeout)
        workshop = load_workshop(srcdir / volume / WORKSHOP_FILE)
        progress().stage(f"{volume}: publishing the volume and cutting each paper's PDF")
        finished = finish_volume(
            volume, volume_pdf, out.pdf, _papers(srcdir, volume, skip), out.latex,
            subject=f"{workshop.short_name}: {workshop.theme}",
            keywords=workshop.name,
            paper_subject=workshop.short_name,
        )
        written.extend(finished.outputs)
        pages[volume] = {paper: PageRange(first, last) for paper, (first, last) in finished.pages.items()}
    write_page_ranges(out.pages, pages)
    return written
