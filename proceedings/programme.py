"""The programme's order, which the volume, the papers list and the sessions page all follow.

Sessions come in the order ``workshop.yml`` lists them (``sessions``), then the others
with orals first, then spotlights, then posters, by name; papers without a session come
last. Within a session, the papers it lists come first and in that order, then the others
by presentation and folder name. Only ``session`` and ``presentation`` are read, and the
build reads them again only from the papers Sphinx finds changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from proceedings.layout import PAPER_FILE
from proceedings.model import MetadataError, Presentation, Session, split_frontmatter

__all__ = ["Slot", "programme_order", "read_slot", "session_key"]

_RANK = {presentation.value: rank for rank, presentation in enumerate(Presentation)}


class Slot(NamedTuple):
    """Where a paper sits in the programme."""

    paper_id: str
    session: str | None
    presentation: str


def _natural(text: str) -> list[Any]:
    """``Poster session 10`` after ``Poster session 9``."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", text)]


def _rank(presentation: str) -> int:
    return _RANK.get(presentation, len(_RANK))


def session_key(
    slots: Sequence[Slot], listed: Sequence[Session] = ()
) -> dict[str | None, tuple[int, int, list[Any]]]:
    """The sort key of every session of ``slots`` (None: papers without a session)."""
    order = {session.name: number for number, session in enumerate(listed)}
    best: dict[str | None, int] = {}
    for slot in slots:
        best[slot.session] = min(best.get(slot.session, len(_RANK)), _rank(slot.presentation))
    keys: dict[str | None, tuple[int, int, list[Any]]] = {}
    for name, rank in best.items():
        if name is None:
            keys[name] = (2, 0, [])
        elif name in order:
            keys[name] = (0, order[name], [])
        else:
            keys[name] = (1, rank, _natural(name))
    return keys


def programme_order(slots: Iterable[Slot], listed: Sequence[Session] = ()) -> list[str]:
    """Paper ids in programme order."""
    slots = list(slots)
    sessions = session_key(slots, listed)
    position = {(session.name, ident): number for session in listed for number, ident in enumerate(session.papers)}

    def key(slot: Slot) -> tuple[Any, ...]:
        place = position.get((slot.session or "", slot.paper_id))
        within = (0, place, 0) if place is not None else (1, 0, _rank(slot.presentation))
        return (sessions[slot.session], within, slot.paper_id)

    return [slot.paper_id for slot in sorted(slots, key=key)]


def read_slot(folder: Path) -> Slot:
    """A paper's session and presentation, read from its front matter without validating it.

    A paper whose front matter cannot be read goes last: its own page reports why.
    """
    try:
        frontmatter, _body, _line = split_frontmatter((folder / PAPER_FILE).read_text(encoding="utf-8"))
    except (MetadataError, OSError, UnicodeDecodeError):
        frontmatter = {}
    session = frontmatter.get("session")
    presentation = frontmatter.get("presentation", Presentation.poster.value)
    return Slot(folder.name, str(session) if session else None, str(presentation))
