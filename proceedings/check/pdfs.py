"""Submitted PDFs (PDF-only papers, PDF figures): readable, and without what can name their authors or run.

A PDF names its makers in more places than its information dictionary: XMP metadata
streams on the catalog, on each page and on each Form XObject; bookmarks (outlines);
annotations (comments carry their author in ``/T``); and it can carry JavaScript
(``/OpenAction``, ``/AA``, the ``/Names`` tree) and embedded files. All of these are
dropped when a PDF-only paper is collected, so that even an HTML-only build publishes
a clean PDF.
"""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from proceedings.check.threats import Threat

__all__ = ["UnreadablePdf", "clean_pdf", "pdf_threats"]

_OBJECT_KEYS = ("/Metadata", "/PieceInfo", "/AA", "/Annots", "/Thumb")
_MAX_DEPTH = 50

MAX_PDF_BYTES = 50 * 2**20
"""A camera-ready PDF's size: the same as a whole package's."""

MAX_PDF_PAGES = 200
"""Pages of one paper: more is not a workshop paper, and the volume would carry all of them."""


class UnreadablePdf(ValueError):
    """A PDF that cannot be read, is encrypted, or has no pages."""


def _reader(data: bytes) -> PdfReader:
    if not data.startswith(b"%PDF-"):
        raise UnreadablePdf("the file is not a PDF (it does not start with %PDF-)")
    if len(data) > MAX_PDF_BYTES:
        raise UnreadablePdf(f"the PDF has {len(data)} bytes, more than the {MAX_PDF_BYTES} allowed")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnreadablePdf("the PDF is encrypted; submit it without a password or restrictions")
        if len(reader.pages) == 0:
            raise UnreadablePdf("the PDF has no pages")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise UnreadablePdf(f"the PDF has {len(reader.pages)} pages, more than the {MAX_PDF_PAGES} allowed")
    except UnreadablePdf:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError) as exc:
        raise UnreadablePdf(f"the PDF cannot be read ({type(exc).__name__}: {exc})") from None
    return reader


def pdf_threats(data: bytes, file: str) -> list[Threat]:
    """Why a PDF figure cannot be used, if it cannot."""
    try:
        _reader(data)
    except UnreadablePdf as exc:
        return [Threat(file, None, "pdf:unreadable", f"The PDF cannot be used: {exc}.")]
    return []


def clean_pdf(data: bytes) -> bytes:
    """The same pages without metadata, bookmarks, annotations, scripts and embedded files.

    Raises :class:`UnreadablePdf` for a file that is not a readable, unencrypted PDF.
    """
    reader = _reader(data)
    try:
        # Pages are cleaned where they were read, then copied into a new document: only what
        # they still reference is written, never the old catalog's outlines, names or scripts.
        for page in reader.pages:
            _clean(page, 0, set())
        writer = PdfWriter()
        for page in reader.pages:
            writer.add_page(page)
        writer.metadata = None
        out = io.BytesIO()
        writer.write(out)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError) as exc:
        raise UnreadablePdf(f"the PDF cannot be rewritten ({type(exc).__name__}: {exc})") from None
    return out.getvalue()


def _clean(obj: Any, depth: int, seen: set[int]) -> None:
    """Drop metadata, annotations and actions from a page and every Form XObject it draws."""
    if isinstance(obj, IndirectObject):
        if obj.idnum in seen:
            return
        seen.add(obj.idnum)
        obj = obj.get_object()
    if depth > _MAX_DEPTH or not isinstance(obj, DictionaryObject):
        return
    for key in _OBJECT_KEYS:
        if key in obj:
            del obj[key]
    resources = obj.get("/Resources")
    resources = resources.get_object() if resources is not None else None
    if not isinstance(resources, DictionaryObject):
        return
    for category in ("/XObject", "/Pattern"):
        entries = resources.get(category)
        entries = entries.get_object() if entries is not None else None
        if isinstance(entries, DictionaryObject):
            for value in entries.values():
                _clean(value, depth + 1, seen)
        elif isinstance(entries, ArrayObject):
            for value in entries:
                _clean(value, depth + 1, seen)
