"""The PDF stage: LaTeX settings for the volume, latexmk, and the finish (publish and cut).

:mod:`.latex` configures Sphinx's LaTeX builder, :mod:`.compile` runs latexmk,
:mod:`.cut` publishes each volume and cuts one PDF per paper out of it, and
:mod:`.sanitize` cleans PDFs that authors submit themselves.
"""

from proceedings.pdf.compile import TEX_TIMEOUT, LatexError, compile_volume
from proceedings.pdf.cut import FinishedVolume, PaperPages, finish_volume, paper_pages, publish_volume, split_volume
from proceedings.pdf.sanitize import pdf_text, strip_pdf_metadata

__all__ = [
    "TEX_TIMEOUT",
    "FinishedVolume",
    "LatexError",
    "PaperPages",
    "compile_volume",
    "finish_volume",
    "paper_pages",
    "pdf_text",
    "publish_volume",
    "split_volume",
    "strip_pdf_metadata",
]
