"""PDF-only papers: a small YAML file of metadata beside the camera-ready PDF."""

from __future__ import annotations

from pathlib import Path

import yaml

from proceedings.collect.submission import Submission, SubmissionError, slug


def from_pdf_only(metadata: Path) -> Submission:
    """A PDF-only paper: ``<name>.yml`` with its front matter, beside the PDF it names in ``pdf``."""
    data = yaml.safe_load(metadata.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise SubmissionError(f"{metadata.name}: must be a mapping of field names to values")
    pdf = metadata.parent / str(data.pop("pdf", metadata.with_suffix(".pdf").name))
    if not pdf.is_file() or pdf.parent.resolve() != metadata.parent.resolve():
        raise SubmissionError(f"{metadata.name}: field 'pdf': {pdf.name} is not a file beside the metadata")
    paper_id = str(data.pop("id", slug(metadata.stem)))
    return Submission(paper_id, str(metadata), data, pdf=pdf.read_bytes())
