"""Hostile submissions: each is refused with the exact file, line and kind of every threat."""

from __future__ import annotations

import ast
import importlib
import io
import os
import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docutils.parsers.rst import directives
from PIL import Image, PngImagePlugin
from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace

from proceedings.check import markdown, threats
from proceedings.check.archive import extract_zip
from proceedings.check.frontmatter import scan_frontmatter
from proceedings.check.images import strip_image_metadata
from proceedings.check.markdown import scan_markdown
from proceedings.check.package import scan_package
from proceedings.check.threats import FIELDS, MYST_EXTENSIONS, Limits, Threat, UnsafePackage

from conftest import DOCS, MiniSite, paper_text, write_files

Found = list[tuple[str, int | None, str]]
P = "paper.md"


def documented(field: str) -> bool:
    kind = field.split(":", 1)[0]
    pattern = "role:raw-<format>" if field.startswith("role:raw-") else f"{kind}:<name>"
    return field in FIELDS or pattern in FIELDS


def found(threats: list[Threat]) -> Found:
    """The threats as (file, line, field), each field checked against the documented vocabulary."""
    for threat in threats:
        assert documented(threat.field), threat
        assert threat.message.strip(), threat
    return [(t.file, t.line, t.field) for t in threats]


# --------------------------------------------------------------------------- Markdown

NESTED = "".join(f"{':' * (30 - depth)}{{note}}\n" for depth in range(25)) + "".join(
    f"{':' * (6 + depth)}\n" for depth in range(25)
)

HOSTILE_MARKDOWN = [
    pytest.param("Intro.\n\n<div class=\"x\">\nhidden\n</div>\n", [(P, 3, "raw-html")], id="raw-html-block"),
    pytest.param("Some <span>styled</span> text.\n", [(P, 1, "raw-html"), (P, 1, "raw-html")], id="inline-html"),
    pytest.param("Text.\n\n<script>alert(document.cookie)</script>\n", [(P, 3, "raw-html")], id="script-block"),
    pytest.param("Text <script>alert(1)</script> inline.\n", [(P, 1, "raw-html"), (P, 1, "raw-html")],
                 id="script-inline"),
    # an HTML comment is an html_block too: it would be copied into the page, so it is refused
    pytest.param("<!-- reviewer: reject -->\n\nText.\n", [(P, 1, "raw-html")], id="html-comment"),
    pytest.param("```{raw} html\n<iframe src=x></iframe>\n```\n", [(P, 1, "directive:raw")], id="raw-directive"),
    pytest.param("```{RAW} html\n<b>x</b>\n```\n", [(P, 1, "directive:raw")], id="raw-directive-upper-case"),
    pytest.param(":::{note}\nA note.\n\n```{raw} html\n<b>x</b>\n```\n:::\n", [(P, 4, "directive:raw")],
                 id="raw-inside-note"),
    pytest.param("::::{tip}\nTip.\n\n:::{note}\n```{raw} latex\n\\input{/etc/passwd}\n```\n:::\n::::\n",
                 [(P, 5, "directive:raw")], id="raw-two-levels-down"),
    pytest.param("```{include} /etc/passwd\n```\n", [(P, 1, "directive:include")], id="include-etc-passwd"),
    pytest.param("Text.\n\n```{include} ../secret.md\n```\n", [(P, 3, "directive:include")], id="include-parent"),
    pytest.param("```{literalinclude} ../../../conf.py\n:language: python\n```\n",
                 [(P, 1, "directive:literalinclude")], id="literalinclude"),
    pytest.param("```{eval-rst}\n.. raw:: html\n\n   <script>alert(1)</script>\n```\n",
                 [(P, 1, "directive:eval-rst")], id="eval-rst-with-raw"),
    pytest.param("```{role} shout(raw)\n:format: html\n```\n\n{shout}`<b>x</b>`\n", [(P, 1, "directive:role")],
                 id="role-directive-deriving-raw"),
    pytest.param("```{meta}\n:http-equiv=refresh: 0; url=https://evil.example\n```\n", [(P, 1, "directive:meta")],
                 id="meta-redirect"),
    pytest.param("```{csv-table} Data\n:file: /etc/passwd\n```\n", [(P, 1, "directive:csv-table")],
                 id="csv-table-file"),
    pytest.param("Text.\n\n:::{csv-table}\n:url: http://169.254.169.254/latest/meta-data\n:::\n",
                 [(P, 3, "directive:csv-table")], id="csv-table-url"),
    pytest.param("Get {download}`the data <../../../conf.py>`.\n", [(P, 1, "role:download")], id="download-role"),
    pytest.param("A\n{raw-html}`<blink>` tag.\n", [(P, 2, "role:raw-html")], id="raw-html-role"),
    pytest.param("![x](../../x.png)\n", [(P, 1, "target:outside")], id="image-outside"),
    pytest.param("![x](/etc/x.png)\n", [(P, 1, "target:absolute")], id="image-absolute"),
    pytest.param("Text.\n\n```{figure} ../x.png\n:alt: x\n\nCaption.\n```\n", [(P, 3, "target:outside")],
                 id="figure-outside"),
    pytest.param("```{figure} fig.png\n:target: javascript:alert(1)\n\nCaption.\n```\n", [(P, 2, "target:scheme")],
                 id="figure-target-javascript"),
    pytest.param("[click](javascript:alert(1))\n", [(P, 1, "target:scheme")], id="link-javascript"),
    pytest.param("[click](JaVaScRiPt:alert(1))\n", [(P, 1, "target:scheme")], id="link-mixed-case"),
    pytest.param("[click](<java\tscript:alert(1)>)\n", [(P, 1, "target:scheme")], id="link-tab-in-scheme"),
    pytest.param("[click](java&#9;script:alert(1))\n", [(P, 1, "target:scheme")], id="link-entity-tab-in-scheme"),
    pytest.param("<javascript:alert(1)>\n", [(P, 1, "target:scheme")], id="autolink-javascript"),
    pytest.param("![x](data:image/png;base64,iVBORw0KGgo=)\n", [(P, 1, "target:scheme")], id="data-image"),
    pytest.param("[pw](file:///etc/passwd)\n", [(P, 1, "target:scheme")], id="file-link"),
    pytest.param("[x](path:../../../conf.py)\n", [(P, 1, "target:scheme")], id="path-scheme"),
    pytest.param("[s](%2e%2e/%2e%2e/secret.txt)\n", [(P, 1, "target:outside")], id="percent-encoded-parent"),
    pytest.param(":::{note}\nSee [the key][k].\n:::\n\n[k]: /etc/passwd\n", [(P, 2, "target:absolute")],
                 id="reference-definition-used-in-directive"),
    pytest.param("Hello {{ env.config }}.\n", [(P, 1, "substitution")], id="substitution"),
    pytest.param("```{code-block} python\n:caption: <img src=x onerror=alert(1)>\n\nprint(1)\n```\n",
                 [(P, 2, "raw-html")], id="code-block-caption-html"),
    pytest.param("```{note} <script>alert(1)</script>\n```\n", [(P, 1, "raw-html")], id="note-opening-line-html"),
    pytest.param("```{admonition} <b>Title</b>\nBody.\n```\n", [(P, 1, "raw-html"), (P, 1, "raw-html")],
                 id="admonition-title-html"),
    pytest.param(NESTED, [(P, 21, "directive:note")], id="nested-too-deep"),
]


@pytest.mark.parametrize(("text", "expected"), HOSTILE_MARKDOWN)
def test_hostile_markdown_is_found(text: str, expected: Found) -> None:
    assert found(scan_markdown(text, P)) == expected


HOSTILE_FRONTMATTER = [
    pytest.param("---\ntitle: T\nmyst:\n  enable_extensions: [substitution]\n---\n\n{{ x }}\n",
                 [(P, 3, "frontmatter:myst"), (P, 7, "substitution")], id="myst-override"),
    pytest.param("---\ntitle: T\nsubstitutions:\n  x: \"{{ ''.__class__ }}\"\n---\n\nText.\n",
                 [(P, 3, "frontmatter:substitutions")], id="substitutions"),
    pytest.param("---\nhtml_meta:\n  http-equiv=refresh: 0; url=https://evil.example\n---\n",
                 [(P, 2, "frontmatter:html_meta")], id="html-meta"),
    pytest.param("---\ntitle: T\njupytext:\n  formats: md:myst\n---\n", [(P, 3, "frontmatter:jupytext")],
                 id="jupytext"),
    pytest.param("---\ntitle: Safe <img src=x onerror=alert(1)>\n---\n", [(P, 2, "raw-html")], id="title-html"),
    pytest.param("---\ntitle: T\nabstract: |\n  See {download}`../../../conf.py`.\n---\n",
                 [(P, 3, "role:download")], id="abstract-download"),
    pytest.param("---\ntitle: T\nauthor: \"[me](javascript:alert(1))\"\n---\n", [(P, 3, "target:scheme")],
                 id="bibliographic-field-link"),
    # myst-parser reads ``myst:`` up to the first line starting with ---, even '----'
    pytest.param("----\nmyst: {enable_extensions: [substitution]}\n---\ntitle: T\n----\n",
                 [(P, 2, "frontmatter:myst")], id="myst-in-read_topmatter-only"),
]


@pytest.mark.parametrize(("text", "expected"), HOSTILE_FRONTMATTER)
def test_hostile_front_matter_is_found(text: str, expected: Found) -> None:
    assert found(scan_markdown(text, P)) == expected


def test_scan_frontmatter_names_keys_without_lines() -> None:
    data = {"title": "Fine", "myst": {"enable_extensions": ["substitution"]}, "mystnb": {}}
    assert found(scan_frontmatter(data, P)) == [(P, None, "frontmatter:myst"), (P, None, "frontmatter:mystnb")]


BENIGN_MARKDOWN = [
    pytest.param("```{figure} figures/plot.png\n:alt: A plot\n:width: 80%\n:name: fig-plot\n\nThe caption, "
                 "with $x^2$.\n```\n\nSee {numref}`fig-plot` and ![inline](plot.png).\n", id="figure"),
    pytest.param("See [the site](https://example.org/a?b=c#d), [mail](mailto:ada@example.org), "
                 "[doi](doi:10.1000/xyz), <https://example.org> and [above](#introduction).\n", id="links"),
    pytest.param("```html\n<script>alert(1)</script>\n```\n\n````markdown\n```{raw} html\n<b>x</b>\n```\n````\n\n"
                 "    <b>indented code</b>\n", id="code-blocks-with-html-and-raw"),
    pytest.param("```{code-block} html\n:caption: A page\n\n<script>{{ x }}</script>\n```\n",
                 id="code-block-directive"),
    pytest.param("Inline `{{ x }}`, `<b>` and `{raw}` stay code.\n", id="inline-code"),
    pytest.param("$$\n\\frac{{a}}{{b}}\n$$ (eq1)\n\nInline $a^{{2}}$ and\n\n```{math}\n\\{x\\}^{{2}}\n```\n",
                 id="math"),
    pytest.param(":::{note}\nA **note** with {cite:p}`key` and [a link](https://example.org).\n:::\n\n"
                 "```{list-table}\n:header-rows: 1\n\n* - A\n  - B\n```\n", id="directives"),
    pytest.param("[data](data.csv), [sibling](appendix.md) and ![](figures/a.png)\n", id="relative-inside"),
    pytest.param("% a MyST comment\n\n(sec-x)=\n## Section\n\nText[^1].\n\n[^1]: A footnote.\n", id="comments-targets"),
]


@pytest.mark.parametrize("text", BENIGN_MARKDOWN)
def test_benign_markdown_passes(text: str) -> None:
    assert found(scan_markdown(text, P)) == []


def test_a_real_paper_passes() -> None:
    text = paper_text(body="See {cite:p}`known` and [OpenReview](https://openreview.net).")
    assert found(scan_markdown(text, P)) == []


def test_links_resolve_from_the_file_s_own_folder() -> None:
    text = "![ok](../figures/a.png) and ![out](../../a.png)\n"
    assert found(scan_markdown(text, "sections/intro.md")) == [("sections/intro.md", 1, "target:outside")]


def test_messages_show_the_target() -> None:
    [threat] = scan_markdown("[x](<java\tscript:alert(1)>)\n", P)
    assert "'java\\tscript:alert(1)'" in threat.message and "javascript:" in threat.message


def test_scan_parses_like_the_site() -> None:
    tree = ast.parse((DOCS / "conf.py").read_text(encoding="utf-8"))
    values = [
        ast.literal_eval(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "myst_enable_extensions" for t in node.targets)
    ]
    assert len(values) == 1 and set(values[0]) == MYST_EXTENSIONS


def test_directive_shapes_match_sphinx(tmp_path: Path) -> None:
    """Which directives take no argument or no option, as the classes Sphinx looks up say.

    Sphinx looks a name up in the default domain (py), then std, then docutils.
    """
    (tmp_path / "conf.py").write_text('extensions = ["proceedings.sphinxext"]\n', encoding="utf-8")
    (tmp_path / "index.md").write_text("# x\n", encoding="utf-8")
    classes: dict[str, Any] = {}
    for name, (module, attribute) in directives._directive_registry.items():
        classes[name] = getattr(importlib.import_module(f"docutils.parsers.rst.directives.{module}"), attribute)
    with docutils_namespace():
        app = Sphinx(tmp_path, tmp_path, tmp_path / "_out", tmp_path / "_doctrees", "html",
                     status=io.StringIO(), warning=io.StringIO())
        classes |= directives._directives
        for domain in ("std", "py"):
            classes |= app.env.domains[domain].directives
    for name, cls in classes.items():
        if ":" in name or not cls.has_content:
            continue
        assert (name in markdown._NO_ARGUMENTS) == (cls.required_arguments + cls.optional_arguments == 0), name
        assert (name in markdown._NO_OPTIONS) == (not cls.option_spec), name


# --------------------------------------------------------------------------- packages

ONE_PIXEL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010800000000"
    "3a7e9b550000000a49444154789c63600000000200015e2ea1640000000049454e44ae426082"
)


def test_what_the_real_build_lets_through_is_found(mini_site: MiniSite) -> None:
    """Each of these reaches the built page as live HTML or a script link; the scan finds each one."""
    body = (
        "```{figure} fig.png\n:target: javascript:alert(1)\n:alt: x\n\nCaption.\n```\n\n"
        "```{code-block} python\n:caption: <u id=\"t3\">c</u>\n\nprint(1)\n```\n\n"
        "```{note} <s id=\"t4\">n</s>\n```\n\n"
        "```{RAW} html\n<b id=\"t5\">x</b>\n```\n\n"
        "See {cite:p}`known`.\n"
    )
    text = paper_text(title='T <em id="t1">x</em>', body=body)
    text = text.replace("abstract: An abstract.", "abstract: 'A <kbd id=\"t2\">b</kbd>'")
    bib = "@misc{known, author = {Doe, Jane}, title = {T}, year = {2020}, url = {javascript:alert(2)}}\n"
    folder = mini_site.add_paper("p1", text, bib)
    (folder / "fig.png").write_bytes(ONE_PIXEL_PNG)
    run = mini_site.sphinx()
    # the paper header refuses the abstract's HTML itself (tests/site/test_header.py); nothing else warns
    warned = [line for line in run.warnings.splitlines() if "WARNING" in line]
    assert warned and all("field 'abstract'" in line for line in warned), run.warnings
    html = (mini_site.srcdir.parent / "out-html" / "vol" / "papers" / "p1" / "paper.html").read_text(encoding="utf-8")
    expected = {
        '<em id="t1">': ("paper.md", 2, "raw-html"),
        '<kbd id="t2">': ("paper.md", 6, "raw-html"),
        'href="javascript:alert(1)"': ("paper.md", 14, "target:scheme"),
        '<u id="t3">': ("paper.md", 21, "raw-html"),
        '<s id="t4">': ("paper.md", 26, "raw-html"),
        '<b id="t5">': ("paper.md", 29, "directive:raw"),
        'href="javascript:alert(2)"': ("paper.bib", 1, "target:scheme"),
    }
    threats = found(scan_package(folder))
    live = {snippet: threat for snippet, threat in expected.items() if snippet in html}
    # what myst-parser and docutils do on their own, whatever the extension escapes
    assert {'href="javascript:alert(1)"', '<u id="t3">', '<s id="t4">', '<b id="t5">'} <= live.keys()
    assert set(live.values()) <= set(threats)
    assert set(threats) == set(expected.values())



def png_bytes(text: dict[str, str] | None = None, size: tuple[int, int] = (4, 3)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 10))
    info = PngImagePlugin.PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


SVG_OK = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">\n'
    '  <image xlink:href="data:image/png;base64,iVBORw0KGgo=" width="10" height="10"/>\n'
    '  <a href="https://example.org"><rect width="5" height="5"/></a>\n'
    "</svg>\n"
)
BIB_OK = "@book{known, author = {Doe, Jane}, title = {A Book}, publisher = {P}, year = {2020},\n url = {https://example.org}}\n"


def test_a_clean_package_passes(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "paper.md": paper_text(body="![p](figures/p.png)"), "refs.bib": BIB_OK, "myst.yml": "version: 1\n",
        "figures/p.png": png_bytes(), "figures/d.svg": SVG_OK, "README.txt": "Notes.\n",
    })
    assert found(scan_package(tmp_path)) == []


def test_symlink_pointing_outside(tmp_path: Path) -> None:
    write_files(tmp_path, {"paper.md": "Text.\n"})
    (tmp_path / "data.txt").symlink_to("/etc/passwd")
    (tmp_path / "figures").symlink_to(tmp_path.parent)
    assert found(scan_package(tmp_path)) == [("data.txt", None, "file:symlink"), ("figures", None, "file:symlink")]


def test_fifo_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "paper.bib")
    assert found(scan_package(tmp_path)) == [("paper.bib", None, "file:special")]


def test_latin1_paper(tmp_path: Path) -> None:
    write_files(tmp_path, {"paper.md": "# Title\n\nCaf\u00e9 com leite.\n".encode("latin-1")})
    threats = scan_package(tmp_path)
    assert found(threats) == [("paper.md", 3, "file:not-utf8")]
    assert "0xe9" in threats[0].message


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    write_files(tmp_path, {"paper.md": "Text.\n", "figures/big.png": b"\x00" * 200})
    limits = Limits(max_file_bytes=100)
    assert found(scan_package(tmp_path, limits)) == [("figures/big.png", None, "file:too-large")]


def test_package_over_the_size_limit(tmp_path: Path) -> None:
    write_files(tmp_path, {"paper.md": "x" * 60, "refs.bib": "y" * 60})
    assert found(scan_package(tmp_path, Limits(max_package_bytes=100))) == [(".", None, "package:too-large")]


def test_package_with_too_many_files(tmp_path: Path) -> None:
    write_files(tmp_path, {f"f{n}.txt": "x" for n in range(4)})
    assert found(scan_package(tmp_path, Limits(max_files=3))) == [(".", None, "package:too-large")]


def test_rst_file_would_be_a_page(tmp_path: Path) -> None:
    write_files(tmp_path, {"paper.md": "Text.\n", "extra.rst": ":orphan:\n\n.. raw:: html\n\n   <script>x</script>\n"})
    assert found(scan_package(tmp_path)) == [("extra.rst", None, "file:source")]


def test_markdown_in_a_subfolder_keeps_its_lines(tmp_path: Path) -> None:
    write_files(tmp_path, {"sections/appendix.md": "---\norphan: true\n---\n\n# Appendix\n\n<iframe src=x>\n"})
    assert found(scan_package(tmp_path)) == [("sections/appendix.md", 7, "raw-html")]


def test_bib_url_with_script_scheme(tmp_path: Path) -> None:
    bib = BIB_OK + "\n@misc{evil, title = {T}, year = {2020},\n  url = {JavaScript:alert(2)}}\n"
    write_files(tmp_path, {"refs.bib": bib})
    assert found(scan_package(tmp_path)) == [("refs.bib", 4, "target:scheme")]


def test_bib_url_hidden_in_a_string_macro(tmp_path: Path) -> None:
    bib = '@string{home = "java" # "script:alert(3)"}\n\n@misc{evil, title = {T}, year = {2020}, url = home}\n'
    write_files(tmp_path, {"refs.bib": bib})
    assert found(scan_package(tmp_path)) == [("refs.bib", 3, "target:scheme")]


def test_svg_with_script(tmp_path: Path) -> None:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">\n  <rect width="1" height="1"/>\n'
           "  <script>alert(2)</script>\n"
           '  <a href="javascript:alert(3)"><text>x</text></a>\n'
           '  <image href="../../../secret.png"/>\n'
           '  <set attributeName="href" to="javascript:alert(4)"/>\n</svg>\n')
    write_files(tmp_path, {"figures/plot.svg": svg})
    assert found(scan_package(tmp_path)) == [
        ("figures/plot.svg", 1, "svg:script"),
        ("figures/plot.svg", 3, "svg:script"),
        ("figures/plot.svg", 4, "target:scheme"),
        ("figures/plot.svg", 5, "target:outside"),
        ("figures/plot.svg", 6, "svg:script"),
    ]


# --------------------------------------------------------------------------- zip


def make_zip(path: Path, entries: list[tuple[str | zipfile.ZipInfo, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return path


def refused(archive: Path, dest: Path, limits: Limits = threats.DEFAULT_LIMITS) -> Found:
    with pytest.raises(UnsafePackage) as error:
        extract_zip(archive, dest, limits)
    assert not dest.exists() or not any(dest.iterdir()), "nothing may be written"
    assert str(error.value).startswith("unsafe package: ")
    return found(error.value.threats)


def symlink_entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def test_zip_with_absolute_path(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "p.zip", [("paper.md", b"x"), ("/etc/cron.d/evil", b"* * * * * root sh")])
    assert refused(archive, tmp_path / "out") == [("/etc/cron.d/evil", None, "zip:absolute")]


def test_zip_with_parent_path(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "p.zip", [("paper.md", b"x"), ("figs/../../../evil.md", b"x")])
    assert refused(archive, tmp_path / "out") == [("figs/../../../evil.md", None, "zip:parent")]


def test_zip_with_windows_parent_path(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "p.zip", [("..\\evil.md", b"x")])
    assert refused(archive, tmp_path / "out") == [("..\\evil.md", None, "zip:parent")]


def test_zip_with_symlink(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "p.zip", [("paper.md", b"x"), (symlink_entry("refs.bib"), b"/etc/passwd")])
    assert refused(archive, tmp_path / "out") == [("refs.bib", None, "zip:symlink")]


def test_zip_bomb(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("zeros.bin", "w") as entry:
        chunk = bytes(2**20)
        for _ in range(100):
            entry.write(chunk)
    assert archive.stat().st_size < 2**20
    assert refused(archive, tmp_path / "out") == [("zeros.bin", None, "zip:bomb"), (".", None, "package:too-large")]


def test_zip_entry_over_the_file_limit(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "p.zip", [("paper.md", b"x"), ("fig.png", os.urandom(300))])
    assert refused(archive, tmp_path / "out", Limits(max_file_bytes=200)) == [("fig.png", None, "file:too-large")]


def test_zip_with_too_many_files(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "p.zip", [(f"f{n}.txt", b"x") for n in range(6)])
    assert refused(archive, tmp_path / "out", Limits(max_files=5)) == [(".", None, "zip:too-many-files")]


def test_zip_larger_than_the_package_limit_is_not_opened(tmp_path: Path) -> None:
    archive = tmp_path / "p.zip"
    archive.write_bytes(os.urandom(300))
    assert refused(archive, tmp_path / "out", Limits(max_package_bytes=200)) == [(".", None, "package:too-large")]


def test_zip_entry_that_is_both_file_and_folder(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "p.zip", [("figures", b"x"), ("figures/a.png", b"y")])
    assert refused(archive, tmp_path / "out") == [("figures", None, "zip:corrupt")]


def test_corrupt_zip(tmp_path: Path) -> None:
    archive = tmp_path / "p.zip"
    archive.write_bytes(b"PK\x03\x04" + os.urandom(200))
    assert refused(archive, tmp_path / "out") == [(".", None, "zip:corrupt")]


def test_zip_entry_failing_its_checksum(tmp_path: Path) -> None:
    archive = tmp_path / "p.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("refs.bib", b"@misc{a, title={A}}\n")
        zf.writestr("paper.md", b"The original text.\n")
    archive.write_bytes(archive.read_bytes().replace(b"original", b"modified"))
    assert refused(archive, tmp_path / "out") == [("paper.md", None, "zip:corrupt")]


def test_encrypted_zip_entry(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "p.zip", [("paper.md", b"secret")])
    data = bytearray(archive.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature) + offset
        data[at] |= 0x01
    archive.write_bytes(bytes(data))
    assert refused(archive, tmp_path / "out") == [("paper.md", None, "zip:corrupt")]


def test_zip_single_top_folder_is_stripped(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "p.zip", [
        ("my-paper/", b""),
        ("my-paper/paper.md", b"# Paper\n"),
        ("my-paper/figures/a.png", png_bytes()),
        ("__MACOSX/my-paper/._paper.md", b"junk"),
    ])
    dest = tmp_path / "out"
    extract_zip(archive, dest)
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*")) == ["figures", "figures/a.png", "paper.md"]
    assert (dest / "paper.md").read_text(encoding="utf-8") == "# Paper\n"


def test_zip_without_top_folder_is_kept_as_is(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "p.zip", [("paper.md", b"# Paper\n"), ("figures/a.png", png_bytes())])
    dest = tmp_path / "out"
    extract_zip(archive, dest)
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*")) == ["figures", "figures/a.png", "paper.md"]


def test_zip_of_one_file_is_not_stripped(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "p.zip", [("paper.md", b"# Paper\n")])
    extract_zip(archive, tmp_path / "out")
    assert (tmp_path / "out" / "paper.md").is_file()


# --------------------------------------------------------------------------- images


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, pos = [], 8
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        chunks.append((data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    return chunks


def test_png_text_chunks_are_stripped(tmp_path: Path) -> None:
    image = Image.new("RGB", (16, 9), (10, 120, 200))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jane Secret")
    info.add_text("Comment", "Jane Secret's laptop", zip=True)
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>Jane Secret</x:xmpmeta>")
    path = tmp_path / "fig.png"
    image.save(path, "PNG", pnginfo=info)
    before = path.read_bytes()
    assert strip_image_metadata(path) is True
    after = path.read_bytes()
    assert b"Jane" not in after
    assert {kind for kind, _ in png_chunks(after)} == {b"IHDR", b"IDAT", b"IEND"}
    assert [c for c in png_chunks(after) if c[0] == b"IDAT"] == [c for c in png_chunks(before) if c[0] == b"IDAT"]
    with Image.open(path) as stripped:
        assert stripped.tobytes() == image.tobytes()
    assert strip_image_metadata(path) is False


def jpeg_scan(data: bytes) -> bytes:
    """The image data from the first start-of-scan marker on."""
    return data[data.index(b"\xff\xda") :]


def test_jpeg_exif_artist_and_comment_are_stripped(tmp_path: Path) -> None:
    image = Image.new("RGB", (32, 16), (250, 200, 0))
    exif = Image.Exif()
    exif[0x013B] = "Jane Secret"  # Artist
    exif[0x0131] = "SecretEditor 1.0"  # Software
    path = tmp_path / "photo.jpg"
    image.save(path, "JPEG", exif=exif.tobytes(), comment=b"taken at Jane's home")
    before = path.read_bytes()
    assert strip_image_metadata(path) is True
    after = path.read_bytes()
    assert b"Jane" not in after and b"SecretEditor" not in after and b"Exif" not in after
    assert jpeg_scan(after) == jpeg_scan(before)
    with Image.open(path) as stripped, Image.open(io.BytesIO(before)) as original:
        assert stripped.tobytes() == original.tobytes()
        assert dict(stripped.getexif()) == {}


def test_jpeg_orientation_survives(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x013B] = "Jane Secret"
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    path = tmp_path / "photo.jpeg"
    Image.new("RGB", (8, 8)).save(path, "JPEG", exif=exif.tobytes())
    assert strip_image_metadata(path) is True
    assert b"Jane" not in path.read_bytes()
    with Image.open(path) as stripped:
        assert dict(stripped.getexif()) == {0x0112: 6}


def test_svg_metadata_and_comments_are_stripped(tmp_path: Path) -> None:
    svg = (
        '<?xml version="1.0"?>\n<!-- Created by Jane Secret -->\n'
        '<svg xmlns="http://www.w3.org/2000/svg">\n'
        "  <metadata><rdf:RDF><dc:creator>Jane Secret</dc:creator></rdf:RDF></metadata>\n"
        "  <svg:metadata/>\n"
        "  <style><![CDATA[ /* <!-- kept --> */ rect { fill: red; } ]]></style>\n"
        '  <rect width="1" height="1"/>\n</svg>\n'
    )
    path = write_files(tmp_path, {"d.svg": svg}) / "d.svg"
    assert strip_image_metadata(path) is True
    text = path.read_text(encoding="utf-8")
    assert "Jane" not in text and "metadata" not in text
    assert "<![CDATA[ /* <!-- kept --> */ rect { fill: red; } ]]>" in text and '<rect width="1"' in text


def test_images_without_metadata_are_left_alone(tmp_path: Path) -> None:
    write_files(tmp_path, {"a.png": png_bytes(), "b.gif": b"GIF89a" + bytes(20)})
    assert strip_image_metadata(tmp_path / "a.png") is False
    assert strip_image_metadata(tmp_path / "b.gif") is False


def test_broken_png_is_an_error(tmp_path: Path) -> None:
    path = write_files(tmp_path, {"a.png": png_bytes()[:40]}) / "a.png"
    with pytest.raises(ValueError, match="PNG"):
        strip_image_metadata(path)


@pytest.mark.parametrize("name", ["toctree", "paper-index", "programme-toctree", "paper-header", "bibliography"])
def test_the_sites_own_directives_are_not_for_papers(name: str) -> None:
    text = f"Text.\n\n```{{{name}}}\n:maxdepth: 1\n\nsome/page\n```\n"
    assert found(scan_markdown(text, P)) == [(P, 3, f"directive:{name}")]
