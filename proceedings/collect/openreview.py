"""OpenReview API v2 notes, from an export or the live API: accepted notes become PDF-only papers."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from proceedings.collect.submission import Outcome, Status, Submission, SubmissionError
from proceedings.model import Presentation

_NOTE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""OpenReview's note ids; checked before one names a file in the PDF folder."""

def _presentation(venue: str) -> str | None:
    """The presentation a venue string names by its last word ("ICLR 2026 Workshop Oral"), or None."""
    words = venue.split()
    last = words[-1].lower() if words else ""
    return next((kind.value for kind in Presentation if kind.value == last), None)


def _custom(content: dict[str, Any], *names: str) -> tuple[str, Any] | None:
    """A venue's own field holding one of ``names`` in its name (``funding_disclosure``), and its value."""
    for key, value in content.items():
        if any(name in key.lower() for name in names) and value not in (None, "", []):
            return key, value
    return None


def _anonymous(value: Any) -> bool | None:
    """An anonymity choice as forms record it: a boolean, or an answer such as "Yes, publish anonymously"."""
    if isinstance(value, bool):
        return value
    answer = " ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    answer = answer.strip().lower()
    if re.match(r"(no|false)\b", answer) or re.search(r"\b(not|non)[- ]?anonym|with (the )?names", answer):
        return False
    if re.match(r"(yes|true)\b", answer) or "anonym" in answer:
        return True
    return None


def _workshop_fields(content: dict[str, Any], where: str) -> tuple[dict[str, Any], list[str]]:
    """``funding``, ``track`` and the anonymity choice from the venue's own fields, with a note for each unread one."""
    fields: dict[str, Any] = {}
    notes = []
    if found := _custom(content, "funding"):
        fields["funding"] = " ".join(map(str, found[1])) if isinstance(found[1], list) else str(found[1]).strip()
    if found := _custom(content, "track"):
        fields["track"] = str(found[1]).strip()
    if found := _custom(content, "anonym"):
        choice = _anonymous(found[1])
        if choice is None:
            notes.append(f"{where}: field '{found[0]}': {found[1]!r} is not a yes or no; the names are published "
                         "unless --metadata says 'anonymous: true'")
        else:
            fields["anonymous"] = choice
    return fields, notes



def _decision(content: dict[str, Any]) -> str:
    """What OpenReview's venue id says of a note that was not accepted."""
    venueid = str(content.get("venueid") or "")
    for suffix, decision in (("Withdrawn_Submission", "withdrawn"), ("Desk_Rejected_Submission", "desk-rejected"),
                             ("Rejected_Submission", "rejected")):
        if venueid.endswith(suffix):
            return decision
    return "pending"


def from_openreview(export: Path, venue_id: str, pdf_dir: Path | None) -> Iterator[Submission | Outcome]:
    """Accepted notes of an API v2 export as PDF-only submissions; the rest as skipped outcomes.

    Notes are parsed with openreview-py's own ``Note`` model, the same path a live
    client's results take (see :func:`fetch_openreview`).
    """
    from openreview.api import Note

    data = json.loads(export.read_text(encoding="utf-8"))
    raw_notes = data.get("notes") if isinstance(data, dict) else data
    if not isinstance(raw_notes, list):
        raise ValueError("not an API v2 notes export: no list of notes")
    for index, raw in enumerate(raw_notes):
        ident = str(raw.get("id") if isinstance(raw, dict) else f"note {index}")
        try:
            note = Note.from_json(raw)
        except Exception as exc:  # one malformed note costs only itself
            yield Outcome(ident, f"{export.name}#{ident}", Status.rejected, [f"note {index}: not a note ({exc})"])
            continue
        yield from from_notes([note], export.name, venue_id, pdf_dir)


def fetch_openreview(venue_id: str, pdf_dir: Path) -> list[Any]:
    """A venue's accepted notes from the live API, their PDFs saved into ``pdf_dir`` as ``<note id>.pdf``.

    The server and credentials come from OPENREVIEW_BASEURL, OPENREVIEW_USERNAME and
    OPENREVIEW_PASSWORD; public venues need no credentials.
    """
    from openreview import OpenReviewException
    from openreview.api import OpenReviewClient

    client = OpenReviewClient(
        baseurl=os.environ.get("OPENREVIEW_BASEURL", "https://api2.openreview.net"),
        username=os.environ.get("OPENREVIEW_USERNAME"),
        password=os.environ.get("OPENREVIEW_PASSWORD"),
    )
    notes = list(client.get_all_notes(content={"venueid": venue_id}))
    pdf_dir.mkdir(parents=True, exist_ok=True)
    for note in notes:
        try:
            (pdf_dir / f"{note.id}.pdf").write_bytes(client.get_attachment(field_name="pdf", id=note.id))
        except OpenReviewException:
            continue  # reported as the paper's missing PDF
    return notes


def from_notes(
    notes: Iterable[Any], source: str, venue_id: str, pdf_dir: Path | None
) -> Iterator[Submission | Outcome]:
    """OpenReview ``Note`` objects, from an export or the live API, as submissions or skipped outcomes."""
    for note in notes:
        ident = str(getattr(note, "id", "") or "note")
        try:
            yield _from_note(note, source, venue_id, pdf_dir)
        except SubmissionError as exc:
            yield Outcome(ident, f"{source}#{ident}", Status.rejected, [f"{source} note {ident}: {exc}"])
        except Exception as exc:  # one malformed note costs only itself
            yield Outcome(ident, f"{source}#{ident}", Status.rejected, [f"{type(exc).__name__}: {exc}"])


def _authors(content: dict[str, Any]) -> list[dict[str, Any]]:
    """``authors`` with ``authorids``: a ``~Profile_Id1`` is kept as such, an address as the email."""
    names, ids = content.get("authors") or [], content.get("authorids") or []
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise SubmissionError(f"field 'authors': must be a list of names, not {str(names)[:60]!r}")
    if not isinstance(ids, list):
        raise SubmissionError(f"field 'authorids': must be a list, not {str(ids)[:60]!r}")
    authors = []
    for name, author_id in zip(names, [*ids, *[None] * len(names)], strict=False):
        author: dict[str, Any] = {"name": name}
        if isinstance(author_id, str) and author_id.startswith("~"):
            author["openreview_id"] = author_id
        elif isinstance(author_id, str) and "@" in author_id:
            author["email"] = author_id
        authors.append(author)
    return authors


def _citation_key(bibtex: Any) -> str | None:
    """The key of OpenReview's ``_bibtex`` entry, which readers may already use in their own ``.bib``."""
    match = re.match(r"\s*@\s*\w+\s*\{\s*([\w:.+-]+)\s*,", bibtex) if isinstance(bibtex, str) else None
    return match.group(1) if match else None


def _from_note(note: Any, source_name: str, venue_id: str, pdf_dir: Path | None) -> Submission | Outcome:
    content = {key: value.get("value") for key, value in (note.content or {}).items() if isinstance(value, dict)}
    source = f"{source_name}#{note.id}"
    if not isinstance(note.id, str) or not _NOTE_ID.fullmatch(note.id):
        return Outcome(str(note.id)[:64], source, Status.rejected, [f"id: {str(note.id)[:64]!r} is not an OpenReview "
                                                                      "note id (letters, digits, '_' and '-')"])
    if content.get("venueid") != venue_id:
        return Outcome(note.id, source, Status.skipped, [f"not accepted at {venue_id}: {_decision(content)}"])
    venue = str(content.get("venue") or "")
    notes: list[str] = []
    presentation = _presentation(venue)
    if presentation is None:
        notes.append(f"{source}: field 'venue': {venue!r} does not end in Oral, Spotlight or Poster; "
                     "give the presentation with --metadata")
    custom, custom_notes = _workshop_fields(content, source)
    frontmatter: dict[str, Any] = {
        "title": content.get("title"),
        "authors": _authors(content),
        "abstract": content.get("abstract"),
        "keywords": content.get("keywords") or [],
        "license": getattr(note, "license", None),
        "presentation": presentation,
        "openreview": note.forum or note.id,
        "citation_key": _citation_key(content.get("_bibtex")),
        **custom,
    }
    submission = Submission(note.id, source, {k: v for k, v in frontmatter.items() if v not in (None, [])},
                            notes=[*notes, *custom_notes], owner=f"openreview:{note.id}",
                            metadata_file=f"{source_name} note {note.id}")
    pdf_name = Path(str(content.get("pdf") or "")).name
    candidates = [pdf_dir / f"{note.id}.pdf", *([pdf_dir / pdf_name] if pdf_name else [])] if pdf_dir else []
    found = next((c for c in candidates if c.is_file()), None)
    if found is not None:
        submission.pdf, submission.pdf_file = found.read_bytes(), found.name
    else:
        submission.frontmatter["pdf_to_come"] = True
        submission.notes.append(f"{source}: no PDF yet ({pdf_name or 'none in the note'}): published from its "
                                "metadata, marked 'PDF to come' and left out of the volume until collected with it")
    return submission
