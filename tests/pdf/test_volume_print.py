"""The volume as print: escaping, no shell escape, page order, stamps, indexes, per-paper PDFs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pdfs import tiny_pdf
from pybtex.database import parse_file
from pypdf import PdfReader

from proceedings.build import Output, build

from conftest import MiniSite, make_mini_site, page, paper_text, pdf_text

SPECIALS = r"Costs & Benefits: 50% of $5 #1 under_score {braces} ~tilde ^caret \backslash"
HOSTILE = r"\input{/etc/passwd} \write18{touch /tmp/pwned-proceedings} \openout5=/tmp/pwned-openout"

AUTHORS = {
    "a-zhang": "Wei Zhang",
    "b-lukasiewicz": "Ewa Łukasiewicz",
    "c-ostergaard": "Søren Østergaard",
    "d-dubois": "Émile Dubois",
    "e-munoz": "José Muñoz",
}


def _paper(title: str, author: str, body: str = "Some text.", abstract: str = "An abstract.") -> str:
    return paper_text(title=json.dumps(title), body=body).replace("Ada Example", json.dumps(author)).replace(
        "abstract: An abstract.", f"abstract: {json.dumps(abstract)}"
    )


@pytest.fixture(scope="module")
def volume(tmp_path_factory: pytest.TempPathFactory) -> tuple[MiniSite, Output]:
    for leftover in (Path("/tmp/pwned-proceedings"), Path("/tmp/pwned-openout.tex")):
        leftover.unlink(missing_ok=True)
    site = make_mini_site(tmp_path_factory.mktemp("print"))
    for ident, author in AUTHORS.items():
        body = "\n\n".join(f"Paragraph {n} about {ident}. " * 30 for n in range(12))
        site.add_paper(ident, _paper(f"Paper by {author}", author, body))
    site.add_paper("f-specials", _paper(SPECIALS, "Ana Kovač", f"Body: {SPECIALS}", abstract=SPECIALS))
    bib = "@misc{evil, title = {" + HOSTILE.replace("\\", "\\\\") + "}, author = {Mallory, M.}, year = {2020}}\n"
    site.add_paper("g-hostile", _paper(HOSTILE, HOSTILE, "{cite:p}`evil` " + HOSTILE, abstract=HOSTILE), bib)
    pdf_dir = site.papers / "h-pdfonly"
    pdf_dir.mkdir()
    (pdf_dir / "paper.pdf").write_bytes(tiny_pdf("Camera ready", pages=3))
    text = _paper("A PDF-only paper", "Noor Khan").replace("---\n\n", "pdf: paper.pdf\n---\n\n")
    (pdf_dir / "paper.md").write_text(text)
    out = Output(tmp_path_factory.mktemp("print-out"))
    build(site.srcdir, out)
    return site, out


def _pages(out: Output) -> dict[str, list[int]]:
    return json.loads(out.pages.read_text())["vol"]


def _volume(out: Output) -> list[str]:
    return pdf_text(out.pdf / "vol-proceedings.pdf").split("\f")


def test_latex_specials_print_as_themselves(volume: tuple[MiniSite, Output]) -> None:
    _, out = volume
    text = " ".join(pdf_text(out.pdf / "vol" / "f-specials.pdf").split())
    assert text.count(SPECIALS) >= 3  # title, abstract, body
    html = page(out.html / "vol" / "papers" / "f-specials" / "paper.html")
    assert html.select_one("h1").get_text().rstrip("¶") == SPECIALS


def test_tex_commands_are_printed_never_run(volume: tuple[MiniSite, Output]) -> None:
    _, out = volume
    assert not Path("/tmp/pwned-proceedings").exists() and not Path("/tmp/pwned-openout.tex").exists()
    text = " ".join(pdf_text(out.pdf / "vol" / "g-hostile.pdf").split())
    assert text.count(HOSTILE) >= 3  # title, author line, abstract, body
    assert "root:x:0" not in "".join(_volume(out))
    assert HOSTILE in " ".join(pdf_text(out.pdf / "vol" / "g-hostile.pdf").split()[-40:])  # the reference


def test_every_paper_starts_on_a_right_hand_page(volume: tuple[MiniSite, Output]) -> None:
    _, out = volume
    for ident, (first, last) in _pages(out).items():
        assert first % 2 == 1, ident
        assert last >= first


def test_page_ranges_agree_in_contents_stamps_paper_pdfs_meta_tags_and_bibtex(volume: tuple[MiniSite, Output]) -> None:
    """The one page range of each paper, as the contents, stamp, PDF, meta tags and BibTeX give it."""
    _, out = volume
    pages = _pages(out)
    volume_pages = _volume(out)
    contents = " ".join(" ".join(p.split()) for p in volume_pages[:4] if "Contents" in p)
    for ident, (first, last) in pages.items():
        paper_pdf = out.pdf / "vol" / f"{ident}.pdf"
        reader = PdfReader(paper_pdf)
        assert len(reader.pages) == last - first + 1, ident
        assert reader.metadata.subject == f"AI for Peace Workshop at ICLR 2026, pages {first}\u2013{last}"
        first_page = " ".join(pdf_text(paper_pdf).split("\f")[0].split())
        if ident != "h-pdfonly":
            assert f"AI for Peace Workshop at ICLR 2026 \u00b7 pages {first}\u2013{last}" in first_page, ident
        if ident in AUTHORS:
            assert re.search(re.escape(f"Paper by {AUTHORS[ident]}") + rf" {first}\b", contents), ident
        html = page(out.html / "vol" / "papers" / ident / "paper.html")
        meta = {name: html.find("meta", attrs={"name": name}) for name in ("citation_firstpage", "citation_lastpage")}
        assert [tag["content"] for tag in meta.values() if tag] == [str(first), str(last)], ident
        bib = parse_file(out.html / "vol" / "papers" / ident / f"{ident}.bib").entries
        (entry,) = bib.values()
        assert entry.fields["pages"] == (str(first) if first == last else f"{first}--{last}"), ident


def test_author_index_sorts_names_with_their_base_letters(volume: tuple[MiniSite, Output]) -> None:
    _, out = volume
    tex = (out.latex / "vol-proceedings.tex").read_text(encoding="utf-8")
    order = re.findall(r"\\proceedingsindexentry\{([^,{}]+),", tex)
    surnames = [name for name in order if name in {"Zhang", "Łukasiewicz", "Østergaard", "Dubois", "Muñoz"}]
    assert surnames == ["Dubois", "Łukasiewicz", "Muñoz", "Østergaard", "Zhang"]
    index = pdf_text(out.pdf / "vol-proceedings.pdf", layout=True).rstrip("\f").split("\f")[-1]
    assert index.lstrip().startswith("Author index")
    assert re.search(rf"Muñoz, José[ .]*{_pages(out)['e-munoz'][0]}\b", index)


def test_running_heads_show_authors_and_short_title(volume: tuple[MiniSite, Output]) -> None:
    _, out = volume
    second_page = pdf_text(out.pdf / "vol" / "e-munoz.pdf").split("\f")[1]
    assert second_page.lstrip().startswith("José Muñoz")


def test_pdf_only_paper_pages_carry_volume_numbers(volume: tuple[MiniSite, Output]) -> None:
    _, out = volume
    last = _pages(out)["h-pdfonly"][1]
    texts = pdf_text(out.pdf / "vol" / "h-pdfonly.pdf").split("\f")
    included = [t for t in texts if "Camera ready page" in t]
    assert len(included) == 3
    numbers = [int(re.findall(r"\b(\d+)\s*$", t.strip())[0]) for t in included]
    assert numbers == list(range(last - 2, last + 1))


def test_volume_metadata_links_and_bookmarks(volume: tuple[MiniSite, Output]) -> None:
    _, out = volume
    reader = PdfReader(out.pdf / "vol-proceedings.pdf")
    assert reader.metadata.title == "Proceedings of the AI for Peace Workshop at ICLR 2026"
    assert "Noa Garcia" in reader.metadata.author
    assert reader.metadata.subject
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "Paper by José Muñoz" in titles and "Author index" in titles
    links = [a.get_object() for p in reader.pages for a in p.get("/Annots", [])]
    assert any("/Dest" in link or "/A" in link for link in links)
    paper = PdfReader(out.pdf / "vol" / "e-munoz.pdf")
    assert [item.title for item in paper.outline if not isinstance(item, list)] == ["Paper by José Muñoz"]
