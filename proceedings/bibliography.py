"""Each paper's own ``.bib``, with its keys namespaced by the paper's id.

sphinxcontrib-bibtex keeps one database for the whole project: a key that two
papers both use would silently keep the first entry. Every paper's keys are
therefore rewritten to ``<paper id>:<key>`` in a derived copy of its ``.bib``,
and its citations are rewritten to match (see :func:`namespace_citations`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pybtex.errors
from pybtex.database import BibliographyData, Entry
from pybtex.database.input.bibtex import Parser
from pybtex.database.output.bibtex import Writer as BibtexWriter
from pybtex.plugin import find_plugin
from pybtex.scanner import PybtexError
from pybtex.style.formatting import BaseStyle
from pybtex.style.template import FieldIsMissing

__all__ = [
    "BibProblem",
    "BibReport",
    "downgrade_incomplete_entries",
    "namespace_bibfiles",
    "namespace_citations",
    "namespaced_key",
    "tidy_links",
]

_CITE_ROLE = re.compile(r"(\{(?:foot)?cite(?::[a-z]+)?\}`)([^`]*)(`)")
_ENTRY_START = re.compile(r"^[ \t]*@", re.MULTILINE)
_STRING = re.compile(r"\s*@\s*string\b", re.IGNORECASE)
_NOT_ENTRY = re.compile(r"\s*@\s*(string|comment|preamble)\b", re.IGNORECASE)
_ENTRY_KEY = re.compile(r"\s*@\s*\w+\s*[{(]\s*([^,\s]+)")
_LINK = re.compile(r"(\\url\{|\burl\s*=\s*[{\"])([^{}\"]*)")
_STRAY = "()<>[] \t"
_ENTRY_TYPE = re.compile(r"(\s*@\s*)(\w+)")
_TARGET_SEPARATOR = re.compile(r",(?![^{]*\})")
_TARGET = re.compile(r"^(\s*(?:\{[^}]*\})?\s*)([^{}\s]+)(\s*(?:\{[^}]*\})?\s*)$")


def namespaced_key(paper_id: str, key: str) -> str:
    return f"{paper_id}:{key}"


def namespace_citations(text: str, paper_id: str) -> str:
    """Prefix every key in ``{cite}`` roles (all variants, with pre/post notes) by the paper id."""

    def one_target(target: str) -> str:
        match = _TARGET.match(target)
        if not match:
            return target
        pre, key, post = match.groups()
        return pre + namespaced_key(paper_id, key) + post

    def one_role(match: re.Match[str]) -> str:
        targets = ",".join(one_target(t) for t in _TARGET_SEPARATOR.split(match.group(2)))
        return match.group(1) + targets + match.group(3)

    return _CITE_ROLE.sub(one_role, text)


@dataclass(frozen=True)
class BibProblem:
    """An entry (or a whole file) that could not be used."""

    file: Path
    line: int
    message: str

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class BibReport:
    """What became of one paper's ``.bib`` files: the keys loaded and the problems found."""

    keys: list[str] = field(default_factory=list)
    problems: list[BibProblem] = field(default_factory=list)


def _protect_title(entry: Entry) -> None:
    """Brace a title so that styles that lowercase titles keep the author's capitals."""
    title = entry.fields.get("title")
    if title and not (title.startswith("{") and title.endswith("}")):
        entry.fields["title"] = "{" + title + "}"


@contextmanager
def _strict() -> Iterator[None]:
    """pybtex reports some errors (bad names) only as warnings unless strict."""
    before = pybtex.errors.strict
    pybtex.errors.set_strict_mode(True)
    try:
        yield
    finally:
        pybtex.errors.set_strict_mode(before)


def _entries(text: str) -> list[tuple[int, str]]:
    """Cut a ``.bib`` into its ``@`` blocks with their first line, so that one bad entry stays alone."""
    starts = [m.start() for m in _ENTRY_START.finditer(text)]
    ends = [*starts[1:], len(text)] if starts else []
    return [(text.count("\n", 0, a) + 1, text[a:b]) for a, b in zip(starts, ends, strict=True)]


def _parsed_blocks(text: str) -> Iterator[tuple[int, str, dict[str, Entry] | PybtexError]]:
    """Each entry block's first line, text and entries, parsed strictly on its own (with the
    file's ``@string`` macros), or the error pybtex raised for it."""
    blocks = _entries(text)
    strings = "".join(block for _, block in blocks if _STRING.match(block))
    for line, block in blocks:
        if _NOT_ENTRY.match(block):
            continue
        parser = Parser(encoding="utf-8")
        try:
            with _strict():
                parser.parse_string(strings + block)
        except PybtexError as exc:
            yield line, block, exc
            continue
        yield line, block, dict(parser.data.entries)


def namespace_bibfiles(sources: list[Path], target: Path, paper_id: str) -> BibReport:
    """Write ``sources`` to ``target`` with namespaced keys; touch ``target`` only if it changes.

    Each entry is parsed on its own: one that pybtex rejects is reported with its file,
    key and line, and left out; the others still load. When the sources are as they were
    at the last call (their sizes and modification times), the last report is returned.
    """
    stamp = target.with_suffix(".json")
    signature = [[str(s), s.stat().st_mtime_ns, s.stat().st_size] for s in sources]
    if target.is_file() and stamp.is_file():
        kept = json.loads(stamp.read_text(encoding="utf-8"))
        if kept["sources"] == signature and kept["paper"] == paper_id:
            return BibReport(kept["keys"], [BibProblem(Path(f), line, m) for f, line, m in kept["problems"]])
    report = _namespace(sources, target, paper_id)
    problems = [[str(p.file), p.line, p.message] for p in report.problems]
    record = {"paper": paper_id, "sources": signature, "keys": report.keys, "problems": problems}
    stamp.write_text(json.dumps(record), encoding="utf-8")
    return report


def _namespace(sources: list[Path], target: Path, paper_id: str) -> BibReport:
    report = BibReport()
    data = BibliographyData()
    for source in sources:
        try:
            text = source.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            report.problems.append(BibProblem(source, 1, f"{source.name}: not UTF-8 (byte {exc.start})"))
            continue
        for line, block, parsed in _parsed_blocks(text):
            if isinstance(parsed, PybtexError):
                key_match = _ENTRY_KEY.match(block)
                key = key_match.group(1) if key_match else "?"
                report.problems.append(BibProblem(source, line, f"{source.name}, entry {key!r}: {parsed}"))
                continue
            for entry_key, entry in parsed.items():
                if namespaced_key(paper_id, entry_key) in data.entries:
                    message = f"{source.name}, entry {entry_key!r}: duplicate key"
                    report.problems.append(BibProblem(source, line, message))
                    continue
                _protect_title(entry)
                data.add_entry(namespaced_key(paper_id, entry_key), entry)
                report.keys.append(entry_key)
    new = BibtexWriter().to_string(data) if data.entries else ""
    if not target.is_file() or target.read_text(encoding="utf-8") != new:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(new, encoding="utf-8")
    return report


@cache
def _formatter(style: str) -> BaseStyle:
    """pybtex looks plugins up through package metadata, which is slow: once per style and process."""
    return find_plugin("pybtex.style.formatting", style)()


_Shape = tuple[str, str, frozenset[str], frozenset[str]]
_missing_by_shape: dict[_Shape, str | None] = {}


def _missing_field(style: str, key: str, entry: Entry) -> str | None:
    """The first field the style requires and the entry lacks, if any.

    Whether a field is missing depends on the entry's type and which fields it has, not
    on their values, so the answer is kept for each such shape: formatting is slow.
    """
    shape = (style, entry.type.lower(), frozenset(f.lower() for f in entry.fields), frozenset(entry.persons))
    if shape not in _missing_by_shape:
        try:
            _formatter(style).format_entry(key, entry)
            _missing_by_shape[shape] = None
        except FieldIsMissing as exc:
            _missing_by_shape[shape] = exc.field_name
    return _missing_by_shape[shape]


def downgrade_incomplete_entries(text: str, file: str, style: str = "unsrt") -> tuple[str, list[str]]:
    """Entries lacking a field their type requires in ``style`` become ``@misc``, with a line each.

    mystmd renders such entries; the pybtex style that the build uses stops at the first
    missing field. ``@misc`` requires nothing, so the reference still shows what it has.
    Entries that do not parse are left as they are: the build reports them.
    """
    out, notes, end = [], [], 0
    for line, block, parsed in _parsed_blocks(text):
        if isinstance(parsed, PybtexError):
            continue
        missing = [(key, field) for key, entry in parsed.items() if (field := _missing_field(style, key, entry))]
        kind = _ENTRY_TYPE.match(block)
        if not missing or kind is None:
            continue
        key, field_name = missing[0]
        start = text.index(block, end)
        out.append(text[end:start] + kind.group(1) + "misc" + block[kind.end() :])
        end = start + len(block)
        notes.append(f"{file}:{line}: missing {field_name} in {key}: the {kind.group(2)} is published as @misc")
    return "".join(out) + text[end:], notes


def tidy_links(text: str, file: str) -> tuple[str, list[str]]:
    """Links (``url`` fields, ``\\url{}``) wrapped in stray brackets or spaces, trimmed, with a line each.

    A typo such as ``\\url{(https://...}`` otherwise becomes a link with no target.
    """
    notes = []

    def trim(match: re.Match[str]) -> str:
        link = match.group(2)
        trimmed = link.strip(_STRAY)
        if trimmed == link or not re.match(r"https?://", trimmed):
            return match.group(0)
        line = text.count("\n", 0, match.start()) + 1
        notes.append(f"{file}:{line}: link {link!r} trimmed to {trimmed!r}")
        return match.group(1) + trimmed

    return _LINK.sub(trim, text), notes
