"""Characters the volume's fonts print: box drawing in code comes from DejaVu Sans Mono, other gaps still fail."""

from __future__ import annotations

from proceedings.pdf import compile_volume

from conftest import MiniSite, paper_text, pdf_text


def test_box_drawing_in_code_is_printed_from_the_fallback_font(mini_site: MiniSite) -> None:
    tree = "project/\n├── src/\n│   └── main.py\n└── README.md"
    mini_site.add_paper("p1", paper_text(body=f"A tree ─ inline too.\n\n```text\n{tree}\n```\n"))
    run = mini_site.sphinx("latex")
    assert run.returncode == 0, run.warnings
    volume = compile_volume(mini_site.srcdir.parent / "out-latex" / "vol-proceedings.tex")
    text = pdf_text(volume)
    assert "└── README.md" in text and "│" in text and "A tree ─ inline too." in text
