"""Atomic builds: a failed build publishes nothing; one bad paper can be left out, by name."""

from __future__ import annotations

import gc
import io
from pathlib import Path

import pytest
from rich.console import Console
from sphinx.util.console import strip_colors

from proceedings.build import BuildError, Output, Progress, build
from proceedings.cli import main

from conftest import DOCS, MiniSite, paper_text

BIB = "@book{known, author = {Doe, Jane}, title = {A Known Book}, publisher = {P}, year = {2020}}\n"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _good(site: MiniSite) -> None:
    site.add_paper("good", paper_text(title="Good Paper", body="{cite:p}`known`"), BIB)


def test_failed_build_leaves_the_published_site_untouched(mini_site: MiniSite, tmp_path: Path) -> None:
    _good(mini_site)
    out = Output(tmp_path / "build")
    build(mini_site.srcdir, out, pdf=False, private=tmp_path / "private")
    before = _snapshot(out.html)
    mini_site.add_paper("bad", paper_text(title="Bad Paper", body="{cite:p}`unknown`"), BIB)
    with pytest.raises(BuildError) as error:
        build(mini_site.srcdir, out, pdf=False, private=tmp_path / "private")
    assert list(error.value.failures) == ["vol/bad"]
    assert 'could not find bibtex key "bad:unknown"' in error.value.failures["vol/bad"][0]
    assert _snapshot(out.html) == before
    assert sorted(p.name for p in out.root.iterdir()) == ["doctrees", "html"]


def test_skip_failing_publishes_the_others_and_names_what_was_left_out(mini_site: MiniSite, tmp_path: Path) -> None:
    _good(mini_site)
    mini_site.add_paper("bad", paper_text(title="Bad Paper").replace("funding: No funding.\n", ""))
    out = Output(tmp_path / "build")
    result = build(mini_site.srcdir, out, pdf=False, private=tmp_path / "private", skip_failing=True)
    assert list(result.excluded) == ["vol/bad"]
    assert "field 'funding': Field required" in result.excluded["vol/bad"][0]
    assert (out.html / "vol" / "papers" / "good" / "paper.html").is_file()
    assert not (out.html / "vol" / "papers" / "bad").exists()
    listing = (out.html / "vol" / "papers" / "index.html").read_text(encoding="utf-8")
    assert "Good Paper" in listing and "Bad Paper" not in listing


def test_a_check_failure_publishes_nothing(mini_site: MiniSite, tmp_path: Path) -> None:
    _good(mini_site)
    private = tmp_path / "private"
    (private / "vol").mkdir(parents=True)
    (private / "vol" / "anonymous-authors.yml").write_text("some-paper:\n  - {name: Ada Example}\n")
    out = Output(tmp_path / "build")
    with pytest.raises(BuildError, match="names an anonymous author of paper 'some-paper'"):
        build(mini_site.srcdir, out, pdf=False, private=private)
    assert not out.html.exists()


def test_cli_reports_the_failing_paper(mini_site: MiniSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mini_site.add_paper("bad", paper_text(body="{cite:p}`unknown`"), BIB)
    out = tmp_path / "build"
    assert main(["build", "--no-pdf", "--srcdir", str(mini_site.srcdir), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "vol/bad: 1 problem(s)" in err and "nothing published" in err


def test_a_removed_paper_leaves_the_published_site(mini_site: MiniSite, tmp_path: Path) -> None:
    _good(mini_site)
    gone = mini_site.add_paper("gone", paper_text(title="Withdrawn Paper"))
    out = Output(tmp_path / "build")
    build(mini_site.srcdir, out, pdf=False, private=tmp_path / "private")
    assert (out.html / "vol" / "papers" / "gone" / "paper.html").is_file()
    for path in sorted(gone.rglob("*"), reverse=True):
        path.unlink()
    gone.rmdir()
    build(mini_site.srcdir, out, pdf=False, private=tmp_path / "private")
    assert not (out.html / "vol" / "papers" / "gone").exists()
    assert "Withdrawn Paper" not in (out.html / "vol" / "papers" / "index.html").read_text(encoding="utf-8")


def test_a_build_with_no_change_runs_no_latex(mini_site: MiniSite, tmp_path: Path) -> None:
    """SVG figures are converted again on every LaTeX build; their bytes must not change."""
    svg = (DOCS / "iclr2026" / "papers" / "ex01-dual-use-audit" / "figure.svg").read_text(encoding="utf-8")
    body = "```{figure} figure.svg\n:alt: A chart\n\nA caption.\n```\n"
    mini_site.add_paper("fig", paper_text(title="With a Figure", body=body), files={"figure.svg": svg})
    out = Output(tmp_path / "build")
    build(mini_site.srcdir, out, private=tmp_path / "private")
    volume = out.latex / "vol-proceedings.pdf"
    compiled = volume.stat().st_mtime_ns
    build(mini_site.srcdir, out, private=tmp_path / "private")
    assert volume.stat().st_mtime_ns == compiled


def test_a_build_hands_the_garbage_collector_back_as_it_found_it(mini_site: MiniSite, tmp_path: Path) -> None:
    """The build keeps the collector off what lives through it (see ``sphinxext.collection``), then undoes that."""
    _good(mini_site)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    build(mini_site.srcdir, Output(tmp_path / "build"), pdf=False, private=tmp_path / "private")
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_an_unchanged_build_writes_no_pdf_and_a_figure_edit_recuts_that_paper_only(
    mini_site: MiniSite, tmp_path: Path
) -> None:
    """The figure's drawing changes, not the text around it: the cut must still see it."""
    svg = (DOCS / "iclr2026" / "papers" / "ex01-dual-use-audit" / "figure.svg").read_text(encoding="utf-8")
    body = "```{figure} figure.svg\n:alt: A chart\n\nA caption.\n```\n"
    figure = mini_site.add_paper("fig", paper_text(title="With a Figure", body=body), files={"figure.svg": svg})
    mini_site.add_paper("other", paper_text(title="Another Paper", body="Some text."))
    out = Output(tmp_path / "build")

    def pdf_dates() -> dict[str, int]:
        return {p.name: p.stat().st_mtime_ns for p in out.pdf.rglob("*.pdf")}

    build(mini_site.srcdir, out, private=tmp_path / "private")
    tex, first = out.latex / "vol-proceedings.tex", pdf_dates()
    written = tex.stat().st_mtime_ns
    build(mini_site.srcdir, out, private=tmp_path / "private")
    assert tex.stat().st_mtime_ns == written and pdf_dates() == first
    (figure / "figure.svg").write_text(svg.replace("#e45756", "#000000"), encoding="utf-8")
    build(mini_site.srcdir, out, private=tmp_path / "private")
    after = pdf_dates()
    assert sorted(name for name in after if after[name] != first[name]) == ["fig.pdf", "vol-proceedings.pdf"]


def test_progress_shows_each_stage_on_a_terminal_only(
    mini_site: MiniSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _good(mini_site)
    shown = io.StringIO()
    build(mini_site.srcdir, Output(tmp_path / "build"), pdf=False, private=tmp_path / "private",
          display=Progress(Console(file=shown, force_terminal=True, width=200)))
    stages = [line for line in strip_colors(shown.getvalue()).splitlines() if line.startswith("proceedings:")]
    assert stages == [
        "proceedings: building the site", "proceedings: checking the site",
        f"proceedings: published {tmp_path / 'build' / 'html'}",
    ]
    assert "writing output... [100%]" in strip_colors(shown.getvalue())
    command = ["build", "--no-pdf", "--srcdir", str(mini_site.srcdir), "--out", str(tmp_path / "build")]
    assert main(command) == 0
    assert capsys.readouterr().out == f"HTML site: {tmp_path / 'build' / 'html' / 'index.html'}\n"
    assert main([*command, "--quiet"]) == 0
    assert capsys.readouterr().out == ""
