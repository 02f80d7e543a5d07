"""The paper header renders the abstract as MyST only when it is safe to."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MiniSite, paper_text

HOSTILE_ABSTRACTS = {
    "raw-html": "Fine.\n\n```{raw} html\n<script>alert('abstract')</script>\n```\n",
    "include": "Fine.\n\n```{include} ../../../../../../../../etc/passwd\n```\n",
    "download": "See {download}`the data </etc/passwd>`.",
}


@pytest.mark.parametrize("kind", sorted(HOSTILE_ABSTRACTS))
def test_a_hand_placed_paper_with_an_unsafe_abstract_fails_the_build_and_renders_it_as_text(
    mini_site: MiniSite, tmp_path: Path, kind: str
) -> None:
    abstract = HOSTILE_ABSTRACTS[kind]
    text = paper_text().replace("abstract: An abstract.", "abstract: |\n  " + abstract.replace("\n", "\n  "))
    mini_site.add_paper("hostile", text)
    out = tmp_path / "out"
    run = mini_site.sphinx(out=out)
    assert run.returncode != 0
    assert "paper 'hostile': field 'abstract'" in run.warnings
    page = (out / "vol" / "papers" / "hostile" / "paper.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page
    assert "root:x:0:0" not in page
    assert not (out / "_downloads").exists()


def test_a_safe_abstract_is_still_myst(mini_site: MiniSite, tmp_path: Path) -> None:
    text = paper_text().replace("abstract: An abstract.", "abstract: An *emphasised* abstract with $x^2$.")
    mini_site.add_paper("fine", text)
    out = tmp_path / "out"
    assert mini_site.sphinx(out=out).warnings == ""
    page = (out / "vol" / "papers" / "fine" / "paper.html").read_text(encoding="utf-8")
    assert "<em>emphasised</em>" in page

