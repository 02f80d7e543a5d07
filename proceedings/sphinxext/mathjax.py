"""MathJax served with the site, from the copy that sphinx-mathjax-offline ships.

Readers' browsers then ask no third party for it, and math renders offline. The package's
own extension copies its files for every builder and declares nothing about parallel
builds, so only its files are used here: copied once into the HTML output, where a copy
already there is left alone.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

from sphinx.application import Sphinx
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


def copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        copy_asset(_bundle(), Path(app.outdir) / "_static" / "mathjax", force=False)
