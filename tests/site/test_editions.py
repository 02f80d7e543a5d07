"""Several editions in one site: an edition without papers, one author index and one search
across editions, the programme's order, schedule links, and ``proceedings new-edition``."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import yaml

from proceedings.build import Output, build
from proceedings.cli import main
from proceedings.edition import new_edition
from proceedings.layout import new_volume
from proceedings.model import load_workshop
from proceedings.pdf.latex import latex_documents_for

from conftest import DOCS, MiniSite, page, write_files

HOME = "# Site\n\n```{editions}\n```\n\n```{toctree}\n:hidden:\n\nauthors\n```\n"
CROSS_AUTHORS = "# All authors\n\n```{paper-index} authors\n:editions: all\n```\n"


def _paper(title: str, authors: list[str], presentation: str, session: str) -> str:
    names = "".join(f"  - name: {name}\n" for name in authors)
    return (
        f"---\ntitle: {title}\nauthors:\n{names}abstract: About {title}.\ntrack: Tiny papers\n"
        f"presentation: {presentation}\nsession: {session}\nfunding: No funding.\n---\n\n## Text\n\nBody.\n"
    )


def _workshop(tmp: Path, name: str, **changes: Any) -> Path:
    data = yaml.safe_load((DOCS / "iclr2026" / "workshop.yml").read_text(encoding="utf-8"))
    data.update(changes)
    path = tmp / f"{name}.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _edition(srcdir: Path, name: str, workshop: Path, papers: dict[str, str]) -> None:
    new_volume(srcdir, name, workshop)
    pages = {"index": "{edition-contents}", "sessions": "{paper-index} sessions", "authors": "{paper-index} authors",
             "schedule": "{workshop} schedule", "contact": "{workshop} contact"}
    write_files(srcdir / name, {f"{page}.md": f"# {page}\n\n```{what}\n```\n" for page, what in pages.items()})
    write_files(srcdir / name / "papers", {f"{ident}/paper.md": text for ident, text in papers.items()})


def _two_editions_and_one_to_come(tmp_path: Path) -> MiniSite:
    srcdir = tmp_path / "docs"
    srcdir.mkdir()
    shutil.copy(DOCS / "conf.py", srcdir / "conf.py")
    shutil.copytree(DOCS / "_static", srcdir / "_static")
    write_files(srcdir, {"index.md": HOME, "authors.md": CROSS_AUTHORS})
    first = _workshop(
        tmp_path, "first", date="2026-04-26", venue_short="ICLR 2026",
        sessions=[{"name": "Poster session 1", "papers": ["a3", "a1"]}],
        schedule=[
            {"start": "09:00", "minutes": 20, "kind": "oral", "title": "WHY WE ABSTAIN"},
            {"start": "09:20", "minutes": 20, "kind": "poster", "title": "A talk with another title", "paper": "a1"},
            {"start": "09:40", "minutes": 20, "kind": "break", "title": "Coffee"},
        ],
    )
    _edition(srcdir, "first", first, {
        "a1": _paper("Shared Author's First Paper", ["Ada Example", "Bo Other"], "poster", "Poster session 1"),
        "a2": _paper("Why We Abstain", ["Cy Third"], "oral", "Oral session 1"),
        "a3": _paper("Listed First in Its Session", ["Dee Fourth"], "poster", "Poster session 1"),
    })
    second = _workshop(tmp_path, "second", date="2026-12-12", venue_short="NeurIPS 2026", edition=2)
    _edition(srcdir, "second", second, {
        "b1": _paper("Shared Author's Second Paper", ["Ada Example"], "spotlight", "Spotlights"),
    })
    new_edition(srcdir, "third", "second", "ICML 2027", "Somewhere", dt.date(2027, 7, 1))
    return MiniSite(srcdir)


def _links(soup: Any, selector: str) -> list[str]:
    return [a["href"] for a in soup.select(selector)]


def test_two_editions_share_an_author_and_a_search_while_a_third_has_no_papers_yet(tmp_path: Path) -> None:
    site = _two_editions_and_one_to_come(tmp_path)
    run = site.sphinx()
    assert run.returncode == 0, run.warnings
    out = tmp_path / "out-html"
    home = page(out / "index.html")
    assert _links(home, "article li > p > a") == ["third/index.html", "second/index.html", "first/index.html"]
    # The edition to come: its home page and contents, no volume, papers list or index.
    assert (out / "third" / "index.html").is_file()
    for missing in ("volume.html", "papers/index.html", "authors.html", "sessions.html", "speakers.html"):
        assert not (out / "third" / missing).exists(), missing
    assert not (out / "third" / "third-proceedings.bib").exists()
    third_links = _links(page(out / "third" / "index.html"), "article .toctree-wrapper a")
    assert third_links and not any("papers" in link or "authors" in link for link in third_links)
    # One author index across editions: one entry, both papers, newest edition first.
    authors = page(out / "authors.html")
    entry = next(item for item in authors.select("dl.paper-index-entries > div, dl.paper-index-entries dt")
                 if "Example, Ada" in item.get_text())
    papers = entry.find_next("dd").select("a")
    assert [a["href"] for a in papers] == ["second/papers/b1/paper.html", "first/papers/a1/paper.html"]
    assert "NeurIPS 2026" in entry.find_next("dd").get_text()
    # One search over both editions; each edition its own BibTeX.
    search = (out / "searchindex.js").read_text(encoding="utf-8")
    assert "first/papers/a1/paper" in search and "second/papers/b1/paper" in search
    assert (out / "first" / "first-proceedings.bib").is_file() and (out / "second" / "second-proceedings.bib").is_file()
    # Each edition with papers has its own volume; the edition to come has none.
    volumes = [doc[0] for doc in latex_documents_for(str(site.srcdir / "conf.py"))]
    assert volumes == ["first/volume", "second/volume"]


def test_the_programme_orders_the_volume_the_papers_list_and_the_sessions(tmp_path: Path) -> None:
    site = _two_editions_and_one_to_come(tmp_path)
    assert site.sphinx().returncode == 0
    out = tmp_path / "out-html" / "first"
    expected = ["a3", "a1", "a2"]  # the listed session first, in its listed order; then the orals' session
    listing = _links(page(out / "papers" / "index.html"), ".paper-list a")
    assert [link.split("/")[0] for link in listing] == expected
    volume = _links(page(out / "volume.html"), "article .toctree-wrapper a")
    assert [link.split("/")[1] for link in volume if link.startswith("papers/")] == expected
    sessions = page(out / "sessions.html")
    assert [h.get_text() for h in sessions.select(".paper-index-sessions .rubric")] == [
        "Poster session 1", "Oral session 1"]
    assert [link.split("/")[1] for link in _links(sessions, ".paper-index-sessions a")] == expected


def test_schedule_entries_link_to_their_papers_by_title_or_id(tmp_path: Path) -> None:
    site = _two_editions_and_one_to_come(tmp_path)
    assert site.sphinx().returncode == 0
    schedule = page(tmp_path / "out-html" / "first" / "schedule.html")
    links = {a.get_text(): a["href"] for a in schedule.select("a.schedule-paper")}
    assert links == {"WHY WE ABSTAIN": "papers/a2/paper.html", "A talk with another title": "papers/a1/paper.html"}


def test_the_first_paper_of_an_edition_brings_its_volume_pages(tmp_path: Path) -> None:
    site = _two_editions_and_one_to_come(tmp_path)
    assert site.sphinx().returncode == 0
    write_files(site.srcdir / "third" / "papers", {"c1/paper.md": _paper("New", ["Eve Fifth"], "poster", "P")})
    run = site.sphinx()
    assert run.returncode == 0, run.warnings
    out = tmp_path / "out-html" / "third"
    assert _links(page(out / "papers" / "index.html"), ".paper-list a") == ["c1/paper.html"]
    assert (out / "volume.html").is_file()
    assert "papers/index.html" in _links(page(out / "index.html"), "article .toctree-wrapper a")


def test_new_edition_carries_over_what_lasts_and_leaves_the_meeting_to_fill(tmp_path: Path) -> None:
    srcdir = tmp_path / "docs"
    shutil.copytree(DOCS / "iclr2026", srcdir / "iclr2026", ignore=shutil.ignore_patterns("papers"))
    args = ["new-edition", "edition2", "--from", "iclr2026", "--venue", "NeurIPS 2026", "--city", "Paris, France",
            "--date", "2026-12-12", "--srcdir", str(srcdir)]
    assert main(args) == 0
    before = load_workshop(srcdir / "iclr2026" / "workshop.yml")
    after = load_workshop(srcdir / "edition2" / "workshop.yml")
    assert after.organizers == before.organizers and after.editors == before.editors
    assert after.call_for_papers.tracks == before.call_for_papers.tracks
    assert (after.edition, after.venue_short, after.city, after.date) == (2, "NeurIPS 2026", "Paris, France",
                                                                         dt.date(2026, 12, 12))
    assert after.speakers == () and after.schedule == () and after.sessions == () and after.openreview_group is None
    assert [(item.date, item.event) for item in after.call_for_papers.timeline] == [(dt.date(2026, 12, 12), "workshop")]
    assert "NeurIPS 2026" in after.call_for_papers.llm_policy and "ICLR" not in after.call_for_papers.llm_policy
    assert "Still to fill in" in (srcdir / "edition2" / "workshop.yml").read_text(encoding="utf-8")
    assert not (srcdir / "edition2" / "overview.md").exists()
    assert main(args) == 1  # never overwrites an edition


FIRST_EDITION_URLS = [
    "index.html", "overview.html", "call-for-papers.html", "speakers.html", "organizers.html", "schedule.html",
    "papers/index.html", "sessions.html", "authors.html", "keywords.html", "funding.html", "contact.html",
    "volume.html", "iclr2026-proceedings.bib",
    *(f"papers/{ident}/paper.html" for ident in (
        "ex01-dual-use-audit", "ex02-funding-trails", "ex03-anonymous-surveillance", "ex04-landmine-sensing",
        "ex05-multilingual-monitoring")),
    "papers/ex01-dual-use-audit/ex01-dual-use-audit.bib",
]


def test_the_repository_site_builds_strictly_with_both_editions_and_keeps_the_first_editions_urls(
    tmp_path: Path,
) -> None:
    out = Output(tmp_path / "build")
    build(DOCS, out, pdf=False, private=tmp_path / "private")
    for url in FIRST_EDITION_URLS:
        assert (out.html / "iclr2026" / url).is_file(), url
    assert (out.html / "neurips2026" / "index.html").is_file()
    assert (out.html / "neurips2026" / "information-for-authors.html").is_file()
    assert not (out.html / "neurips2026" / "papers").exists()
    assert (out.html / "camera-ready-template.zip").is_file()
    home = page(out.html / "index.html")
    assert _links(home, "article li > p > a")[:2] == ["neurips2026/index.html", "iclr2026/index.html"]


def test_a_new_paper_or_a_moved_one_reorders_the_lists_without_reading_the_other_papers(tmp_path: Path) -> None:
    site = _two_editions_and_one_to_come(tmp_path)
    assert site.sphinx().returncode == 0
    doctrees = tmp_path / "out-html-doctrees" / "first" / "papers"

    def read_times() -> dict[str, int]:
        return {path.parent.name: path.stat().st_mtime_ns for path in doctrees.glob("*/paper.doctree")}

    before = read_times()
    papers = site.srcdir / "first" / "papers"
    write_files(papers, {"a0/paper.md": _paper("An Oral Added Late", ["Fay Sixth"], "oral", "Oral session 1")})
    a2 = papers / "a2" / "paper.md"
    a2.write_text(a2.read_text(encoding="utf-8").replace("presentation: oral", "presentation: poster"), "utf-8")
    run = site.sphinx()
    assert run.returncode == 0, run.warnings
    after = read_times()
    assert {ident for ident in before if after[ident] != before[ident]} == {"a2"}
    listing = _links(page(tmp_path / "out-html" / "first" / "papers" / "index.html"), ".paper-list a")
    assert [link.split("/")[0] for link in listing] == ["a3", "a1", "a0", "a2"]  # the oral before the poster
    volume = _links(page(tmp_path / "out-html" / "first" / "volume.html"), "article .toctree-wrapper a")
    assert [link.split("/")[1] for link in volume if link.startswith("papers/")] == ["a3", "a1", "a0", "a2"]


def test_sessions_listed_in_workshop_yml_reorder_the_sessions_page(tmp_path: Path) -> None:
    site = _two_editions_and_one_to_come(tmp_path)
    assert site.sphinx().returncode == 0
    workshop = site.srcdir / "first" / "workshop.yml"
    data = yaml.safe_load(workshop.read_text(encoding="utf-8"))
    data["sessions"] = [{"name": "Oral session 1"}, {"name": "Poster session 1", "papers": ["a1", "a3"]}]
    workshop.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    run = site.sphinx()
    assert run.returncode == 0, run.warnings
    sessions = page(tmp_path / "out-html" / "first" / "sessions.html")
    assert [link.split("/")[1] for link in _links(sessions, ".paper-index-sessions a")] == ["a2", "a1", "a3"]
