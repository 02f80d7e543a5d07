"""The build stage: Sphinx HTML and LaTeX from one source tree, then the PDF finish.

Output, under one folder (``build/`` by default)::

    html/                     the published site; ``html/pdf/`` holds the PDFs it links to
    html/pdf/<volume>-proceedings.pdf
    html/pdf/<volume>/<paper id>.pdf
    latex/                    the LaTeX sources, logs and ``pages.json`` (each paper's pages)
    doctrees/                 Sphinx's cache, shared by both builders

A build is atomic: the site is built into a staging folder (a copy of the current site,
so that Sphinx still rebuilds only what changed), checked, and only then moved into
place. A failed build leaves the published site as it was.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from importlib.metadata import version
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util.console import strip_colors
from sphinx.util.docutils import docutils_namespace, patch_docutils

from proceedings.layout import PAPER_FILE, WORKSHOP_FILE, paper_dirs, volumes
from proceedings.model import MetadataError, Paper, load_paper, load_workshop
from proceedings.pdf import compile_volume, finish_volume

__all__ = ["BuildError", "BuildResult", "Output", "build", "build_html", "build_pdfs", "missing_tex_tools"]

TEX_TOOLS = ("xelatex", "latexmk", "rsvg-convert")
_PAPER_IN_WARNING = re.compile(r"(?:^|[/\s])(?P<volume>[\w.-]+)/papers/(?P<paper>[\w-]+)/")


class BuildError(RuntimeError):
    """A build step failed; the message says which paper, which file and why."""

    def __init__(self, message: str, failures: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.failures = failures or {}


@dataclass(frozen=True)
class Output:
    root: Path
    site: str = "html"

    @property
    def html(self) -> Path:
        return self.root / self.site

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
        return self.latex / "pages.json"


@dataclass
class BuildResult:
    written: list[Path] = field(default_factory=list)
    excluded: dict[str, list[str]] = field(default_factory=dict)


def missing_tex_tools() -> list[str]:
    return [tool for tool in TEX_TOOLS if shutil.which(tool) is None]


def _by_paper(warnings: str) -> dict[str, list[str]]:
    """Warnings grouped by the paper (``<volume>/<id>``) whose files they name; others under ''."""
    grouped: dict[str, list[str]] = {}
    for line in warnings.splitlines():
        if "WARNING" not in line and "ERROR" not in line:
            continue
        match = _PAPER_IN_WARNING.search(line)
        key = f"{match['volume']}/{match['paper']}" if match else ""
        grouped.setdefault(key, []).append(line.strip())
    return grouped


def _sphinx(
    builder: str, srcdir: Path, out: Output, outdir: Path, jobs: str, excluded: Iterable[str], pdf: bool = True
) -> None:
    """One Sphinx build, strict: any warning is an error, reported by paper."""
    warnings = io.StringIO()
    overrides = {
        "proceedings_pages_file": str(out.pages), "proceedings_exclude": sorted(excluded), "proceedings_pdf": pdf,
    }
    with patch_docutils(srcdir), docutils_namespace():
        app = Sphinx(
            srcdir, srcdir, outdir, out.doctrees, builder, overrides, status=None, warning=warnings,
            keep_going=True, parallel=(os.cpu_count() or 1) if jobs == "auto" else int(jobs),
        )
        app.build()
    text = strip_colors(warnings.getvalue())
    if text.strip():
        sys.stderr.write(text)
        failures = _by_paper(text)
        raise BuildError(f"the {builder} build warned ({sum(map(len, failures.values()))} warnings)", failures)


def build_html(srcdir: Path, out: Output, jobs: str = "1", excluded: Iterable[str] = (), pdf: bool = True) -> None:
    """The site; PDF-only papers' camera-ready PDFs are published at once, until the volume replaces them."""
    skip = set(excluded)
    _sphinx("html", srcdir, out, out.html, jobs, skip, pdf)
    for volume in volumes(srcdir):
        for folder in paper_dirs(srcdir, volume):
            camera_ready = folder / "paper.pdf"
            published = out.pdf / volume / f"{folder.name}.pdf"
            if f"{volume}/{folder.name}" not in skip and camera_ready.is_file() and not published.is_file():
                published.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(camera_ready, published)


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
    made_from = [sources, sorted(excluded), _stats(Path(__file__).parent), tools, sys.version]
    return hashlib.sha256(json.dumps(made_from).encode()).hexdigest()


def build_pdfs(srcdir: Path, out: Output, jobs: str = "1", excluded: Iterable[str] = ()) -> list[Path]:
    """Write the LaTeX, compile each volume and cut it into per-paper PDFs."""
    skip, sources = set(excluded), _stats(srcdir)
    _reproducible_dates(sources)
    made_from, stamp = _latex_made_from(sources, skip), out.latex / "latex-made-from.txt"
    written_before = all((out.latex / f"{volume}-proceedings.tex").is_file() for volume in volumes(srcdir))
    if not (written_before and stamp.is_file() and stamp.read_text(encoding="utf-8") == made_from):
        stamp.unlink(missing_ok=True)
        _sphinx("latex", srcdir, out, out.latex, jobs, skip)
        stamp.write_text(made_from, encoding="utf-8")
    written: list[Path] = []
    pages: dict[str, dict[str, list[int]]] = {}
    for volume in volumes(srcdir):
        volume_pdf = compile_volume(out.latex / f"{volume}-proceedings.tex")
        workshop = load_workshop(srcdir / volume / WORKSHOP_FILE)
        finished = finish_volume(
            volume, volume_pdf, out.pdf, _papers(srcdir, volume, skip), out.latex,
            subject=f"{workshop.short_name}: {workshop.theme}",
            keywords=workshop.name,
            paper_subject=workshop.short_name,
        )
        written.extend(finished.outputs)
        pages[volume] = finished.pages
    text = json.dumps(pages, indent=1, sort_keys=True) + "\n"
    if not out.pages.is_file() or out.pages.read_text(encoding="utf-8") != text:
        out.pages.write_text(text, encoding="utf-8")
    return written


def _build_once(srcdir: Path, stage: Output, pdf: bool, jobs: str, excluded: set[str]) -> list[Path]:
    """PDFs first, so that the site can give every paper its pages in the volume."""
    written = build_pdfs(srcdir, stage, jobs, excluded) if pdf else []
    build_html(srcdir, stage, jobs, excluded, pdf)
    return written


def _prune(srcdir: Path, stage: Output, excluded: set[str]) -> None:
    """Remove what earlier builds wrote for papers that are gone or left out: Sphinx never deletes."""
    for volume in volumes(srcdir):
        kept = {f.name for f in paper_dirs(srcdir, volume)} - {p.split("/", 1)[1] for p in excluded
                                                               if p.startswith(f"{volume}/")}
        for folder in (stage.html / volume / "papers").glob("*/"):
            if folder.is_dir() and folder.name not in kept and folder.name != "_images":
                shutil.rmtree(folder)
        for pdf in (stage.pdf / volume).glob("*.pdf"):
            if pdf.stem not in kept:
                pdf.unlink()


def _publish(stage: Output, out: Output) -> None:
    """Swap the checked staging site in for the published one."""
    previous = out.root / ".previous-html"
    shutil.rmtree(previous, ignore_errors=True)
    if out.html.exists():
        out.html.rename(previous)
    stage.html.rename(out.html)
    shutil.rmtree(previous, ignore_errors=True)


def build(
    srcdir: Path, out: Output, *, pdf: bool = True, jobs: str = "1", private: Path = Path("private"),
    skip_failing: bool = False,
) -> BuildResult:
    """Build, check and publish atomically; with ``skip_failing``, leave out papers that fail."""
    from proceedings.check import check_output

    stage = replace(out, site=".staging-html")
    shutil.rmtree(stage.html, ignore_errors=True)
    if out.html.exists():
        shutil.copytree(out.html, stage.html)
    result = BuildResult()
    try:
        while True:
            try:
                result.written = _build_once(srcdir, stage, pdf, jobs, set(result.excluded))
                _prune(srcdir, stage, set(result.excluded))
                break
            except BuildError as exc:
                blamed = {paper: lines for paper, lines in exc.failures.items() if paper}
                if not skip_failing or not blamed or "" in exc.failures:
                    raise
                result.excluded.update(blamed)
        findings = check_output(stage.root, private, site=stage.site)
        if findings:
            raise BuildError("the check found problems:\n" + "\n".join(map(str, findings)))
        _publish(stage, out)
    finally:
        shutil.rmtree(stage.html, ignore_errors=True)
    result.written = [out.html / path.relative_to(stage.html) for path in result.written]
    return result
