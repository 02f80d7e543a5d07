"""Shared fixtures: the repository's own site, built once for real, and small source trees."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from proceedings.build import Output, build, missing_tex_tools
from proceedings.layout import new_volume

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SHARED = ROOT.parent / "shared"
PROGRAMME = (
    "ex01-dual-use-audit", "ex04-landmine-sensing", "ex02-funding-trails", "ex03-anonymous-surveillance",
    "ex05-multilingual-monitoring",
)
"""The example edition's papers in programme order: the oral, the spotlight, then the two poster sessions."""


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Output:
    """The repository's docs built as the README's first command builds them: HTML and PDFs."""
    if missing_tex_tools():
        pytest.fail(f"TeX tools missing: {missing_tex_tools()}; run tools/install.sh as root")
    out = Output(tmp_path_factory.mktemp("site"))
    build(DOCS, out)
    return out


def page(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def write_files(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Write a submission's files (text or bytes) under ``folder``."""
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def pdf_text(path: Path, layout: bool = False) -> str:
    command = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@dataclass
class SphinxRun:
    returncode: int
    warnings: str


@dataclass
class MiniSite:
    """A one-volume source tree with the real conf.py, to which tests add papers."""

    srcdir: Path

    @property
    def papers(self) -> Path:
        return self.srcdir / "vol" / "papers"

    def add_paper(self, ident: str, text: str, bib: str = "", files: dict[str, str] | None = None) -> Path:
        folder = self.papers / ident
        folder.mkdir(parents=True)
        (folder / "paper.md").write_text(text, encoding="utf-8")
        if bib:
            (folder / "paper.bib").write_text(bib, encoding="utf-8")
        for name, content in (files or {}).items():
            (folder / name).write_text(content, encoding="utf-8")
        return folder

    def sphinx(
        self, builder: str = "html", jobs: str = "1", out: Path | None = None, settings: tuple[str, ...] = ()
    ) -> SphinxRun:
        out = out or self.srcdir.parent / f"out-{builder}"
        result = subprocess.run(
            [sys.executable, "-m", "sphinx", "-b", builder, "-W", "--keep-going", "-q", "--no-color", "-j", jobs,
             *(arg for setting in settings for arg in ("-D", setting)),
             "-d", str(out.parent / f"{out.name}-doctrees"), str(self.srcdir), str(out)],
            capture_output=True, text=True, check=False,
        )
        return SphinxRun(result.returncode, result.stderr)


@pytest.fixture
def mini_site(tmp_path: Path) -> MiniSite:
    return make_mini_site(tmp_path)


def make_mini_site(tmp_path: Path) -> MiniSite:
    srcdir = tmp_path / "docs"
    srcdir.mkdir()
    shutil.copy(DOCS / "conf.py", srcdir / "conf.py")
    shutil.copytree(DOCS / "_static", srcdir / "_static")
    new_volume(srcdir, "vol", DOCS / "iclr2026" / "workshop.yml")
    (srcdir / "index.md").write_text("# Test site\n\n```{toctree}\nvol/papers/index\n```\n", encoding="utf-8")
    return MiniSite(srcdir)


PAPER = """\
---
title: {title}
authors:
  - name: Ada Example
    affiliations: [Example Institute]
abstract: An abstract.
track: Tiny papers
funding: {funding}
---

## Introduction

{body}
"""


def paper_text(title: str = "A Test Paper", body: str = "Text.", funding: str = "No funding.") -> str:
    return PAPER.format(title=title, body=body, funding=funding)
