"""A submission validated and rendered into the files of its paper folder, anonymous authors kept apart."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml

from proceedings import check as safety
from proceedings.collect.submission import Overrides, Submission, SubmissionError
from proceedings.model import MetadataError, Paper, paper_from_frontmatter
from proceedings.pdf import pdf_text, strip_pdf_metadata


def _validate(submission: Submission, overrides: Overrides) -> tuple[Paper, list[dict[str, Any]]]:
    """The paper's validated metadata, and its authors when they must stay private."""
    frontmatter = overrides.apply(submission.paper_id, submission.frontmatter)
    private: list[dict[str, Any]] = []
    if frontmatter.get("anonymous"):
        private = [a if isinstance(a, dict) else {"name": a} for a in frontmatter.pop("authors", [])]
        frontmatter.pop("citation_key", None)  # OpenReview's keys start with the first author's name
    if submission.pdf is not None:
        frontmatter["pdf"] = "paper.pdf"
    try:
        paper = paper_from_frontmatter(frontmatter)
    except MetadataError as exc:
        raise SubmissionError(f"metadata: {exc}") from None
    return paper, private


def _clean_image(name: str, content: bytes) -> bytes:
    """The image without the metadata (EXIF, PNG text, SVG metadata) that can name its maker."""
    if Path(name).suffix.lower() not in {".png", ".jpg", ".jpeg", ".svg"}:
        return content
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / Path(name).name
        path.write_bytes(content)
        safety.strip_image_metadata(path)
        return path.read_bytes()


def _leaks(private: list[dict[str, Any]], texts: dict[str, str]) -> list[str]:
    """Where an anonymous paper still names one of its authors."""
    needles = [str(a[key]) for a in private for key in ("name", "email") if a.get(key)]
    found = []
    for file, text in texts.items():
        folded = text.casefold()
        for needle in needles:
            index = folded.find(needle.casefold())
            if index >= 0:
                line = text.count("\n", 0, index) + 1
                found.append(f"{file}:{line}: names an anonymous author ({needle[:1]}…)")
    return found


def _frontmatter_text(paper: Paper) -> str:
    data = paper.model_dump(mode="json", exclude_defaults=True)
    return "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100) + "---\n"


def render(submission: Submission, overrides: Overrides) -> tuple[Paper, dict[str, bytes], list[dict[str, Any]]]:
    """Every file of the paper's folder, in memory, and the authors to keep private."""
    paper, private = _validate(submission, overrides)
    files = {name: _clean_image(name, content) for name, content in submission.files.items()}
    if submission.pdf is not None:
        files["paper.pdf"] = strip_pdf_metadata(submission.pdf)
    body = submission.body.strip("\n")
    files["paper.md"] = (_frontmatter_text(paper) + ("\n" + body + "\n" if body else "")).encode()
    if submission.bib.strip():
        files["paper.bib"] = submission.bib.encode()
    if private:
        texts = {"paper.md": files["paper.md"].decode(), "paper.bib": submission.bib}
        if submission.pdf is not None:
            texts["paper.pdf"] = pdf_text(files["paper.pdf"])
        for name, content in files.items():
            if name.endswith(".svg"):
                texts[name] = content.decode("utf-8", "replace")
        leaks = _leaks(private, texts)
        if leaks:
            raise SubmissionError("anonymity: " + "; ".join(leaks))
    return paper, files, private
