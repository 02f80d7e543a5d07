"""The collect stage: what organizers receive, turned into papers in the source tree.

Sources: an OpenReview API v2 notes export (accepted notes become PDF-only papers),
camera-ready MyST packages (folders or zips, often written for mystmd) and PDF-only
papers described by a small YAML file. Each becomes ``<volume>/papers/<id>/`` with a
``paper.md``, its ``paper.bib`` and figures, or its camera-ready PDF.

Collecting is idempotent and lossless: a paper is written only when its content changes,
the previous version goes to the organizers' private history, and a paper an organizer
edited after collection is kept unless ``force`` is given. Each paper is written to a
temporary folder first and moved into place whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from proceedings import mystmd, safety
from proceedings.bibliography import downgrade_incomplete_entries, tidy_links
from proceedings.model import MetadataError, Paper, Presentation, paper_from_frontmatter
from proceedings.pdf import pdf_text, strip_pdf_metadata

__all__ = [
    "Outcome",
    "Overrides",
    "Status",
    "Submission",
    "collect",
    "fetch_openreview",
    "from_notes",
    "from_openreview",
    "from_package",
    "from_pdf_only",
    "write_report",
]

MANIFEST = ".collected.json"
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[A-Za-z!][^<>]*>")
_LISTING = re.compile(r"^[`:]{3,}\{literalinclude\}\s+(\S+)", re.MULTILINE)
FIGURE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".pdf"}


class Status(StrEnum):
    collected = "collected"
    updated = "updated"
    unchanged = "unchanged"
    kept = "kept"
    skipped = "skipped"
    rejected = "rejected"


@dataclass
class Outcome:
    """What happened to one submission, with every message the organizer should read."""

    paper_id: str
    source: str
    status: Status
    messages: list[str] = field(default_factory=list)


@dataclass
class Submission:
    """A submission read from its source, before validation and writing."""

    paper_id: str
    source: str
    frontmatter: dict[str, Any]
    body: str = ""
    bib: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    pdf: bytes | None = None
    notes: list[str] = field(default_factory=list)


class SubmissionError(ValueError):
    """A submission that cannot be collected; the message names the file and the field."""


@dataclass(frozen=True)
class Overrides:
    """Organizer-supplied metadata, by paper id, on top of what a source says.

    ``defaults`` may set fields such as ``track``; it may not set ``funding``, which
    every paper must disclose for itself.
    """

    defaults: dict[str, Any] = field(default_factory=dict)
    papers: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None) -> Overrides:
        if path is None:
            return cls()
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        defaults = data.get("defaults") or {}
        if "funding" in defaults:
            raise SubmissionError(f"{path}: field 'defaults.funding': funding must be disclosed per paper")
        return cls(defaults=defaults, papers={str(k): v for k, v in (data.get("papers") or {}).items()})

    def apply(self, paper_id: str, frontmatter: dict[str, Any]) -> dict[str, Any]:
        return {**self.defaults, **frontmatter, **self.papers.get(paper_id, {})}


def slug(name: str) -> str:
    """A folder name from any submission name: ASCII letters, digits and dashes."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower() or "paper"


# -- sources ---------------------------------------------------------------------------


def _presentation(venue: str) -> str:
    lowered = venue.lower()
    for kind in Presentation:
        if kind.value in lowered:
            return kind.value
    return Presentation.poster.value


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
    raw_notes = data["notes"] if isinstance(data, dict) else data
    yield from from_notes((Note.from_json(raw) for raw in raw_notes), export.name, venue_id, pdf_dir)


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
        yield _from_note(note, source, venue_id, pdf_dir)


def _authors(content: dict[str, Any]) -> list[dict[str, Any]]:
    """``authors`` with ``authorids``: a ``~Profile_Id1`` is kept as such, an address as the email."""
    names, ids = content.get("authors") or [], content.get("authorids") or []
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
    if content.get("venueid") != venue_id:
        return Outcome(note.id, source, Status.skipped, [f"not accepted at {venue_id}: {_decision(content)}"])
    frontmatter: dict[str, Any] = {
        "title": content.get("title"),
        "authors": _authors(content),
        "abstract": content.get("abstract"),
        "keywords": content.get("keywords") or [],
        "license": getattr(note, "license", None),
        "presentation": _presentation(content.get("venue") or ""),
        "openreview": note.forum or note.id,
        "citation_key": _citation_key(content.get("_bibtex")),
    }
    submission = Submission(note.id, source, {k: v for k, v in frontmatter.items() if v not in (None, [])})
    pdf_name = Path(str(content.get("pdf") or "")).name
    candidates = [pdf_dir / f"{note.id}.pdf", pdf_dir / pdf_name] if pdf_dir and pdf_name else []
    for candidate in candidates:
        if candidate.is_file():
            submission.pdf = candidate.read_bytes()
            break
    else:
        return Outcome(note.id, source, Status.rejected, [f"field 'pdf': no PDF {pdf_name or '(none)'} in {pdf_dir}"])
    return submission


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


def from_package(package: Path, workdir: Path) -> Submission:
    """A camera-ready MyST package, checked for threats and converted from mystmd's dialect."""
    if package.suffix == ".zip":
        folder = workdir / slug(package.stem)
        try:
            safety.extract_zip(package, folder)
        except safety.UnsafePackage as exc:
            raise SubmissionError(_threat_text(exc.threats)) from None
    else:
        folder = package
    main = mystmd.find_main(folder)
    if main is None:
        raise SubmissionError("no paper.md or main.md in the package")
    # What is published of the Markdown files is their conversion, which resolves inclusions
    # from the package's own files only: that converted text is scanned, with every other file.
    threats = [t for t in safety.scan_package(folder) if not t.file.endswith(".md") or t.field.startswith("file:")]
    bib_files = sorted(folder.glob("*.bib"))
    bib_notes: list[str] = []
    bib_texts = []
    for path in bib_files if not threats else []:
        text, trimmed = tidy_links(path.read_text(encoding="utf-8"), path.name)
        text, downgraded = downgrade_incomplete_entries(text, path.name)
        bib_texts.append(text)
        bib_notes += trimmed + downgraded
    bib = "\n".join(bib_texts)
    keys = set(re.findall(r"@\w+\s*[{(]\s*([^,\s]+)\s*,", bib))
    converted = mystmd.convert_package(folder, main, keys) if not threats else None
    notes: list[str] = []
    if converted is not None:
        converted.body, notes = _escape_html(converted.body, f"{main.name} (converted)")
        threats += [t for t in safety.scan_markdown(converted.body, f"{main.name} (converted)")
                    if t.field != "directive:literalinclude"]
    if threats or converted is None:
        raise SubmissionError(_threat_text(threats))
    frontmatter = dict(converted.frontmatter)
    local = folder / "proceedings.yml"
    if local.is_file():
        frontmatter.update(yaml.safe_load(local.read_text(encoding="utf-8")) or {})
    paper_id = str(frontmatter.pop("id", slug(package.stem if package.suffix == ".zip" else package.name)))
    listings = set(_LISTING.findall(converted.body))
    files = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and (path.suffix.lower() in FIGURE_SUFFIXES or relative in listings):
            files[relative] = path.read_bytes()
    submission = Submission(
        paper_id, str(package), frontmatter, converted.body, bib + converted.extra_bib, files,
        notes=[*converted.notes, *notes, *bib_notes, *(f"not converted: {p}" for p in converted.problems)],
    )
    return submission


def _escape_html(body: str, file: str) -> tuple[str, list[str]]:
    """Raw HTML is shown as text, not passed through: ``<br>`` becomes a space, other tags are escaped."""
    lines = body.split("\n")
    notes = []
    for line in sorted({t.line for t in safety.scan_markdown(body, file) if t.field == "raw-html" and t.line}):
        text = _LINE_BREAK.sub(" ", lines[line - 1])
        lines[line - 1] = _HTML_TAG.sub(lambda m: "\\" + m.group(0), text)
        notes.append(f"{file}:{line}: raw HTML shown as text")
    return "\n".join(lines), notes


def _threat_text(threats: Iterable[Any]) -> str:
    return "; ".join(
        f"{t.file}{':' + str(t.line) if t.line else ''}: {t.field}: {t.message}" for t in threats
    )


# -- validation and rendering ----------------------------------------------------------


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


# -- writing ---------------------------------------------------------------------------


def _digest(files: dict[str, bytes]) -> dict[str, str]:
    return {name: hashlib.sha256(content).hexdigest() for name, content in sorted(files.items())}


def _on_disk(folder: Path) -> dict[str, str]:
    return _digest({
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST
    })


def place(folder: Path, files: dict[str, bytes], source: str, history: Path, force: bool) -> tuple[Status, str]:
    """Write a paper's folder if its content changed, keeping what was there recoverable."""
    new = _digest(files)
    manifest_path = folder / MANIFEST
    if folder.exists():
        current = _on_disk(folder)
        recorded = json.loads(manifest_path.read_text())["files"] if manifest_path.is_file() else None
        edited = current != recorded
        if current == new:
            return Status.unchanged, ""
        if edited and not force:
            why = "edited by an organizer after collection" if recorded else "not made by collect"
            return Status.kept, f"{folder.name}: {why}; not replaced (use --force)"
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".collecting-{folder.name}-", dir=folder.parent.parent))
    try:
        for name, content in files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        manifest = {"source": source, "files": new}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        note = ""
        if folder.exists():
            kept = history / folder.name / datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(folder), str(kept))
            note = f"previous version kept in {kept}"
        staging.rename(folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return (Status.updated if note else Status.collected), note


def _save_private_authors(private_file: Path, paper_id: str, authors: list[dict[str, Any]]) -> None:
    """Anonymous authors go to the organizers' own file, outside the published tree."""
    data = yaml.safe_load(private_file.read_text(encoding="utf-8")) if private_file.is_file() else None
    data = data or {}
    if data.get(paper_id) == authors:
        return
    data[paper_id] = authors
    private_file.parent.mkdir(parents=True, exist_ok=True)
    private_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=True), encoding="utf-8")


def collect(
    submissions: Iterable[Submission | Outcome],
    volume_dir: Path,
    private_dir: Path,
    overrides: Overrides,
    force: bool = False,
) -> list[Outcome]:
    """Write every good submission into ``volume_dir/papers``; one bad one stops only itself."""
    outcomes = []
    history = private_dir / "history" / volume_dir.name
    private_file = private_dir / volume_dir.name / "anonymous-authors.yml"
    for item in submissions:
        if isinstance(item, Outcome):
            outcomes.append(item)
            continue
        try:
            paper, files, private = render(item, overrides)
        except (SubmissionError, ValidationError, OSError) as exc:
            outcomes.append(Outcome(item.paper_id, item.source, Status.rejected, [str(exc)]))
            continue
        if private:
            _save_private_authors(private_file, item.paper_id, private)
        status, note = place(volume_dir / "papers" / item.paper_id, files, item.source, history, force)
        messages = [*item.notes, note] if note else list(item.notes)
        if paper.pdf_only:
            messages.append("PDF-only paper")
        outcomes.append(Outcome(item.paper_id, item.source, status, messages))
    return outcomes


def read_sources(
    packages: Iterable[Path], pdf_only: Iterable[Path], openreview: Path | None, venue_id: str | None,
    pdf_dir: Path | None, workdir: Path, live: bool = False,
) -> Iterator[Submission | Outcome]:
    """Every submission from every source, a failed read becoming a rejected outcome."""
    if (openreview is not None or live) and not venue_id:
        raise SubmissionError("OpenReview notes need --venue-id")
    if openreview is not None:
        yield from from_openreview(openreview, venue_id or "", pdf_dir)
    if live:
        live_pdfs = workdir / "openreview-pdfs"
        yield from from_notes(fetch_openreview(venue_id or "", live_pdfs), "openreview.net", venue_id or "", live_pdfs)
    for package in packages:
        try:
            yield from_package(package, workdir)
        except (SubmissionError, UnicodeDecodeError, OSError, yaml.YAMLError) as exc:
            yield Outcome(slug(package.stem), str(package), Status.rejected, [f"{package.name}: {exc}"])
    for metadata in pdf_only:
        try:
            yield from_pdf_only(metadata)
        except (SubmissionError, OSError, yaml.YAMLError) as exc:
            yield Outcome(slug(metadata.stem), str(metadata), Status.rejected, [str(exc)])


def write_report(outcomes: list[Outcome], path: Path) -> None:
    """The collection report as JSON, for the organizers' records and for tools."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [{"paper": o.paper_id, "source": o.source, "status": o.status.value, "messages": o.messages}
            for o in outcomes]
    path.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
