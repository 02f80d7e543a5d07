"""Submitted ``.bib`` files made printable: incomplete entries downgraded, stray brackets around links trimmed."""

from __future__ import annotations

import re

from pybtex.database import Entry
from pybtex.plugin import find_plugin
from pybtex.scanner import PybtexError
from pybtex.style.formatting import BaseStyle
from pybtex.style.template import FieldIsMissing

from proceedings.bibfile import parsed_blocks

_LINK = re.compile(r"(\\url\{|\burl\s*=\s*[{\"])([^{}\"]*)")
_STRAY = "()<>[] \t"
_ENTRY_TYPE = re.compile(r"(\s*@\s*)(\w+)")

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
    for line, block, parsed in parsed_blocks(text):
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
