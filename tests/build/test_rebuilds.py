"""A rebuild writes what a clean build of the same sources writes, whatever was edited before it.

A Hypothesis state machine edits a small volume at random (a paper's body, title, authors,
funding, ``.bib`` entry or figure, the edition's ``workshop.yml``; papers come and go),
builds incrementally after each edit and compares the published site, file by file, with
a clean build of the same sources. The default run tries 30 sequences of up to 5 edits; ``-m slow``
tries at least 200 sequences.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from pypdf import PdfReader

from proceedings.build import Output, build

from conftest import make_mini_site, pdf_text

WORDS = ("peace", "audit", "drones", "treaty", "sensing", "bridges", "Ωmega", "naïve", "data", "export")
NAMES = ("Ada Example", "Björn Åström", "Chidi Okafor", "Mei Lin", "José Núñez")
COLOURS = ("#e45756", "#000000", "#4c78a8", "#72b7b2")
IDS = ("p1", "p2", "p3", "p4")

phrases = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)
title_phrases = phrases.map(str.capitalize)
author_lists = st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True).map(tuple)


@dataclass(frozen=True)
class Source:
    """One paper as the state machine last wrote it."""

    title: str
    authors: tuple[str, ...]
    funding: str
    body: str
    reference: str
    colour: str

    def files(self) -> dict[str, str]:
        authors = "".join(f"  - name: {name}\n    affiliations: [Example Institute]\n" for name in self.authors)
        paper = (
            f"---\ntitle: {self.title}\nauthors:\n{authors}abstract: An abstract.\ntrack: Tiny papers\n"
            f"funding: {self.funding}\n---\n\n## Introduction\n\n{self.body} $x^2$ {{cite:p}}`k`\n\n"
            "```{figure} figure.svg\n:alt: A square\n\nA caption.\n```\n"
        )
        bib = f"@book{{k, author = {{Doe, Jane}}, title = {{{self.reference}}}, publisher = {{P}}, year = {{2020}}}}\n"
        svg = (
            '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20">'
            f'<rect width="20" height="20" fill="{self.colour}"/></svg>\n'
        )
        return {"paper.md": paper, "paper.bib": bib, "figure.svg": svg}


def _published(out: Output) -> dict[str, bytes]:
    """The site's files; ``.buildinfo`` (a hash of the build's settings) is the one that differs by nature."""
    return {
        path.relative_to(out.html).as_posix(): path.read_bytes()
        for path in sorted(out.html.rglob("*"))
        if path.is_file() and path.name != ".buildinfo"
    }


def differences(rebuilt: Output, clean: Output) -> list[str]:
    """Files that are only in one site, or whose bytes differ."""
    ours, theirs = _published(rebuilt), _published(clean)
    return sorted(name for name in ours.keys() | theirs.keys() if ours.get(name) != theirs.get(name))


class RebuildMachine(RuleBasedStateMachine):
    """Random edits to a small volume, each followed by an incremental build checked against a clean one."""

    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="rebuilds-"))
        self.site = make_mini_site(self.root)
        self.out = Output(self.root / "build")
        self.papers: dict[str, Source] = {}
        self.workshop = self.site.srcdir / "vol" / "workshop.yml"

    def _write(self, ident: str, source: Source) -> None:
        folder = self.site.papers / ident
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in source.files().items():
            path = folder / name
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
        self.papers[ident] = source

    def _edit(self, ident: str, **changes: str | tuple[str, ...]) -> None:
        self._write(ident, replace(self.papers[ident], **changes))  # type: ignore[arg-type]

    @initialize(first=title_phrases, second=title_phrases)
    def two_papers(self, first: str, second: str) -> None:
        for ident, title in (("p1", first), ("p2", second)):
            self._write(ident, Source(title, ("Ada Example",), "No funding.", "Some text.", "A Known Book", COLOURS[0]))
        build(self.site.srcdir, self.out, pdf=False, private=self.root / "private")

    @rule(data=st.data(), title=title_phrases)
    def edit_title(self, data: st.DataObject, title: str) -> None:
        self._edit(data.draw(st.sampled_from(sorted(self.papers))), title=title)

    @rule(data=st.data(), body=phrases)
    def edit_body(self, data: st.DataObject, body: str) -> None:
        self._edit(data.draw(st.sampled_from(sorted(self.papers))), body=body)

    @rule(data=st.data(), authors=author_lists)
    def edit_authors(self, data: st.DataObject, authors: tuple[str, ...]) -> None:
        self._edit(data.draw(st.sampled_from(sorted(self.papers))), authors=authors)

    @rule(data=st.data(), funding=phrases)
    def edit_funding(self, data: st.DataObject, funding: str) -> None:
        self._edit(data.draw(st.sampled_from(sorted(self.papers))), funding=f"Funded by {funding}.")

    @rule(data=st.data(), reference=title_phrases)
    def edit_bib_entry(self, data: st.DataObject, reference: str) -> None:
        self._edit(data.draw(st.sampled_from(sorted(self.papers))), reference=reference)

    @rule(data=st.data(), colour=st.sampled_from(COLOURS))
    def edit_figure(self, data: st.DataObject, colour: str) -> None:
        self._edit(data.draw(st.sampled_from(sorted(self.papers))), colour=colour)

    @rule(theme=title_phrases)
    def edit_workshop(self, theme: str) -> None:
        lines = self.workshop.read_text(encoding="utf-8").splitlines(keepends=True)
        self.workshop.write_text(
            "".join(f"theme: {theme}\n" if line.startswith("theme:") else line for line in lines), encoding="utf-8"
        )

    @precondition(lambda self: len(self.papers) < len(IDS))
    @rule(data=st.data(), title=title_phrases, authors=author_lists)
    def add_paper(self, data: st.DataObject, title: str, authors: tuple[str, ...]) -> None:
        ident = data.draw(st.sampled_from([i for i in IDS if i not in self.papers]))
        self._write(ident, Source(title, authors, "No funding.", "New text.", "Another Book", COLOURS[1]))

    @precondition(lambda self: len(self.papers) > 1)
    @rule(data=st.data())
    def remove_paper(self, data: st.DataObject) -> None:
        ident = data.draw(st.sampled_from(sorted(self.papers)))
        shutil.rmtree(self.site.papers / ident)
        del self.papers[ident]

    @invariant()
    def rebuild_equals_clean_build(self) -> None:
        if not self.papers:
            return  # before the first build
        build(self.site.srcdir, self.out, pdf=False, private=self.root / "private")
        clean = Output(self.root / "clean")
        shutil.rmtree(clean.root, ignore_errors=True)
        build(self.site.srcdir, clean, pdf=False, private=self.root / "private")
        assert (different := differences(self.out, clean)) == [], different

    def teardown(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


_SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much]}

TestRebuildEqualsCleanBuild = RebuildMachine.TestCase
TestRebuildEqualsCleanBuild.settings = settings(max_examples=30, stateful_step_count=5, **_SETTINGS)  # type: ignore[arg-type]


class SlowRebuildMachine(RebuildMachine):
    """The same, over at least 200 sequences of edits."""


TestRebuildEqualsCleanBuildSlow = pytest.mark.slow(SlowRebuildMachine.TestCase)
TestRebuildEqualsCleanBuildSlow.settings = settings(max_examples=200, stateful_step_count=5, **_SETTINGS)  # type: ignore[arg-type]


@pytest.mark.latex
def test_a_title_edit_reaches_the_volume_and_the_papers_pdf(tmp_path: Path) -> None:
    """With PDFs: the LaTeX builder reads the edit too, and the site is still rewritten."""
    site = make_mini_site(tmp_path)
    for ident, title in (("p1", "First title"), ("p2", "Second title")):
        source = Source(title, ("Ada Example",), "No funding.", "Some text.", "A Known Book", COLOURS[0])
        site.add_paper(ident, "", files=source.files())
    out, private = Output(tmp_path / "build"), tmp_path / "private"
    build(site.srcdir, out, private=private)
    paper = site.papers / "p1" / "paper.md"
    paper.write_text(paper.read_text(encoding="utf-8").replace("First title", "Renamed paper"), encoding="utf-8")
    build(site.srcdir, out, private=private)
    clean = Output(tmp_path / "clean")
    build(site.srcdir, clean, private=private)
    pdfs = ["pdf/vol-proceedings.pdf", "pdf/vol/p1.pdf", "pdf/vol/p2.pdf"]
    assert set(differences(out, clean)) <= set(pdfs), (out, clean)
    for name in pdfs:
        assert len(PdfReader(out.html / name).pages) == len(PdfReader(clean.html / name).pages)
        assert pdf_text(out.html / name) == pdf_text(clean.html / name)
    assert "Renamed paper" in pdf_text(out.pdf / "vol" / "p1.pdf")
    assert "First title" not in pdf_text(out.pdf / "vol-proceedings.pdf")
    stale = [name for name, data in _published(out).items() if b"First title" in data]
    assert stale == []
