"""Citation exports: BibTeX and RIS per paper and per volume, as written beside the pages."""

from __future__ import annotations

import json

import pytest
from pybtex.database import BibliographyData, Person, parse_string

from proceedings.build import Output
from proceedings.export import Citable, bibtex, funders, latex_text, plain_citation, ris, volume_bibtex
from proceedings.layout import paper_dirs
from proceedings.model import Paper, load_paper, load_workshop, paper_from_frontmatter

from conftest import DOCS, PROGRAMME

WORKSHOP = load_workshop(DOCS / "iclr2026" / "workshop.yml")
BASE = "https://ai-for-peace.github.io/proceedings/"


def _paper(**changes: object) -> Paper:
    data: dict[str, object] = {
        "title": "A Title", "authors": [{"name": "Ada Lovelace"}], "abstract": "x", "track": "Tiny papers",
        "funding": "None.",
    }
    return paper_from_frontmatter({**data, **changes})


def _ris_tags(text: str) -> list[tuple[str, str]]:
    assert text.endswith("ER  - \r\n")
    return [(line[:2], line[6:]) for line in text.split("\r\n") if line]


def test_bibtex_round_trips_through_pybtex() -> None:
    paper = _paper(
        title="Costs & Benefits: 100% of $x_1$ {Braces}", authors=[{"name": "José Muñoz"}, {"name": "王小明"}],
        keywords=["a_b", "c#d"],
    )
    cited = Citable(paper, WORKSHOP, "iclr2026", "p1", url=BASE + "p1.html", pages=(3, 5))
    entry = parse_string(bibtex(cited), "bibtex").entries["iclr2026:p1"]
    assert entry.type == "inproceedings"
    assert entry.fields["title"] == "{Costs \\& Benefits: 100\\% of $x_1$ \\textbraceleft{}Braces\\textbraceright{}}"
    assert entry.fields["booktitle"] == "Proceedings of the AI for Peace Workshop at ICLR 2026"
    assert entry.fields["year"] == "2026"
    assert entry.fields["pages"] == "3--5"
    assert entry.fields["url"] == BASE + "p1.html"
    assert entry.fields["keywords"] == "a\\_b, c\\#d"
    assert [str(p) for p in entry.persons["author"]] == ["Muñoz, José", "王小明"]
    assert str(entry.persons["editor"][0]) == "Garcia, Noa"


def test_unknown_pages_and_url_are_left_out() -> None:
    entry = parse_string(bibtex(Citable(_paper(), WORKSHOP, "v", "p")), "bibtex").entries["v:p"]
    assert "pages" not in entry.fields and "url" not in entry.fields
    tags = dict(_ris_tags(ris(Citable(_paper(), WORKSHOP, "v", "p"))))
    assert "SP" not in tags and "UR" not in tags


def test_anonymous_paper_is_cited_as_anonymous() -> None:
    paper = _paper(authors=[], anonymous=True)
    cited = Citable(paper, WORKSHOP, "v", "p", pages=(7, 7))
    entry = parse_string(bibtex(cited), "bibtex").entries["v:p"]
    assert [str(p) for p in entry.persons["author"]] == ["Anonymous"]
    assert entry.fields["pages"] == "7"
    assert [value for tag, value in _ris_tags(ris(cited)) if tag == "AU"] == ["Anonymous"]
    assert plain_citation(cited).startswith("Anonymous. 2026. A Title. In Proceedings of the AI for Peace")
    assert ", page 7," in plain_citation(cited)


def test_openreview_citation_key_is_kept_once_per_volume_and_never_for_anonymous_papers() -> None:
    keyed = _paper(citation_key="zhao2024probabilistic")
    twin = _paper(citation_key="zhao2024probabilistic", title="Another")
    anonymous = _paper(citation_key="roe2024hidden", authors=[], anonymous=True)
    cited = [Citable(paper, WORKSHOP, "v", ident) for paper, ident in ((keyed, "a"), (twin, "b"), (anonymous, "c"))]
    assert list(parse_string(volume_bibtex(cited), "bibtex").entries) == ["zhao2024probabilistic", "v:b", "v:c"]
    assert list(parse_string(bibtex(cited[0]), "bibtex").entries) == ["zhao2024probabilistic"]


def test_latex_text_keeps_math_and_balances_braces() -> None:
    assert latex_text("50% of {x} in $[0, 1]$ & more_") == (
        r"50\% of \textbraceleft{}x\textbraceright{} in $[0, 1]$ \& more\_"
    )


@pytest.mark.parametrize(
    ("funding", "expected"),
    [
        ("Fictional Foundation for Open Science, grant FFOS-2025-17.", ["Fictional Foundation for Open Science"]),
        (
            "Imaginary Trust for Research Integrity, grant ITRI-2024-03; and the Fictional Foundation for Open\n"
            "  Science, grant FFOS-2025-22.",
            ["Imaginary Trust for Research Integrity", "Fictional Foundation for Open Science"],
        ),
        (
            "This work was supported by the National Science Foundation under grant 123-456 and the European "
            "Research Council (ERC, grant 789).",
            ["National Science Foundation", "European Research Council (ERC)"],
        ),
        ("Supported by the William T. Grant Foundation. Also funded by the U.S. Army Research Office.",
         ["William T. Grant Foundation", "U.S. Army Research Office"]),
        ("Funded by the Bill and Melinda Gates Foundation, award OPP1.", ["Bill and Melinda Gates Foundation"]),
        ("The authors received no specific funding for this work.", []),
        ("None.", []),
        ("No funding. Self-funded", ["Self-funded"]),
    ],
)
def test_funders_heuristic(funding: str, expected: list[str]) -> None:
    assert list(funders(_paper(funding=funding))) == expected


def test_explicit_funders_list_wins() -> None:
    paper = _paper(funding="Acme Inc. and NSF grant 1.", funders=["Acme Inc.", "NSF", " NSF "])
    assert funders(paper) == ("Acme Inc.", "NSF")
    assert funders(_paper(funding="Acme, grant 1.", funders=[])) == ()


# -- the repository's own site ------------------------------------------------------------


def _site_papers() -> list[tuple[str, Paper]]:
    return [(folder.name, load_paper(folder / "paper.md")) for folder in paper_dirs(DOCS, "iclr2026")]


def test_each_paper_has_its_bib_and_ris_beside_its_page(site: Output) -> None:
    ranges = json.loads(site.pages.read_text(encoding="utf-8"))["iclr2026"]
    for ident, paper in _site_papers():
        folder = site.html / "iclr2026" / "papers" / ident
        url = f"{BASE}iclr2026/papers/{ident}/paper.html"
        first, last = ranges[ident]
        entries = parse_string((folder / f"{ident}.bib").read_text(encoding="utf-8"), "bibtex").entries
        assert list(entries) == [f"iclr2026:{ident}"]
        entry = entries[f"iclr2026:{ident}"]
        assert entry.fields["title"] == "{" + paper.title + "}"
        assert entry.fields["booktitle"] == WORKSHOP.volume_title
        assert entry.fields["year"] == "2026"
        assert entry.fields["pages"] == f"{first}--{last}"
        assert entry.fields["url"] == url
        names = [" ".join(person.first_names + person.last_names) for person in entry.persons["author"]]
        assert names == (["Anonymous"] if paper.anonymous else list(paper.author_names))

        tags = _ris_tags((folder / f"{ident}.ris").read_bytes().decode("utf-8"))
        assert tags[0] == ("TY", "CPAPER") and tags[-1] == ("ER", "")
        single = dict(tags)
        assert single["TI"] == paper.title
        assert single["PY"] == "2026"
        assert (single["SP"], single["EP"]) == (str(first), str(last))
        assert single["T2"] == WORKSHOP.volume_title
        assert single["UR"] == url
        authors = [value for tag, value in tags if tag == "AU"]
        assert authors == (["Anonymous"] if paper.anonymous else [str(Person(n)) for n in paper.author_names])


def test_volume_bib_holds_every_paper_in_order(site: Output) -> None:
    text = (site.html / "iclr2026" / "iclr2026-proceedings.bib").read_text(encoding="utf-8")
    data: BibliographyData = parse_string(text, "bibtex")
    assert list(data.entries) == [f"iclr2026:{ident}" for ident in PROGRAMME]  # the volume's order
    singles = [(site.html / "iclr2026/papers" / i / f"{i}.bib").read_text(encoding="utf-8") for i, _ in _site_papers()]
    assert volume_bibtex([]) == ""
    for single in singles:
        assert single.strip().split("\n", 1)[1] in text


def test_anonymous_exports_name_nobody(site: Output) -> None:
    folder = site.html / "iclr2026/papers/ex03-anonymous-surveillance"
    bib = (folder / "ex03-anonymous-surveillance.bib").read_text(encoding="utf-8")
    assert 'author = "Anonymous"' in bib
    assert "@example.org" not in bib
