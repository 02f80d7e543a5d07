"""The scan of a whole package: every file's kind, size and text, its .bib files and SVG figures."""

from __future__ import annotations

import os
import posixpath
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from xml.parsers import expat

import pybtex.errors
from pybtex.database.input.bibtex import Parser as BibParser
from pybtex.scanner import PybtexError

from proceedings.check.frontmatter import text_type_threats, url_threats
from proceedings.check.images import figure_threats
from proceedings.check.markdown import _INVISIBLE, _judge_target, scan_markdown
from proceedings.check.pdfs import pdf_threats
from proceedings.check.threats import DEFAULT_LIMITS, Limits, Threat, over_limit
from proceedings.frontmatter import YamlError, YamlRefused, load_yaml

# --------------------------------------------------------------------------- packages

_TEXT_SUFFIXES = frozenset({".md", ".bib", ".yml", ".yaml", ".txt"})
_FIGURE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".tif", ".tiff", ".pdf"})
_OTHER_SOURCES = frozenset({".rst", ".ipynb"})


def scan_package(folder: Path, limits: Limits = DEFAULT_LIMITS) -> list[Threat]:
    """Everything in an unpacked package that the build must not see.

    Links are reported, never followed; text must be UTF-8; each ``.md`` goes through
    :func:`scan_markdown`, each ``.bib`` has its ``url`` fields checked (they become
    links in the reference list) and each ``.svg`` is checked for script. A package
    over the limits is not read further.
    """
    threats: list[Threat] = []
    files: list[tuple[Path, str, int]] = []
    for path in _walk(folder):
        rel = path.relative_to(folder).as_posix()
        mode = path.lstat()
        if stat.S_ISLNK(mode.st_mode):
            threats.append(Threat(rel, None, "file:symlink", f"This is a symbolic link (to {os.readlink(path)!r}); "
                                  "a package must hold its files, not links to them."))
        elif stat.S_ISREG(mode.st_mode):
            files.append((path, rel, mode.st_size))
        elif not stat.S_ISDIR(mode.st_mode):
            threats.append(Threat(rel, None, "file:special", "This is not a regular file (a FIFO, socket or "
                                  "device); remove it."))
    total = sum(size for _, _, size in files)
    too_large = over_limit("package:too-large", "The package holds", total, limits.max_package_bytes, "bytes")
    too_large += over_limit("package:too-large", "The package holds", len(files), limits.max_files, "files")
    if too_large:
        return too_large + threats
    for path, rel, size in files:
        threats += _scan_file(path, rel, size, limits)
    return threats


def _walk(folder: Path) -> Iterator[Path]:
    """Every entry under ``folder`` in a stable order, without following links."""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            yield Path(dirpath, name)


def _name_threats(rel: str) -> list[Threat]:
    """A published file's name reaches URLs and LaTeX's ``\\includegraphics``: letters, digits, spaces, ``._-``."""
    bad = sorted({c for c in rel if not (c.isalnum() or c in " ._-/")})
    if not bad:
        return []
    shown = " ".join(repr(c) for c in bad[:8])
    return [Threat(rel, None, "file:name", f"The file name holds {shown}; name figures with letters, digits, "
                   "spaces, '.', '_' and '-' only.")]


def _scan_file(path: Path, rel: str, size: int, limits: Limits) -> list[Threat]:
    suffix = path.suffix.lower()
    if suffix in _FIGURE_SUFFIXES or suffix == ".svg":
        named = _name_threats(rel)
        if named:
            return named
    if size > limits.max_file_bytes:
        return [Threat(rel, None, "file:too-large", f"The file has {size} bytes, more than the "
                       f"{limits.max_file_bytes} allowed.")]
    if suffix in _OTHER_SOURCES:
        return [Threat(rel, None, "file:source", f"Sphinx would read this {suffix} file as a page of its own, "
                       "in a markup this check does not cover; convert it to MyST Markdown or remove it.")]
    if suffix == ".svg":
        data = path.read_bytes()
        return figure_threats(data, rel) or _scan_svg(data, rel)
    if suffix in _FIGURE_SUFFIXES:
        data = path.read_bytes()
        return figure_threats(data, rel) or (pdf_threats(data, rel) if suffix == ".pdf" else [])
    if suffix not in _TEXT_SUFFIXES:
        return []
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return [Threat(rel, line, "file:not-utf8", f"Byte {data[exc.start]:#04x} is not UTF-8; "
                       "save the file as UTF-8.")]
    if suffix == ".md":
        return scan_markdown(text, rel)
    if suffix == ".bib":
        return _scan_bib(text, rel)
    if suffix in (".yml", ".yaml"):
        return _scan_yaml(text, rel)
    return []


_READ_YAML = frozenset({"myst.yml", "proceedings.yml"})
"""The package's YAML files that collect reads; others (a CI workflow, an environment) are not read."""


def _scan_yaml(text: str, file: str) -> list[Threat]:
    """``myst.yml`` and ``proceedings.yml`` within the limits of :mod:`proceedings.frontmatter`.

    A ``myst.yml`` that is merely not YAML is left to the conversion, which reports and
    ignores it; one that breaks a limit (an alias, a repeated key) is refused before
    anything reads it. ``myst.yml``'s text fields must be text and its links web links.
    """
    if file not in _READ_YAML:
        return []
    try:
        data = load_yaml(text, file)
    except YamlRefused as exc:
        return [Threat(file, None, "yaml", f"The file is refused: {exc}")]
    except YamlError as exc:
        return [] if file == "myst.yml" else [Threat(file, None, "yaml", f"The file is refused: {exc}")]
    project = data.get("project") if isinstance(data, dict) else None
    if file == "myst.yml" and isinstance(project, dict):
        return text_type_threats(project, file) + url_threats(project, file)
    return []


_BIB_ENTRY = re.compile(r"^[ \t]*@", re.MULTILINE)
_BIB_STRING = re.compile(r"\s*@\s*string\b", re.IGNORECASE)
_BIB_KEYED = re.compile(r"\s*@\s*\w+\s*[{(]\s*[^,\s]+\s*,")
_BIB_NOT_ENTRY = re.compile(r"\s*@\s*(string|comment|preamble)\b", re.IGNORECASE)


def _scan_bib(text: str, file: str) -> list[Threat]:
    """``url`` fields whose scheme is not allowed: the reference list turns them into links.

    Entries are parsed one by one with pybtex, as the build does, so that ``@string``
    macros and ``#`` concatenation are resolved before the scheme is read.
    """
    starts = [match.start() for match in _BIB_ENTRY.finditer(text)]
    ends = [*starts[1:], len(text)]
    blocks = [(text.count("\n", 0, a) + 1, text[a:b]) for a, b in zip(starts, ends, strict=False)]
    strings = "".join(block for _, block in blocks if _BIB_STRING.match(block))
    if not any(_BIB_KEYED.match(block) for _, block in blocks):
        return [Threat(file, None, "bib:empty", "The .bib file holds no entry; remove it, or add the entries "
                       "the paper cites.")]
    threats: list[Threat] = []
    for line, block in blocks:
        if _BIB_NOT_ENTRY.match(block):
            continue
        for url in _bib_urls(strings + block):
            verdict = _judge_target(url.replace("{", "").replace("}", ""), "", paths=False)
            if verdict:
                threats.append(Threat(file, line, verdict[0], f"Field 'url': {verdict[1]}"))
    return threats


def _bib_urls(source: str) -> list[str]:
    parser = BibParser(encoding="utf-8")
    before = pybtex.errors.strict
    pybtex.errors.set_strict_mode(True)
    try:
        parser.parse_string(source)
    except PybtexError:
        return []  # the build reports the entry and leaves it out
    finally:
        pybtex.errors.set_strict_mode(before)
    return [str(entry.fields["url"]) for entry in parser.data.entries.values() if "url" in entry.fields]


_SVG_ACTIVE = frozenset({"script", "foreignobject", "handler", "iframe", "embed", "object"})
_SCRIPT_URL = re.compile(r"(javascript|vbscript):", re.IGNORECASE)


def _scan_svg(data: bytes, file: str) -> list[Threat]:
    """Script in an SVG: it runs when a reader opens the published image on its own."""
    threats: list[Threat] = []
    parser = expat.ParserCreate()
    base = posixpath.dirname(file)

    def entity(name: str, *_: object) -> None:
        threats.append(Threat(file, parser.CurrentLineNumber, "svg:include", f"The SVG declares the entity {name!r}, "
                              "which a renderer may fill from another file; export the figure without it."))

    def start(name: str, attributes: dict[str, str]) -> None:
        line = parser.CurrentLineNumber
        if name.rsplit(":", 1)[-1].lower() == "include":
            threats.append(Threat(file, line, "svg:include", f"The SVG has a <{name}> element, which inserts "
                                  "another file when the figure is rendered; export the figure without it."))
        if name.rsplit(":", 1)[-1].lower() in _SVG_ACTIVE:
            threats.append(Threat(file, line, "svg:script", f"The SVG has a <{name}> element, which can run "
                                  "script; export the figure without it."))
        for attribute, value in attributes.items():
            local = attribute.rsplit(":", 1)[-1].lower()
            if local.startswith("on"):
                threats.append(Threat(file, line, "svg:script", f"The SVG has an event handler ({attribute}), "
                                      "which runs script; export the figure without it."))
            elif local == "href":
                verdict = _judge_target(value, base, raster_data=True)
                if verdict:
                    threats.append(Threat(file, line, *verdict))
            elif _SCRIPT_URL.search(_INVISIBLE.sub("", value)):
                threats.append(Threat(file, line, "svg:script", f"The SVG attribute {attribute} holds a script "
                                      "URL; export the figure without it."))

    parser.StartElementHandler = start
    parser.EntityDeclHandler = entity
    try:
        parser.Parse(data, True)
    except expat.ExpatError:
        pass  # no browser shows a malformed SVG, so it cannot run anything
    return threats
