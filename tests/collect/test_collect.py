"""Collecting submissions: OpenReview exports, PDF-only papers, idempotence, anonymity."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

import pytest
import yaml
from pdfs import tiny_pdf
from pypdf import PdfReader

from proceedings.build import Output, build
from proceedings.cli import main
from proceedings.collect import Outcome, Overrides, Status, Submission, SubmissionError, collect, from_openreview
from proceedings.ids import paper_id
from proceedings.layout import new_volume
from proceedings.model import load_paper

from conftest import DOCS, SHARED, MiniSite, page, pdf_text

EXPORT = SHARED / "corpus" / "openreview" / "icml_2024_oral.api2_notes_response.json"
VENUE = "ICML.cc/2024/Conference"


def _pdf_submission(paper_id: str, **frontmatter: object) -> Submission:
    base = {"title": f"Paper {paper_id}", "authors": [{"name": "Ada Example"}], "abstract": "About peace.",
            "track": "Tiny papers", "funding": "Example Fund."}
    return Submission(paper_id, f"{paper_id}.yml", {**base, **frontmatter}, pdf=tiny_pdf(f"Body of {paper_id}"))


def _run(volume: Path, private: Path, *items: Submission | Outcome, force: bool = False,
         overrides: Overrides | None = None) -> dict[str, Outcome]:
    outcomes = collect(items, volume, private, overrides or Overrides(), force=force)
    return {o.paper_id: o for o in outcomes}


def _snapshot(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


@pytest.mark.skipif(not EXPORT.is_file(), reason="the OpenReview corpus is not beside this checkout")
def test_openreview_export_all_accepted_notes_become_papers(tmp_path: Path) -> None:
    notes = json.loads(EXPORT.read_text())["notes"]
    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    for note in notes:
        (pdfs / Path(note["content"]["pdf"]["value"]).name).write_bytes(tiny_pdf(note["id"]))
    overrides = Overrides(defaults={"track": "Previously published work"},
                          papers={n["id"]: {"funding": f"Fund {n['id']}"} for n in notes})
    volume = tmp_path / "vol"
    outcomes = _run(volume, tmp_path / "private", *from_openreview(EXPORT, VENUE, pdfs), overrides=overrides)
    assert len(outcomes) == 144
    assert {o.status for o in outcomes.values()} == {Status.collected}
    first = notes[0]
    paper = load_paper(volume / "papers" / paper_id(first["id"]) / "paper.md")
    assert paper.title == first["content"]["title"]["value"]
    assert paper.author_names == tuple(first["content"]["authors"]["value"])
    assert paper.abstract == first["content"]["abstract"]["value"]
    assert paper.presentation == "oral" and paper.openreview == first["forum"]
    assert paper.pdf == "paper.pdf" and paper.funding == f"Fund {first['id']}"
    assert [a.openreview_id for a in paper.authors] == first["content"]["authorids"]["value"]
    assert paper.license == first["license"] and paper.citation_key == "zhao2024probabilistic"
    with_math = next(n for n in notes if "$" in n["content"]["abstract"]["value"])
    assert "$" in load_paper(volume / "papers" / paper_id(with_math["id"]) / "paper.md").abstract


class _OpenReviewServer(BaseHTTPRequestHandler):
    """The two API v2 routes the live mode reads, serving notes from the corpus export, paged as the API pages."""

    notes: ClassVar[list[dict[str, Any]]] = []
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = parse_qs(url.query)
        self.requests.append(url.path)
        if url.path == "/notes" and query.get("content.venueid") == [VENUE]:
            after = query.get("after", [""])[0]
            page = sorted((n for n in self.notes if n["id"] > after), key=lambda n: n["id"])
            body, kind = json.dumps({"notes": page, "count": len(self.notes)}).encode(), "application/json"
        elif url.path == "/attachment" and query.get("name") == ["pdf"]:
            body, kind = tiny_pdf(f"Live {query['id'][0]}"), "application/pdf"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.skipif(not EXPORT.is_file(), reason="the OpenReview corpus is not beside this checkout")
def test_live_mode_collects_through_openreview_py_client(tmp_path: Path, monkeypatch) -> None:
    """The live path: openreview-py's real client over HTTP, to a local server as openreview.net is out of reach."""
    _OpenReviewServer.notes = json.loads(EXPORT.read_text())["notes"][:3]
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OpenReviewServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("OPENREVIEW_BASEURL", f"http://127.0.0.1:{server.server_port}")
    site = tmp_path / "docs"
    new_volume(site, "vol", DOCS / "iclr2026" / "workshop.yml")
    metadata = tmp_path / "metadata.yml"
    funding = {n["id"]: {"funding": "Fund."} for n in _OpenReviewServer.notes}
    metadata.write_text(yaml.safe_dump({"defaults": {"track": "Tiny papers"}, "papers": funding}))
    try:
        code = main(["collect", "--volume", "vol", "--srcdir", str(site), "--openreview-live", "--venue-id", VENUE,
                     "--metadata", str(metadata), "--private", str(tmp_path / "private"),
                     "--report", str(tmp_path / "report.json")])
    finally:
        server.shutdown()
    assert code == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert sorted(row["paper"] for row in report) == sorted(map(paper_id, funding))
    assert {row["status"] for row in report} == {"collected"}
    for ident in funding:
        assert f"Live {ident}" in pdf_text(site / "vol" / "papers" / paper_id(ident) / "paper.pdf")
    assert _OpenReviewServer.requests.count("/attachment") == 3


@pytest.mark.skipif(not EXPORT.is_file(), reason="the OpenReview corpus is not beside this checkout")
def test_openreview_other_decisions_are_skipped_with_their_status(tmp_path: Path) -> None:
    notes = json.loads(EXPORT.read_text())["notes"][:5]
    statuses = ["Rejected_Submission", "Withdrawn_Submission", "Desk_Rejected_Submission"]
    for note, status in zip(notes, statuses, strict=False):
        note["content"]["venueid"]["value"] = f"ICML.cc/2024/Conference/{status}"
    del notes[3]["content"]["venueid"]
    export = tmp_path / "export.json"
    export.write_text(json.dumps(notes))
    outcomes = list(from_openreview(export, VENUE, tmp_path))
    skipped = [o.messages[0] for o in outcomes[:4] if isinstance(o, Outcome) and o.status == Status.skipped]
    kinds = ("rejected", "withdrawn", "desk-rejected", "pending")
    assert skipped == [f"not accepted at {VENUE}: {kind}" for kind in kinds]
    last = outcomes[4]
    assert isinstance(last, Submission) and last.pdf is None and last.frontmatter["pdf_to_come"] is True


def test_missing_funding_is_rejected_and_others_still_collected(tmp_path: Path) -> None:
    bad = _pdf_submission("bad")
    del bad.frontmatter["funding"]
    outcomes = _run(tmp_path / "vol", tmp_path / "private", bad, _pdf_submission("good"))
    assert outcomes["bad"].status == Status.rejected
    assert outcomes["bad"].messages == ["metadata missing: funding; fill in metadata-needed.yml beside the report "
                                        "and collect again with --metadata"]
    assert outcomes["bad"].missing == ["funding"]
    assert outcomes["good"].status == Status.collected
    assert not (tmp_path / "vol" / "papers" / "bad").exists()


def test_defaults_cannot_disclose_funding(tmp_path: Path) -> None:
    path = tmp_path / "metadata.yml"
    path.write_text("defaults: {funding: none}\n")
    with pytest.raises(SubmissionError, match=r"field 'defaults\.funding'"):
        Overrides.load(path)


def test_rerun_rewrites_nothing_and_change_keeps_previous_version(tmp_path: Path) -> None:
    volume, private = tmp_path / "vol", tmp_path / "private"
    _run(volume, private, _pdf_submission("p1"), _pdf_submission("p2"))
    before = _snapshot(volume)
    outcomes = _run(volume, private, _pdf_submission("p1"), _pdf_submission("p2"))
    assert {o.status for o in outcomes.values()} == {Status.unchanged}
    assert _snapshot(volume) == before
    outcomes = _run(volume, private, _pdf_submission("p1", title="A better title"))
    assert outcomes["p1"].status == Status.updated
    assert load_paper(volume / "papers" / "p1" / "paper.md").title == "A better title"
    (old,) = (private / "history" / "vol" / "p1").iterdir()
    assert load_paper(old / "paper.md").title == "Paper p1"


def test_organizer_edit_is_kept_unless_forced(tmp_path: Path) -> None:
    volume, private = tmp_path / "vol", tmp_path / "private"
    _run(volume, private, _pdf_submission("p1"))
    paper_md = volume / "papers" / "p1" / "paper.md"
    paper_md.write_text(paper_md.read_text().replace("Example Fund.", "Example Fund, corrected."))
    outcome = _run(volume, private, _pdf_submission("p1", title="New"))["p1"]
    assert outcome.status == Status.kept and "edited by an organizer" in outcome.messages[0]
    assert "corrected" in paper_md.read_text()
    assert _run(volume, private, _pdf_submission("p1", title="New"), force=True)["p1"].status == Status.updated
    assert load_paper(paper_md).title == "New"


def test_crash_while_writing_is_a_rejection_and_leaves_the_paper_as_it_was(tmp_path: Path, monkeypatch) -> None:
    volume, private = tmp_path / "vol", tmp_path / "private"
    _run(volume, private, _pdf_submission("p1"))
    before = {p: p.read_bytes() for p in (volume / "papers" / "p1").iterdir()}
    original = Path.write_bytes

    def failing(self: Path, data: bytes) -> int:
        if self.name == "paper.md":
            raise OSError("disk full")
        return original(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing)
    outcome = _run(volume, private, _pdf_submission("p1", title="Changed"))["p1"]
    monkeypatch.undo()
    assert (outcome.status, outcome.messages) == (Status.rejected, ["could not be collected: OSError: disk full"])
    assert {p: p.read_bytes() for p in (volume / "papers" / "p1").iterdir()} == before
    assert sorted(p.name for p in volume.iterdir()) == ["papers"]


def test_anonymous_authors_stay_in_the_private_file(tmp_path: Path) -> None:
    volume, private = tmp_path / "vol", tmp_path / "private"
    submission = _pdf_submission("anon", anonymous=True,
                                 authors=[{"name": "Jane Roe", "email": "jane@example.org"}])
    submission.pdf = tiny_pdf("Anonymous text", author="Jane Roe")
    assert _run(volume, private, submission)["anon"].status == Status.collected
    folder = volume / "papers" / "anon"
    everything = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    assert b"Jane" not in everything and b"Roe" not in everything
    assert PdfReader(folder / "paper.pdf").metadata is None
    assert yaml.safe_load((private / "vol" / "anonymous-authors.yml").read_text()) == {
        "anon": [{"name": "Jane Roe", "email": "jane@example.org"}]
    }


def test_a_paper_no_longer_anonymous_leaves_the_private_file(tmp_path: Path) -> None:
    """Its names kept there would make the output check report the now published names as leaks."""
    volume, private = tmp_path / "vol", tmp_path / "private"
    authors = [{"name": "Jane Roe", "email": "jane@example.org"}]
    assert _run(volume, private, _pdf_submission("p", anonymous=True, authors=authors))["p"].status == Status.collected
    assert "p" in yaml.safe_load((private / "vol" / "anonymous-authors.yml").read_text())
    assert _run(volume, private, _pdf_submission("p", authors=authors))["p"].status == Status.updated
    assert yaml.safe_load((private / "vol" / "anonymous-authors.yml").read_text()) == {}
    assert yaml.safe_load((private / "vol" / "contacts.yml").read_text()) == {
        "p": [{"name": "Jane Roe", "email": "jane@example.org"}]
    }
    assert b"jane@example.org" not in (volume / "papers" / "p" / "paper.md").read_bytes()


def test_anonymous_paper_naming_its_author_is_rejected(tmp_path: Path) -> None:
    submission = _pdf_submission("anon", anonymous=True, authors=[{"name": "Jane Roe"}])
    submission.pdf = tiny_pdf("Written by Jane Roe")
    outcome = _run(tmp_path / "vol", tmp_path / "private", submission)["anon"]
    assert outcome.status == Status.rejected
    assert outcome.messages == ["anonymity: paper.pdf:2: names an anonymous author (J…)"]


def test_pdf_only_paper_is_on_its_page_and_in_the_volume(mini_site: MiniSite, tmp_path: Path) -> None:
    _run(mini_site.srcdir / "vol", tmp_path / "private", _pdf_submission("pdfonly"))
    out = Output(tmp_path / "build")
    build(mini_site.srcdir, out)
    html = page(out.html / "vol" / "papers" / "pdfonly" / "paper.html")
    assert html.select_one("h1").get_text().rstrip("¶") == "Paper pdfonly"
    assert html.select_one(".paper-downloads a")["href"] == "../../../pdf/vol/pdfonly.pdf"
    assert "Body of pdfonly page 1" in pdf_text(out.pdf / "vol-proceedings.pdf")
    cut = pdf_text(out.pdf / "vol" / "pdfonly.pdf")
    assert "PAPER PDFONLY" in cut.upper() and "Body of pdfonly page 1" in cut
