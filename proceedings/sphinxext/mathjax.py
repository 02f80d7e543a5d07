"""MathJax served with the site, from the copy that sphinx-mathjax-offline ships.

Readers' browsers then ask no third party for it, and math renders offline. The package's
own extension copies its files for every builder and declares nothing about parallel
builds, so only its files are used here: copied into the HTML output once, and again only
when the output or the installed bundle is another one (a note beside the doctrees says
which copy was made from which bundle). The copy is made before any page is written, as
Sphinx adds a file's checksum to its link only when the file is there: otherwise a clean
build's pages and a rebuild's would differ.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.config import Config
from sphinx.util.fileutil import copy_asset

__all__ = ["copy_mathjax", "use_local_mathjax"]


def _bundle() -> Path:
    spec = find_spec("sphinx-mathjax-offline")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("sphinx-mathjax-offline is not installed")
    return Path(spec.origin).parent / "static" / "mathjax"


def use_local_mathjax(app: Sphinx, config: Config) -> None:
    config.mathjax_path = "mathjax/tex-chtml.js"


def copy_mathjax(app: Sphinx, builder: Builder) -> None:
    """Before any page is written, so that every build links it the same way (Sphinx stamps
    links to static files that exist when a page is written with their checksum)."""
    if builder.format != "html":
        return
    bundle, copy = _bundle(), Path(app.outdir) / "_static" / "mathjax"
    note, made = Path(app.doctreedir) / "mathjax-copied.txt", f"{copy}\n{bundle} {bundle.stat().st_mtime_ns}\n"
    if (copy / "tex-chtml.js").is_file() and note.is_file() and note.read_text(encoding="utf-8") == made:
        return
    copy_asset(bundle, copy, force=False)
    note.write_text(made, encoding="utf-8")
