"""What real papers ask of the PDF: box drawing in code (from DejaVu Sans Mono), KaTeX macros, deep lists."""

from __future__ import annotations

from proceedings.pdf.compile import compile_volume

from conftest import MiniSite, paper_text, pdf_text


def test_box_drawing_in_code_is_printed_from_the_fallback_font(mini_site: MiniSite) -> None:
    tree = "project/\n├── src/\n│   └── main.py\n└── README.md"
    mini_site.add_paper("p1", paper_text(body=f"A tree ─ inline too.\n\n```text\n{tree}\n```\n"))
    run = mini_site.sphinx("latex")
    assert run.returncode == 0, run.warnings
    volume = compile_volume(mini_site.srcdir.parent / "out-latex" / "vol-proceedings.tex")
    text = pdf_text(volume)
    assert "└── README.md" in text and "│" in text and "A tree ─ inline too." in text


def test_katex_macros_deep_lists_and_cited_captions_print(mini_site: MiniSite) -> None:
    bib = "@book{k, author = {Doe, Jane}, title = {B}, publisher = {P}, year = {2020}}\n"
    lists = "".join(f"{'  ' * depth}- level {depth + 1}\n" for depth in range(7))
    body = ("Math $a \\lt b \\gt c$ and $\\bm{x}$.\n\n" + lists +
            "\n```{list-table} Data from {cite:p}`k`\n:name: t\n* - a\n```\n")
    mini_site.add_paper("p1", paper_text(body=body), bib)
    run = mini_site.sphinx("latex")
    assert run.returncode == 0, run.warnings
    text = pdf_text(compile_volume(mini_site.srcdir.parent / "out-latex" / "vol-proceedings.tex"))
    assert "level 7" in text and "Data from [1]" in text
