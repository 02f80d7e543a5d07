"""Which documents a build reads, told to the core extension so that it redoes only their work.

The core extension works without this (``ProceedingsDomain.read_this_build`` stays None and
every step does its whole work); with it, a rebuild that read no document keeps the last
build's figure numbers, exports, bibliographies and sidebar.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from proceedings.sphinxext.domain import ProceedingsDomain

__all__ = ["note_outdated", "note_read"]


def note_outdated(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """A removed document changes what others show in ways no record here follows: then unknown."""
    ProceedingsDomain.of(env).read_this_build = None if removed else set()
    return []


def note_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    read = ProceedingsDomain.of(env).read_this_build
    if read is not None:
        read.update(docnames)
