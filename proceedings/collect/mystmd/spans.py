"""Where a paragraph's inline constructs stand, as myst-parser's own markdown-it reads them.

markdown-it's inline tokens carry no source positions, and the conversion rewrites the
author's text in place, so each inline rule is wrapped to note the stretch of text it
took. Only outermost constructs are noted: a link's label, read by a nested pass, is part
of the link. What no rule takes (plain text, and ``[@key]`` brackets, which are not links)
lies between the spans.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.helpers import parseLinkDestination, parseLinkLabel, parseLinkTitle
from markdown_it.rules_inline import StateInline
from myst_parser.config.main import MdParserConfig
from myst_parser.mdit_to_docutils.base import DocutilsRenderer
from myst_parser.parsers.mdit import create_md_parser

from proceedings.check.threats import MYST_EXTENSIONS

__all__ = ["Link", "Span", "link_parts", "spans"]

NOTED = frozenset({"backticks", "myst_role", "math_inline", "link", "image", "autolink", "html_inline", "footnote_ref"})
"""The rules whose text the conversion reads or leaves whole; emphasis and escapes stay part of the text."""

_SPANS, _DEPTH = "proceedings_spans", "proceedings_depth"


@dataclass(frozen=True)
class Span:
    """``text[start:end]`` is one construct, taken by markdown-it's inline rule ``kind``."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class Link:
    """A link or image written inline: ``[text](destination "title")``."""

    text: str
    destination: str
    title: str


def _noting(name: str, rule: Callable[[StateInline, bool], bool]) -> Callable[[StateInline, bool], bool]:
    def noted(state: StateInline, silent: bool) -> bool:
        found: list[Span] | None = state.env.get(_SPANS)
        if found is None:
            return rule(state, silent)
        start = state.pos
        state.env[_DEPTH] += 1
        try:
            matched = rule(state, silent)
        finally:
            state.env[_DEPTH] -= 1
        if matched and not silent and state.env[_DEPTH] == 0 and name in NOTED:
            found.append(Span(name, start, state.pos))
        return matched

    return noted


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """A parser of its own with the scan's extensions, whose inline rules note what they take."""
    md = create_md_parser(MdParserConfig(enable_extensions=set(MYST_EXTENSIONS)), DocutilsRenderer)
    for name, rule in zip(md.inline.ruler.get_active_rules(), md.inline.ruler.getRules(""), strict=True):
        md.inline.ruler.at(name, _noting(name, rule))
    return md


def spans(text: str) -> list[Span]:
    """The outermost inline constructs of ``text``, in order."""
    env: dict[str, Any] = {_SPANS: [], _DEPTH: 0}
    _parser().parseInline(text, env)
    return list(env[_SPANS])


def link_parts(written: str) -> Link | None:
    """An inline link or image (``written`` as a :class:`Span` took it) in its parts; None for a reference link."""
    opener = 2 if written.startswith("!") else 1
    state = StateInline(written, _parser(), {}, [])
    close = parseLinkLabel(state, opener - 1, True)
    pos = close + 1
    if close < 0 or written[pos : pos + 1] != "(":
        return None
    destination = parseLinkDestination(written, _after_blanks(written, pos + 1), len(written))
    if not destination.ok:
        return Link(written[opener:close], "", "")
    title = parseLinkTitle(written, _after_blanks(written, destination.pos), len(written))
    return Link(written[opener:close], destination.str, title.str if title.ok else "")


def _after_blanks(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\n":
        pos += 1
    return pos
