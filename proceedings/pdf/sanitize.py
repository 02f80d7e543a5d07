"""Submitted PDFs (PDF-only papers) without what can name their authors, and their text for leak checks."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter


def pdf_bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def strip_pdf_metadata(data: bytes) -> bytes:
    """The same pages without the document information and XMP metadata (author, tools)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.metadata = None
    if "/Metadata" in writer.root_object:
        del writer.root_object["/Metadata"]
    return pdf_bytes(writer)


def pdf_text(data: bytes) -> str:
    """All text of a PDF and its metadata, for leak checks."""
    reader = PdfReader(io.BytesIO(data))
    info = " ".join(str(v) for v in (reader.metadata or {}).values())
    return info + "\n" + "\n".join(page.extract_text() or "" for page in reader.pages)
