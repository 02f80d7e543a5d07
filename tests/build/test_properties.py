"""Generated papers through collect, HTML, PDF and check: whatever the text, it prints as written.

Each example is a volume of 25 generated papers, built once; two examples make 50 cases.
Titles, names, keywords, funding and bib titles draw on every script the volume's fonts
cover (Latin with diacritics, Greek, Cyrillic, Arabic, CJK) and on LaTeX's and
Markdown's special characters, up to several hundred characters long.
"""

from __future__ import annotations

import html
import re
import tempfile
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proceedings.build import Output, build
from proceedings.check.output import check_output
from proceedings.collect import Overrides, Status, Submission, collect

from conftest import make_mini_site, page, pdf_text

RANGES = [(0x20, 0x7E), (0xC0, 0x17F), (0x391, 0x3C9), (0x410, 0x44F), (0x621, 0x64A), (0x4E00, 0x4E40)]
POOL = [
    chr(code) for low, high in RANGES for code in range(low, high + 1)
    if unicodedata.category(chr(code))[0] in "LNPSZ" and chr(code) not in "\x7f"
]
PAPERS_PER_VOLUME = 25

text = st.text(alphabet=st.sampled_from(POOL), min_size=1, max_size=300).map(" ".join).filter(str.strip)
name = st.text(alphabet=st.sampled_from([c for c in POOL if c.isalpha()]), min_size=1, max_size=12)
person = st.lists(name, min_size=1, max_size=3).map(" ".join)
BIB_POOL = [c for c in POOL if c not in "{}\\%@\"$"]
bib_title = st.text(alphabet=st.sampled_from(BIB_POOL), min_size=1, max_size=120).filter(str.strip)


@st.composite
def paper(draw: st.DrawFn, number: int) -> Submission:
    title = draw(text).strip()
    authors = [{"name": draw(person)} for _ in range(draw(st.integers(1, 4)))]
    frontmatter = {
        "title": title,
        "authors": authors,
        "abstract": "A generated abstract.",
        "keywords": [draw(text)[:40].strip() or "keyword"],
        "track": "Tiny papers",
        "funding": draw(text).strip(),
    }
    bib = f"@misc{{ref, title = {{{draw(bib_title)}}}, author = {{{draw(person)}}}, year = {{2024}}}}\n"
    return Submission(f"g{number:02d}", "generated", frontmatter, "## Text\n\nSee {cite:p}`ref`.\n", bib)


volumes = st.tuples(*(paper(n) for n in range(PAPERS_PER_VOLUME)))


def _plain(value: str) -> str:
    """Text compared across HTML and PDF: no spaces or hyphens (line breaks), one form per character."""
    value = unicodedata.normalize("NFKC", html.unescape(value))
    value = value.translate(str.maketrans("\u2018\u2019\u201c\u201d\u2013\u2014", "''\"\"--"))
    return re.sub(r"[\s\-\u00ad\u202a-\u202e]", "", value)


def _in_pdf_text(value: str, text: str) -> bool:
    """Whether ``value`` is in text taken from a PDF, which puts the punctuation and digits
    next to right-to-left letters in visual order: there only the letters' order is compared."""
    if not any(unicodedata.bidirectional(c) in ("R", "AL") for c in value):
        return _plain(value) in text

    def letters(s: str) -> str:
        return "".join(c for c in _plain(s) if unicodedata.bidirectional(c) in ("L", "R", "AL"))

    return letters(value) in letters(text)


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(volumes)
def test_generated_papers_print_as_written_everywhere(papers: tuple[Submission, ...]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        site = make_mini_site(root)
        outcomes = collect(papers, site.srcdir / "vol", root / "private", Overrides())
        assert [o.status for o in outcomes] == [Status.collected] * len(papers), [o.messages for o in outcomes]
        out = Output(root / "build")
        build(site.srcdir, out, private=root / "private")
        assert check_output(out.root, root / "private") == []
        volume_text = _plain(pdf_text(out.pdf / "vol-proceedings.pdf"))
        for submission in papers:
            front = submission.frontmatter
            soup = page(out.html / "vol" / "papers" / submission.paper_id / "paper.html")
            # Sphinx's smart quotes curl straight quotes; everything else is as written
            assert _plain(soup.select_one("h1").get_text().rstrip("¶")) == _plain(front["title"])
            names = [a.get_text() for a in soup.select(".paper-authors strong")]
            assert [_plain(n) for n in names] == [_plain(a["name"]) for a in front["authors"]]
            assert _plain(front["funding"]) in _plain(soup.select_one(".paper-facts").get_text())
            paper_pdf = _plain(pdf_text(out.pdf / "vol" / f"{submission.paper_id}.pdf"))
            assert _in_pdf_text(front["title"], paper_pdf)
            assert all(_in_pdf_text(a["name"], volume_text) for a in front["authors"])
