"""Hostile submissions, from every source, each with the exact outcome: refused by name, or made harmless.

Packages, PDF-only metadata and OpenReview notes go through the organizers' path
(:func:`read_sources` then :func:`collect`); one batch of them is built into a site
and checked, to show that what collect lets through publishes no script, no file from
outside the package and no anonymous author's name.
"""

from __future__ import annotations

import io
import json
import unicodedata
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pdfs import tiny_pdf
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Text
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, TextStringObject

from proceedings.build import Output, build
from proceedings.check.leaks import leak_form, named, svg_text
from proceedings.check.output import check_output
from proceedings.check.pdfs import clean_pdf
from proceedings.collect import Outcome, Overrides, Status, collect, read_sources
from proceedings.collect.mystmd.media import published_name
from proceedings.export.bibtex import bibtex_name
from proceedings.frontmatter import YamlError, YamlRefused, load_yaml
from proceedings.ids import IdError, paper_id
from proceedings.model import load_paper

from conftest import make_mini_site

PAPER_MD = """\
---
title: {title}
authors:
  - name: {author}
abstract: {abstract}
---

## Introduction

{body}
"""
OWN = "track: Tiny papers\nfunding: No funding.\n"
NAME = "Ada Lovelacey"


def paper_md(body: str = "Text.", title: str = "A Test Paper", author: str = "Ada Example",
             abstract: str = "An abstract.") -> str:
    return PAPER_MD.format(title=title, author=author, abstract=abstract, body=body)


FIGURES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".tif", ".tiff", ".svg", ".pdf"}


def package(root: Path, name: str, files: dict[str, str | bytes] | None = None, own: str = OWN) -> Path:
    """A camera-ready package folder: ``paper.md`` and ``proceedings.yml`` unless ``files`` replaces them.

    The default ``paper.md`` shows every figure in ``files``: only what a paper uses is published.
    """
    folder = root / "packages" / name
    folder.mkdir(parents=True)
    figures = [f for f in files or {} if Path(f).suffix.lower() in FIGURES and "\n" not in f]
    body = "\n\n".join(["Text.", *(f"![A figure](<{f}>)" for f in figures)])
    content: dict[str, str | bytes] = {"paper.md": paper_md(body), "proceedings.yml": own, **(files or {})}
    for file, data in content.items():
        path = folder / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return folder


def run(tmp_path: Path, packages: list[Path] = (), pdf_only: list[Path] = (), notes: Path | None = None,
        overrides: Overrides | None = None, force: bool = False, pdf_dir: Path | None = None) -> list[Outcome]:
    """The organizers' collect over ``tmp_path/docs/vol``."""
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    sources = read_sources(list(packages), list(pdf_only), notes, "V/Accepted" if notes else None, pdf_dir, work)
    return collect(sources, tmp_path / "docs" / "vol", tmp_path / "private", overrides or Overrides(), force=force)


def one(outcomes: list[Outcome]) -> tuple[Status, list[str]]:
    [outcome] = outcomes
    return outcome.status, outcome.messages


def pdf_only_file(root: Path, name: str, data: dict[str, Any] | str, pdf: bytes | None = None) -> Path:
    folder = root / "pdfonly"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.yml"
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    (folder / f"{name}.pdf").write_bytes(tiny_pdf(f"Body of {name}") if pdf is None else pdf)
    return path


def pdf_meta(**fields: Any) -> dict[str, Any]:
    return {"title": "A PDF paper", "authors": [{"name": "Ada Example"}], "abstract": "An abstract.",
            "track": "Tiny papers", "funding": "No funding.", **fields}


def png(width: int = 4, height: int = 4, **info: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "PNG", **info)
    return out.getvalue()


def image(kind: str, **info: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, kind, **info)
    return out.getvalue()


MATH = "Math: {} is not a math command that MathJax and amsmath provide; only those may be used in math."
NOT_UNDERSTOOD = "MathJax and amsmath provide; only those may be used in math."

# --------------------------------------------------------------------------- 1. math, in the body and in fields

BODY_MATH = [
    pytest.param("The host is $\\input{/etc/hostname}$.", ["paper.md:10: math: " + MATH.format("\\input")],
                 id="input"),
    pytest.param("$\\input{/proc/self/environ}$", ["paper.md:10: math: " + MATH.format("\\input")],
                 id="environ"),
    pytest.param("$\\gdef\\sphinxstylestrong#1{X}$", ["paper.md:10: math: " + MATH.format("\\gdef"),
                                                     "paper.md:10: math: "
                                                     + MATH.format("\\sphinxstylestrong")], id="gdef"),
    pytest.param("$\\def\\x{\\x}\\x$", ["paper.md:10: math: " + MATH.format(c)
                                       for c in ("\\def", "\\x")], id="def-loop"),
    pytest.param("$$\n\\immediate\\openout5=owned.tex\n$$", ["paper.md:11: math: " + MATH.format(c)
                                                            for c in ("\\immediate", "\\openout")], id="openout"),
    pytest.param("$^^5cinput{/etc/hostname}$", [
        "paper.md:10: math: Math: '^^' is TeX's notation for any character, a backslash included; "
        "write the character itself."], id="caret"),
    pytest.param("```{math}\n\\catcode`\\@=11\n```", ["paper.md:11: math: " + MATH.format(c)
                                                     for c in ("\\catcode", "\\@")], id="math-directive"),
    pytest.param("See {math}`\\csname input\\endcsname`.", ["paper.md:10: math: " + MATH.format(c)
                                                            for c in ("\\csname", "\\endcsname")], id="math-role"),
]


@pytest.mark.parametrize(("body", "messages"), BODY_MATH)
def test_math_in_the_body_is_refused_with_file_line_and_command(tmp_path: Path, body: str, messages: list[str]) -> None:
    outcome = one(run(tmp_path, [package(tmp_path, "p", {"paper.md": paper_md(body)})]))
    assert outcome == (Status.rejected, ["; ".join(messages)])
    assert not (tmp_path / "docs" / "vol" / "papers" / "p").exists()


FIELD_MATH = [
    pytest.param({"paper.md": paper_md(title="Peace $\\input{/etc/hostname}$")},
                 "paper.md or myst.yml: math: Field 'title': " + MATH.format("\\input"), id="title"),
    pytest.param({"paper.md": paper_md(author="Ada $\\input{x}$")},
                 "paper.md or myst.yml: math: Field 'authors[0].name': " + MATH.format("\\input"), id="author"),
    pytest.param({"proceedings.yml": "track: Tiny papers\nfunding: 'Fund $\\write18{id}$'\n"},
                 "proceedings.yml: math: Field 'funding': " + MATH.format("\\write"), id="funding"),
    pytest.param({"proceedings.yml": OWN + "keywords: ['$\\openin1=/etc/passwd$']\n"},
                 "proceedings.yml: math: Field 'keywords[0]': " + MATH.format("\\openin"), id="keyword"),
    pytest.param({"proceedings.yml": OWN + "session: '$\\let\\a\\b$'\n"},
                 "proceedings.yml: math: Field 'session': " + MATH.format("\\let"), id="session"),
]


@pytest.mark.parametrize(("files", "first"), FIELD_MATH)
def test_math_in_metadata_is_refused_with_the_field(tmp_path: Path, files: dict[str, str], first: str) -> None:
    status, messages = one(run(tmp_path, [package(tmp_path, "p", files)]))
    assert status == Status.rejected
    assert messages[0].startswith(first)


# --------------------------------------------------------------------------- 2. every rendered field, every source

RAW = "```{raw} html\n<script>alert(1)</script>\n```"
RAW_MESSAGE = "directive:raw: Field 'abstract': The {raw} directive copies raw HTML or LaTeX into the output; use " \
              "MyST syntax instead."


def test_raw_html_in_a_front_matter_abstract_is_refused(tmp_path: Path) -> None:
    text = paper_md().replace("abstract: An abstract.", "abstract: |\n  " + RAW.replace("\n", "\n  "))
    assert one(run(tmp_path, [package(tmp_path, "p", {"paper.md": text})])) == (
        Status.rejected, ["paper.md or myst.yml: " + RAW_MESSAGE])


def test_include_of_etc_passwd_in_a_myst_yml_abstract_is_refused(tmp_path: Path) -> None:
    myst = "version: 1\nproject:\n  abstract: |\n    ```{include} /etc/passwd\n    ```\n"
    text = paper_md().replace("abstract: An abstract.\n", "")
    assert one(run(tmp_path, [package(tmp_path, "p", {"paper.md": text, "myst.yml": myst})])) == (
        Status.rejected, ["paper.md or myst.yml: directive:include: Field 'abstract': The {include} directive "
                          "inserts another file, possibly from outside the package; put the text in the paper "
                          "itself."])


def test_raw_html_in_a_pdf_only_abstract_is_refused(tmp_path: Path) -> None:
    path = pdf_only_file(tmp_path, "p", pdf_meta(abstract=RAW))
    assert one(run(tmp_path, pdf_only=[path])) == (Status.rejected, ["p.yml: " + RAW_MESSAGE])


def note(ident: str, **content: Any) -> dict[str, Any]:
    values = {"title": "A note", "authors": ["Ada Example"], "authorids": ["~Ada_Example1"],
              "abstract": "An abstract.", "venueid": "V/Accepted", "venue": "V poster", "pdf": f"/pdf/{ident}.pdf",
              **content}
    return {"id": ident, "forum": ident, "content": {key: {"value": value} for key, value in values.items()}}


def notes_export(tmp_path: Path, *notes: dict[str, Any]) -> tuple[Path, Path]:
    pdfs = tmp_path / "pdfs"
    pdfs.mkdir(exist_ok=True)
    for item in notes:
        (pdfs / f"{item['id']}.pdf").write_bytes(tiny_pdf(f"Body of {item['id']}"))
    export = tmp_path / "notes.json"
    export.write_text(json.dumps({"notes": list(notes)}), encoding="utf-8")
    return export, pdfs


def funded(*idents: str, **fields: Any) -> Overrides:
    papers = {ident: {"funding": "No funding.", **fields} for ident in idents}
    return Overrides(defaults={"track": "Tiny papers"}, papers=papers, source="metadata.yml")


def test_raw_html_in_an_openreview_abstract_is_refused(tmp_path: Path) -> None:
    export, pdfs = notes_export(tmp_path, note("noteRaw1", abstract=RAW))
    outcome = one(run(tmp_path, notes=export, pdf_dir=pdfs, overrides=funded("noteRaw1")))
    assert outcome == (Status.rejected, ["notes.json note noteRaw1: " + RAW_MESSAGE])


def test_raw_html_from_the_organizers_file_is_refused_with_that_file(tmp_path: Path) -> None:
    overrides = Overrides(defaults={"track": "Tiny papers"}, papers={"p": {"session": "<script>x</script>"}},
                          source="metadata.yml")
    status, messages = one(run(tmp_path, [package(tmp_path, "p")], overrides=overrides))
    assert status == Status.rejected
    assert messages == ["metadata.yml: raw-html: Field 'session': Raw HTML '<script>x</script>' would be copied into "
                        "the page as is; use MyST syntax instead."]


@pytest.mark.parametrize(("field", "value"), [
    ("funding", "See {download}`/etc/passwd`."),
    ("llm_disclosure", "{eval-rst}`x`"),
    ("track", "[x](javascript:alert(1))"),
    ("title", "T <img src=x onerror=alert(1)>"),
])
def test_other_rendered_fields_are_scanned_like_the_body(tmp_path: Path, field: str, value: str) -> None:
    path = pdf_only_file(tmp_path, "p", pdf_meta(**{field: value}))
    status, messages = one(run(tmp_path, pdf_only=[path]))
    assert status == Status.rejected
    assert messages[0].startswith("p.yml: ") and f"Field '{field}'" in messages[0]


URLS = [
    pytest.param("published_version", "javascript:alert(1)",
                 "p.yml: target:url: Field 'published_version' must be an http:// or https:// link, not "
                 "'javascript:alert(1)'.", id="javascript"),
    pytest.param("published_version", " JaVaScRiPt:alert(2)",
                 "p.yml: target:url: Field 'published_version' must be an http:// or https:// link, not "
                 "' JaVaScRiPt:alert(2)'.", id="javascript-case"),
    pytest.param("published_version", "data:text/html,x",
                 "p.yml: target:url: Field 'published_version' must be an http:// or https:// link, not "
                 "'data:text/html,x'.", id="data"),
    pytest.param("openreview", "../../x", "metadata: field 'openreview': String should match pattern "
                 "'^[A-Za-z0-9_-]{1,64}$'", id="openreview-path"),
    pytest.param("authors", [{"name": "Ada Example", "url": "javascript:alert(4)"}],
                 "p.yml: target:url: Field 'authors[0].url' must be an http:// or https:// link, not "
                 "'javascript:alert(4)'.", id="author-url"),
    pytest.param("authors", [{"name": "Ada Example", "orcid": "javascript:x"}],
                 "metadata: field 'authors.0.orcid': String should match pattern '^\\d{4}-\\d{4}-\\d{4}-\\d{3}[\\dX]$'",
                 id="orcid"),
]


@pytest.mark.parametrize(("field", "value", "message"), URLS)
def test_link_fields_must_be_web_links(tmp_path: Path, field: str, value: Any, message: str) -> None:
    path = pdf_only_file(tmp_path, "p", pdf_meta(**{field: value}))
    assert one(run(tmp_path, pdf_only=[path])) == (Status.rejected, [message])


def test_https_published_version_is_kept(tmp_path: Path) -> None:
    path = pdf_only_file(tmp_path, "p", pdf_meta(published_version="https://doi.org/10.1000/182"))
    assert one(run(tmp_path, pdf_only=[path])) == (Status.collected, ["PDF-only paper"])


# --------------------------------------------------------------------------- 3. ids

@pytest.mark.parametrize(("name", "expected"), [
    ("frA0NNBS1n", "fra0nnbs1n"),
    ("Peace Paper", "peace-paper"),
    ("peace_paper", "peace-paper"),
    ("Café Study", "cafe-study"),
    (unicodedata.normalize("NFD", "Café Study"), "cafe-study"),
    ("\uff30\uff25\uff21\uff23\uff25", "peace"),
    ("a" * 64, "a" * 64),
    (2024, "2024"),
])
def test_ids_are_ascii_slugs(name: str, expected: str) -> None:
    assert paper_id(name) == expected


@pytest.mark.parametrize(("name", "message"), [
    ("../../../x", "'../../../x' holds characters an id cannot have: '/' (SOLIDUS); use Latin letters, digits "
     "and dashes"),
    ("a" * 300, f"'{'a' * 40}…' is 300 characters long, more than the 64 an id may have"),
    ("tex\\input{x}", "'tex\\\\input{x}' holds characters an id cannot have: '\\\\' (REVERSE SOLIDUS), '{' (LEFT "
     "CURLY BRACKET), '}' (RIGHT CURLY BRACKET); use Latin letters, digits and dashes"),
    ("\u0440\u0435ace-paper", "'\u0440\u0435ace-paper' holds characters an id cannot have: '\u0435' (CYRILLIC "
     "SMALL LETTER IE), '\u0440' (CYRILLIC SMALL LETTER ER); use Latin letters, digits and dashes"),
    ("---", "'---' has no letter or digit"),
    ("", "'' has no letter or digit"),
    (4.2, "must be text, not float"),
    (True, "must be text, not bool"),
    (["a"], "must be text, not list"),
])
def test_bad_ids_are_refused(name: object, message: str) -> None:
    with pytest.raises(IdError) as caught:
        paper_id(name)
    assert str(caught.value) == message


def test_id_traversal_from_every_source_writes_nothing_outside(tmp_path: Path) -> None:
    pkg = package(tmp_path, "pkg", own=OWN + "id: ../../../escaped-pkg\n")
    yml = pdf_only_file(tmp_path, "pdfo", pdf_meta(id="../../../escaped-pdfonly"))
    export, pdfs = notes_export(tmp_path, note("../../../escaped-note"))
    outcomes = run(tmp_path, [pkg], [yml], export, pdf_dir=pdfs)
    assert [(o.status, o.messages[0]) for o in outcomes] == [
        (Status.rejected, "id: '../../../escaped-note' is not an OpenReview note id (letters, digits, '_' and '-')"),
        (Status.rejected, "id: '../../../escaped-pkg' holds characters an id cannot have: '/' (SOLIDUS); use Latin "
         "letters, digits and dashes"),
        (Status.rejected, "id: '../../../escaped-pdfonly' holds characters an id cannot have: '/' (SOLIDUS); use "
         "Latin letters, digits and dashes"),
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.json", "packages", "pdfonly", "pdfs", "work"]


def test_nfc_and_nfd_names_collide_and_the_second_is_refused_naming_both(tmp_path: Path) -> None:
    first = package(tmp_path, "Café Study")
    second = package(tmp_path, unicodedata.normalize("NFD", "Café Study") + " ")
    outcomes = run(tmp_path, [first, second])
    assert [o.status for o in outcomes] == [Status.collected, Status.rejected]
    assert outcomes[1].messages == [f"id: 'cafe-study' of {second} is also the id of {first} in this run; give "
                                    "each paper its own id"]


def test_zips_whose_names_slug_alike_collide_and_never_mix_files(tmp_path: Path) -> None:
    zips = []
    for name, figure in (("Peace Paper.zip", "a.png"), ("peace_paper.zip", "b.png")):
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("paper.md", paper_md(f"![x]({figure})"))
            archive.writestr("proceedings.yml", OWN)
            archive.writestr(figure, png())
        zips.append(path)
    outcomes = run(tmp_path, zips)
    assert [o.status for o in outcomes] == [Status.collected, Status.rejected]
    assert outcomes[1].messages[0].startswith("id: 'peace-paper' of ")
    assert sorted(p.name for p in (tmp_path / "docs/vol/papers/peace-paper").iterdir()) == [
        ".collected.json", "a.png", "paper.md"]


def test_a_package_claiming_another_s_id_in_the_same_run_is_refused(tmp_path: Path) -> None:
    victim = package(tmp_path, "victim")
    thief = package(tmp_path, "thief", own=OWN + "id: victim\n")
    outcomes = run(tmp_path, [victim, thief])
    assert [(o.paper_id, o.status) for o in outcomes] == [("victim", Status.collected), ("victim", Status.rejected)]


def test_another_source_claiming_a_collected_id_is_refused_unless_forced(tmp_path: Path) -> None:
    assert one(run(tmp_path, [package(tmp_path, "victim")]))[0] == Status.collected
    thief = package(tmp_path, "thief", {"paper.md": paper_md(title="Stolen")}, own=OWN + "id: victim\n")
    assert one(run(tmp_path, [thief])) == (Status.rejected, [
        f"id 'victim' belongs to package:victim (collected from {tmp_path / 'packages' / 'victim'}), not "
        "package:thief; not replaced (use --force)"])
    assert load_paper(tmp_path / "docs/vol/papers/victim/paper.md").title == "A Test Paper"
    assert one(run(tmp_path, [thief], force=True))[0] == Status.updated
    manifest = json.loads((tmp_path / "docs/vol/papers/victim/.collected.json").read_text())
    assert manifest["owner"] == "package:thief"


def test_openreview_ids_that_differ_only_in_case_collide(tmp_path: Path) -> None:
    export, pdfs = notes_export(tmp_path, note("abcDEF"), note("ABCdef"))
    outcomes = run(tmp_path, notes=export, pdf_dir=pdfs, overrides=funded("abcdef"))
    assert [(o.paper_id, o.status) for o in outcomes] == [("abcdef", Status.collected), ("abcdef", Status.rejected)]


# --------------------------------------------------------------------------- 4. anonymity

ANON = OWN + "anonymous: true\n"


def anonymous_package(tmp_path: Path, name: str, files: dict[str, str | bytes]) -> Path:
    text = paper_md("![a figure](fig" + Path(next(iter(files))).suffix + ")", author=NAME)
    return package(tmp_path, name, {"paper.md": text, **files}, own=ANON)


@pytest.mark.parametrize(("file", "data"), [
    ("fig.gif", image("GIF", comment=NAME.encode())),
    ("fig.png", png(pnginfo=None) + b""),
    ("fig.jpg", image("JPEG", comment=NAME)),
])
def test_raster_figures_lose_their_metadata(tmp_path: Path, file: str, data: bytes) -> None:
    assert one(run(tmp_path, [anonymous_package(tmp_path, "p", {file: data})]))[0] == Status.collected
    written = (tmp_path / "docs/vol/papers/p" / published_name(file)).read_bytes()
    assert NAME.encode() not in written
    with Image.open(io.BytesIO(written)) as figure:
        assert "comment" not in figure.info and figure.size in ((4, 4), (8, 8))


@pytest.mark.parametrize("kind", ["WEBP", "TIFF"])
def test_webp_and_tiff_are_reencoded_without_metadata(kind: str) -> None:
    from proceedings.check.images import clean_image

    data = image(kind, exif=b"Exif\x00\x00" + NAME.encode()) if kind == "WEBP" else image(kind, description=NAME)
    assert NAME.encode() in data
    cleaned = clean_image(f"fig.{kind.lower()}", data)
    assert NAME.encode() not in cleaned
    assert Image.open(io.BytesIO(cleaned)).size == (8, 8)


@pytest.mark.parametrize("svg", [
    f"<svg xmlns='http://www.w3.org/2000/svg'><text>{NAME}</text></svg>",
    "<svg xmlns='http://www.w3.org/2000/svg'><text>&#65;da&#32;Lovelacey</text></svg>",
    "<svg xmlns='http://www.w3.org/2000/svg'><text><tspan>Ada</tspan> <tspan>Lovelacey</tspan></text></svg>",
    "<svg xmlns='http://www.w3.org/2000/svg'><text>ADA&#160;LOVELACEY</text></svg>",
    "<svg xmlns='http://www.w3.org/2000/svg'><text>Ada\n   Lovelacey</text></svg>",
])
def test_svg_naming_an_anonymous_author_is_refused_however_written(tmp_path: Path, svg: str) -> None:
    outcome = one(run(tmp_path, [anonymous_package(tmp_path, "p", {"fig.svg": svg})]))
    assert outcome[0] == Status.rejected
    assert outcome[1][0].startswith("anonymity: fig.svg") and outcome[1][0].endswith("names an anonymous author (A…)")


@pytest.mark.parametrize("body", [
    unicodedata.normalize("NFD", "Thanks to Zoë Quinnell."),
    "Thanks to Zoë&nbsp;Quinnell.",
    "Thanks to Zoë\nQuinnell.",
    "Thanks to ZOË QUINNELL.",
])
def test_name_variants_in_the_body_are_caught(tmp_path: Path, body: str) -> None:
    text = paper_md(body, author="Zoë Quinnell")
    outcome = one(run(tmp_path, [package(tmp_path, "p", {"paper.md": text}, own=ANON)]))
    assert outcome == (Status.rejected, ["anonymity: paper.md:11: names an anonymous author (Z…)"])


def hostile_pdf(name: str) -> bytes:
    """A one-page PDF that names ``name`` in every place but its text: info, XMP on the catalog, the page and a
    Form XObject, a bookmark, an annotation and document JavaScript."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(tiny_pdf("Anonymous body"))))
    writer.add_metadata({"/Author": name})
    xmp = f"<x:xmpmeta xmlns:x='adobe:ns:meta/'><dc:creator>{name}</dc:creator></x:xmpmeta>".encode()

    def metadata_stream() -> Any:
        stream = DecodedStreamObject()
        stream.set_data(xmp)
        stream[NameObject("/Type")] = NameObject("/Metadata")
        return writer._add_object(stream)

    writer.root_object[NameObject("/Metadata")] = metadata_stream()
    page = writer.pages[0]
    page[NameObject("/Metadata")] = metadata_stream()
    form = DecodedStreamObject()
    form.set_data(b"")
    form.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                 NameObject("/Metadata"): metadata_stream()})
    resources = page["/Resources"].get_object()
    resources[NameObject("/XObject")] = DictionaryObject({NameObject("/Fx"): writer._add_object(form)})
    writer.add_outline_item(title=f"Section by {name}", page_number=0)
    writer.add_annotation(0, Text(text=f"note from {name}", rect=(10, 10, 50, 50)))
    script = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject(f"app.alert('{name}');")})
    writer.root_object[NameObject("/OpenAction")] = writer._add_object(script)
    writer.root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("js"), writer._add_object(script)])})})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_only_pdf_loses_xmp_bookmarks_annotations_and_scripts(tmp_path: Path) -> None:
    data = hostile_pdf(NAME)
    assert data.count(NAME.encode()) >= 6
    cleaned = clean_pdf(data)
    assert NAME.encode() not in cleaned
    reader = PdfReader(io.BytesIO(cleaned))
    assert not {"/Metadata", "/Outlines", "/Names", "/OpenAction"} & set(reader.trailer["/Root"])
    assert not {"/Metadata", "/Annots"} & set(reader.pages[0])
    assert "Anonymous body page 1" in reader.pages[0].extract_text()


def test_anonymous_pdf_only_paper_is_collected_clean_without_a_build(tmp_path: Path) -> None:
    path = pdf_only_file(tmp_path, "anon", pdf_meta(anonymous=True, authors=[{"name": NAME}]), hostile_pdf(NAME))
    assert one(run(tmp_path, pdf_only=[path])) == (Status.collected, ["PDF-only paper"])
    assert NAME.encode() not in (tmp_path / "docs/vol/papers/anon/paper.pdf").read_bytes()
    assert NAME not in (tmp_path / "docs/vol/papers/anon/paper.md").read_text(encoding="utf-8")
    assert NAME in (tmp_path / "private/vol/anonymous-authors.yml").read_text(encoding="utf-8")


def test_anonymous_paper_does_not_link_its_openreview_forum(tmp_path: Path) -> None:
    export, pdfs = notes_export(tmp_path, note("anonNote1", authors=[NAME]))
    overrides = funded("anonNote1", anonymous=True)
    status, messages = one(run(tmp_path, notes=export, pdf_dir=pdfs, overrides=overrides))
    assert status == Status.collected
    assert messages[0].startswith("the OpenReview forum is not linked: it names the authors")
    assert load_paper(tmp_path / "docs/vol/papers/anonnote1/paper.md").openreview is None


def test_a_forum_the_organizers_mark_anonymous_is_linked(tmp_path: Path) -> None:
    export, pdfs = notes_export(tmp_path, note("anonNote1", authors=[NAME]))
    overrides = funded("anonNote1", anonymous=True, openreview_anonymous=True)
    assert one(run(tmp_path, notes=export, pdf_dir=pdfs, overrides=overrides)) == (Status.collected, ["PDF-only paper"])
    assert load_paper(tmp_path / "docs/vol/papers/anonnote1/paper.md").openreview == "anonNote1"


def test_only_organizers_may_mark_a_forum_anonymous(tmp_path: Path) -> None:
    path = pdf_only_file(tmp_path, "p", pdf_meta(openreview_anonymous=True))
    assert one(run(tmp_path, pdf_only=[path])) == (
        Status.rejected, ["p.yml: field 'openreview_anonymous': only the organizers' metadata file may set it"])


@pytest.mark.parametrize("text", [
    "ada lovelacey", "Ada&nbsp;Lovelacey", "ADA\n  LOVELACEY", "A&#100;a Lovelacey", "<b>Ada</b> Love<i>lacey</i>",
    "Ada<br>Lovelacey", '<img alt="Ada Lovelacey">', "Ada Love-\nlacey",
    unicodedata.normalize("NFD", "Ada Lövelacey"), "Ada\u00adLovelacey", "\uff21da Lovelacey",
])
def test_leak_form_matches_every_spelling(text: str) -> None:
    names = ["Ada Lovelacey", "Ada Lövelacey"]
    assert named(text.replace("\u00ad", " \u00ad"), names) != []
    assert leak_form("x&amp;nbsp;y") == "x y"


def test_svg_text_joins_pieces_and_resolves_entities() -> None:
    assert "Ada Lovelacey" in svg_text(b"<svg><text><tspan>Ada</tspan> <tspan>&#76;ovelacey</tspan></text></svg>")


# --------------------------------------------------------------------------- 5. collect never crashes

def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(tiny_pdf())))
    writer.encrypt(user_password="", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


BAD_FILES = [
    pytest.param({"fig.png": b"\x89PNG\r\n\x1a\nbroken"}, "fig.png: image:broken: The PNG image cannot be read; "
                 "export it again.", id="broken-png"),
    pytest.param({"fig.jpg": image("JPEG")[:300]}, "fig.jpg: image:broken: The JPEG image cannot be decoded "
                 "(Truncated File Read); export it again.", id="truncated-jpeg"),
    pytest.param({"fig.pdf": b"not a pdf"}, "fig.pdf: file:type: The file is named .pdf but its bytes are not a "
                 "figure format this pipeline reads; export the figure as a real PDF.", id="fake-pdf-figure"),
    pytest.param({"fig.png": tiny_pdf()}, "fig.png: file:type: The file is named .png but its bytes are a PDF file; "
                 "export the figure as a real PNG.", id="pdf-named-png"),
    pytest.param({"fig.pdf": encrypted_pdf()}, "fig.pdf: pdf:unreadable: The PDF cannot be used: the PDF is "
                 "encrypted; submit it without a password or restrictions.", id="encrypted-pdf-figure"),
    pytest.param({"paper.bib": ""}, "paper.bib: bib:empty: The .bib file holds no entry; remove it, or add the "
                 "entries the paper cites.", id="empty-bib"),
    pytest.param({"proceedings.yml": OWN + "a: &a [x,x,x,x,x,x,x,x,x]\nb: [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"},
                 "proceedings.yml: yaml: The file is refused: proceedings.yml:3: aliases (*name) are not accepted; "
                 "write the value out", id="alias-bomb"),
    pytest.param({"proceedings.yml": OWN + "funding: Secret second funding.\n"},
                 "proceedings.yml: yaml: The file is refused: proceedings.yml:3: key 'funding' appears twice; "
                 "keep one", id="duplicate-key"),
    pytest.param({"paper.md": paper_md().replace("title: A Test Paper", "title: [Peace, War]")},
                 "paper.md:2: frontmatter:type: Field 'title' must be text, not a list (\"['Peace', 'War']\").",
                 id="list-title"),
    pytest.param({"paper.md": paper_md().replace("title: A Test Paper", "title: A\ntitle: B")},
                 "paper.md:3: yaml: The front matter is refused: paper.md:3: key 'title' appears twice; keep one",
                 id="duplicate-front-matter-key"),
    pytest.param({"myst.yml": "version: 1\nproject:\n  title: [a, b]\n"},
                 "myst.yml: frontmatter:type: Field 'title' must be text, not a list (\"['a', 'b']\").",
                 id="myst-yml-list-title"),
    pytest.param({"myst.yml": "version: 1\nproject: &p {title: T}\nsite: *p\n"},
                 "myst.yml: yaml: The file is refused: myst.yml:2: aliases (*name) are not accepted; write the value "
                 "out", id="myst-yml-alias"),
    pytest.param({"myst.yml": "version: 1\nproject: {title: T}\nproject: {title: U}\n"},
                 "myst.yml: yaml: The file is refused: myst.yml:3: key 'project' appears twice; keep one",
                 id="myst-yml-duplicate-key"),
    pytest.param({"paper.md": paper_md(":::{note}\n---\na: &a [x, x]\nclass: [*a, *a]\n---\nText.\n:::")},
                 "paper.md:11: yaml: The {note} directive's options are refused: aliases (*name) are not accepted; "
                 "write the value out", id="alias-bomb-in-directive-options"),
    pytest.param({"proceedings.yml": OWN + "x: " + "[" * 30 + "]" * 30 + "\n"},
                 "proceedings.yml: yaml: The file is refused: proceedings.yml:3: nested more than 20 deep",
                 id="deep-yaml"),
]


@pytest.mark.parametrize(("files", "message"), BAD_FILES)
def test_a_bad_file_is_one_rejected_row_and_the_others_are_collected(tmp_path: Path, files: dict[str, Any],
                                                                      message: str) -> None:
    good = package(tmp_path, "good")
    bad = package(tmp_path, "bad", files)
    outcomes = run(tmp_path, [bad, good])
    assert [(o.paper_id, o.status, o.messages) for o in outcomes] == [
        ("bad", Status.rejected, [message]), ("good", Status.collected, [])]


def test_yaml_files_collect_does_not_read_are_not_held_to_its_limits(tmp_path: Path) -> None:
    workflow = "defaults: &d {runs-on: ubuntu}\njobs: {test: *d}\n"
    assert one(run(tmp_path, [package(tmp_path, "p", {".github/workflows/ci.yml": workflow})])) == (
        Status.collected, ["not published, as the paper does not use them: .github/workflows/ci.yml"])


@pytest.mark.parametrize(("pdf", "message"), [
    (b"<html>not a pdf</html>", "p.pdf: field 'pdf': the file is not a PDF (it does not start with %PDF-)"),
    (encrypted_pdf(), "p.pdf: field 'pdf': the PDF is encrypted; submit it without a password or restrictions"),
    (b"%PDF-1.4\ngarbage", "p.pdf: field 'pdf': the PDF cannot be read"),
    (tiny_pdf(pages=201), "p.pdf: field 'pdf': the PDF has 201 pages, more than the 200 allowed"),
])
def test_bad_pdf_only_pdfs_are_rejected(tmp_path: Path, pdf: bytes, message: str) -> None:
    path = pdf_only_file(tmp_path, "p", pdf_meta(), pdf)
    status, messages = one(run(tmp_path, pdf_only=[path]))
    assert status == Status.rejected and messages[0].startswith(message)


@pytest.mark.parametrize(("target", "message"), [
    ("../../secret.pdf", "must name a PDF file beside the metadata, not '../../secret.pdf'"),
    ("/etc/passwd", "must name a PDF file beside the metadata, not '/etc/passwd'"),
    ("x" * 300, f"must name a PDF file beside the metadata, not '{'x' * 60}'"),
    (["a.pdf"], "must name a PDF file beside the metadata, not \"['a.pdf']\""),
    ("link.pdf", "link.pdf is not a file beside the metadata"),
    ("missing.pdf", "missing.pdf is not a file beside the metadata"),
])
def test_a_pdf_only_pdf_outside_its_folder_or_linked_is_refused(tmp_path: Path, target: Any, message: str) -> None:
    (tmp_path / "secret.pdf").write_bytes(tiny_pdf("Secret"))
    path = pdf_only_file(tmp_path, "p", pdf_meta(pdf=target))
    (path.parent / "link.pdf").symlink_to(tmp_path / "secret.pdf")
    assert one(run(tmp_path, pdf_only=[path])) == (Status.rejected, [f"p.yml: field 'pdf': {message}"])


def test_a_yaml_alias_bomb_is_refused_at_once() -> None:
    bomb = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join('*' + chr(97 + i) for _ in range(9))}]\n" for i in range(8))
    with pytest.raises(YamlRefused, match="aliases"):
        load_yaml(bomb, "bomb.yml")
    with pytest.raises(YamlRefused, match="more than the 262144 allowed"):
        load_yaml("a: " + "x" * 300_000, "big.yml")
    with pytest.raises(YamlError, match="could not determine a constructor"):
        load_yaml("a: !!python/object/apply:os.system [id]", "tag.yml")


def test_broken_openreview_export_is_one_row_and_other_sources_go_on(tmp_path: Path) -> None:
    export = tmp_path / "notes.json"
    export.write_text("{not json", encoding="utf-8")
    outcomes = run(tmp_path, [package(tmp_path, "good")], notes=export, pdf_dir=tmp_path)
    assert [(o.paper_id, o.status) for o in outcomes] == [("notes.json", Status.rejected), ("good", Status.collected)]
    assert outcomes[0].messages[0].startswith("notes.json: JSONDecodeError: ")


def test_a_malformed_note_is_its_own_row(tmp_path: Path) -> None:
    export, pdfs = notes_export(tmp_path, note("good1"))
    data = json.loads(export.read_text())
    data["notes"].insert(0, {"id": "bad1", "content": {"title": {"value": ["x"]}, "venue": {"value": 3},
                                                       "venueid": {"value": "V/Accepted"}}})
    export.write_text(json.dumps(data))
    outcomes = run(tmp_path, notes=export, pdf_dir=pdfs, overrides=funded("good1"))
    assert [(o.paper_id, o.status) for o in outcomes] == [("bad1", Status.rejected), ("good1", Status.collected)]


def test_cli_writes_the_report_even_when_the_organizers_file_is_refused(tmp_path: Path) -> None:
    from proceedings.cli import main

    site = make_mini_site(tmp_path)
    metadata = tmp_path / "metadata.yml"
    metadata.write_text("defaults: {track: x}\ndefaults: {track: y}\n", encoding="utf-8")
    report = tmp_path / "report.json"
    code = main(["collect", "--volume", "vol", "--srcdir", str(site.srcdir), "--metadata", str(metadata),
                 "--private", str(tmp_path / "private"), "--report", str(report)])
    assert code == 1
    assert json.loads(report.read_text()) == [{"paper": "", "source": "collect", "status": "rejected", "messages": [
        f"{metadata}: metadata.yml:2: key 'defaults' appears twice; keep one"]}]


# --------------------------------------------------------------------------- 6. limits

LIMITS = [
    pytest.param({"authors": [{"name": f"Author {i}"} for i in range(10_000)]},
                 "metadata: field 'authors': Tuple should have at most 100 items after validation, not 10000",
                 id="10000-authors"),
    pytest.param({"title": "T" * 5000}, "metadata: field 'title': String should have at most 1000 characters",
                 id="long-title"),
    pytest.param({"authors": [{"name": "Smith, John, Jr, Extra"}]},
                 "metadata: field 'authors.0.name': Value error, 'Smith, John, Jr, Extra' has more than two commas; "
                 "write 'First Last' or 'Last, First'", id="too-many-commas"),
    pytest.param({"keywords": ["k" * 300]}, "metadata: field 'keywords': Value error, an item has 300 characters, "
                 "more than the 200 allowed", id="long-keyword"),
]


@pytest.mark.parametrize(("fields", "message"), LIMITS)
def test_limits_are_named(tmp_path: Path, fields: dict[str, Any], message: str) -> None:
    path = pdf_only_file(tmp_path, "p", pdf_meta(**fields))
    assert one(run(tmp_path, pdf_only=[path])) == (Status.rejected, [message])


def test_a_megabyte_title_is_refused_by_the_yaml_limit(tmp_path: Path) -> None:
    path = pdf_only_file(tmp_path, "p", pdf_meta(title="T" * 2**20))
    assert one(run(tmp_path, pdf_only=[path])) == (
        Status.rejected, ["p.yml: 1048676 bytes of YAML, more than the 262144 allowed"])


def test_lists_nested_12_deep_are_refused(tmp_path: Path) -> None:
    body = "".join("  " * depth + "- item\n" for depth in range(12))
    assert one(run(tmp_path, [package(tmp_path, "p", {"paper.md": paper_md(body)})])) == (Status.rejected, [
        "paper.md:15: nesting: Lists and block quotes are nested more than 5 deep here, deeper than the "
        "volume's LaTeX allows; flatten them."])


def sized_png(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` (its pixel data is a 4x4 image's)."""
    data = png()
    start = data.index(b"IHDR")
    fields = width.to_bytes(4, "big") + height.to_bytes(4, "big") + data[start + 12 : start + 17]
    chunk = b"IHDR" + fields + zlib.crc32(b"IHDR" + fields).to_bytes(4, "big")
    return data[:start] + chunk + data[start + 21 :]


def test_a_huge_png_is_refused_from_its_header(tmp_path: Path) -> None:
    huge = sized_png(30000, 30000)
    assert one(run(tmp_path, [package(tmp_path, "p", {"fig.png": huge})])) == (Status.rejected, [
        "fig.png: image:too-large: The image has more than the 50000000 pixels allowed; scale it down."])


def test_an_image_just_over_the_pixel_limit_is_refused_by_its_size(tmp_path: Path) -> None:
    from proceedings.check.images import figure_threats

    data = sized_png(10000, 5001)
    assert [t.message for t in figure_threats(data, "f.png")] == [
        "The image is 10000x5001 pixels, more than the 50000000 allowed; scale it down."]


# --------------------------------------------------------------------------- 7. exports and invisible characters

@pytest.mark.parametrize(("fields", "message"), [
    ({"funding": "\u200b"}, "metadata: field 'funding': Value error, holds the invisible character U+200B ZERO WIDTH "
     "SPACE; remove it"),
    ({"title": "Peace \u202eraW"}, "metadata: field 'title': Value error, holds the bidirectional control U+202E "
     "RIGHT-TO-LEFT OVERRIDE, which makes text display in another order than it is written; remove it"),
    ({"authors": [{"name": "Ada\u2066 Example"}]}, "metadata: field 'authors.0.name': Value error, holds the "
     "bidirectional control U+2066 LEFT-TO-RIGHT ISOLATE, which makes text display in another order than it is "
     "written; remove it"),
    ({"funding": "\u00a0\u3000 "}, "metadata: field 'funding': String should have at least 1 character"),
    ({"session": "\u200d"}, "metadata: field 'session': Value error, holds the invisible character U+200D ZERO "
     "WIDTH JOINER; remove it"),
    ({"track": "Tiny\x1bpapers"}, "metadata: field 'track': Value error, holds the control character U+001B "
     "(unnamed); remove it"),
    ({"keywords": ["peace", "\ufeff"]}, "metadata: field 'keywords': Value error, holds the invisible character "
     "U+FEFF ZERO WIDTH NO-BREAK SPACE; remove it"),
])
def test_invisible_and_bidi_characters_are_refused(tmp_path: Path, fields: dict[str, Any], message: str) -> None:
    path = pdf_only_file(tmp_path, "p", pdf_meta(**fields))
    assert one(run(tmp_path, pdf_only=[path])) == (Status.rejected, [message])


def test_joiners_between_letters_are_kept() -> None:
    from proceedings.model import paper_from_frontmatter

    title = "\u06a9\u062a\u0627\u0628\u200c\u0647\u0627"
    paper = paper_from_frontmatter(pdf_meta(title=title))
    assert paper.title == title


def test_an_author_named_with_and_stays_one_bibtex_author() -> None:
    person = bibtex_name("Ada Example and Mallory Evil")
    assert str(person) == "Evil, Ada Example {and} Mallory"


# --------------------------------------------------------------------------- end to end: collect, build, check

def test_a_batch_of_hostile_submissions_collects_builds_and_checks_clean(tmp_path: Path) -> None:
    """HTML build of what collect let through: no script, no outside file, no anonymous name, exports intact;
    then a name planted in a page in seven spellings is each time found by the check."""
    site = make_mini_site(tmp_path)
    root = tmp_path / "in"
    sources = [
        package(root, "good", {"paper.md": paper_md("Fine $\\frac{a}{b}$ math.")}),
        package(root, "math", {"paper.md": paper_md("$\\input{/etc/passwd}$")}),
        package(root, "raw-abstract", {"paper.md": paper_md(abstract="'<script>alert(1)</script>'")}),
        package(root, "ris", {"paper.md": paper_md(title="Forged")},
                own=OWN + "keywords: [\"peace\\r\\nTY  - JOUR\\r\\nTI  - Forged record\"]\n"),
        package(root, "bib-split", {"paper.md": paper_md(author="Ada Example and Mallory Evil")}),
        package(root, "anon", {"paper.md": paper_md("![A figure](fig.gif)", author=NAME),
                               "fig.gif": image("GIF", comment=NAME.encode())}, own=ANON),
        package(root, "anon2", {"paper.md": paper_md(author="Ada Lövelacey")}, own=ANON),
    ]
    export, pdfs = notes_export(root, note("orAnon1", authors=[NAME], abstract="<script>x</script>"),
                                note("orGood1"))
    work = tmp_path / "work"
    work.mkdir()
    overrides = funded("orAnon1", "orGood1")
    pdf_only = [pdf_only_file(root, "anon-pdf", pdf_meta(anonymous=True, authors=[{"name": NAME}]),
                              hostile_pdf(NAME))]
    outcomes = collect(read_sources(sources, pdf_only, export, "V/Accepted", pdfs, work), site.srcdir / "vol",
                       tmp_path / "private", overrides)
    assert {o.paper_id: o.status for o in outcomes} == {
        "oranon1": Status.rejected, "orgood1": Status.collected, "good": Status.collected,
        "math": Status.rejected, "raw-abstract": Status.rejected, "ris": Status.collected,
        "bib-split": Status.collected, "anon": Status.collected, "anon2": Status.collected,
        "anon-pdf": Status.collected}
    out = Output(tmp_path / "build")
    result = build(site.srcdir, out, pdf=False, private=tmp_path / "private")
    assert result.excluded == {}
    pages = {p: p.read_text(encoding="utf-8", errors="replace") for p in out.html.rglob("*")
             if p.suffix in (".html", ".js", ".json", ".ris", ".bib", ".txt", ".xml")}
    assert not [p for p, text in pages.items() if "<script>alert" in text or "root:x:0:0" in text]
    assert not [p for p, text in pages.items() if NAME.lower() in leak_form(text)]
    published = [p for p in out.html.rglob("*") if p.suffix in (".gif", ".png", ".pdf") and "_static" not in p.parts]
    assert sorted(p.relative_to(out.html).as_posix() for p in published) == [
        "_images/fig.png", "pdf/vol/anon-pdf.pdf", "pdf/vol/orgood1.pdf"]  # the GIF is published as PNG
    assert not [p for p in published if NAME.encode() in p.read_bytes()]
    ris = "\n".join(text for p, text in pages.items() if p.suffix == ".ris" and "Forged" in text)
    assert ris.count("TY  - ") == ris.count("ER  - ") >= 1
    assert "\r\nTY  - JOUR" not in ris
    bib = "\n".join(text for p, text in pages.items() if p.suffix == ".bib")
    assert "Ada Example {and} Mallory" in bib
    assert check_output(out.root, tmp_path / "private") == []
    page_file = out.html / "vol" / "papers" / "good" / "paper.html"
    original = page_file.read_text(encoding="utf-8")
    spellings = (unicodedata.normalize("NFD", "Ada Lövelacey"), "Ada&nbsp;Lovelacey", "Ada\n  Lovelacey",
                 "&#65;da Lovelacey", "ADA LOVELACEY", "<strong>Ada</strong> <em>Love</em>lacey", "Ada<br/>Lovelacey")
    for planted in spellings:
        page_file.write_text(original.replace("</body>", f"<p>{planted}</p></body>"), encoding="utf-8")
        assert [f.kind for f in check_output(out.root, tmp_path / "private")] == ["anonymity"], planted


def test_a_package_file_is_a_zip_by_its_bytes_not_its_name(tmp_path: Path) -> None:
    renamed = tmp_path / "paper.pdf"
    with zipfile.ZipFile(renamed, "w") as archive:
        archive.writestr("paper.md", paper_md())
        archive.writestr("proceedings.yml", OWN)
    fake = tmp_path / "fake.zip"
    fake.write_bytes(tiny_pdf())
    outcomes = run(tmp_path, [renamed, fake])
    assert [(o.paper_id, o.status, o.messages) for o in outcomes] == [
        ("paper", Status.collected, []),
        ("fake", Status.rejected, ["fake.zip: a package is a folder or a zip, and this file is neither"])]


def test_a_long_animation_is_refused_by_its_total_pixels() -> None:
    from proceedings.check.images import figure_threats

    frames = [Image.new("P", (4000, 4000), shade) for shade in range(8)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    assert [(t.field, t.message) for t in figure_threats(out.getvalue(), "a.gif")] == [
        ("image:too-large", "The animation has 8 frames of 4000x4000 pixels, more than 100000000 pixels in all.")]


@pytest.mark.parametrize(("name", "shown"), [
    ("fig{x}.png", "'{' '}'"),
    ("fig$\\input.png", "'$' '\\\\'"),
    ("fig%#&.png", "'#' '%' '&'"),
])
def test_figure_names_with_tex_or_control_characters_are_refused(tmp_path: Path, name: str, shown: str) -> None:
    assert one(run(tmp_path, [package(tmp_path, "p", {name: png()})])) == (Status.rejected, [
        f"{name}: file:name: The file name holds {shown}; name figures with letters, digits, spaces, '.', '_' and "
        "'-' only."])


def test_a_file_no_paper_can_name_is_never_published(tmp_path: Path) -> None:
    """A name with a line break cannot be written in Markdown: the file is listed, never published."""
    assert one(run(tmp_path, [package(tmp_path, "p", {"fig\n.png": png()})])) == (
        Status.collected, ["not published, as the paper does not use them: fig\n.png"])
    assert not list((tmp_path / "docs/vol/papers/p").glob("fig*"))


def test_figure_names_with_spaces_and_accents_are_kept(tmp_path: Path) -> None:
    assert one(run(tmp_path, [package(tmp_path, "p", {"images/AR matrices é.png": png()})])) == (Status.collected, [])


@pytest.mark.parametrize(("svg", "found"), [
    ('<!DOCTYPE svg [<!ENTITY p SYSTEM "file:///etc/passwd">]>\n<svg xmlns="http://www.w3.org/2000/svg">'
     "<text>&p;</text></svg>", [("fig.svg", 1, "svg:include")]),
    ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xi="http://www.w3.org/2001/XInclude">\n'
     '<xi:include href="/etc/passwd" parse="text"/></svg>', [("fig.svg", 2, "svg:include"),
                                                             ("fig.svg", 2, "target:absolute")]),
    ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xi="http://www.w3.org/2001/XInclude">\n'
     '<xi:include href="paper.md" parse="text"/></svg>', [("fig.svg", 2, "svg:include")]),
])
def test_svg_that_would_read_other_files_is_refused(tmp_path: Path, svg: str, found: list[Any]) -> None:
    from proceedings.check.package import scan_package

    folder = package(tmp_path, "p", {"fig.svg": svg})
    assert [(t.file, t.line, t.field) for t in scan_package(folder)] == found
    assert one(run(tmp_path, [folder]))[0] == Status.rejected


@pytest.mark.parametrize(("content", "message"), [
    ({"authors": True}, "notes.json note n1: field 'authors': must be a list of names, not 'True'"),
    ({"authors": [{"name": 3}]}, "notes.json note n1: field 'authors': must be a list of names, not \"[{'name': 3}]\""),
    ({"authorids": 3}, "notes.json note n1: field 'authorids': must be a list, not '3'"),
    ({"title": 2.5}, "notes.json note n1: frontmatter:type: Field 'title' must be text, not a float ('2.5')."),
])
def test_a_note_with_fields_of_the_wrong_type_is_refused_by_field(tmp_path: Path, content: dict[str, Any],
                                                                  message: str) -> None:
    export, pdfs = notes_export(tmp_path, note("n1", **content), note("n2"))
    outcomes = run(tmp_path, notes=export, pdf_dir=pdfs, overrides=funded("n1", "n2"))
    assert [(o.paper_id, o.status, o.messages) for o in outcomes] == [
        ("n1", Status.rejected, [message]), ("n2", Status.collected, ["PDF-only paper"])]


def test_a_field_is_named_with_the_file_it_came_from(tmp_path: Path) -> None:
    """A default the source overrides is the source's: the threat names proceedings.yml, not the organizers' file."""
    overrides = Overrides(defaults={"track": "Tiny papers", "session": "Morning"}, source="metadata.yml")
    folder = package(tmp_path, "p", own=OWN + "session: <b>x</b>\n")
    status, messages = one(run(tmp_path, [folder], overrides=overrides))
    assert status == Status.rejected
    assert messages[0].startswith("proceedings.yml: raw-html: Field 'session': ")


_TOKENS = ["$", "\\input", "{", "}", "<script>", "```{raw} html", ":::", "---", "\n", "&a ", "*a", "title:", "- ",
           "\u202e", "\u200b", "é", "%", "^^5c", "[x](javascript:x)", "{download}`/etc/passwd`", "id: ../x", "\x00"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(md=st.lists(st.sampled_from(_TOKENS) | st.text(max_size=5), max_size=30).map("".join),
       own=st.lists(st.sampled_from(_TOKENS) | st.text(max_size=5), max_size=12).map("".join),
       figure=st.binary(max_size=64))
def test_collect_never_raises_and_always_reports_one_row(tmp_path_factory: pytest.TempPathFactory, md: str, own: str,
                                                         figure: bytes) -> None:
    """Whatever a package holds, collect returns one row for it, with a message when it is rejected."""
    root = tmp_path_factory.mktemp("fuzz")
    text = paper_md(md)
    folder = package(root, "p", {"paper.md": text, "fig.png": figure}, own=OWN + own)
    [outcome] = run(root, [folder])
    assert outcome.status in (Status.collected, Status.rejected)
    assert outcome.status == Status.collected or outcome.messages
    assert not [m for m in outcome.messages if "could not be collected" in m]
