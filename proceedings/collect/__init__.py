"""The collect stage: what organizers receive, turned into papers in the source tree.

Sources: an OpenReview API v2 notes export (accepted notes become PDF-only papers),
camera-ready MyST packages (folders or zips, often written for mystmd) and PDF-only
papers described by a small YAML file. Each becomes ``<volume>/papers/<id>/`` with a
``paper.md``, its ``paper.bib`` and figures, or its camera-ready PDF.

Each source is read and collected on its own: whatever goes wrong with one (a corrupt
PDF, an alias bomb, a bug) becomes its ``rejected`` row, and the others go on. Every
paper's id is made once, here, by :func:`proceedings.ids.paper_id`; two submissions
with the same id in one run are an error naming both, and an id collected from one
source is not taken over by another unless ``force`` is given.

Collecting is idempotent and lossless: a paper is written only when its content changes,
the previous version goes to the organizers' private history, and a paper an organizer
edited after collection is kept unless ``force`` is given. Each paper is written to a
temporary folder first and moved into place whole.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from proceedings.collect.needed import missing_fields, with_default_track, write_metadata_needed
from proceedings.collect.openreview import fetch_openreview, from_notes, from_openreview
from proceedings.collect.package import from_package
from proceedings.collect.pdf_only import from_pdf_only
from proceedings.collect.placement import place, save_private
from proceedings.collect.render import render
from proceedings.collect.submission import Outcome, Overrides, Status, Submission, SubmissionError, slug
from proceedings.ids import IdError, paper_id

__all__ = [
    "Outcome",
    "Overrides",
    "Status",
    "Submission",
    "SubmissionError",
    "collect",
    "from_notes",
    "from_openreview",
    "from_package",
    "from_pdf_only",
    "read_sources",
    "slug",
    "with_default_track",
    "write_metadata_needed",
    "write_report",
]


def collect(
    submissions: Iterable[Submission | Outcome],
    volume_dir: Path,
    private_dir: Path,
    overrides: Overrides,
    force: bool = False,
) -> list[Outcome]:
    """Write every good submission into ``volume_dir/papers``; one bad one stops only itself."""
    outcomes = [Outcome("", overrides.source, Status.rejected, [problem]) for problem in overrides.problems]
    claimed: dict[str, str] = {}
    for item in submissions:
        if isinstance(item, Outcome):
            outcomes.append(item)
            continue
        outcomes.append(_collect_one(item, claimed, volume_dir, private_dir, overrides, force))
    return outcomes


def _collect_one(
    item: Submission, claimed: dict[str, str], volume_dir: Path, private_dir: Path, overrides: Overrides, force: bool
) -> Outcome:
    try:
        ident = paper_id(item.paper_id)
    except IdError as exc:
        return Outcome(_shown(item.paper_id), item.source, Status.rejected, [f"id: {exc}"])
    if ident in claimed:
        message = (f"id: {ident!r} of {item.source} is also the id of {claimed[ident]} in this run; "
                   "give each paper its own id")
        return Outcome(ident, item.source, Status.rejected, [message])
    claimed[ident] = item.source
    item.paper_id = ident
    missing = missing_fields(overrides.apply(ident, item.frontmatter))
    if missing:
        message = (f"metadata missing: {', '.join(missing)}; fill in metadata-needed.yml beside the report "
                   "and collect again with --metadata")
        return Outcome(ident, item.source, Status.rejected, [*item.notes, message], missing)
    try:
        paper, files, private, contacts = render(item, overrides)
        status, note = place(volume_dir / "papers" / ident, files, item.source,
                             private_dir / "history" / volume_dir.name, force, owner=item.owner)
        if status in (Status.collected, Status.updated, Status.unchanged):
            save_private(private_dir / volume_dir.name / "anonymous-authors.yml", ident, private)
            save_private(private_dir / volume_dir.name / "contacts.yml", ident, contacts)
    except (SubmissionError, ValidationError) as exc:
        return Outcome(ident, item.source, Status.rejected, [str(exc)])
    except Exception as exc:  # the per-source boundary: never a traceback, never the whole run
        return Outcome(ident, item.source, Status.rejected, [f"could not be collected: {type(exc).__name__}: {exc}"])
    messages = [*item.notes, note] if note else list(item.notes)
    if paper.pdf_only and status != Status.rejected:
        messages.append("PDF-only paper")
    return Outcome(ident, item.source, status, messages)


def _shown(name: object) -> str:
    text = str(name)
    return text if len(text) <= 64 else text[:64] + "…"


def _guarded(name: str, source: str, read: Callable[..., Any], *args: Any) -> Iterator[Submission | Outcome]:
    """What ``read(*args)`` gives for one source (a submission, or an iterable of them and outcomes);
    a failure while reading becomes that source's rejected row."""
    try:
        found = read(*args)
        yield from [found] if isinstance(found, Submission) else found
    except SubmissionError as exc:
        yield Outcome(_shown(name), source, Status.rejected, [str(exc)])
    except Exception as exc:  # the per-source boundary
        yield Outcome(_shown(name), source, Status.rejected, [f"{Path(source).name}: {type(exc).__name__}: {exc}"])


def read_sources(
    packages: Iterable[Path], pdf_only: Iterable[Path], openreview: Path | None, venue_id: str | None,
    pdf_dir: Path | None, workdir: Path, live: bool = False,
) -> Iterator[Submission | Outcome]:
    """Every submission from every source, a failed read becoming a rejected outcome."""
    if (openreview is not None or live) and not venue_id:
        raise SubmissionError("OpenReview notes need --venue-id")
    if openreview is not None:
        yield from _guarded(openreview.name, str(openreview), from_openreview, openreview, venue_id or "", pdf_dir)
    if live:
        yield from _guarded("openreview.net", "openreview.net", _live, venue_id or "", workdir / "openreview-pdfs")
    for package in packages:
        yield from _guarded(package.stem, str(package), from_package, package, workdir)
    for metadata in pdf_only:
        yield from _guarded(metadata.stem, str(metadata), from_pdf_only, metadata)


def _live(venue_id: str, pdf_dir: Path) -> Iterator[Submission | Outcome]:
    return from_notes(fetch_openreview(venue_id, pdf_dir), "openreview.net", venue_id, pdf_dir)


def write_report(outcomes: list[Outcome], path: Path) -> None:
    """The collection report as JSON, for the organizers' records and for tools."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [{"paper": o.paper_id, "source": o.source, "status": o.status.value, "messages": o.messages}
            for o in outcomes]
    path.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
