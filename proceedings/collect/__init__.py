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

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml
from pydantic import ValidationError

from proceedings.collect.needed import missing_fields, with_default_track, write_metadata_needed
from proceedings.collect.openreview import fetch_openreview, from_notes, from_openreview
from proceedings.collect.package import from_package
from proceedings.collect.pdf_only import from_pdf_only
from proceedings.collect.placement import place, save_private_authors
from proceedings.collect.render import render
from proceedings.collect.submission import Outcome, Overrides, Status, Submission, SubmissionError, slug

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
    outcomes = []
    history = private_dir / "history" / volume_dir.name
    private_file = private_dir / volume_dir.name / "anonymous-authors.yml"
    for item in submissions:
        if isinstance(item, Outcome):
            outcomes.append(item)
            continue
        missing = missing_fields(overrides.apply(item.paper_id, item.frontmatter))
        if missing:
            message = (f"metadata missing: {', '.join(missing)}; fill in metadata-needed.yml beside the report "
                       "and collect again with --metadata")
            outcomes.append(Outcome(item.paper_id, item.source, Status.rejected, [*item.notes, message], missing))
            continue
        try:
            paper, files, private = render(item, overrides)
        except (SubmissionError, ValidationError, OSError) as exc:
            outcomes.append(Outcome(item.paper_id, item.source, Status.rejected, [str(exc)]))
            continue
        if private:
            save_private_authors(private_file, item.paper_id, private)
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
