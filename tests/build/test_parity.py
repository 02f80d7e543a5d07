"""The speed layer (``proceedings.sphinxext_fast``) changes no output.

The same sources are built with the site's configuration and with the core extension
alone; every HTML page, LaTeX source and export must be the same byte for byte, after a
clean build and after an edit rebuilt incrementally (where a speed layer goes stale).
"""

from __future__ import annotations

import filecmp
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DOCS

ROOT = DOCS.parent
CORE_ONLY = "extensions=proceedings.sphinxext"
# What differs between any two builds: Sphinx's record of the configuration it built with.
VOLATILE = {".buildinfo", ".buildinfo.bak"}


def _generator() -> object:
    spec = importlib.util.spec_from_file_location("benchmark", ROOT / "tools" / "benchmark.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _sphinx(srcdir: Path, out: Path, builder: str, *settings: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", builder, "-W", "--keep-going", "-q", "--no-color",
         *(arg for setting in settings for arg in ("-D", setting)),
         "-d", str(out.parent / f"{out.name}-doctrees"), str(srcdir), str(out)],
        capture_output=True, text=True, check=False,
        env={**os.environ, "SOURCE_DATE_EPOCH": "0"},  # figures converted from SVG carry no date then
    )
    assert result.returncode == 0, result.stderr


def _differences(one: Path, other: Path) -> list[str]:
    """Files present in only one tree, or present in both with other bytes."""
    files = {p.relative_to(one) for p in one.rglob("*") if p.is_file()}
    others = {p.relative_to(other) for p in other.rglob("*") if p.is_file()}
    differ = [str(p) for p in sorted(files ^ others) if p.name not in VOLATILE]
    differ += [str(p) for p in sorted(files & others)
               if p.name not in VOLATILE and not filecmp.cmp(one / p, other / p, shallow=False)]
    return differ


@pytest.fixture(scope="module")
def volume(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated volume of 30 papers with citations, math and tables."""
    ours, _floor = _generator().generate(tmp_path_factory.mktemp("parity"), 30)  # type: ignore[attr-defined]
    return Path(ours)


@pytest.mark.parametrize("builder", ["html", "latex"])
def test_the_speed_layer_changes_no_output_of_the_example_site(tmp_path: Path, builder: str) -> None:
    srcdir = tmp_path / "docs"
    shutil.copytree(DOCS, srcdir)
    _sphinx(srcdir, tmp_path / "fast", builder)
    _sphinx(srcdir, tmp_path / "core", builder, CORE_ONLY)
    assert _differences(tmp_path / "fast", tmp_path / "core") == []


def test_the_speed_layer_changes_no_output_of_a_volume_clean_or_rebuilt(volume: Path, tmp_path: Path) -> None:
    fast, core = tmp_path / "fast", tmp_path / "core"
    _sphinx(volume, fast, "html")
    _sphinx(volume, core, "html", CORE_ONLY)
    assert _differences(fast, core) == []

    paper = volume / "vol" / "papers" / "p0007" / "paper.md"
    text = paper.read_text(encoding="utf-8")
    paper.write_text(text.replace("Synthetic paper 7", "An edited title").replace("## Results", "## Findings"),
                     encoding="utf-8")
    (volume / "vol" / "papers" / "p0011").rename(volume / "vol" / "papers" / "p0099")
    # Incremental rebuilds of both: what the speed layer skips must still come out right.
    _sphinx(volume, fast, "html")
    _sphinx(volume, core, "html", CORE_ONLY)
    assert _differences(fast, core) == []
    assert "An edited title" in (fast / "vol" / "papers" / "p0007" / "paper.html").read_text(encoding="utf-8")


def test_the_speed_layer_changes_no_latex_of_a_volume(volume: Path, tmp_path: Path) -> None:
    _sphinx(volume, tmp_path / "fast", "latex")
    _sphinx(volume, tmp_path / "core", "latex", CORE_ONLY)
    assert _differences(tmp_path / "fast", tmp_path / "core") == []
