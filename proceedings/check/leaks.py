"""Whether a text names an anonymous author, however the name is written.

``Ada Lovelacey`` is the same name as ``ADA&#32;Lovelacey``, ``Ada&nbsp;Lovelacey``,
``Ada\\nLovelacey`` wrapped across a line, its NFD form, or in full-width
letters. Both the text and the names are brought to one form before comparing:
entities decoded, NFKC, zero-width and soft-hyphen characters removed, any run of
whitespace one space, case folded. Collect and ``proceedings check`` use the same form.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from xml.parsers import expat

__all__ = ["leak_form", "leak_forms", "named", "named_at", "svg_text"]

_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[^<>]*>")
_HYPHENATED = re.compile(r"-[ \t]*\r?\n\s*")


def leak_form(text: str) -> str:
    """``text`` in the one form names are compared in."""
    for _ in range(3):  # entities escaped more than once, as in "&amp;nbsp;"
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    return _SPACE.sub(" ", text).casefold()


def leak_forms(text: str) -> tuple[str, ...]:
    """``text`` in :func:`leak_form`: as is, with markup tags read as a space and as nothing,
    and with words hyphenated across lines joined.

    A page can split a name with tags (``<strong>Ada</strong> <strong>Lovelacey</strong>``,
    ``Ada<br>Lovelacey``, ``Love<i>lacey</i>``), and a PDF's text by hyphenation
    (``Love-`` at the end of a line); a name in an attribute (``alt="..."``) is only
    in the text as is.
    """
    forms = [text]
    if "<" in text:
        forms += [_TAG.sub(" ", text), _TAG.sub("", text)]
    if _HYPHENATED.search(text):
        forms.append(_HYPHENATED.sub("", text))
    return tuple(leak_form(form) for form in forms)


def named(text: str, names: Iterable[str]) -> list[str]:
    """The names (as given) that ``text`` contains once both are in :func:`leak_form`."""
    forms = leak_forms(text)
    return [name for name in names if (needle := leak_form(name).strip()) and any(needle in f for f in forms)]


def named_at(text: str, names: Iterable[str]) -> list[tuple[str, int | None]]:
    """Each name ``text`` contains, with the line where it starts (a name may wrap onto the next line)."""
    lines = text.split("\n")
    found: list[tuple[str, int | None]] = []
    for name in named(text, names):
        pieces = [lines[i] if i + 1 >= len(lines) else lines[i] + " " + lines[i + 1] for i in range(len(lines))]
        single = [i for i, line in enumerate(lines) if named(line, [name])]
        wrapped = [i for i, piece in enumerate(pieces) if named(piece, [name])]
        first = (single or wrapped)[:1]
        found.append((name, first[0] + 1 if first else None))
    return found


def svg_text(data: bytes) -> str:
    """An SVG's text as a viewer shows it (entities resolved, ``<tspan>`` pieces joined) and its attributes."""
    parts: list[str] = []
    parser = expat.ParserCreate()
    parser.CharacterDataHandler = parts.append
    parser.StartElementHandler = lambda _name, attributes: parts.extend(f" {v} " for v in attributes.values())
    try:
        parser.Parse(data, True)
    except expat.ExpatError:
        pass  # what was read so far still counts, and the raw bytes are compared as well
    return "".join(parts) + "\n" + data.decode("utf-8", "replace")
