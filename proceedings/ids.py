"""The one function that makes and validates a paper id, whatever the source names the paper by.

An id becomes a folder under ``<volume>/papers/``, a Sphinx docname, a LaTeX label and
part of every URL and BibTeX key, and it comes from strangers: a zip's name, an ``id``
in ``proceedings.yml`` or a PDF-only ``.yml``, an OpenReview note id. So it is ASCII
``[a-z0-9-]``, at most :data:`MAX_ID_LENGTH` characters and never empty. Accents are
dropped (``Café`` is ``cafe`` in NFC and NFD alike); letters of other scripts are
refused rather than dropped, since ``\u0440\u0435ace`` (Cyrillic er and ie) would
otherwise silently become ``ace``; so are path separators, TeX specials and anything
else that is not a letter, digit, space, ``.``, ``_`` or ``-``.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MAX_ID_LENGTH", "IdError", "paper_id"]

MAX_ID_LENGTH = 64

_SEPARATORS = re.compile(r"[\s._-]+")
_ALLOWED = re.compile(r"[A-Za-z0-9\s._-]")


class IdError(ValueError):
    """A name that cannot be a paper id, with the reason."""


def paper_id(name: object) -> str:
    """The paper id for ``name``: lowercase ASCII letters, digits and single dashes.

    Raises :class:`IdError` for a name that is not text (or a whole number), is empty, holds characters
    other than letters, digits, spaces, ``.``, ``_`` and ``-`` (after accents are
    dropped), or gives an id longer than :data:`MAX_ID_LENGTH`.
    """
    if isinstance(name, int) and not isinstance(name, bool):
        name = str(name)  # YAML reads ``id: 2024`` as a number
    if not isinstance(name, str):
        raise IdError(f"must be text, not {type(name).__name__}")
    composed = unicodedata.normalize("NFKC", name)
    bare = "".join(c for c in unicodedata.normalize("NFKD", composed) if not unicodedata.combining(c))
    bad = sorted({c for c in bare if not _ALLOWED.fullmatch(c)})
    if bad:
        shown = ", ".join(f"{c!r} ({unicodedata.name(c, f'U+{ord(c):04X}')})" for c in bad[:5])
        raise IdError(f"{_short(name)!r} holds characters an id cannot have: {shown}; "
                      "use Latin letters, digits and dashes")
    slug = _SEPARATORS.sub("-", bare).strip("-").lower()
    if not slug:
        raise IdError(f"{_short(name)!r} has no letter or digit")
    if len(slug) > MAX_ID_LENGTH:
        raise IdError(f"{_short(name)!r} is {len(slug)} characters long, more than the {MAX_ID_LENGTH} an id may have")
    return slug


def _short(name: str) -> str:
    return name if len(name) <= 40 else name[:40] + "…"
