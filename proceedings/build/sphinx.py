"""One strict Sphinx run, and where a build writes: any warning fails it, reported by paper."""

from __future__ import annotations

import io
import os
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.builders.html._assets import _file_checksum_inner
from sphinx.environment import BuildEnvironment
from sphinx.errors import SphinxParallelError
from sphinx.search import js_index
from sphinx.util.docutils import docutils_namespace, patch_docutils

from proceedings.build.progress import progress
from proceedings.build.warnings import WarningLog
from proceedings.layout import paper_dirs, volumes

TEX_TOOLS = ("xelatex", "latexmk", "rsvg-convert")


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

    def environment(self, builder: str) -> Path:
        """A builder's own Sphinx environment. Shared, the LaTeX builder's reading an edited paper
        made it look up to date to the HTML builder, which then kept stale pages and exports.
        The site's environment belongs to the site (staged and published with it)."""
        return self.root / "doctrees" / (self.site if builder == "html" else builder)

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


def _sphinx(
    builder: str, srcdir: Path, out: Output, outdir: Path, jobs: str, excluded: Iterable[str], pdf: bool = True
) -> BuildEnvironment:
    """One Sphinx build, strict: any warning, or one kept from an earlier build of an unchanged
    document, is an error, reported by the paper it belongs to (``""`` for the site)."""
    overrides = {
        "proceedings_pages_file": str(out.pages), "proceedings_exclude": sorted(excluded), "proceedings_pdf": pdf,
    }
    _file_checksum_inner.cache_clear()  # kept by path: the staged site's files change between builds
    with patch_docutils(srcdir), docutils_namespace():
        app = Sphinx(
            srcdir, srcdir, outdir, out.environment(builder), builder, overrides, status=progress().status,
            warning=io.StringIO(),
            keep_going=True, parallel=(os.cpu_count() or 1) if jobs == "auto" else int(jobs),
        )
        with WarningLog(app) as log:
            try:
                app.build()
            except SphinxParallelError:
                if app.parallel <= 1:
                    raise
                # another process failed on a document it does not name: find it reading in one process
                return _sphinx(builder, srcdir, out, outdir, "1", excluded, pdf)
            except Exception as exc:  # an extension failed: on the document it was handling
                log.add_exception(exc)
    failures = log.settle(out.environment(builder))
    if failures:
        for lines in failures.values():
            sys.stderr.write("".join(f"{line}\n" for line in lines))
        count = sum(map(len, failures.values()))
        raise BuildError(f"the {builder} build warned or failed ({count} problems)", failures)
    return app.env


def _drop_unused_search_terms(html: Path) -> None:
    """Sphinx keeps the words of a rewritten page's old text in the search index, pointing at no
    page (``"first":[]``), where a clean build has none: dropped, the rebuilt index is the clean one."""
    path = html / "searchindex.js"
    if not path.is_file():
        return
    index = js_index.loads(path.read_text(encoding="utf-8"))
    kept = {
        name: {word: pages for word, pages in index.get(name, {}).items() if pages != []}
        for name in ("terms", "titleterms")
    }
    if any(kept[name] != index.get(name, {}) for name in kept):
        path.write_text(js_index.dumps(index | kept), encoding="utf-8")


def build_html(srcdir: Path, out: Output, jobs: str = "1", excluded: Iterable[str] = (), pdf: bool = True) -> None:
    """The site; PDF-only papers' camera-ready PDFs are published at once, until the volume replaces them."""
    skip = set(excluded)
    progress().stage("building the site")
    env = _sphinx("html", srcdir, out, out.html, jobs, skip, pdf)
    _drop_unused_search_terms(out.html)
    shown = {name for _docnames, name in env.images.values()}
    for image in (out.html / "_images").glob("*"):
        if image.name not in shown:  # Sphinx never deletes an image no page shows any more
            image.unlink()
    (out.html / ".buildinfo.bak").unlink(missing_ok=True)  # Sphinx's copy of the last settings: not for readers
    for volume in volumes(srcdir):
        for folder in paper_dirs(srcdir, volume):
            camera_ready = folder / "paper.pdf"
            published = out.pdf / volume / f"{folder.name}.pdf"
            if f"{volume}/{folder.name}" not in skip and camera_ready.is_file() and not published.is_file():
                published.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(camera_ready, published)
