"""Authors' names as indexes need them: surname first, sorted by the Unicode Collation Algorithm.

ASCII sorting puts "Łukasiewicz" and "Østergaard" after "Z"; the UCA (pyuca) sorts them
with their base letters, as readers expect.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from pyuca import Collator

__all__ = ["index_form", "sort_key"]


@cache
def _collator() -> Collator:
    return Collator()


def _spaceless_script(name: str) -> bool:
    """CJK names are written family name first, with no comma to add."""
    return any(unicodedata.east_asian_width(ch) == "W" for ch in name)


def index_form(name: str) -> str:
    """``José Muñoz`` as ``Muñoz, José``; a single word or a CJK name as it is."""
    parts = name.split()
    if len(parts) < 2 or _spaceless_script(name):
        return name
    return f"{parts[-1]}, {' '.join(parts[:-1])}"


def sort_key(name: str) -> tuple[int, ...]:
    """Collation key of a name's index form."""
    return tuple(_collator().sort_key(index_form(name).casefold()))
