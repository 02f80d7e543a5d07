"""The author's preview and the camera-ready template: the template always previews, with its PDF."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest
from servers import free_port, serves_the_edit

from proceedings.build import missing_tex_tools
from proceedings.cli import main
from proceedings.collect import Status
from proceedings.model import Paper
from proceedings.preview import preview
from proceedings.sphinxext.editions import TEMPLATE

from conftest import DOCS, ROOT, page, pdf_text


def _tree(folder: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in folder.rglob("*")}


@pytest.mark.latex
@pytest.mark.skipif(bool(missing_tex_tools()), reason="TeX tools missing")
def test_the_template_previews_as_published_and_leaves_docs_alone(tmp_path: Path) -> None:
    before = _tree(DOCS)
    result = preview(TEMPLATE, tmp_path / "scratch")
    assert result.outcome.status is Status.collected, result.outcome.messages
    assert result.html is not None and result.pdf is not None, result.problems
    soup = page(result.html)
    header = soup.select_one(".paper-header")
    assert header is not None and "Example Foundation for Open Science" in header.get_text()
    assert soup.select("img[alt]") and soup.select(".citation-list, [role=doc-bibliography]")
    text = pdf_text(result.pdf)
    assert "A Short Title That Says What the Paper Finds" in text
    assert "An Example Article on Dual-Use Research" in text  # its own references, in print
    assert "Funding" in text
    assert _tree(DOCS) == before


def test_a_zip_previews_without_pdf_and_the_command_prints_file_urls(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = Path(shutil.make_archive(str(tmp_path / "my-paper"), "zip", TEMPLATE))
    assert main(["preview", str(package), "--no-pdf", "--out", str(tmp_path / "scratch")]) == 0
    printed = capsys.readouterr().out
    urls = re.findall(r"^HTML: (file://\S+)$", printed, re.MULTILINE)
    assert urls and urls[0].endswith("/preview/papers/my-paper/paper.html")
    assert Path(urls[0].removeprefix("file://")).is_file()
    assert "PDF:" not in printed


def test_a_refused_package_is_reported_with_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    package = tmp_path / "hostile"
    shutil.copytree(TEMPLATE, package)
    paper = package / "paper.md"
    paper.write_text(paper.read_text(encoding="utf-8") + "\n[click](javascript:alert(1))\n", encoding="utf-8")
    assert main(["preview", str(package), "--no-pdf", "--out", str(tmp_path / "scratch")]) == 1
    printed = capsys.readouterr().out
    assert "hostile: rejected" in printed and re.search(r"paper\.md:\d+: target:scheme", printed)
    assert "(converted)" not in printed  # the author's own file and line
    assert "HTML:" not in printed


def test_a_package_whose_workshop_fields_are_in_proceedings_yml_previews(tmp_path: Path) -> None:
    package = tmp_path / "paper-7"
    shutil.copytree(TEMPLATE, package)
    (package / "proceedings.yml").write_text("track: Tiny papers\nfunding: No external funding.\n", encoding="utf-8")
    result = preview(package, tmp_path / "scratch", pdf=False)
    assert result.html is not None and result.pdf is None, (result.outcome.messages, result.problems)
    assert "No external funding." in page(result.html).select_one(".paper-header").get_text()


def test_the_template_comments_every_front_matter_field() -> None:
    text = (TEMPLATE / "paper.md").read_text(encoding="utf-8")
    frontmatter = text.split("\n---\n", 1)[0]
    # set by the collector, by the organizers and by the test site: not the author's to write
    fields = set(Paper.model_fields) - {"pdf", "pdf_to_come", "openreview_anonymous", "example"}
    missing = {name for name in fields if not re.search(rf"^#? ?\s*{name}:", frontmatter, re.MULTILINE)}
    assert not missing


def test_preview_serve_rebuilds_when_the_package_changes(tmp_path: Path) -> None:
    package = tmp_path / "served-paper"
    shutil.copytree(TEMPLATE, package)
    (package / "proceedings.yml").write_text("track: Tiny papers\nfunding: No external funding.\n", encoding="utf-8")
    port = free_port()
    command = [sys.executable, "-m", "proceedings.cli", "preview", str(package), "--no-pdf", "--serve",
               "--port", str(port), "--out", str(tmp_path / "scratch")]
    url = f"http://127.0.0.1:{port}/preview/papers/served-paper/paper.html"
    serves_the_edit(command, {**os.environ, "PYTHONPATH": str(ROOT)}, url, package / "paper.md",
                    "what they cannot show", "what they showed")
