"""Every failure has an owner, and strict stays strict: a paper that warned fails every build until it changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from proceedings.build import BuildError, Output, build, build_pdfs

from conftest import MiniSite, paper_text

CRASHING_EXTENSION = '''

def _crash(app, docname, source):
    from sphinx.util import logging

    if docname.endswith("papers/crash/paper"):
        raise ValueError("this paper's id breaks a label")
    if docname.endswith("papers/quiet/paper"):
        logging.getLogger(__name__).warning("a warning that names no file")


def setup(app):
    app.connect("source-read", _crash)
'''


def _failures(site: MiniSite, out: Output) -> dict[str, list[str]]:
    with pytest.raises(BuildError) as error:
        build(site.srcdir, out, pdf=False, private=out.root / "private")
    return error.value.failures


def test_a_papers_warning_fails_every_strict_build_until_the_paper_is_fixed(
    mini_site: MiniSite, tmp_path: Path
) -> None:
    mini_site.add_paper("good", paper_text(title="Good Paper"))
    footnote = mini_site.add_paper("foot", paper_text(body="Text.\n\n[^unused]: A footnote nobody cites.")) / "paper.md"
    out = Output(tmp_path / "build")
    first, second = _failures(mini_site, out), _failures(mini_site, out)
    assert list(first) == ["vol/foot"] and first == second
    assert first["vol/foot"] == [f"{footnote}:15: WARNING: Footnote [#] is not referenced."]
    footnote.write_text(paper_text(body="Text."), encoding="utf-8")
    build(mini_site.srcdir, out, pdf=False, private=tmp_path / "private")
    record = json.loads((out.environment("html") / "warnings.json").read_text(encoding="utf-8"))
    assert record == {"read": {}, "write": {}}


def test_a_warning_kept_from_a_published_build_is_reported_again(mini_site: MiniSite, tmp_path: Path) -> None:
    """A write-phase warning (an undefined label) on a page that an unchanged rebuild does not write."""
    mini_site.add_paper("good", paper_text(title="Good Paper"))
    out = Output(tmp_path / "build")
    build(mini_site.srcdir, out, pdf=False, private=tmp_path / "private")
    mini_site.add_paper("ref", paper_text(title="Refers", body="See {ref}`nolabel`."))
    expected = {"vol/ref": [f"{mini_site.papers / 'ref' / 'paper.md'}:13: WARNING: undefined label: 'nolabel'"]}
    assert _failures(mini_site, out) == expected
    assert _failures(mini_site, out) == expected


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_skip_failing_leaves_out_exactly_the_failing_papers_every_time(
    mini_site: MiniSite, tmp_path: Path, jobs: str
) -> None:
    """A warning with no location, one in the write phase, an extension's exception: each on its paper,
    also when other processes read the documents."""
    conf = mini_site.srcdir / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + CRASHING_EXTENSION, encoding="utf-8")
    mini_site.add_paper("good", paper_text(title="Good Paper"))
    mini_site.add_paper("crash", paper_text(title="Crashing Paper"))
    mini_site.add_paper("quiet", paper_text(title="Quiet Paper"))
    mini_site.add_paper("foot", paper_text(title="Footnote Paper", body="Text.\n\n[^unused]: Nobody cites it."))
    mini_site.add_paper("role", paper_text(title="Role Paper", body="An {unknownrole}`x` here."))
    mini_site.add_paper("ref", paper_text(title="Refers Paper", body="See {ref}`nolabel`."))
    out = Output(tmp_path / "build")
    for _ in range(2):
        result = build(mini_site.srcdir, out, pdf=False, private=tmp_path / "private", skip_failing=True, jobs=jobs)
        assert sorted(result.excluded) == ["vol/crash", "vol/foot", "vol/quiet", "vol/ref", "vol/role"]
        assert "ValueError: this paper's id breaks a label" in result.excluded["vol/crash"][0]
        assert result.excluded["vol/quiet"] == [
            f"{mini_site.papers / 'quiet' / 'paper.md'}: WARNING: a warning that names no file"
        ]
        assert result.excluded["vol/role"] == [
            f"{mini_site.papers / 'role' / 'paper.md'}:13: WARNING: Unknown interpreted text role \"unknownrole\"."
        ]
        listing = (out.html / "vol" / "papers" / "index.html").read_text(encoding="utf-8")
        assert "Good Paper" in listing
        assert not any(f"{name} Paper" in listing for name in ("Crashing", "Quiet", "Footnote", "Role", "Refers"))


def test_the_latex_builder_reports_a_papers_warning_again_although_it_reads_nothing(
    mini_site: MiniSite, tmp_path: Path
) -> None:
    """The LaTeX environment is not staged: only the record of warnings makes the second run fail."""
    footnote = mini_site.add_paper("foot", paper_text(body="Text.\n\n[^unused]: A footnote nobody cites.")) / "paper.md"
    out = Output(tmp_path / "build")
    for _ in range(2):
        with pytest.raises(BuildError) as error:
            build_pdfs(mini_site.srcdir, out)
        assert error.value.failures == {"vol/foot": [f"{footnote}:15: WARNING: Footnote [#] is not referenced."]}


@pytest.mark.latex
def test_latex_errors_missing_glyphs_and_a_timeout_leave_out_only_their_papers(
    mini_site: MiniSite, tmp_path: Path
) -> None:
    """Each LaTeX failure is pinned on its paper by the marks TeX echoes as it passes each paper.

    The TeX comes in raw blocks, as in pages an organizer writes: in math, the math guard would
    print it as text before TeX ever saw it (tests/check/test_math.py)."""

    def raw(tex: str) -> str:
        return f"Text.\n\n```{{raw}} latex\n{tex}\n```\n"

    mini_site.add_paper("a-good", paper_text(title="Good Paper"))
    mini_site.add_paper("b-undefined", paper_text(title="Undefined Paper", body=raw("\\undefinedmacro x")))
    mini_site.add_paper("c-glyph", paper_text(title="Glyph Paper \U0001fae8", body="No font has \U0001fae8."))
    mini_site.add_paper("d-loop", paper_text(title="Looping Paper", body=raw("\\def\\x{\\x}\\x")))
    mini_site.add_paper("e-good", paper_text(title="Another Good Paper"))
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRETWORD", encoding="utf-8")
    mini_site.add_paper("f-reads", paper_text(title="Reading Paper", body=raw(f"\\input{{{secret}}}")))
    out = Output(tmp_path / "build")
    result = build(mini_site.srcdir, out, private=tmp_path / "private", skip_failing=True, tex_timeout=20)
    assert sorted(result.excluded) == ["vol/b-undefined", "vol/c-glyph", "vol/d-loop", "vol/f-reads"]
    assert result.excluded["vol/f-reads"][0] == f"! LaTeX Error: File `{secret}' not found."
    assert any("Undefined control sequence" in line for line in result.excluded["vol/b-undefined"])
    assert all(line.startswith("Missing character: ") for line in result.excluded["vol/c-glyph"])
    assert result.excluded["vol/d-loop"] == [
        "vol-proceedings.tex: LaTeX did not finish within 20 s, while typesetting paper 'd-loop'"
    ]
    assert sorted(p.name for p in (out.pdf / "vol").glob("*.pdf")) == ["a-good.pdf", "e-good.pdf"]
