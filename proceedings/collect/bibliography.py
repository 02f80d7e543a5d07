"""Submitted ``.bib`` files made printable by the build's pybtex style, each change a report line.

Authors write for BibTeX, biblatex or mystmd, which all accept more than pybtex's
``unsrt`` style formats: biblatex entry types and fields, entries lacking a field the
style requires, author lists written with commas, the same key in two files, links
escaped for LaTeX or wrapped in stray brackets. Each entry is handled on its own, and
every note names the author's file and the entry's line there.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from pybtex.database import Entry
from pybtex.plugin import find_plugin
from pybtex.scanner import PybtexError
from pybtex.style.formatting import BaseStyle
from pybtex.style.template import FieldIsMissing

from proceedings.bibfile import ENTRY_KEY, entry_blocks, parsed_blocks

__all__ = ["citation_texts", "prepare_bib_files", "tidy_links"]

_LINK = re.compile(r"(\\url\{|\burl\s*=\s*[{\"])([^{}\"]*)")
_STRAY = "()<>[] \t"
_ENTRY_TYPE = re.compile(r"(\s*@\s*)(\w+)")

# biblatex's (and old BibTeX's) entry types, as the nearest type the BibTeX styles format.
_TYPE_ALIASES = {
    "conference": "inproceedings", "report": "techreport", "thesis": "phdthesis", "mvbook": "book",
    "bookinbook": "inbook", "suppbook": "inbook", "collection": "book", "mvcollection": "book",
    "reference": "book", "mvreference": "book", "inreference": "incollection", "suppcollection": "incollection",
    "mvproceedings": "proceedings", "suppperiodical": "article",
    **dict.fromkeys(("periodical", "electronic", "www", "artwork", "audio", "video", "music", "movie", "image",
                     "letter", "commentary", "jurisdiction", "legislation", "legal", "review", "standard",
                     "performance", "set", "xdata", "codefragment", "softwareversion", "softwaremodule"), "misc"),
}
# biblatex's field names, where BibTeX's styles read another.
_FIELD_ALIASES = {"journaltitle": "journal", "location": "address"}
# A LaTeX escape in a link is a broken link: ``\_`` must be ``_`` in the URL.
_LATEX_ESCAPE = re.compile(r"\\([_%&#$~])")
_LINK_FIELDS = ("url", "doi")


@cache
def _formatter(style: str) -> BaseStyle:
    """pybtex looks plugins up through every installed package's metadata on each call (6 ms):
    once per style and process."""
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


def _set_type(block: str, kind: str) -> str:
    match = _ENTRY_TYPE.match(block)
    return block if match is None else block[: match.start(2)] + kind + block[match.end(2) :]


def _formatted_type(kind: str, entry: Entry | None, style: str) -> tuple[str, bool]:
    """The type the style formats for ``kind``, and whether ``kind`` is one nobody knows."""
    folded = kind.lower()
    if hasattr(_formatter(style), f"get_{folded}_template"):
        return folded, False
    if folded == "thesis" and entry is not None and re.search(r"master|msc|m\.\s*sc", entry.fields.get("type", ""),
                                                              re.IGNORECASE):
        return "mastersthesis", False
    if folded in _TYPE_ALIASES:
        return _TYPE_ALIASES[folded], False
    return "misc", True


# --- fields ----------------------------------------------------------------------------------


def _field_value(block: str, name: str) -> tuple[int, int] | None:
    """Where the value of field ``name`` sits in ``block`` (inside its braces or quotes)."""
    match = re.search(rf"[,{{(]\s*{name}\s*=\s*([{{\"])", block, re.IGNORECASE)
    if match is None:
        return None
    start = match.end()
    if match.group(1) == '"':
        end = block.find('"', start)
        return (start, end) if end >= 0 else None
    depth = 1
    for index in range(start, len(block)):
        depth += {"{": 1, "}": -1}.get(block[index], 0)
        if depth == 0:
            return start, index
    return None


def _rewrite_field(block: str, name: str, change: Callable[[str], str]) -> tuple[str, str, str]:
    """``block`` with field ``name``'s value changed, and the value before and after."""
    span = _field_value(block, name)
    if span is None:
        return block, "", ""
    before = block[span[0] : span[1]]
    after = change(before)
    return block[: span[0]] + after + block[span[1] :], before, after


def _rename_fields(block: str) -> str:
    """biblatex's ``journaltitle``, ``location`` and ``date`` as BibTeX's ``journal``, ``address`` and ``year``."""
    for old, new in _FIELD_ALIASES.items():
        if _field_value(block, new) is None:
            block = re.sub(rf"([,{{(]\s*){old}(\s*=)", rf"\1{new}\2", block, count=1, flags=re.IGNORECASE)
    date = _field_value(block, "date")
    if date is not None and _field_value(block, "year") is None:
        year = re.match(r"\s*(\d{4})", block[date[0] : date[1]])
        if year:
            head = re.search(r"[,{(]\s*date\s*=", block, re.IGNORECASE)
            assert head is not None
            block = block[: head.start() + 1] + f" year = {{{year.group(1)}}},\n  " + block[head.start() + 1 :]
    return block


_DOI_RESOLVER = re.compile(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_BARE_DOI = re.compile(r"^\s*10\.\d{4,9}/\S+\s*$")
_BARE_HOST = re.compile(r"^\s*www\.[^\s/]+\.[a-z]{2,}", re.IGNORECASE)


def _link_url(value: str) -> str:
    """A ``url`` field as a link: a bare DOI or host name gets its scheme."""
    if _BARE_DOI.match(value):
        return "https://doi.org/" + value.strip()
    if _BARE_HOST.match(value):
        return "https://" + value.strip()
    return value


def _tidy_link_fields(block: str, where: str) -> tuple[str, list[str]]:
    """``url`` and ``doi`` as working links: no LaTeX escapes, a DOI without its resolver, a URL with a scheme."""
    notes = []
    for name in _LINK_FIELDS:
        block, _, _ = _rewrite_field(block, name, lambda value: _LATEX_ESCAPE.sub(r"\1", value))
    block = re.sub(r"\\url\{([^{}]*)\}", lambda url: "\\url{" + _LATEX_ESCAPE.sub(r"\1", url.group(1)) + "}", block)
    block, before, after = _rewrite_field(block, "doi", lambda value: _DOI_RESOLVER.sub("", value))
    if before != after:
        notes.append(f"{where}: doi {before!r} read as {after!r}")
    block, before, after = _rewrite_field(block, "url", _link_url)
    if before != after:
        notes.append(f"{where}: url {before!r} is not a link: read as {after!r}")
    return block, notes


# --- names -------------------------------------------------------------------------------------

_SURNAME_INITIALS = re.compile(r"\s*([^\s,][^,]*?)\s*,\s*((?:[A-Z][a-z]?\.?[\s-]*)+?)\s*(?:,|$)")


_INITIALS = re.compile(r"^(?:[A-Z][a-z]?\.?[\s-]*)+$")
_ELLIPSIS = re.compile(r"^(?:…|\.\.\.)\s*")


def _repair_names(value: str) -> str | None:
    """A person list written with commas (``Moro,S., Rita,P., and Cortez,P.``), in BibTeX's ``and`` form.

    Two shapes are common: ``Surname,Initials`` pairs separated by commas, and names
    (``Given Surname``, or a single handle) separated by commas, as Zenodo exports them,
    sometimes cut short with ``…``. Anything else is not guessed at.
    """
    names: list[str] = []
    for part in re.split(r"\s+and\s+", " ".join(value.split()).rstrip(",")):
        part = re.sub(r"^\s*and\s+", "", part.strip().rstrip(","))
        if part.count(",") <= 1:
            names.append(part.strip())
            continue
        pairs = list(_SURNAME_INITIALS.finditer(part))
        if pairs and "".join(m.group(0) for m in pairs).strip() == part.strip():
            names += [f"{m.group(1)}, {m.group(2).strip()}" for m in pairs]
            continue
        chunks = [c.strip() for c in part.split(",")]
        if not all(chunks) or any(_INITIALS.match(c) for c in chunks):
            return None
        for chunk in chunks:
            if _ELLIPSIS.match(chunk):
                names += ["others"] if chunk is chunks[-1] else []
                chunk = _ELLIPSIS.sub("", chunk)
            names.append(chunk)
    return " and ".join(dict.fromkeys(n for n in names if n != "others")) + (
        " and others" if "others" in names else "")


def _fix_people(block: str, error: PybtexError) -> tuple[str, str] | None:
    """An entry pybtex refused for its names: repaired, or its names kept as one literal; and what was done."""
    if "comma" not in str(error).lower():
        return None
    for field in ("author", "editor"):
        span = _field_value(block, field)
        if span is None or block[span[0] : span[1]].count(",") < 2:
            continue
        raw = " ".join(block[span[0] : span[1]].split())
        repaired = _repair_names(raw)
        if repaired is not None:
            return block[: span[0]] + repaired + block[span[1] :], f"{field} list {raw!r} read as {repaired!r}"
        literal = "{" + " ".join(raw.split()) + "}"
        return block[: span[0]] + literal + block[span[1] :], f"{field} list {raw!r} kept as written, as one name"
    return None


# --- the files ----------------------------------------------------------------------------------


def _parses(strings: str, block: str) -> dict[str, Entry] | PybtexError:
    """One block parsed as the build parses it (strictly, with the file's ``@string`` macros)."""
    results = [parsed for _, _, parsed in parsed_blocks(strings + block)]
    return results[-1] if results else {}


_COMMENT_LINE = re.compile(r"(?m)^[ \t]*%.*$")


def prepare_bib_files(files: list[tuple[str, str]], style: str = "unsrt") -> tuple[str, list[str]]:
    """A paper's ``.bib`` files (name, text) as one text the build prints, and a note per change.

    Entries pybtex cannot parse even after repair are left out, each with a note: cited, they are
    shown as their key, as mystmd shows a citation it cannot resolve.
    """
    out: list[str] = []
    notes: list[str] = []
    seen: dict[str, tuple[str, dict[str, str]]] = {}
    for name, original in files:
        # '%' lines are comments to biblatex and to the authors; left in, a commented-out '@book{'
        # starts an entry and breaks the one before it. Emptied, so that line numbers still hold.
        text, trimmed = tidy_links(_COMMENT_LINE.sub("", original), name)
        notes += trimmed
        blocks = entry_blocks(text)
        strings = "".join(block for _, block in blocks if re.match(r"\s*@\s*string\b", block, re.IGNORECASE))
        out.append(text[: text.index(blocks[0][1])] if blocks else text)
        for line, block in blocks:
            where = f"{name}:{line}"
            if re.match(r"\s*@\s*(string|comment|preamble)\b", block, re.IGNORECASE):
                out.append(block)
                continue
            kept, block_notes = _prepare_entry(block, strings, where, seen, style)
            out.append(kept)
            notes += block_notes
    return "".join(out), notes


def _prepare_entry(block: str, strings: str, where: str, seen: dict[str, tuple[str, dict[str, str]]],
                   style: str) -> tuple[str, list[str]]:
    """One entry made printable, or dropped as a duplicate; the notes on what changed."""
    block, notes = _tidy_link_fields(_rename_fields(block), where)
    parsed = _parses(strings, block)
    if isinstance(parsed, PybtexError):
        fixed = _fix_people(block, parsed)
        if fixed is None or isinstance(_parses(strings, fixed[0]), PybtexError):
            named = ENTRY_KEY.match(block)
            notes.append(f"{where}: entry {named.group(1) if named else '?'!r} left out, as it cannot be read "
                         f"({parsed}); citations of it are shown as its key")
            return "", notes
        block = fixed[0]
        parsed = _parses(strings, block)
        notes.append(f"{where}: {fixed[1]}")
    if isinstance(parsed, PybtexError) or not parsed:
        return block, notes
    key, entry = next(iter(parsed.items()))
    kind = _ENTRY_TYPE.match(block)
    written = kind.group(2) if kind else entry.type
    formatted, unknown = _formatted_type(written, entry, style)
    if formatted != written.lower():
        block = _set_type(block, formatted)
        entry = Entry(formatted, fields=entry.fields, persons=entry.persons)
        if unknown:
            notes.append(f"{where}: entry type @{written} of {key!r} is not a BibTeX or biblatex type: "
                         "published as @misc")
    fields = {k.lower(): str(v) for k, v in entry.fields.items()}
    folded = key.lower()
    if folded in seen:
        first, first_fields = seen[folded]
        same = "the same entry" if first_fields == fields else "a different entry"
        notes.append(f"{where}: key {key!r} is also at {first} ({same}): the first is kept")
        return "", notes
    seen[folded] = (where, fields)
    missing = _missing_field(style, key, entry)
    if missing is not None:
        block = _set_type(block, "misc")
        notes.append(f"{where}: missing {missing} in {key}: the {formatted} is published as @misc")
    return block, notes


def citation_texts(bib: str) -> dict[str, str]:
    """Each entry's author-year text (``Doe et al. 2020``), for places where a citation cannot be a link."""
    texts: dict[str, str] = {}
    for _, _, parsed in parsed_blocks(bib):
        if isinstance(parsed, PybtexError):
            continue
        for key, entry in parsed.items():
            people = entry.persons.get("author") or entry.persons.get("editor") or []
            surnames = [" ".join(p.last_names) or " ".join(p.first_names) for p in people[:3]]
            who = (f"{surnames[0]} et al." if len(people) > 2 else " and ".join(surnames)) if surnames else \
                str(entry.fields.get("title", key))
            texts[key] = " ".join(part for part in (who.replace("{", "").replace("}", ""),
                                                    str(entry.fields.get("year", ""))) if part)
    return texts


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
