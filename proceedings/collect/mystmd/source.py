"""A mystmd package as the converter sees it: lines and fenced blocks that keep the author's file and line."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from docutils.parsers.rst.directives import body as rst_body
from docutils.parsers.rst.directives import images, misc, tables
from markdown_it import MarkdownIt
from myst_parser.config.main import MdParserConfig
from myst_parser.mdit_to_docutils.base import DocutilsRenderer
from myst_parser.parsers.mdit import create_md_parser
from sphinx.directives import admonitions, code, other, patches
from sphinx.domains.std import Glossary

from proceedings.check.threats import MYST_EXTENSIONS
from proceedings.frontmatter import YamlError, load_mapping, split_frontmatter


@dataclass
class Converted:
    """One paper package, converted."""

    frontmatter: dict[str, Any]
    body: str
    extra_bib: str
    notes: list[str]
    problems: list[str]
    files: dict[str, bytes] = field(default_factory=dict)
    """The package's files the paper uses, by the name it uses them under, ready to publish."""
    sources: list[str] = field(default_factory=list)
    """The package's files the conversion read: Markdown files and the files the paper uses."""
    origins: list[str] = field(default_factory=list)
    """For each line of ``body``, the author's ``file:line`` it comes from, to report problems there."""

    def origin(self, line: int) -> str:
        """The author's ``file:line`` of line ``line`` (from 1) of the converted body."""
        return self.origins[line - 1] if 0 < line <= len(self.origins) else f"converted text:{line}"


# --- where things come from -------------------------------------------------------------


@dataclass(eq=False)
class Line:
    """A line (or, after inline conversion, a paragraph) of Markdown, with the file and line it came from."""

    text: str
    file: str
    number: int
    comment: bool = False
    """An HTML comment (a block of lines), which mystmd never shows: dropped, with a report line."""
    literal: bool = False
    """A line of an indented code block: shown as written."""

    def at(self, offset: int = 0) -> str:
        """``file:line`` of a position in this text, for the organizer's report."""
        line = self.number + self.text.count("\n", 0, offset)
        return f"{self.file}:{line}"


@dataclass(eq=False)
class Fence:
    """A fenced block: a directive (``{name} argument``) or plain code (``name`` is None).

    ``children`` holds the parsed content of directives whose content is Markdown, so
    that citations in a caption are converted while code stays untouched.
    """

    opener: Line
    indent: str
    marker: str
    name: str | None
    argument: str
    options: list[tuple[str, str]]
    body: list[Line]
    children: list[Node] | None = None

    def option(self, key: str) -> str | None:
        return next((value for k, value in self.options if k == key), None)


Node = Line | Fence


@dataclass
class Context:
    """What one conversion knows and reports."""

    folder: Path
    bib_keys: set[str]
    bib_dois: dict[str, str] = field(default_factory=dict)
    cite_texts: dict[str, str] = field(default_factory=dict)
    """Each key's author-year text, for citations in the abstract."""
    labels: dict[str, str] = field(default_factory=dict)
    anchors: set[str] = field(default_factory=set)
    """Other names a ``#`` link may reach: labels on any directive, headings' anchors."""
    doi_keys: dict[str, str] = field(default_factory=dict)
    doi_entries: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    files: dict[str, tuple[Path, str]] = field(default_factory=dict)
    """Files the paper uses: published name to the package's file and where the paper names it."""
    sources: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    """Where the HTML comments were that the conversion dropped, reported in one line."""

    def note(self, where: str, message: str) -> None:
        self.notes.append(f"{where}: {message}")

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")


# --- finding and reading the package ------------------------------------------------------

_MYST_YML = "myst.yml"


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    """myst-parser's markdown-it with the extensions the build and the safety scan use, for the block structure."""
    return create_md_parser(MdParserConfig(enable_extensions=set(MYST_EXTENSIONS)), DocutilsRenderer)


def _read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")


def _myst_config(folder: Path) -> dict[str, Any]:
    path = folder / _MYST_YML
    if not path.is_file():
        return {}
    try:
        return load_mapping(_read_text(path), _MYST_YML)
    except YamlError:
        return {}


def _inside(folder: Path, base: Path, reference: str) -> tuple[Path | None, str]:
    """``reference`` (relative to ``base``) as a path inside ``folder``, or why it is refused.

    Only the package is read: an absolute path, a ``..`` that climbs out of the folder or
    a symlink anywhere on the way could reach files the paper's authors do not own.
    """
    reference = reference.strip().replace("\\ ", " ")
    if not reference:
        return None, "no path given"
    if reference.startswith(("/", "~")) or re.match(r"^[A-Za-z]:[\\/]", reference) or Path(reference).is_absolute():
        return None, "absolute paths are not allowed"
    target = Path(os.path.normpath(base / reference))
    try:
        relative = target.relative_to(folder)
    except ValueError:
        return None, "the path leaves the paper's folder"
    step = folder
    for part in relative.parts:
        step = step / part
        if step.is_symlink():
            return None, "symlinks are not followed"
    return target, ""


def _article_candidates(config: dict[str, Any]) -> Iterator[str]:
    """Where a ``myst.yml`` names the paper: ``article``, an export's ``article``, the first toc file."""
    project = config.get("project")
    for source in (project if isinstance(project, dict) else {}, config):
        if isinstance(source.get("article"), str):
            yield source["article"]
        for export in source.get("exports") or []:
            if isinstance(export, dict) and isinstance(export.get("article"), str):
                yield export["article"]
        toc = source.get("toc")
        if isinstance(toc, list) and toc and isinstance(toc[0], dict) and isinstance(toc[0].get("file"), str):
            yield toc[0]["file"]


def _has_title(path: Path) -> bool:
    try:
        data, _, _ = split_frontmatter(_read_text(path), path.name)
    except (YamlError, UnicodeDecodeError):
        return False
    return bool(data.get("title"))


def find_main(folder: Path) -> Path | None:
    """The paper's main Markdown file, found the way the packages we receive name it."""
    folder = folder.absolute()
    for name in ("paper.md", "main.md"):
        path = folder / name
        if path.is_file() and not path.is_symlink():
            return path
    for candidate in _article_candidates(_myst_config(folder)):
        article, _ = _inside(folder, folder, candidate)
        if article is not None and article.suffix == ".md" and article.is_file():
            return article
    titled = [p for p in sorted(folder.glob("*.md")) if not p.is_symlink() and _has_title(p)]
    return titled[0] if len(titled) == 1 else None


def _known_directives() -> dict[str, frozenset[str]]:
    """The directives this build knows, each with the options it accepts, read from the classes themselves."""
    classes: dict[str, Any] = {
        "admonition": admonitions.Admonition, "attention": admonitions.Attention,
        "caution": admonitions.Caution, "danger": admonitions.Danger, "error": admonitions.Error,
        "hint": admonitions.Hint, "important": admonitions.Important, "note": admonitions.Note,
        "tip": admonitions.Tip, "warning": admonitions.Warning, "seealso": admonitions.SeeAlso,
        "figure": patches.Figure, "image": images.Image, "table": tables.RSTTable,
        "list-table": tables.ListTable, "csv-table": patches.CSVTable, "code-block": code.CodeBlock,
        "sourcecode": code.CodeBlock, "literalinclude": code.LiteralInclude, "math": patches.MathDirective,
        "raw": misc.Raw, "epigraph": rst_body.Epigraph, "highlights": rst_body.Highlights,
        "pull-quote": rst_body.PullQuote, "compound": rst_body.Compound, "container": rst_body.Container,
        "topic": rst_body.Topic, "sidebar": rst_body.Sidebar, "rubric": patches.Rubric,
        "line-block": rst_body.LineBlock, "parsed-literal": rst_body.ParsedLiteral, "glossary": Glossary,
        "centered": other.Centered, "hlist": other.HList, "only": other.Only,
    }
    return {name: frozenset(cls.option_spec or {}) for name, cls in classes.items()}


KNOWN_DIRECTIVES = _known_directives()
