"""LaTeX settings shared by every volume: one ``latex_documents`` entry per edition."""

from __future__ import annotations

from pathlib import Path

from proceedings.layout import WORKSHOP_FILE, volumes
from proceedings.model import load_workshop

__all__ = ["TEXINPUTS", "latex_documents_for", "latex_elements_for"]

TEXINPUTS = Path(__file__).parent / "texinputs"


def latex_documents_for(conf_py: str) -> list[tuple[str, str, str, str, str]]:
    srcdir = Path(conf_py).parent
    documents = []
    for volume in volumes(srcdir):
        workshop = load_workshop(srcdir / volume / WORKSHOP_FILE)
        editors = ", ".join(workshop.editors)
        documents.append((f"{volume}/volume", f"{volume}-proceedings.tex", workshop.volume_title, editors, "manual"))
    return documents


def latex_elements_for() -> dict[str, str]:
    return {
        "papersize": "a4paper",
        # the PDF's Title and Author come from the volume's latex_documents entry
        "passoptionstopackages": r"\PassOptionsToPackage{pdfusetitle}{hyperref}",
        "pointsize": "10pt",
        "fontpkg": r"\usepackage{proceedings}",
        # the volume's front matter (title page, colophon, contents) comes from its
        # ``volume-front-matter`` directive, with the edition's data
        "maketitle": "",
        "tableofcontents": "",
        "releasename": "",
        "printindex": "",
        "extraclassoptions": "openright",
        # lists nested deeper than LaTeX's four levels, which Markdown allows
        "maxlistdepth": "10",
    }
