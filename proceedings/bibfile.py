"""The one reader of submitted ``.bib`` files: cut into ``@`` blocks, each parsed strictly on its own.

A real ``.bib`` often holds one broken entry among good ones; parsed whole, pybtex would
stop at it. Cut into blocks, each entry succeeds or fails alone, with its line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pybtex.errors
from pybtex.database import Entry
from pybtex.database.input.bibtex import Parser
from pybtex.scanner import PybtexError

_ENTRY_START = re.compile(r"^[ \t]*@", re.MULTILINE)
_STRING = re.compile(r"\s*@\s*string\b", re.IGNORECASE)
_NOT_ENTRY = re.compile(r"\s*@\s*(string|comment|preamble)\b", re.IGNORECASE)
ENTRY_KEY = re.compile(r"\s*@\s*\w+\s*[{(]\s*([^,\s]+)")

@contextmanager
def _strict() -> Iterator[None]:
    """pybtex reports some errors (bad names) only as warnings unless strict."""
    before = pybtex.errors.strict
    pybtex.errors.set_strict_mode(True)
    try:
        yield
    finally:
        pybtex.errors.set_strict_mode(before)


def entry_blocks(text: str) -> list[tuple[int, str]]:
    """Cut a ``.bib`` into its ``@`` blocks with their first line, so that one bad entry stays alone."""
    starts = [m.start() for m in _ENTRY_START.finditer(text)]
    ends = [*starts[1:], len(text)] if starts else []
    return [(text.count("\n", 0, a) + 1, text[a:b]) for a, b in zip(starts, ends, strict=True)]


def parsed_blocks(text: str) -> Iterator[tuple[int, str, dict[str, Entry] | PybtexError]]:
    """Each entry block's first line, text and entries, parsed strictly on its own (with the
    file's ``@string`` macros), or the error pybtex raised for it."""
    blocks = entry_blocks(text)
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
