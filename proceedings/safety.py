"""Checks that keep hostile camera-ready submissions out of the build.

A submission is an untrusted package of MyST Markdown, ``.bib`` files and figures. Left
alone, Sphinx would copy raw HTML into the site, read files named by ``{include}`` or an
image path, publish whatever ``{download}`` names, and obey a file's own ``myst:``
settings (see DESIGN.md, "Untrusted MyST is dangerous"). Each of these is refused here,
before the build, with the file and line the organizer has to look at.

The Markdown is parsed by myst-parser's own markdown-it setup, so the scan sees the
tokens Sphinx renders. Directive bodies, which docutils parses only later, are split
into options and body by myst-parser's own function and scanned the same way.

Every finding is a :class:`Threat` whose ``field`` comes from :data:`FIELDS`.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote
from xml.parsers import expat

import pybtex.errors
import yaml
from docutils.languages import en as docutils_en
from docutils.parsers.rst import Directive, directives
from docutils.parsers.rst.states import MarkupError
from markdown_it import MarkdownIt
from markdown_it.token import Token
from myst_parser.config.main import MdParserConfig
from myst_parser.mdit_to_docutils.base import DocutilsRenderer
from myst_parser.parsers.directives import parse_directive_text
from myst_parser.parsers.mdit import create_md_parser
from pybtex.database.input.bibtex import Parser as BibParser
from pybtex.scanner import PybtexError

__all__ = [
    "FIELDS",
    "MYST_EXTENSIONS",
    "Limits",
    "Threat",
    "UnsafePackage",
    "extract_zip",
    "scan_frontmatter",
    "scan_markdown",
    "scan_package",
    "strip_image_metadata",
]

FIELDS: dict[str, str] = {
    "raw-html": "an HTML block, inline tag or comment: the build would copy it into the page as is",
    "directive:raw": "raw HTML or LaTeX output",
    "directive:include": "inserts another file, which may lie outside the package",
    "directive:literalinclude": "inserts another file as code, which may lie outside the package",
    "directive:eval-rst": "reStructuredText, with its own syntax that this scan does not check",
    "directive:role": "defines a new role, for instance one that emits raw HTML",
    "directive:meta": "writes arbitrary <meta> tags into the page, for instance a redirect",
    "directive:<name>": "any other directive that reads a file or URL (a :file: or :url: option, as "
    "csv-table takes), or that is nested too deeply to check",
    "role:download": "publishes the file it names, which may lie outside the package",
    "role:raw": "raw output",
    "role:raw-<format>": "raw output in one format, as a role derived from raw (raw-html, raw-latex)",
    "role:eval-rst": "reStructuredText, with its own syntax that this scan does not check",
    "frontmatter:myst": "file-level MyST settings, which can enable syntax that conf.py disables",
    "frontmatter:mystnb": "file-level notebook settings",
    "frontmatter:substitutions": "values for the substitution extension, which renders unsandboxed Jinja",
    "frontmatter:html_meta": "arbitrary <meta> tags",
    "frontmatter:jupytext": "makes a notebook extension treat the file as code to execute",
    "substitution": "'{{ ... }}' substitution syntax, which the substitution extension renders as Jinja",
    "target:outside": "a link or image path that leaves the package",
    "target:absolute": "a link or image path that is absolute",
    "target:scheme": "a link or image URL whose scheme is not http, https, mailto or doi",
    "svg:script": "an SVG element or attribute that can run script when the image is opened",
    "file:symlink": "a symbolic link",
    "file:special": "a FIFO, socket or device, which would block or leak when read",
    "file:source": "a file Sphinx would read as a page in another markup (.rst), unchecked",
    "file:not-utf8": "a text file that is not UTF-8",
    "file:too-large": "a file over Limits.max_file_bytes",
    "package:too-large": "a package over Limits.max_package_bytes or Limits.max_files",
    "zip:absolute": "a zip entry with an absolute path",
    "zip:parent": "a zip entry whose path climbs out with '..'",
    "zip:symlink": "a zip entry that is a symbolic link",
    "zip:bomb": "a zip entry that expands more than Limits.max_ratio times",
    "zip:too-many-files": "a zip with more than Limits.max_files entries",
    "zip:corrupt": "a zip that cannot be read, or an entry that is encrypted or fails its checksum",
}

MYST_EXTENSIONS = frozenset({"dollarmath", "amsmath", "colon_fence"})
"""The MyST extensions the scan parses with: those of docs/conf.py (a test keeps them equal)."""

PACKAGE = "."
"""``Threat.file`` for what concerns the whole package rather than one file in it."""


@dataclass(frozen=True)
class Threat:
    """One thing in a submission that the build must not see."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message} [{self.field}]"


class UnsafePackage(Exception):
    """A package refused, with every threat found in it."""

    def __init__(self, threats: list[Threat]) -> None:
        self.threats = list(threats)
        shown = "; ".join(str(threat) for threat in self.threats[:5])
        more = f" (and {len(self.threats) - 5} more)" if len(self.threats) > 5 else ""
        super().__init__(f"unsafe package: {shown}{more}")


@dataclass(frozen=True)
class Limits:
    """How big a package may be; the defaults fit a paper with its figures."""

    max_file_bytes: int = 20 * 2**20
    max_package_bytes: int = 50 * 2**20
    max_files: int = 500
    max_ratio: int = 100


DEFAULT_LIMITS = Limits()

# --------------------------------------------------------------------------- Markdown

_MAX_DEPTH = 20
"""Directives nested deeper than this are refused rather than scanned."""

_FORBIDDEN_DIRECTIVES = {
    "raw": "The {raw} directive copies raw HTML or LaTeX into the output; use MyST syntax instead.",
    "include": "The {include} directive inserts another file, possibly from outside the package; "
    "put the text in the paper itself.",
    "literalinclude": "The {literalinclude} directive inserts another file, possibly from outside the "
    "package; paste the code into a code block instead.",
    "eval-rst": "The {eval-rst} directive switches to reStructuredText, which this check cannot vet; "
    "use MyST syntax instead.",
    "role": "The {role} directive defines new roles, for instance ones that emit raw HTML; "
    "use the built-in roles.",
    "meta": "The {meta} directive writes arbitrary <meta> tags, for instance a redirect; remove it.",
}

_FORBIDDEN_ROLES = {
    "download": "The {download} role publishes the file it names on the site; link to a public URL instead.",
    "raw": "The {raw} role copies raw output into the page; use MyST syntax instead.",
    "eval-rst": "The {eval-rst} role switches to reStructuredText, which this check cannot vet.",
}

_NO_ARGUMENTS = frozenset({
    "acks", "attention", "caution", "compound", "danger", "date", "epigraph", "error", "footbibliography",
    "footer", "glossary", "header", "highlights", "hint", "hlist", "important", "line-block", "meta", "note",
    "parsed-literal", "pull-quote", "replace", "role", "sectnum", "seealso", "target-notes", "tip",
    "toctree", "warning",
})
"""Directives that take no argument, so that text after the name is the body's first line.

Mirrors docutils' and Sphinx's directive classes (with the std and py domains, whose
directives need no prefix); a test compares it with a real Sphinx app.
"""

_NO_OPTIONS = frozenset({
    "acks", "centered", "cssclass", "date", "default-domain", "default-role", "deprecated",
    "epigraph", "footer", "header", "highlights", "meta", "only", "pull-quote", "replace", "role",
    "rst-class", "tabularcolumns", "title", "version-added", "version-changed", "version-deprecated",
    "version-removed", "versionadded", "versionchanged", "versionremoved",
})
"""Directives without options, so that ``:key: value`` lines are body text, not options."""

_LITERAL_DIRECTIVES = frozenset({
    "bibliography", "code", "code-block", "code-cell", "footbibliography", "graphviz", "highlight",
    "math", "mermaid", "productionlist", "sourcecode", "tabularcolumns", "toctree",
})
"""Directives whose body and arguments are not MyST (code, math, document names)."""

_IMAGE_DIRECTIVES = frozenset({"image", "figure"})

_FRONTMATTER_KEYS = {
    "myst": "The front matter's 'myst' key changes parser settings for this file and can re-enable "
    "syntax that conf.py disables; remove it.",
    "mystnb": "The front matter's 'mystnb' key changes notebook settings for this file; remove it.",
    "substitutions": "The front matter's 'substitutions' key feeds the Jinja substitution extension; "
    "write the text out instead.",
    "html_meta": "The front matter's 'html_meta' key writes arbitrary <meta> tags; remove it.",
    "jupytext": "The front matter's 'jupytext' key would make a notebook extension execute the file; "
    "remove it.",
}

_BIBLIOGRAPHIC = frozenset(docutils_en.bibliographic_fields)
"""Front matter keys that myst-parser renders as Markdown in a page's field list."""

_SAFE_SCHEMES = frozenset({"http", "https", "mailto", "doi"})
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u2060\ufeff]")
_RASTER_DATA = re.compile(r"data:image/(png|jpeg|gif|webp)[;,]", re.IGNORECASE)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """myst-parser's markdown-it, but keeping every link as a link token.

    markdown-it turns ``[x](javascript:...)`` back into plain text; accepting every link
    here means such an attempt is reported rather than silently dropped.
    """
    md = create_md_parser(MdParserConfig(enable_extensions=set(MYST_EXTENSIONS)), DocutilsRenderer)
    md.validateLink = _any_link  # type: ignore[method-assign]
    return md


def _any_link(url: str) -> bool:
    return True


class _AnyOptions(dict[str, Callable[[str | None], Any]]):
    """An option spec that accepts every option, so that all of them can be scanned."""

    def __missing__(self, key: str) -> Callable[[str | None], Any]:
        return directives.unchanged


@cache
def _shape(name: str) -> type[Directive]:
    """A stand-in for directive ``name``, shaped as the real one for myst-parser's splitting."""
    spec: dict[str, Callable[[str | None], Any]] = {}
    if name not in _NO_OPTIONS:
        spec = _AnyOptions({"class": directives.unchanged})
    attributes = {
        "has_content": True,
        "optional_arguments": 0 if name in _NO_ARGUMENTS else 1,
        "final_argument_whitespace": True,
        "option_spec": spec,
    }
    return type(f"Shape_{name}", (Directive,), attributes)


def _judge_target(target: str, base: str, *, paths: bool = True, raster_data: bool = False) -> tuple[str, str] | None:
    """The field and message for a link or image target that must not be used, if any.

    Percent-escapes are decoded and whitespace and control characters removed first,
    as browsers do, so that ``java\\tscript:`` counts as ``javascript:``.
    """
    decoded = unquote(target)
    squeezed = _INVISIBLE.sub("", decoded)
    if not squeezed or squeezed.startswith("#"):
        return None
    scheme = _SCHEME.match(squeezed)
    if scheme:
        name = scheme.group(1).lower()
        if name in _SAFE_SCHEMES or (raster_data and _RASTER_DATA.match(squeezed)):
            return None
        message = f"The target {decoded!r} uses the {name}: scheme; only http, https, mailto and doi are allowed."
        return "target:scheme", message
    if not paths:
        return None
    path = re.split(r"[?#]", squeezed, maxsplit=1)[0].replace("\\", "/")
    if path.startswith("/"):
        return "target:absolute", f"The target {decoded!r} is an absolute path; name files relative to the paper."
    resolved = posixpath.normpath(posixpath.join(base, path))
    if resolved == ".." or resolved.startswith("../"):
        return "target:outside", f"The target {decoded!r} points outside the package; keep every file inside it."
    return None


class _Scan:
    """The threats of one file, found by walking markdown-it tokens, directive bodies included."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.base = posixpath.dirname(file)
        self.env: dict[str, Any] = {}
        self.threats: list[Threat] = []

    def add(self, line: int | None, field: str, message: str) -> None:
        self.threats.append(Threat(self.file, line, field, message))

    def block(self, text: str, offset: int, depth: int = 0) -> None:
        """Scan block-level ``text`` whose first line is line ``offset + 1`` of the file."""
        self.tokens(_parser().parse(text, self.env), offset, depth)

    def tokens(self, tokens: list[Token], offset: int, depth: int) -> None:
        for token in tokens:
            line = offset + (token.map[0] if token.map else 0) + 1
            if token.type == "html_block":
                self.html(token.content, line)
            elif token.type in ("fence", "colon_fence"):
                self.fence(token, line, depth)
            elif token.type == "inline":
                self.inline(token.children or [], line)

    def inline_text(self, text: str, line: int) -> None:
        """Scan text that myst-parser renders as inline Markdown (titles, captions, arguments)."""
        for token in _parser().parseInline(text, self.env):
            self.inline(token.children or [], line)

    def inline(self, children: list[Token], line: int) -> None:
        for child in children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "html_inline":
                self.html(child.content, line)
            elif child.type == "myst_role":
                self.role(str(child.meta.get("name", "")), line)
            elif child.type == "image":
                self.target(child.attrGet("src"), line)
                self.inline(child.children or [], line)
            elif child.type == "link_open":
                self.target(child.attrGet("href"), line)
            elif child.type == "text" and "{{" in child.content:
                self.add(line, "substitution", "'{{' starts a substitution, which would be rendered as Jinja; "
                         "write the text out, or put it in code.")

    def html(self, content: str, line: int) -> None:
        snippet = content.strip().split("\n", 1)[0][:60]
        if snippet.startswith("<!--"):
            message = "An HTML comment would be copied into the published page; use a '%' comment line instead."
        else:
            message = f"Raw HTML {snippet!r} would be copied into the page as is; use MyST syntax instead."
        self.add(line, "raw-html", message)

    def role(self, name: str, line: int) -> None:
        key = name.lower()
        if key in _FORBIDDEN_ROLES:
            self.add(line, f"role:{key}", _FORBIDDEN_ROLES[key])
        elif key.startswith("raw-"):
            message = f"The {{{name}}} role copies raw output into the page; use MyST syntax instead."
            self.add(line, f"role:{key}", message)

    def target(self, value: str | int | float | None, line: int) -> None:
        verdict = _judge_target(str(value or ""), self.base)
        if verdict:
            self.add(line, *verdict)

    def fence(self, token: Token, line: int, depth: int) -> None:
        """A fenced block: a directive if its info is ``{name}``, else literal code."""
        parts = (token.info or "").strip().split(maxsplit=1)
        name = parts[0] if parts else ""
        if not (name.startswith("{") and name.endswith("}")):
            return
        key = name[1:-1].lower()
        first_line = parts[1] if len(parts) > 1 else ""
        content, shift = token.content, 0
        if token.type == "colon_fence" and content.startswith(":::"):
            # myst-parser's own adjustment, so that a nested fence is not read as options
            content, shift = "\n" + content, -1
        if key in _FORBIDDEN_DIRECTIVES:
            self.add(line, f"directive:{key}", _FORBIDDEN_DIRECTIVES[key])
            return
        if depth >= _MAX_DEPTH:
            self.add(line, f"directive:{key}", f"Directives are nested more than {_MAX_DEPTH} deep here; flatten them.")
            return
        try:
            parsed = parse_directive_text(_shape(key), first_line, content, line=line)
        except MarkupError:
            return  # myst-parser reports the error and renders nothing
        options = {str(k): str(v) for k, v in parsed.options.items()}
        if "file" in options or "url" in options:
            self.add(line, f"directive:{key}", f"The {{{key}}} directive reads the file or URL given by its "
                     ":file: or :url: option; put the content in the paper instead.")
        if key in _IMAGE_DIRECTIVES and parsed.arguments:
            self.target(parsed.arguments[0], line)
        for option, value in options.items():
            option_line = _option_line(content, option, line) + shift
            if key in _IMAGE_DIRECTIVES and option == "target":
                self.target(value, option_line)
            self.inline_text(value, option_line)
        if key in _LITERAL_DIRECTIVES:
            return
        if parsed.arguments and key not in _IMAGE_DIRECTIVES:
            self.inline_text(" ".join(parsed.arguments), line)
        if parsed.body:
            self.block("\n".join(parsed.body), line + parsed.body_offset + shift, depth + 1)


def _option_line(content: str, option: str, line: int) -> int:
    """The file line of ``option`` in a directive opened on ``line``, found by its key."""
    pattern = re.compile(rf"\s*:?{re.escape(option)}\s*:")
    for number, text in enumerate(content.splitlines()):
        if pattern.match(text):
            return line + 1 + number
    return line


def scan_markdown(text: str, file: str) -> list[Threat]:
    """Everything in one MyST file that the build must not see, in line order.

    The whole file is parsed as Sphinx reads it, front matter included, so that line
    numbers need no offset; the front matter goes through :func:`scan_frontmatter`.
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    scan = _Scan(file)
    tokens = _parser().parse(text, scan.env)
    scan.tokens([t for t in tokens if t.type != "front_matter"], 0, 0)
    found = _frontmatter_threats(text, tokens, file) + scan.threats
    return sorted(dict.fromkeys(found), key=lambda threat: threat.line or 0)


def _frontmatter_blocks(text: str, tokens: list[Token]) -> list[str]:
    """The YAML front matter as each reader in the build cuts it out; all start on line 2.

    markdown-it's plugin renders it, myst-parser's ``read_topmatter`` takes the file's
    ``myst:`` settings from it, and the proceedings extension reads the paper's metadata
    from it; their rules for where it ends differ slightly.
    """
    blocks: list[str] = []
    if tokens and tokens[0].type == "front_matter":
        blocks.append(tokens[0].content)
    if text.startswith("---"):
        lines = []
        for line in text.splitlines()[1:]:
            if line.startswith(("---", "...")):
                break
            lines.append(line.rstrip() + "\n")
        blocks.append("".join(lines))
    end = text.find("\n---\n", 3)
    if text.startswith("---\n") and end >= 0:
        blocks.append(text[4:end])
    return list(dict.fromkeys(blocks))


def _frontmatter_threats(text: str, tokens: list[Token], file: str) -> list[Threat]:
    threats: list[Threat] = []
    for block in _frontmatter_blocks(text, tokens):
        try:
            data = yaml.safe_load(block)
        except (yaml.YAMLError, ValueError, RecursionError):
            continue
        if not isinstance(data, dict):
            continue
        lines = _key_lines(block, first_line=2)
        for key, value in data.items():
            line = lines.get(str(key))
            threats += [replace(threat, line=line) for threat in scan_frontmatter({key: value}, file)]
    return threats


def _key_lines(block: str, first_line: int) -> dict[str, int]:
    """The file line of each top-level key of a YAML mapping."""
    try:
        node = yaml.compose(block, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): first_line + key.start_mark.line for key, _ in node.value}


def scan_frontmatter(data: dict[str, Any], file: str) -> list[Threat]:
    """Front matter keys that change how the file is parsed, and Markdown hidden in values.

    The title (a ``#`` heading), the abstract (the paper header) and docutils'
    bibliographic fields are rendered as MyST, so they are scanned like the body.
    Lines are not known from a mapping: :func:`scan_markdown` fills them in.
    """
    threats: list[Threat] = []
    for key, value in data.items():
        name = str(key)
        if name in _FRONTMATTER_KEYS:
            threats.append(Threat(file, None, f"frontmatter:{name}", _FRONTMATTER_KEYS[name]))
            continue
        if name != "title" and name not in _BIBLIOGRAPHIC:
            continue
        text = _as_text(value)
        if text is None:
            continue
        scan = _Scan(file)
        if name == "title":
            scan.block(f"# {text}", 0)
        elif name == "abstract":
            scan.block(text, 0)
        else:
            scan.inline_text(text, 1)
        threats += [replace(t, line=None, message=f"Front matter '{name}': {t.message}") for t in scan.threats]
    return threats


def _as_text(value: Any, budget: int = 10_000) -> str | None:
    """A front matter value as myst-parser renders it; None if it is too big to expand."""
    if isinstance(value, str):
        return value
    stack, seen = [value], 0
    while stack:
        item = stack.pop()
        seen += 1
        if seen > budget:
            return None
        if isinstance(item, dict):
            stack += [*item.keys(), *item.values()]
        elif isinstance(item, list | tuple | set):
            stack += list(item)
    return json.dumps(value, default=str)


# --------------------------------------------------------------------------- packages

_TEXT_SUFFIXES = frozenset({".md", ".bib", ".yml", ".yaml", ".txt"})
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
    too_large = _package_threats(len(files), sum(size for _, _, size in files), limits)
    if too_large:
        return too_large + threats
    for path, rel, size in files:
        threats += _scan_file(path, rel, size, limits)
    return threats


def _package_threats(count: int, total: int, limits: Limits) -> list[Threat]:
    threats = []
    if total > limits.max_package_bytes:
        threats.append(Threat(PACKAGE, None, "package:too-large", f"The package holds {total} bytes, "
                              f"more than the {limits.max_package_bytes} allowed."))
    if count > limits.max_files:
        threats.append(Threat(PACKAGE, None, "package:too-large", f"The package holds {count} files, "
                              f"more than the {limits.max_files} allowed."))
    return threats


def _walk(folder: Path) -> Iterator[Path]:
    """Every entry under ``folder`` in a stable order, without following links."""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            yield Path(dirpath, name)


def _scan_file(path: Path, rel: str, size: int, limits: Limits) -> list[Threat]:
    suffix = path.suffix.lower()
    if size > limits.max_file_bytes:
        return [Threat(rel, None, "file:too-large", f"The file has {size} bytes, more than the "
                       f"{limits.max_file_bytes} allowed.")]
    if suffix in _OTHER_SOURCES:
        return [Threat(rel, None, "file:source", f"Sphinx would read this {suffix} file as a page of its own, "
                       "in a markup this check does not cover; convert it to MyST Markdown or remove it.")]
    if suffix == ".svg":
        return _scan_svg(path.read_bytes(), rel)
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
    return []


_BIB_ENTRY = re.compile(r"^[ \t]*@", re.MULTILINE)
_BIB_STRING = re.compile(r"\s*@\s*string\b", re.IGNORECASE)
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

    def start(name: str, attributes: dict[str, str]) -> None:
        line = parser.CurrentLineNumber
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
    try:
        parser.Parse(data, True)
    except expat.ExpatError:
        pass  # no browser shows a malformed SVG, so it cannot run anything
    return threats


# --------------------------------------------------------------------------- zip

_RATIO_FLOOR = 2**20
"""Entries smaller than this are not held to Limits.max_ratio: they cannot hurt."""

_MACOS_JUNK = "__MACOSX"


def extract_zip(archive: Path, dest: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Unpack a submitted zip into ``dest``, or raise :class:`UnsafePackage` having written nothing.

    The archive's own size is checked before it is opened, then its central directory
    (paths, links, sizes, ratios, count); then every entry is decompressed once into
    nothing to check its CRC; only then is anything written. A single top-level folder
    is stripped, and macOS's ``__MACOSX`` folder is left out.
    """
    try:
        size = archive.stat().st_size
        if size > limits.max_package_bytes:
            message = f"The zip has {size} bytes, more than the {limits.max_package_bytes} allowed."
            raise UnsafePackage([Threat(PACKAGE, None, "package:too-large", message)])
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UnsafePackage([Threat(PACKAGE, None, "zip:corrupt", f"The zip cannot be read ({exc}).")]) from exc
    with zf:
        infos = zf.infolist()
        threats = _zip_threats(infos, limits) or _zip_verify(zf, infos)
        if threats:
            raise UnsafePackage(threats)
        _zip_write(zf, infos, dest)


def _zip_threats(infos: list[zipfile.ZipInfo], limits: Limits) -> list[Threat]:
    """What the central directory alone says is wrong."""
    threats: list[Threat] = []
    if len(infos) > limits.max_files:
        threats.append(Threat(PACKAGE, None, "zip:too-many-files", f"The zip has {len(infos)} entries, "
                              f"more than the {limits.max_files} allowed."))
    for info in infos:
        threats += _entry_threats(info, limits)
    threats += _file_and_folder(infos)
    total = sum(info.file_size for info in infos)
    if total > limits.max_package_bytes:
        threats.append(Threat(PACKAGE, None, "package:too-large", f"The zip expands to {total} bytes, "
                              f"more than the {limits.max_package_bytes} allowed."))
    return threats


def _entry_threats(info: zipfile.ZipInfo, limits: Limits) -> list[Threat]:
    name = info.filename
    found: list[tuple[str, str]] = []
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
        found.append(("zip:absolute", "This entry has an absolute path; zip the paper's folder with relative paths."))
    if ".." in re.split(r"[/\\]", name):
        found.append(("zip:parent", "This entry's path climbs out of the package with '..'."))
    if stat.S_ISLNK(info.external_attr >> 16):
        found.append(("zip:symlink", "This entry is a symbolic link; zip the files themselves."))
    if info.flag_bits & 0x1:
        found.append(("zip:corrupt", "This entry is encrypted; submit an unencrypted zip."))
    if info.file_size > _RATIO_FLOOR and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        found.append(("zip:bomb", f"This entry expands from {info.compress_size} to {info.file_size} bytes, "
                      f"more than {limits.max_ratio} times."))
    elif info.file_size > limits.max_file_bytes:
        found.append(("file:too-large", f"This entry has {info.file_size} bytes, more than the "
                      f"{limits.max_file_bytes} allowed."))
    return [Threat(name, None, field, message) for field, message in found]


def _file_and_folder(infos: list[zipfile.ZipInfo]) -> list[Threat]:
    """Entries that are files where other entries need a folder: they cannot both be written."""
    folders = {"/".join(_parts(info.filename)[:end]) for info in infos for end in range(1, len(_parts(info.filename)))}
    return [
        Threat(info.filename, None, "zip:corrupt", "This entry is a file, but other entries put files inside it.")
        for info in infos
        if not info.is_dir() and "/".join(_parts(info.filename)) in folders
    ]


def _zip_verify(zf: zipfile.ZipFile, infos: Iterable[zipfile.ZipInfo]) -> list[Threat]:
    """Decompress every entry into nothing, so that a bad CRC is found before writing."""
    threats: list[Threat] = []
    for info in infos:
        if info.is_dir():
            continue
        try:
            with zf.open(info) as stream:
                while stream.read(2**20):
                    pass
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError,
                OSError) as exc:
            threats.append(Threat(info.filename, None, "zip:corrupt", f"This entry cannot be read ({exc})."))
    return threats


def _zip_write(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], dest: Path) -> None:
    kept = [(info, _parts(info.filename)) for info in infos]
    kept = [(info, parts) for info, parts in kept if parts and parts[0] != _MACOS_JUNK]
    top = {parts[0] for _, parts in kept}
    if len(top) == 1 and all(len(parts) > 1 or info.is_dir() for info, parts in kept):
        kept = [(info, parts[1:]) for info, parts in kept]
    dest.mkdir(parents=True, exist_ok=True)
    for info, parts in kept:
        if not parts:
            continue
        target = dest.joinpath(*parts)
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(info) as source, target.open("wb") as sink:
            shutil.copyfileobj(source, sink)


def _parts(name: str) -> list[str]:
    """An entry's path as folder names, either separator accepted, empty and '.' parts dropped."""
    return [part for part in re.split(r"[/\\]", name) if part not in ("", ".")]


# --------------------------------------------------------------------------- images

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_TEXT = frozenset({b"tEXt", b"zTXt", b"iTXt", b"eXIf"})
_JPEG_APP1, _JPEG_APP13, _JPEG_COM, _JPEG_SOS, _JPEG_EOI = 0xE1, 0xED, 0xFE, 0xDA, 0xD9
_EXIF_HEADER = b"Exif\x00\x00"
_ORIENTATION = 0x0112
_SVG_NOISE = re.compile(
    rb"(<!\[CDATA\[.*?\]\]>)|<!--.*?-->|<((?:[\w.-]+:)?metadata)\b[^>]*?/>|<((?:[\w.-]+:)?metadata)\b[^>]*>.*?</\3\s*>",
    re.DOTALL,
)


def strip_image_metadata(path: Path) -> bool:
    """Remove text metadata (author, software, GPS, comments) from a figure; True if it changed.

    PNG chunks and JPEG segments are filtered by hand rather than re-encoded with
    Pillow: the image data is copied byte for byte, so pixels, compression and colour
    profile stay exactly as the authors made them. PNG loses its ``tEXt``, ``zTXt``,
    ``iTXt`` (XMP) and ``eXIf`` chunks and any bytes after ``IEND``; JPEG loses its
    APP1 (EXIF, XMP), APP13 (IPTC) and COM segments before the image data. An EXIF
    orientation other than upright is kept, in a minimal EXIF of its own, so that
    photos are not turned on their side. SVG loses its ``<metadata>`` elements and
    comments. Other formats are left alone.

    Raises ValueError for a PNG or JPEG whose structure is broken.
    """
    data = path.read_bytes()
    if data.startswith(_PNG_SIGNATURE):
        new = _strip_png(data)
    elif data.startswith(b"\xff\xd8"):
        new = _strip_jpeg(data)
    elif path.suffix.lower() == ".svg":
        new = _SVG_NOISE.sub(lambda match: match.group(1) or b"", data)
    else:
        return False
    if new == data:
        return False
    temporary = path.with_name(path.name + ".strip")
    temporary.write_bytes(new)
    temporary.replace(path)
    return True


def _strip_png(data: bytes) -> bytes:
    out, pos = [_PNG_SIGNATURE], len(_PNG_SIGNATURE)
    while True:
        if pos + 12 > len(data):
            raise ValueError("PNG ends before its IEND chunk")
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            raise ValueError(f"PNG chunk {kind!r} runs past the end of the file")
        if kind == b"eXIf":
            orientation = _exif_orientation(data[pos + 8 : end - 4])
            if orientation not in (None, 1):
                out.append(_png_chunk(b"eXIf", _orientation_exif(orientation)))
        elif kind not in _PNG_TEXT:
            out.append(data[pos:end])
        pos = end
        if kind == b"IEND":
            return b"".join(out)


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload)
    return len(payload).to_bytes(4, "big") + kind + payload + crc.to_bytes(4, "big")


def _strip_jpeg(data: bytes) -> bytes:
    """Filter the segments before the first scan; the scan and what follows are copied as is."""
    out, pos = [data[:2]], 2
    while True:
        if pos >= len(data) or data[pos] != 0xFF:
            raise ValueError("JPEG segment does not start with a marker")
        while pos < len(data) and data[pos] == 0xFF:
            pos += 1
        if pos >= len(data):
            raise ValueError("JPEG ends inside a marker")
        marker = data[pos]
        pos += 1
        if marker in (_JPEG_SOS, _JPEG_EOI):
            out.append(bytes([0xFF, marker]) + data[pos:])
            return b"".join(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out.append(bytes([0xFF, marker]))
            continue
        length = int.from_bytes(data[pos : pos + 2], "big")
        end = pos + length
        if length < 2 or end > len(data):
            raise ValueError(f"JPEG segment {marker:#04x} runs past the end of the file")
        payload = data[pos + 2 : end]
        if marker == _JPEG_APP1 and payload.startswith(_EXIF_HEADER):
            orientation = _exif_orientation(payload[len(_EXIF_HEADER) :])
            if orientation not in (None, 1):
                exif = _EXIF_HEADER + _orientation_exif(orientation)
                out.append(bytes([0xFF, _JPEG_APP1]) + (len(exif) + 2).to_bytes(2, "big") + exif)
        elif marker not in (_JPEG_APP1, _JPEG_APP13, _JPEG_COM):
            out.append(bytes([0xFF, marker]) + data[pos:end])
        pos = end


def _exif_orientation(tiff: bytes) -> int | None:
    """The Orientation tag (1-8) of EXIF's first IFD, if it has a sane one."""
    orders: dict[bytes, Literal["little", "big"]] = {b"II": "little", b"MM": "big"}
    endian = orders.get(tiff[:2])
    if endian is None or len(tiff) < 8:
        return None
    ifd = int.from_bytes(tiff[4:8], endian)
    if ifd + 2 > len(tiff):
        return None
    for number in range(int.from_bytes(tiff[ifd : ifd + 2], endian)):
        entry = ifd + 2 + 12 * number
        if entry + 12 > len(tiff):
            return None
        if int.from_bytes(tiff[entry : entry + 2], endian) == _ORIENTATION:
            value = int.from_bytes(tiff[entry + 8 : entry + 10], endian)
            return value if 1 <= value <= 8 else None
    return None


def _orientation_exif(orientation: int) -> bytes:
    """A TIFF structure holding only the Orientation tag (big-endian, one IFD entry)."""
    entry = _ORIENTATION.to_bytes(2, "big") + (3).to_bytes(2, "big") + (1).to_bytes(4, "big")
    entry += orientation.to_bytes(2, "big") + b"\x00\x00"
    return b"MM\x00\x2a" + (8).to_bytes(4, "big") + (1).to_bytes(2, "big") + entry + (0).to_bytes(4, "big")
