"""Labels are per paper: two papers may use the same one, and each refers to its own."""

from __future__ import annotations

from pathlib import Path

from conftest import MiniSite, page, paper_text

LABELLED = """
(sec-method)=
## Method

```{{figure}} fig.svg
:name: fig-overview
:alt: {alt}

{caption}
```

As {{numref}}`fig-overview` and [the figure](#fig-overview) show, see {{ref}}`sec-method` and [](#sec-method).
"""
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


def test_two_papers_may_use_the_same_labels_and_each_refers_to_its_own(mini_site: MiniSite, tmp_path: Path) -> None:
    for ident in ("first", "second"):
        body = LABELLED.format(alt=f"{ident} overview", caption=f"The {ident} overview.")
        mini_site.add_paper(ident, paper_text(title=f"The {ident} paper", body=body), files={"fig.svg": SVG})
    out = tmp_path / "out"
    assert mini_site.sphinx(out=out).warnings == ""
    for ident in ("first", "second"):
        page = (out / "vol" / "papers" / ident / "paper.html").read_text(encoding="utf-8")
        assert page.count('class="reference internal" href="#fig-overview"') == 2, ident
        assert page.count('class="reference internal" href="#sec-method"') >= 2, ident
        assert "Fig. 1" in page


def test_a_link_to_a_label_further_down_still_resolves(mini_site: MiniSite, tmp_path: Path) -> None:
    body = "See [the method](#sec-later) below.\n\n(sec-later)=\n## Later\n\nText.\n"
    mini_site.add_paper("forward", paper_text(body=body))
    out = tmp_path / "out"
    assert mini_site.sphinx(out=out).warnings == ""
    page = (out / "vol" / "papers" / "forward" / "paper.html").read_text(encoding="utf-8")
    assert 'class="reference internal" href="#sec-later"' in page


EQUATIONS = """
## Method

$$
E = m c^2
$$ (energy)

$$
a^2 + b^2 = c^2
$$ (pythagoras)

By {{eq}}`pythagoras` and [](#energy), {title}.
"""


def test_two_papers_may_label_equations_alike_and_each_refers_to_its_own(mini_site: MiniSite, tmp_path: Path) -> None:
    for ident in ("first", "second"):
        mini_site.add_paper(ident, paper_text(title=f"The {ident} paper", body=EQUATIONS.format(title=ident)))
    out = tmp_path / "out"
    assert mini_site.sphinx(out=out).warnings == ""
    for ident in ("first", "second"):
        soup = page(out / "vol" / "papers" / ident / "paper.html")
        refs = {a["href"]: a.get_text() for a in soup.select("article a.reference.internal") if "equation" in a["href"]}
        assert refs == {f"#equation-{ident}-pythagoras": "(2)", f"#equation-{ident}-energy": "(1)"}, soup.article
        assert all(soup.select_one(f"[id='{href[1:]}']") is not None for href in refs)
    latex = mini_site.sphinx("latex", out=tmp_path / "latex")
    assert latex.warnings == ""
    tex = (tmp_path / "latex" / "vol-proceedings.tex").read_text(encoding="utf-8")
    for ident in ("first", "second"):
        label = f"equation:vol/papers/{ident}/paper:{ident}:pythagoras"
        assert f"\\label{{{label}}}" in tex and f"\\eqref{{{label}}}" in tex
