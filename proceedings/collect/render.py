"""A submission validated and rendered into the files of its paper folder, anonymous authors kept apart.

This is the one choke point every source goes through: the merged metadata (the
source's own, then the organizers' file) is scanned like a paper's body
(:func:`proceedings.check.fields.scan_fields`) and validated; figures and PDFs are
rewritten without metadata; an anonymous paper is checked for its authors' names in
every file it publishes.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import yaml

from proceedings.check.fields import scan_fields
from proceedings.check.images import clean_image
from proceedings.check.leaks import named_at, svg_text
from proceedings.check.pdfs import UnreadablePdf, clean_pdf
from proceedings.check.threats import describe
from proceedings.collect.submission import Overrides, Submission, SubmissionError
from proceedings.model import MetadataError, Paper, paper_from_frontmatter
from proceedings.pdf.sanitize import pdf_text


def _merged(submission: Submission, overrides: Overrides) -> dict[str, Any]:
    """The source's metadata under the organizers', every field scanned with the file it came from."""
    claimed = Overrides.ORGANIZERS_ONLY & set(submission.frontmatter)
    if claimed:
        field = sorted(claimed)[0]
        raise SubmissionError(f"{submission.field_files.get(field, submission.metadata_file)}: field '{field}': "
                              "only the organizers' metadata file may set it")
    frontmatter = overrides.apply(submission.paper_id, submission.frontmatter)
    organizers = overrides.fields(submission.paper_id, submission.frontmatter)
    files = {**submission.field_files, **dict.fromkeys(organizers, overrides.source)}
    threats = scan_fields(frontmatter, files, submission.metadata_file)
    if threats:
        raise SubmissionError(describe(threats))
    return frontmatter


def _contacts(frontmatter: dict[str, Any]) -> list[dict[str, str]]:
    """Authors' e-mail addresses, taken out of the metadata that is published with the paper.

    They come from OpenReview ``authorids`` and mystmd front matter; nothing prints them, and
    ``docs/`` is the repository the site is built from, so they stay with the organizers.
    """
    authors = frontmatter.get("authors")
    if not isinstance(authors, list):
        return []
    contacts = [{"name": str(a.get("name", "")), "email": str(a["email"])}
                for a in authors if isinstance(a, dict) and a.get("email")]
    frontmatter["authors"] = [{k: v for k, v in a.items() if k != "email"} if isinstance(a, dict) else a
                              for a in authors]
    return contacts


def _validate(submission: Submission, overrides: Overrides) -> tuple[Paper, list[dict[str, Any]], list[dict[str, str]]]:
    """The paper's validated metadata, its authors when they must stay private, and its contacts."""
    frontmatter = _merged(submission, overrides)
    private: list[dict[str, Any]] = []
    if frontmatter.get("anonymous"):
        authors = frontmatter.pop("authors", None) or []
        private = [a if isinstance(a, dict) else {"name": a} for a in (authors if isinstance(authors, list) else [])]
        frontmatter.pop("citation_key", None)  # OpenReview's keys start with the first author's name
        if frontmatter.get("openreview") and not frontmatter.get("openreview_anonymous"):
            frontmatter.pop("openreview")
            submission.notes.append("the OpenReview forum is not linked: it names the authors of this anonymous "
                                    "paper (the organizers may set 'openreview_anonymous: true' for it)")
    contacts = _contacts(frontmatter)
    if submission.pdf is not None:
        frontmatter["pdf"] = "paper.pdf"
    try:
        paper = paper_from_frontmatter(frontmatter)
    except MetadataError as exc:
        raise SubmissionError(f"metadata: {exc}") from None
    return paper, private, contacts


def _leaks(private: list[dict[str, Any]], texts: dict[str, str]) -> list[str]:
    """Where an anonymous paper still names one of its authors, however the name is written."""
    needles = [str(a[key]) for a in private for key in ("name", "email") if a.get(key)]
    return [f"{file}{'' if line is None else f':{line}'}: names an anonymous author ({needle[:1]}…)"
            for file, text in texts.items() for needle, line in named_at(text, needles)]


def _frontmatter_text(paper: Paper) -> str:
    data = paper.model_dump(mode="json", exclude_defaults=True)
    return "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100) + "---\n"


def _cleaned(submission: Submission) -> dict[str, bytes]:
    files = {}
    for name, content in submission.files.items():
        try:
            files[name] = clean_image(name, content)
        except ValueError as exc:
            raise SubmissionError(f"{name}: {exc}") from None
    if submission.pdf is not None:
        try:
            files["paper.pdf"] = clean_pdf(submission.pdf)
        except UnreadablePdf as exc:
            raise SubmissionError(f"{submission.pdf_file}: field 'pdf': {exc}") from None
    return files


class Rendered(NamedTuple):
    """A paper ready to place, and what of it stays with the organizers."""

    paper: Paper
    files: dict[str, bytes]
    """Every file of the paper's folder, in memory."""
    private_authors: list[dict[str, Any]]
    """An anonymous paper's authors."""
    contacts: list[dict[str, str]]
    """The authors' e-mail addresses."""


def render(submission: Submission, overrides: Overrides) -> Rendered:
    """The paper's folder, and what must not be published with it."""
    paper, private, contacts = _validate(submission, overrides)
    files = _cleaned(submission)
    body = submission.body.strip("\n")
    files["paper.md"] = (_frontmatter_text(paper) + ("\n" + body + "\n" if body else "")).encode()
    if submission.bib.strip():
        files["paper.bib"] = submission.bib.encode()
    if private:
        texts = {"paper.md": files["paper.md"].decode(), "paper.bib": submission.bib}
        if submission.pdf is not None:
            texts["paper.pdf"] = pdf_text(files["paper.pdf"])
        for name, content in files.items():
            if name.lower().endswith(".svg"):
                texts[name] = svg_text(content)
        leaks = _leaks(private, texts)
        if leaks:
            raise SubmissionError("anonymity: " + "; ".join(leaks))
    return Rendered(paper, files, private, contacts)
