"""Incremental and parallel builds: what changed is rebuilt, everything it shows elsewhere too."""

from __future__ import annotations

from pathlib import Path

from conftest import MiniSite, page, paper_text


def _three_papers(site: MiniSite) -> None:
    for ident in ("p1", "p2", "p3"):
        site.add_paper(ident, paper_text(title=f"Title of {ident}", body=f"Body of {ident}."))


def _mtimes(out: Path) -> dict[str, int]:
    return {str(p.relative_to(out)): p.stat().st_mtime_ns for p in out.rglob("*.html")}


def test_title_edit_reaches_every_sidebar_and_the_papers_list(mini_site: MiniSite) -> None:
    _three_papers(mini_site)
    assert mini_site.sphinx().returncode == 0
    paper = mini_site.papers / "p1" / "paper.md"
    paper.write_text(paper.read_text().replace("Title of p1", "A Renamed Paper"))
    run = mini_site.sphinx()
    assert run.returncode == 0, run.warnings
    out = mini_site.srcdir.parent / "out-html"
    untouched = page(out / "vol" / "papers" / "p2" / "paper.html")
    sidebar = untouched.select_one(".sidebar-tree")
    assert sidebar is not None and "A Renamed Paper" in sidebar.get_text()
    assert "Title of p1" not in sidebar.get_text()
    listing = page(out / "vol" / "papers" / "index.html").select_one(".paper-list")
    assert listing is not None and "A Renamed Paper" in listing.get_text()


def test_body_edit_writes_that_paper_and_the_pages_that_show_its_headings_only(mini_site: MiniSite) -> None:
    _three_papers(mini_site)
    (mini_site.srcdir / "vol" / "sections.md").write_text(
        "# Sections\n\n```{toctree}\n:maxdepth: 2\n\npapers/p1/paper\n```\n", encoding="utf-8"
    )
    index = mini_site.srcdir / "index.md"
    index.write_text(index.read_text().replace("vol/papers/index\n", "vol/papers/index\nvol/sections\n"))
    assert mini_site.sphinx().returncode == 0
    out = mini_site.srcdir.parent / "out-html"
    before = _mtimes(out)
    paper = mini_site.papers / "p1" / "paper.md"
    paper.write_text(paper.read_text().replace("Body of p1.", "## A new section\n\nA new body of p1."))
    run = mini_site.sphinx()
    assert run.returncode == 0, run.warnings
    after = _mtimes(out)
    rewritten = sorted(name for name in after if after[name] != before.get(name))
    # The papers list shows p1 in a hidden toctree: only the page whose toctree shows sections is written.
    assert rewritten == ["search.html", "vol/papers/p1/paper.html", "vol/sections.html"]
    assert "A new body of p1." in (out / "vol" / "papers" / "p1" / "paper.html").read_text()
    assert "A new section" in page(out / "vol" / "sections.html").select_one("article").get_text()


def test_parallel_build_writes_the_same_site(mini_site: MiniSite) -> None:
    _three_papers(mini_site)
    for ident in ("p4", "p5", "p6"):
        bib = f"@misc{{k, title = {{Work of {ident}}}, year = {{2020}}}}\n"
        mini_site.add_paper(ident, paper_text(title=f"Cited {ident}", body="{cite:p}`k`"), bib)
    base = mini_site.srcdir.parent
    assert mini_site.sphinx(jobs="1", out=base / "serial").returncode == 0
    run = mini_site.sphinx(jobs="2", out=base / "parallel")
    assert run.returncode == 0, run.warnings
    serial = {str(p.relative_to(base / "serial")): p.read_bytes() for p in (base / "serial").rglob("*.html")}
    parallel = {str(p.relative_to(base / "parallel")): p.read_bytes() for p in (base / "parallel").rglob("*.html")}
    assert serial.keys() == parallel.keys()
    assert [name for name in serial if serial[name] != parallel[name]] == []


FIGURE = "```{{figure}} fig.svg\n:name: {name}\n:alt: A chart.\n\n{caption}\n```\n\nSee {{numref}}`{name}`.\n"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>\n'


def _figure_refs(html: Path) -> list[str]:
    return [a.get_text(" ", strip=True) for a in page(html).select("article a.reference span.std-numref")]


def test_each_paper_numbers_its_figures_from_one_and_a_new_figure_renumbers_that_paper_only(
    mini_site: MiniSite,
) -> None:
    for ident in ("p1", "p2"):
        body = FIGURE.format(name=f"fig-{ident}", caption=f"Chart of {ident}.")
        mini_site.add_paper(ident, paper_text(title=f"Title of {ident}", body=body), files={"fig.svg": SVG})
    assert mini_site.sphinx().returncode == 0
    out = mini_site.srcdir.parent / "out-html" / "vol" / "papers"
    assert _figure_refs(out / "p1" / "paper.html") == _figure_refs(out / "p2" / "paper.html") == ["Fig. 1"]
    before = (out / "p2" / "paper.html").stat().st_mtime_ns
    paper = mini_site.papers / "p1" / "paper.md"
    paper.write_text(paper.read_text().replace("## Introduction\n", "## Introduction\n\n" + FIGURE.format(
        name="fig-new", caption="A new first chart.")))
    run = mini_site.sphinx()
    assert run.returncode == 0, run.warnings
    assert _figure_refs(out / "p1" / "paper.html") == ["Fig. 1", "Fig. 2"]
    assert _figure_refs(out / "p2" / "paper.html") == ["Fig. 1"]
    assert (out / "p2" / "paper.html").stat().st_mtime_ns == before


def test_a_bibliography_warning_comes_back_on_a_rebuild_with_nothing_changed(mini_site: MiniSite) -> None:
    """A no-change build keeps the last citations, but not past a warning: a strict build must fail again."""
    _three_papers(mini_site)
    bib = "@article{k, author = {Doe, Jane}, title = {No journal}, year = {2020}}\n"
    mini_site.add_paper("p4", paper_text(title="Cites an incomplete entry", body="{cite:p}`k`"), bib)
    for _ in range(2):
        run = mini_site.sphinx()
        assert run.returncode != 0 and "missing journal in p4:k" in run.warnings


def test_an_edit_reaches_that_papers_bibtex_and_the_volumes_and_leaves_the_others(mini_site: MiniSite) -> None:
    _three_papers(mini_site)
    assert mini_site.sphinx().returncode == 0
    out = mini_site.srcdir.parent / "out-html" / "vol"
    other = out / "papers" / "p2" / "p2.bib"
    before = other.stat().st_mtime_ns
    paper = mini_site.papers / "p1" / "paper.md"
    paper.write_text(paper.read_text().replace("Title of p1", "A Renamed Paper"))
    assert mini_site.sphinx().returncode == 0
    assert "{A Renamed Paper}" in (out / "papers" / "p1" / "p1.bib").read_text()
    assert "A Renamed Paper" in (out / "papers" / "p1" / "p1.ris").read_text()
    volume = (out / "vol-proceedings.bib").read_text()
    assert "{A Renamed Paper}" in volume and "Title of p1" not in volume and "{Title of p2}" in volume
    assert other.stat().st_mtime_ns == before


def test_indexes_follow_a_metadata_edit_and_ignore_a_text_edit(mini_site: MiniSite) -> None:
    _three_papers(mini_site)
    (mini_site.srcdir / "vol" / "keywords.md").write_text("# Keywords\n\n```{paper-index} keywords\n```\n")
    index = mini_site.srcdir / "index.md"
    index.write_text(index.read_text().replace("vol/papers/index\n", "vol/papers/index\nvol/keywords\n"))
    assert mini_site.sphinx().returncode == 0
    out = mini_site.srcdir.parent / "out-html" / "vol"
    paper = mini_site.papers / "p1" / "paper.md"
    paper.write_text(paper.read_text().replace("Body of p1.", "A new body of p1."))
    before = {name: (out / name).stat().st_mtime_ns for name in ("keywords.html",)}
    assert mini_site.sphinx().returncode == 0
    assert {name: (out / name).stat().st_mtime_ns for name in before} == before
    paper.write_text(paper.read_text().replace("track:", "keywords: [ceasefire monitoring]\ntrack:"))
    run = mini_site.sphinx()
    assert run.returncode == 0, run.warnings
    assert "ceasefire monitoring" in page(out / "keywords.html").get_text()


def test_a_bib_edit_reaches_its_paper_and_only_its_paper(mini_site: MiniSite) -> None:
    for ident in ("p1", "p2", "p3"):
        bib = f"@misc{{k, title = {{Work cited by {ident}}}, year = {{2020}}}}\n"
        mini_site.add_paper(ident, paper_text(title=f"Cites in {ident}", body="{cite:p}`k`"), bib)
    assert mini_site.sphinx().returncode == 0
    out = mini_site.srcdir.parent / "out-html" / "vol" / "papers"
    before = {ident: (out / ident / "paper.html").stat().st_mtime_ns for ident in ("p1", "p3")}
    bib = mini_site.papers / "p2" / "paper.bib"
    bib.write_text(bib.read_text().replace("Work cited by p2", "A retitled work"))
    run = mini_site.sphinx()
    assert run.returncode == 0, run.warnings
    assert "A retitled work" in (out / "p2" / "paper.html").read_text()
    assert "Work cited by p1" in (out / "p1" / "paper.html").read_text()
    assert {ident: (out / ident / "paper.html").stat().st_mtime_ns for ident in before} == before


def test_a_rebuild_with_nothing_changed_keeps_the_sidebar_and_puts_back_deleted_outputs(mini_site: MiniSite) -> None:
    """The last build's sidebar, exports and MathJax copy are kept only while they are what a full build makes."""
    _three_papers(mini_site)
    out = mini_site.srcdir.parent / "out-html"
    assert mini_site.sphinx().returncode == 0
    fresh = page(out / "search.html").select_one(".sidebar-tree")
    assert mini_site.sphinx().returncode == 0
    assert page(out / "search.html").select_one(".sidebar-tree") == fresh
    paper = mini_site.papers / "p1" / "paper.md"
    paper.write_text(paper.read_text().replace("Title of p1", "A Renamed Paper"))
    for _ in range(2):  # the edit, then nothing changed
        assert mini_site.sphinx().returncode == 0
        sidebar = page(out / "search.html").select_one(".sidebar-tree")
        assert sidebar is not None and "A Renamed Paper" in sidebar.get_text()
    volume_bib, mathjax = out / "vol" / "vol-proceedings.bib", out / "_static" / "mathjax" / "tex-chtml.js"
    volume_bib.unlink()
    mathjax.unlink()
    assert mini_site.sphinx().returncode == 0
    assert "{A Renamed Paper}" in volume_bib.read_text() and mathjax.is_file()
