"""The page ranges the PDF stage hands to the site and the check."""

from __future__ import annotations

from pathlib import Path

from proceedings.pdf.pages import PageRange, read_page_ranges, write_page_ranges

from conftest import ROOT

PROCEEDINGS = ROOT / "proceedings"


def test_ranges_round_trip_and_an_unchanged_file_keeps_its_date(tmp_path: Path) -> None:
    path = tmp_path / "latex" / "pages.json"
    assert read_page_ranges(path) == {}
    ranges = {"iclr2026": {"a": PageRange(3, 7), "b": PageRange(8, 8)}}
    write_page_ranges(path, ranges)
    assert read_page_ranges(path) == ranges
    assert read_page_ranges(path)["iclr2026"]["a"].count == 5
    before = path.stat().st_mtime_ns
    write_page_ranges(path, {"iclr2026": {"b": PageRange(8, 8), "a": PageRange(3, 7)}})
    assert path.stat().st_mtime_ns == before
    write_page_ranges(path, {"iclr2026": {"a": PageRange(3, 6)}})
    assert read_page_ranges(path) == {"iclr2026": {"a": PageRange(3, 6)}}


def test_one_module_reads_and_writes_the_ranges_file() -> None:
    """The hand-off is defined once: no other module opens the file by its name."""
    naming = sorted(
        str(path.relative_to(PROCEEDINGS)) for path in PROCEEDINGS.rglob("*.py") if "pages.json" in path.read_text()
    )
    assert naming == ["build/__init__.py", "build/sphinx.py"]
