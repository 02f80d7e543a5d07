"""The PDF volume and the per-paper PDFs, read back with poppler and pypdf."""

from __future__ import annotations

import re
import subprocess
import unicodedata

from pypdf import PdfReader

from proceedings.build import Output
from proceedings.layout import paper_dirs
from proceedings.model import load_paper
from proceedings.pdf.cut import paper_pages

from conftest import DOCS, pdf_text

VOLUME = "iclr2026-proceedings.pdf"


def _normal(text: str) -> str:
    """pdftotext gives Arabic as presentation forms with direction marks; compare logically."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if ch not in "\u202a\u202b\u202c\u202d\u202e")


def test_volume_has_title_page_contents_overview_and_papers(site: Output) -> None:
    text = pdf_text(site.pdf / VOLUME)
    first_page = text.split("\f")[0]
    assert "AI for Peace" in first_page and "Rio de Janeiro" in first_page and "Noa Garcia" in first_page
    assert "CONTENTS" in text.upper()
    overview = text.index("Artificial intelligence (AI), including machine learning")
    assert overview < text.index("Auditing Dual-Use Potential", overview)
    assert "Hebron" in text and "The Atlas of AI" in text


def test_every_name_renders(site: Output) -> None:
    text = _normal(pdf_text(site.pdf / VOLUME))
    names = ("José Muñoz", "Ewa Łukasiewicz", "王小明", "Émile Dubois", "ليلى حداد", "Søren Østergaard", "Zoë Ñúñez")
    for name in names:
        assert name in text, name


def test_fonts_are_embedded(site: Output) -> None:
    listing = subprocess.run(["pdffonts", str(site.pdf / VOLUME)], capture_output=True, text=True, check=True).stdout
    rows = listing.splitlines()[2:]
    assert rows
    assert all(row.split()[-5] == "yes" for row in rows), listing
    assert "NotoSerifCJK" in listing and "FreeSerif" in listing


def test_each_paper_pdf_is_its_own_pages_with_its_own_references(site: Output) -> None:
    pages = {p.paper_id: p for p in paper_pages(site.pdf / VOLUME)}
    folders = paper_dirs(DOCS, "iclr2026")
    assert sorted(pages) == [f.name for f in folders]
    for folder in folders:
        paper = load_paper(folder / "paper.md")
        pdf = site.pdf / "iclr2026" / f"{folder.name}.pdf"
        reader = PdfReader(pdf)
        assert len(reader.pages) == pages[folder.name].last - pages[folder.name].first + 1
        assert pages[folder.name].last_index - pages[folder.name].first_index == len(reader.pages) - 1
        text = " ".join(_normal(pdf_text(pdf)).split())
        assert paper.title.split(":")[0].upper() in text.upper()
        assert "References" in text
        assert reader.metadata.title == paper.title
        if paper.anonymous:
            assert "Anonymous authors" in text
            assert not reader.metadata.author
        else:
            assert reader.metadata.author == "; ".join(paper.author_names)
    ex01 = " ".join(pdf_text(site.pdf / "iclr2026/ex01-dual-use-audit.pdf").split())
    ex02 = " ".join(pdf_text(site.pdf / "iclr2026/ex02-funding-trails.pdf").split())
    assert "Dual-Use Signals in Vision Benchmarks" in ex01 and "Ledgers of War" not in ex01
    assert "Ledgers of War" in ex02 and "Dual-Use Signals" not in ex02


def test_references_stay_with_their_paper(site: Output) -> None:
    """Sphinx pools all citations at the volume's end by default; each paper keeps its own here."""
    text = " ".join(pdf_text(site.pdf / VOLUME).split())
    ex01_ref = text.index("Dual-Use Signals in Vision Benchmarks. Journal of Fictional Ethics")
    ex02_title = text.index("Funding Trails: Tracing Defence Money", ex01_ref)
    ex02_ref = text.index("Ledgers of War: Following Research Money. Imaginary Press")
    assert ex01_ref < ex02_title < ex02_ref
    assert text.count("Ledgers of War: Following Research Money. Imaginary Press") == 1


def test_each_paper_numbers_its_figures_from_one_in_print_and_on_the_web(site: Output) -> None:
    for folder in paper_dirs(DOCS, "iclr2026"):
        printed = " ".join(pdf_text(site.pdf / "iclr2026" / f"{folder.name}.pdf").split())
        web = (site.html / "iclr2026" / "papers" / folder.name / "paper.html").read_text(encoding="utf-8")
        assert re.findall(r"Fig\. (\d+):", printed) == ["1"], folder.name
        assert re.findall(r"caption-number\">Fig\. (\d+) ", web) == ["1"], folder.name
        assert "Figure 1" in printed and "Figure 1" in web and "Figure 2" not in printed + web, folder.name
