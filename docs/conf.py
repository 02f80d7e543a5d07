"""Sphinx configuration of the AI for Peace proceedings site and volumes."""

from proceedings.pdf.latex import TEXINPUTS, latex_documents_for, latex_elements_for

project = "AI for Peace"
author = "The AI for Peace organizers"
copyright = "2026, the authors of each contribution"

extensions = [
    "proceedings.sphinxext",
    # Optional: skips work that depends only on what changed; a parity test shows it changes no output.
    "proceedings.sphinxext_fast",
]
root_doc = "index"
exclude_patterns = ["_build", "**/README.md"]

# MyST: only what papers need. Everything that can reach outside a paper or run
# code stays off (no html_image, substitution, raw HTML or file inclusion).
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_title_to_header = True
myst_heading_anchors = 3
numfig = True
# Figures, tables and equations are numbered within each paper.
numfig_secnum_depth = 0

bibtex_bibfiles: list[str] = []  # filled in by the proceedings extension
bibtex_default_style = "unsrt"
bibtex_reference_style = "label"
bibtex_tooltips = False
# Numeric labels start again at [1] in every paper, as they should.
suppress_warnings = ["bibtex.duplicate_label"]

html_theme = "furo"
# The site's public address: canonical links, the sitemap, citation meta tags and the
# URLs in each paper's BibTeX and RIS all start here.
html_baseurl = "https://ai-for-peace.github.io/proceedings/"
html_title = "AI for Peace"
html_favicon = "_static/favicon.svg"
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
# No general index: papers have no index entries, and the author, keyword and funding
# indexes are pages of each edition.
html_use_index = False

latex_engine = "xelatex"
latex_use_xindy = False
latex_documents = latex_documents_for(__file__)
latex_elements = latex_elements_for()
latex_additional_files = [str(TEXINPUTS / "proceedings.sty")]
