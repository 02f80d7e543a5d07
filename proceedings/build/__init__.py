"""The build stage: Sphinx HTML and LaTeX from one source tree, then the PDF finish.

Output, under one folder (``build/`` by default)::

    html/                     the published site; ``html/pdf/`` holds the PDFs it links to
    html/pdf/<volume>-proceedings.pdf
    html/pdf/<volume>/<paper id>.pdf
    latex/                    the LaTeX sources, logs and ``pages.json`` (each paper's pages)
    doctrees/html/            the site's Sphinx environment, published with the site
    doctrees/latex/           the LaTeX builder's own environment

A build is atomic: the site and its environment are built into staging folders (copies
of the published ones, so that Sphinx still rebuilds only what changed), checked, and
only then swapped into place. A failed or killed build leaves the published site, and the
environment that describes it, as they were.
"""

from __future__ import annotations

import ctypes
import os
import shutil
from dataclasses import replace
from pathlib import Path

from proceedings.build.progress import Progress, progress, shown
from proceedings.build.sphinx import BuildError, BuildResult, Output, build_html, missing_tex_tools
from proceedings.build.volumes import build_pdfs
from proceedings.layout import paper_dirs, volumes
from proceedings.pdf.compile import TEX_TIMEOUT

__all__ = ["BuildError", "BuildResult", "Output", "Progress", "build", "build_html", "build_pdfs", "missing_tex_tools"]


def _build_once(
    srcdir: Path, stage: Output, pdf: bool, jobs: str, excluded: set[str], tex_timeout: float
) -> list[Path]:
    """PDFs first, so that the site can give every paper its pages in the volume."""
    written = build_pdfs(srcdir, stage, jobs, excluded, tex_timeout) if pdf else []
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


def _exchange(staged: Path, published: Path) -> bool:
    """Swap two folders in one step (Linux's ``renameat2`` with ``RENAME_EXCHANGE``); False where unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_cwd, exchange = -100, 2
    return renameat2(at_cwd, os.fsencode(staged), at_cwd, os.fsencode(published), exchange) == 0


def _swap_in(staged: Path, published: Path) -> None:
    """Put ``staged`` in place of ``published``; a kill at any moment leaves one or the other there."""
    if not published.exists():
        staged.rename(published)
    elif _exchange(staged, published):
        shutil.rmtree(staged)
    else:
        previous = published.with_name(f".previous-{published.name}")
        shutil.rmtree(previous, ignore_errors=True)
        published.rename(previous)
        staged.rename(published)
        shutil.rmtree(previous)


def _recover(published: Path) -> None:
    """Put back a published folder that a build killed between two renames left aside."""
    previous = published.with_name(f".previous-{published.name}")
    if previous.exists() and not published.exists():
        previous.rename(published)


def _stage(out: Output, stage: Output) -> None:
    """Start the staged site and environment as copies of the published pair, or empty, so that
    Sphinx rebuilds only what changed; whatever a failed or killed build staged is discarded."""
    pairs = [(out.html, stage.html), (out.environment("html"), stage.environment("html"))]
    for published, staged in pairs:
        _recover(published)
        shutil.rmtree(staged, ignore_errors=True)
    if out.html.exists():
        for published, staged in pairs:
            if published.exists():
                shutil.copytree(published, staged, symlinks=True)


def _publish(stage: Output, out: Output) -> None:
    """Swap the checked staging site in for the published one, then its environment: killed in
    between, the next build finds the new site with the older environment, which only makes it
    read again what changed since."""
    _swap_in(stage.html, out.html)
    _swap_in(stage.environment("html"), out.environment("html"))


def build(
    srcdir: Path, out: Output, *, pdf: bool = True, jobs: str = "1", private: Path = Path("private"),
    skip_failing: bool = False, tex_timeout: float = TEX_TIMEOUT, display: Progress | None = None,
) -> BuildResult:
    """Build, check and publish atomically; with ``skip_failing``, leave out papers that fail.

    ``tex_timeout`` bounds each volume's LaTeX run, in seconds; ``display`` shows the stages.
    """
    with shown(display or Progress()):
        return _build(srcdir, out, pdf, jobs, private, skip_failing, tex_timeout)


def _build(
    srcdir: Path, out: Output, pdf: bool, jobs: str, private: Path, skip_failing: bool, tex_timeout: float
) -> BuildResult:
    from proceedings.check.output import check_output

    stage = replace(out, site=".staging-html")
    _stage(out, stage)
    result = BuildResult()
    try:
        while True:
            try:
                result.written = _build_once(srcdir, stage, pdf, jobs, set(result.excluded), tex_timeout)
                _prune(srcdir, stage, set(result.excluded))
                break
            except BuildError as exc:
                blamed = {paper: lines for paper, lines in exc.failures.items() if paper}
                if not skip_failing or not blamed or "" in exc.failures:
                    raise
                result.excluded.update(blamed)
                progress().stage(f"building again without {', '.join(sorted(blamed))}")
        progress().stage("checking the site")
        findings = check_output(stage.root, private, site=stage.site, srcdir=srcdir)
        if findings:
            raise BuildError("the check found problems:\n" + "\n".join(map(str, findings)))
        _publish(stage, out)
        progress().stage(f"published {out.html}")
    finally:
        shutil.rmtree(stage.html, ignore_errors=True)
        shutil.rmtree(stage.environment("html"), ignore_errors=True)
    result.written = [out.html / path.relative_to(stage.html) for path in result.written]
    return result
