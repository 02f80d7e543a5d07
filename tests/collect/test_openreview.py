"""OpenReview notes as organizers receive them: no PDFs yet, the venue's own fields, any venue string."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from pdfs import tiny_pdf

from proceedings.cli import main
from proceedings.collect import (
    Outcome,
    Overrides,
    Status,
    Submission,
    collect,
    from_openreview,
    with_default_track,
    write_metadata_needed,
)
from proceedings.collect.openreview import _presentation
from proceedings.model import load_paper

from conftest import DOCS, SHARED

EXPORT = SHARED / "corpus" / "openreview" / "icml_2024_oral.api2_notes_response.json"
VENUE = "ICML.cc/2024/Conference"
pytestmark = pytest.mark.skipif(not EXPORT.is_file(), reason="the OpenReview corpus is not beside this checkout")


def _export(tmp_path: Path, count: int, **content: Any) -> tuple[Path, list[dict[str, Any]]]:
    notes = json.loads(EXPORT.read_text())["notes"][:count]
    for note in notes:
        note["content"].update({key: {"value": value} for key, value in content.items()})
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"notes": notes}))
    return path, notes


@pytest.mark.parametrize(("venue", "kind"), [
    ("ICML 2024 Oral", "oral"), ("ICLR 2026 Workshop AI4Peace Spotlight", "spotlight"),
    ("Doctoral Consortium Oral Session Poster", "poster"), ("ICML 2024 Poster", "poster"),
    ("ICML 2024", None), ("", None),
])
def test_the_presentation_is_the_venue_strings_last_word(venue: str, kind: str | None) -> None:
    assert _presentation(venue) == kind


def test_a_venue_without_a_presentation_is_reported(tmp_path: Path) -> None:
    export, _ = _export(tmp_path, 1, venue="ICML 2024 Accepted")
    [submission] = from_openreview(export, VENUE, None)
    assert isinstance(submission, Submission) and "presentation" not in submission.frontmatter
    assert any("does not end in Oral, Spotlight or Poster" in n for n in submission.notes)


@pytest.mark.parametrize(("answer", "anonymous"), [
    (True, True), ("Yes, publish anonymously", True), ("No, publish with the names", False),
    ("Non-anonymous", False), ("maybe", None),
])
def test_funding_track_and_anonymity_come_from_the_venues_fields(tmp_path: Path, answer: Any,
                                                                 anonymous: bool | None) -> None:
    export, _ = _export(tmp_path, 1, funding_disclosure="Grant 7 of the Fund.", submission_track="Tiny papers",
                        publish_anonymously=answer)
    [submission] = from_openreview(export, VENUE, None)
    assert isinstance(submission, Submission)
    assert submission.frontmatter["funding"] == "Grant 7 of the Fund."
    assert submission.frontmatter["track"] == "Tiny papers"
    assert submission.frontmatter.get("anonymous") is anonymous


def test_any_note_id_gets_a_folder(tmp_path: Path) -> None:
    export, notes = _export(tmp_path, 2)
    notes[0]["id"], notes[1]["id"] = "-AbC_1", "_AbC-2"
    export.write_text(json.dumps({"notes": notes}))
    funded = Overrides(defaults={"track": "Tiny papers"}, papers={n["id"]: {"funding": "None."} for n in notes})
    outcomes = collect(from_openreview(export, VENUE, None), tmp_path / "vol", tmp_path / "private", funded)
    assert [(o.paper_id, o.status) for o in outcomes] == [("abc-1", Status.collected), ("abc-2", Status.collected)]
    assert sorted(p.name for p in (tmp_path / "vol" / "papers").iterdir()) == ["abc-1", "abc-2"]


def test_papers_without_pdfs_are_published_as_pdf_to_come_and_missing_metadata_is_listed(tmp_path: Path) -> None:
    export, notes = _export(tmp_path, 3)
    site = tmp_path / "docs"
    (site / "vol" / "papers").mkdir(parents=True)
    (site / "vol" / "workshop.yml").write_text((DOCS / "iclr2026" / "workshop.yml").read_text())
    report = tmp_path / "build" / "collect-report.json"
    args = ["collect", "--volume", "vol", "--srcdir", str(site), "--openreview", str(export), "--venue-id", VENUE,
            "--private", str(tmp_path / "private"), "--report", str(report)]
    assert main(args) == 1
    needed = report.parent / "metadata-needed.yml"
    data = yaml.safe_load(needed.read_text())
    assert data == {"papers": {n["id"].lower(): {"track": "", "funding": ""} for n in notes}}
    filled = {"defaults": {"track": "Tiny papers"}, "papers": {n["id"]: {"funding": "None."} for n in notes}}
    (tmp_path / "filled.yml").write_text(yaml.safe_dump(filled))
    assert main([*args, "--metadata", str(tmp_path / "filled.yml")]) == 0
    assert not needed.exists()
    paper = (site / "vol" / "papers" / notes[0]["id"].lower() / "paper.md").read_text()
    assert "pdf_to_come: true" in paper and "pdf: paper.pdf" not in paper


def test_metadata_needed_keeps_what_the_organizers_gave(tmp_path: Path) -> None:
    overrides = Overrides(defaults={"track": "T"}, papers={"a": {"session": "S"}, "b": {"funding": "F"}})
    outcomes = [Outcome("a", "x", Status.rejected, [], ["funding"])]
    assert write_metadata_needed(outcomes, overrides, tmp_path / "m.yml")
    assert yaml.safe_load((tmp_path / "m.yml").read_text()) == {
        "defaults": {"track": "T"}, "papers": {"b": {"funding": "F"}, "a": {"session": "S", "funding": ""}}}


def test_the_default_track_is_the_option_or_the_editions_only_track(tmp_path: Path) -> None:
    workshop = yaml.safe_load((DOCS / "iclr2026" / "workshop.yml").read_text())
    two = tmp_path / "two.yml"
    two.write_text(yaml.safe_dump(workshop))
    workshop["call_for_papers"]["tracks"] = workshop["call_for_papers"]["tracks"][:1]
    one = tmp_path / "one.yml"
    one.write_text(yaml.safe_dump(workshop))
    given = Overrides(defaults={"track": "Given"})
    assert with_default_track(Overrides(), two, None).defaults == {}
    assert with_default_track(Overrides(), one, None).defaults == {"track": "Tiny papers"}
    assert with_default_track(Overrides(), two, "Option").defaults == {"track": "Option"}
    assert with_default_track(given, one, "Option").defaults == {"track": "Given"}


def test_collecting_again_with_the_pdf_adds_it(tmp_path: Path) -> None:
    export, notes = _export(tmp_path, 1, funding_disclosure="None.", track="Tiny papers")
    volume, private = tmp_path / "vol", tmp_path / "private"
    [first] = collect(from_openreview(export, VENUE, None), volume, private, Overrides())
    assert first.status == Status.collected
    assert "pdf_to_come: true" in (volume / "papers" / notes[0]["id"].lower() / "paper.md").read_text()
    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    (pdfs / f"{notes[0]['id']}.pdf").write_bytes(tiny_pdf("Camera-ready"))
    [second] = collect(from_openreview(export, VENUE, pdfs), volume, private, Overrides())
    assert second.status == Status.updated
    paper = load_paper(volume / "papers" / notes[0]["id"].lower() / "paper.md")
    assert paper.pdf == "paper.pdf" and not paper.pdf_to_come


def test_authors_email_addresses_stay_with_the_organizers(tmp_path: Path) -> None:
    export, notes = _export(tmp_path, 1, authorids=["ada@example.org", "~Grace_Hopper1"])
    notes[0]["content"]["authors"] = {"value": ["Ada Example", "Grace Hopper"]}
    export.write_text(json.dumps({"notes": notes}))
    funded = Overrides(defaults={"track": "Tiny papers"}, papers={notes[0]["id"]: {"funding": "None."}})
    [outcome] = collect(from_openreview(export, VENUE, None), tmp_path / "vol", tmp_path / "private", funded)
    assert outcome.status == Status.collected
    published = b"".join(p.read_bytes() for p in (tmp_path / "vol").rglob("*") if p.is_file())
    assert b"ada@example.org" not in published and b"~Grace_Hopper1" in published
    contacts = yaml.safe_load((tmp_path / "private" / "vol" / "contacts.yml").read_text(encoding="utf-8"))
    assert contacts == {outcome.paper_id: [{"name": "Ada Example", "email": "ada@example.org"}]}
