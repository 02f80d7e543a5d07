"""Each paper's own ``.bib``: its keys namespaced, its entries checked one by one."""

from __future__ import annotations

from pathlib import Path

import pytest
from pybtex.database import parse_file, parse_string

from proceedings.collect.bibliography import prepare_bib_files, tidy_links
from proceedings.sphinxext.bibliography import namespace_bibfiles


def test_empty_and_entryless_bib_files_load_as_empty(tmp_path: Path) -> None:
    empty, comment = tmp_path / "empty.bib", tmp_path / "comment.bib"
    empty.write_text("")
    comment.write_text("% only a comment\n")
    report = namespace_bibfiles([empty, comment], tmp_path / "o.bib", "p")
    assert report.keys == [] and report.problems == []


def test_bibfile_keys_prefixed_titles_protected_and_unchanged_file_untouched(tmp_path: Path) -> None:
    source = tmp_path / "paper.bib"
    source.write_text(
        "@string{jfe = {Journal of Fictional Ethics}}\n"
        "@article{k1, author = {Doe, Jane}, title = {Dual-Use in NLP}, journal = jfe, year = {2020}}\n",
        encoding="utf-8",
    )
    target = tmp_path / "out" / "p.bib"
    report = namespace_bibfiles([source], target, "p")
    assert report.keys == ["k1"] and report.problems == []
    entry = parse_file(target).entries["p:k1"]
    assert entry.fields["title"] == "{Dual-Use in NLP}"
    assert entry.fields["journal"] == "Journal of Fictional Ethics"
    mtime = target.stat().st_mtime_ns
    namespace_bibfiles([source], target, "p")
    assert target.stat().st_mtime_ns == mtime


def test_one_bad_entry_does_not_lose_the_others(tmp_path: Path) -> None:
    source = tmp_path / "refs.bib"
    source.write_text(
        "@misc{good1, title = {One}, year = {2020}}\n"
        "@misc{bad, author = {A, B, C, D}, title = {Bad}}\n"
        "@misc{good2, title = {Two}, year = {2021}}\n"
        "@misc{good1, title = {Again}}\n",
        encoding="utf-8",
    )
    report = namespace_bibfiles([source], tmp_path / "o.bib", "p")
    assert report.keys == ["good1", "good2"]
    assert [(p.line, p.message.split(":")[0]) for p in report.problems] == [
        (2, "refs.bib, entry 'bad'"),
        (4, "refs.bib, entry 'good1'"),
    ]
    assert "duplicate key" in report.problems[1].message


def test_non_utf8_bib_is_reported(tmp_path: Path) -> None:
    source = tmp_path / "latin1.bib"
    source.write_bytes("@misc{k, title = {Caf\xe9}}".encode("latin-1"))
    report = namespace_bibfiles([source], tmp_path / "o.bib", "p")
    assert report.keys == [] and "not UTF-8" in report.problems[0].message


def test_entries_missing_a_required_field_become_misc_and_are_reported() -> None:
    text = (
        "@string{ietf = {IETF}}\n"
        "@techreport{rfc, author = {Lonvick, Chris}, title = {SSH}, year = {2006}, publisher = ietf}\n"
        "@article{ok, author = {Doe, Jane}, title = {T}, journal = {J}, year = {2020}}\n"
        "@inproceedings{noproc, author = {Roe, Rick}, title = {U}, year = {2021}}\n"
        "@article{broken, title = {V}, year = 2020 2021}\n"
    )
    fixed, notes = prepare_bib_files([("refs.bib", text)])
    assert notes == [
        "refs.bib:2: missing institution in rfc: the techreport is published as @misc",
        "refs.bib:4: missing booktitle in noproc: the inproceedings is published as @misc",
        "refs.bib:5: entry 'broken' left out, as it cannot be read (syntax error in line 2: '}' expected); "
        "citations of it are shown as its key",
    ]
    assert fixed == (text.replace("@techreport{rfc", "@misc{rfc").replace("@inproceedings{noproc", "@misc{noproc")
                     .replace("@article{broken, title = {V}, year = 2020 2021}\n", ""))


def test_commented_out_entries_do_not_break_the_entry_before_them() -> None:
    text = "@misc{kept, title = {T}, year = {2020}}\n% @book{old,\n%   title = {Gone}\n"
    fixed, notes = prepare_bib_files([("refs.bib", text)])
    assert notes == [] and "kept" in fixed and "Gone" not in fixed


def test_links_in_stray_brackets_are_trimmed_and_reported() -> None:
    text = 'howpublished = "\\url{(https://a.org/x}",\nurl = { https://b.org/y },\nurl = {https://c.org/z}\n'
    fixed, notes = tidy_links(text, "refs.bib")
    assert fixed == 'howpublished = "\\url{https://a.org/x}",\nurl = {https://b.org/y},\nurl = {https://c.org/z}\n'
    assert notes == ["refs.bib:1: link '(https://a.org/x' trimmed to 'https://a.org/x'",
                     "refs.bib:2: link ' https://b.org/y ' trimmed to 'https://b.org/y'"]


def test_namespacing_keeps_fields_as_written(tmp_path: Path) -> None:
    """The derived .bib is LaTeX as the authors wrote it: re-escaping would break links with '_'."""
    source = tmp_path / "refs.bib"
    source.write_text(
        "@misc{a,\n  title = {Caf\\'e \\& $x_1$},\n  url = {https://example.org/paper_files/a_b%20c},\n"
        "  doi = {10.1007/978-3-030-98519-6_18}\n}\n",
        encoding="utf-8",
    )
    target = tmp_path / "o.bib"
    namespace_bibfiles([source], target, "p")
    written = target.read_text(encoding="utf-8")
    assert "https://example.org/paper_files/a_b%20c" in written
    assert "10.1007/978-3-030-98519-6_18" in written
    assert "{Caf\\'e \\& $x_1$}" in written
    assert "\\_" not in written


@pytest.mark.parametrize(("kind", "becomes"), [
    ("conference", "inproceedings"), ("report", "techreport"), ("thesis", "phdthesis"), ("online", "online"),
    ("software", "software"), ("electronic", "misc"), ("mvbook", "book"), ("Article", "Article"),
])
def test_every_bibtex_and_biblatex_type_passes(kind: str, becomes: str) -> None:
    text = (f"@{kind}{{k, author = {{Doe, Jane}}, title = {{T}}, booktitle = {{B}}, journal = {{J}},"
            " school = {S}, institution = {I}, publisher = {P}, year = {2020}}\n")
    fixed, notes = prepare_bib_files([("refs.bib", text)])
    assert fixed.startswith(f"@{becomes}{{k,") and notes == []


def test_an_unknown_type_becomes_misc_with_a_line() -> None:
    fixed, notes = prepare_bib_files([("refs.bib", "\n@whatever{k, title = {T}, year = {2020}}\n")])
    assert fixed == "\n@misc{k, title = {T}, year = {2020}}\n"
    assert notes == ["refs.bib:2: entry type @whatever of 'k' is not a BibTeX or biblatex type: published as @misc"]


def test_biblatex_fields_are_read_as_bibtex_ones() -> None:
    text = "@article{k, author = {Doe, Jane}, title = {T}, journaltitle = {J}, date = {2020-05-01}}\n"
    fixed, notes = prepare_bib_files([("refs.bib", text)])
    entry = parse_string(fixed, "bibtex").entries["k"]
    assert (entry.type, entry.fields["journal"], entry.fields["year"], notes) == ("article", "J", "2020", [])


@pytest.mark.parametrize(("written", "read"), [
    ("Moro,S., Rita,P., and Cortez,P.", ["Moro, S.", "Rita, P.", "Cortez, P."]),
    ("Ann Lee, Bo Chen, thuydotm, … Cy Dee", ["Lee, Ann", "Chen, Bo", "thuydotm", "Dee, Cy", "others"]),
])
def test_author_lists_written_with_commas_are_repaired(written: str, read: list[str]) -> None:
    fixed, notes = prepare_bib_files([("refs.bib", f"@misc{{k, author = {{{written}}}, title = {{T}}}}\n")])
    people = parse_string(fixed, "bibtex").entries["k"].persons["author"]
    assert [str(p) for p in people] == read
    assert notes[0].startswith("refs.bib:1: author list")


def test_an_author_list_past_repair_is_kept_as_one_name() -> None:
    fixed, notes = prepare_bib_files([("refs.bib", "@misc{k, author = {Doe, J., Roe, Kim}, title = {T}}\n")])
    assert len(parse_string(fixed, "bibtex").entries["k"].persons["author"]) == 1
    assert notes == ["refs.bib:1: author list 'Doe, J., Roe, Kim' kept as written, as one name"]


def test_duplicate_keys_across_two_files_are_merged_and_reported() -> None:
    one = "@misc{k, title = {T}}\n@misc{only1, title = {A}}\n"
    two = "@misc{other, title = {B}}\n@misc{K, title = {Changed}}\n"
    fixed, notes = prepare_bib_files([("a.bib", one), ("b.bib", two)])
    assert sorted(parse_string(fixed, "bibtex").entries.keys()) == ["k", "only1", "other"]
    assert notes == ["b.bib:2: key 'K' is also at a.bib:1 (a different entry): the first is kept"]


def test_latex_escapes_in_links_are_undone() -> None:
    text = ("@misc{k, title = {T}, doi = {10.1007/978-3-030-98519-6\\_18}, url = {https://x.org/a\\_b\\%20},"
            " howpublished = {\\url{https://y.org/c\\_d}}}\n")
    fixed, _ = prepare_bib_files([("refs.bib", text)])
    entry = parse_string(fixed, "bibtex").entries["k"]
    assert (entry.fields["doi"], entry.fields["url"]) == ("10.1007/978-3-030-98519-6_18", "https://x.org/a_b%20")
    assert entry.fields["howpublished"] == "\\url{https://y.org/c_d}"
