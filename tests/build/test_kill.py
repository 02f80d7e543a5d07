"""A killed build heals itself: the published site stays the last good one, and the next build,
with no manual step, publishes what a clean build of the same sources publishes, PDFs included.

The repository's example docs are rebuilt after a title edit and the build's whole process
group (latexmk and xelatex included) is killed at points spread over the time such a
rebuild takes; the title goes back and forth, so every killed build has real work to do.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import DOCS, ROOT, pdf_text

PAPER = Path("iclr2026") / "papers" / "ex01-dual-use-audit" / "paper.md"
TITLES = ("Auditing Dual-Use Potential in Public Vision Benchmarks", "A Renamed Audit of Vision Benchmarks")


def _command(srcdir: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "proceedings.cli", "build", "--srcdir", str(srcdir), "--out", str(out),
            "--private", str(out.parent / "private")]


def _environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _build(srcdir: Path, out: Path) -> None:
    result = subprocess.run(_command(srcdir, out), env=_environment(), capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-3000:]


def _killed_build(srcdir: Path, out: Path, after: float) -> None:
    """Start a build in its own process group and kill the whole group ``after`` seconds in."""
    process = subprocess.Popen(
        _command(srcdir, out), env=_environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(after)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _published(html: Path) -> dict[str, object]:
    """What a published site says: each file's bytes, each PDF's pages and text (its dates follow the sources')."""
    said: dict[str, object] = {}
    for path in sorted(html.rglob("*")):
        if not path.is_file() or path.name == ".buildinfo":
            continue
        name = path.relative_to(html).as_posix()
        if path.suffix == ".pdf":
            said[name] = (len(PdfReader(path).pages), pdf_text(path))
        else:
            said[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return said


def _differences(site: dict[str, object], other: dict[str, object]) -> list[str]:
    return sorted(name for name in site.keys() | other.keys() if site.get(name) != other.get(name))


def _set_title(srcdir: Path, title: str) -> None:
    paper = srcdir / PAPER
    text = paper.read_text(encoding="utf-8")
    for old in TITLES:
        text = text.replace(f'title: "{old}"', f'title: "{title}"')
    paper.write_text(text, encoding="utf-8")


@pytest.mark.latex
@pytest.mark.parametrize("points", [pytest.param(3, id="3-points"), pytest.param(20, marks=pytest.mark.slow, id="20")])
def test_a_build_killed_at_any_moment_heals_with_the_next_build(tmp_path: Path, points: int) -> None:
    srcdir = tmp_path / "docs"
    shutil.copytree(DOCS, srcdir)
    clean: list[dict[str, object]] = []
    for title in TITLES:
        _set_title(srcdir, title)
        _build(srcdir, tmp_path / f"clean-{len(clean)}")
        clean.append(_published(tmp_path / f"clean-{len(clean)}" / "html"))
    assert clean[0] != clean[1]
    out = tmp_path / "build"
    _set_title(srcdir, TITLES[0])
    _build(srcdir, out)
    _set_title(srcdir, TITLES[1])
    started = time.monotonic()
    _build(srcdir, out)
    rebuild = time.monotonic() - started
    seen = []
    for point in range(points):
        before, after = (point + 1) % 2, point % 2
        _set_title(srcdir, TITLES[after])
        moment = rebuild * (point + 0.5) / points
        _killed_build(srcdir, out, moment)
        published = _published(out / "html")
        assert published in (clean[before], clean[after]), (
            f"killed at {moment:.2f} s, a site no build made: {_differences(published, clean[before])} "
            f"differ from the last site, {_differences(published, clean[after])} from the new one"
        )
        seen.append("new" if published == clean[after] and clean[after] != clean[before] else "old")
        _build(srcdir, out)
        healed = _published(out / "html")
        assert healed == clean[after], f"killed at {moment:.2f} s, not healed: {_differences(healed, clean[after])}"
    print(f"{points} kill points over a {rebuild:.1f} s rebuild; published after the kill: {seen}")


@pytest.mark.latex
def test_the_finish_record_of_a_build_that_was_never_published_is_not_trusted(tmp_path: Path) -> None:
    """Killed after the finish record was written, before publishing: the next build still publishes the new PDFs."""
    from proceedings.build import Output, build

    from conftest import make_mini_site, paper_text

    site = make_mini_site(tmp_path)
    paper = site.add_paper("p1", paper_text(title="First Title")) / "paper.md"
    out, private = Output(tmp_path / "build"), tmp_path / "private"
    build(site.srcdir, out, private=private)
    published = tmp_path / "published-before"
    shutil.copytree(out.root, published, ignore=shutil.ignore_patterns("latex"))
    paper.write_text(paper_text(title="Second Title"), encoding="utf-8")
    build(site.srcdir, out, private=private)
    for name in ("html", "doctrees"):  # as if the second build had been killed just before publishing
        shutil.rmtree(out.root / name)
        shutil.copytree(published / name, out.root / name)
    assert "First Title" in pdf_text(out.pdf / "vol" / "p1.pdf")
    build(site.srcdir, out, private=private)
    assert "Second Title" in pdf_text(out.pdf / "vol" / "p1.pdf")
    assert "Second Title" in pdf_text(out.pdf / "vol-proceedings.pdf")


@pytest.mark.latex
def test_latex_files_left_half_written_by_a_killed_compile_are_discarded(tmp_path: Path) -> None:
    """A truncated ``.out`` used to fail every later build ("File ended while scanning use of \\@@BOOKMARK")."""
    from proceedings.build import Output, build

    from conftest import make_mini_site, paper_text

    site = make_mini_site(tmp_path)
    paper = site.add_paper("p1", paper_text(title="First Title", body="## A Section\n\nText.")) / "paper.md"
    out, private = Output(tmp_path / "build"), tmp_path / "private"
    build(site.srcdir, out, private=private)
    bookmarks = out.latex / "vol-proceedings.out"
    first, second = bookmarks.read_text(encoding="utf-8").splitlines(keepends=True)[:2]
    bookmarks.write_text(first + second[: len(second) // 2], encoding="utf-8")  # ends inside a \BOOKMARK
    (out.latex / "vol-proceedings.compiled").unlink()  # a compile killed midway leaves no stamp
    paper.write_text(paper_text(title="Second Title", body="## A Section\n\nText."), encoding="utf-8")
    build(site.srcdir, out, private=private)
    assert "Second Title" in pdf_text(out.pdf / "vol" / "p1.pdf")
