"""PDF-only papers: a small YAML file of metadata beside the camera-ready PDF."""

from __future__ import annotations

import re
from pathlib import Path

from proceedings.collect.submission import Submission, SubmissionError
from proceedings.frontmatter import YamlError, load_mapping


def from_pdf_only(metadata: Path) -> Submission:
    """A PDF-only paper: ``<name>.yml`` with its front matter, beside the PDF it names in ``pdf``."""
    try:
        data = load_mapping(metadata.read_text(encoding="utf-8"), metadata.name)
    except YamlError as exc:
        raise SubmissionError(str(exc)) from None
    name = data.pop("pdf", metadata.with_suffix(".pdf").name)
    if not isinstance(name, str) or not re.fullmatch(r"[^/\\\x00]{1,200}", name) or name in (".", ".."):
        raise SubmissionError(f"{metadata.name}: field 'pdf': must name a PDF file beside the metadata, "
                              f"not {str(name)[:60]!r}")
    pdf = metadata.parent / name
    if pdf.is_symlink() or not pdf.is_file():
        raise SubmissionError(f"{metadata.name}: field 'pdf': {pdf.name} is not a file beside the metadata")
    paper_id = data.pop("id", metadata.stem)
    return Submission(paper_id, str(metadata), data, pdf=pdf.read_bytes(), owner=f"pdf-only:{metadata.name}",
                      metadata_file=metadata.name, pdf_file=pdf.name)
