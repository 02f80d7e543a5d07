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

import shutil
from dataclasses import replace
from pathlib import Path

from proceedings.build.sphinx import BuildError, BuildResult, Output, build_html, missing_tex_tools
from proceedings.build.volumes import build_pdfs
from proceedings.layout import paper_dirs, volumes

__all__ = ["BuildError", "BuildResult", "Output", "build", "build_html", "build_pdfs", "missing_tex_tools"]


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
