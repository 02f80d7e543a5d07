"""Whose each warning of a Sphinx run is, and the warnings that outlive the run.

A warning belongs to the document it names (its location), else to the document Sphinx
was reading or writing when it was emitted; a paper's documents map to the paper
(``<volume>/<id>``), anything else to the site (``""``). Sphinx holds warnings back while
it reads, and reads in other processes with ``-j``, so each warning record is stamped with
the document and phase as it is created (a record factory, inherited by those processes).

Sphinx warns about a document only when it reads or writes it, so an unchanged rebuild
would be silent about a paper that failed before. Each builder's environment keeps a
record (``warnings.json``): per phase, each document's warnings, replaced when that
document is read or written again and dropped when it is gone. Every build reports what
the record holds, so a strict build fails, or leaves a paper out, the same way each time.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path, PurePosixPath
from typing import Any

from docutils import nodes
from docutils.utils import get_source_line
from sphinx.application import Sphinx
from sphinx.util.logging import NAMESPACE, get_node_location, is_suppressed_warning

from proceedings.atomic import write_atomically
from proceedings.layout import PAPER_FILE, paper_id, volume_of

__all__ = ["WarningLog", "owner"]

RECORD = "warnings.json"
_PHASES = ("read", "write")


def owner(docname: str) -> str:
    """The paper (``<volume>/<id>``) a document is, or ``""`` for the site."""
    ident = paper_id(docname)
    return f"{volume_of(docname)}/{ident}" if ident else ""


def _paper_docname(path: str) -> str | None:
    """The paper a file belongs to, by its folder: ``<volume>/papers/<id>/...`` in the sources, or
    ``proceedings-bib/<volume>/<id>.bib`` (a paper's namespaced bibliography) beside the environment."""
    parts = PurePosixPath(path).parts
    for index in range(len(parts) - 2):
        if parts[index + 1] == "papers" and index + 3 < len(parts):
            return f"{parts[index]}/papers/{parts[index + 2]}/{PAPER_FILE.removesuffix('.md')}"
        if parts[index] == "proceedings-bib" and index + 2 == len(parts) - 1:
            return f"{parts[index + 1]}/papers/{PurePosixPath(parts[-1]).stem}/{PAPER_FILE.removesuffix('.md')}"
    return None


class WarningLog(logging.Handler):
    """Every warning of one Sphinx run, with its phase and document, and the record across runs."""

    def __init__(self, app: Sphinx) -> None:
        super().__init__(logging.WARNING)
        self.app = app
        self.phase = "read"
        self.to_read: list[str] = []
        self.written: set[str] = set()
        self.messages: list[tuple[str, str, str]] = []  # (phase, docname, message)
        app.connect("env-before-read-docs", self._reading, priority=900)
        app.connect("write-started", self._writing)
        app.connect("doctree-resolved", self._written)

    def __enter__(self) -> WarningLog:
        self._factory = logging.getLogRecordFactory()
        logging.setLogRecordFactory(self._stamped)
        logging.getLogger(NAMESPACE).addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger(NAMESPACE).removeHandler(self)
        logging.setLogRecordFactory(self._factory)

    def _stamped(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        """A log record, with the document Sphinx is handling and the phase as it is created."""
        record = self._factory(*args, **kwargs)
        if record.levelno >= logging.WARNING and record.name.startswith(NAMESPACE):
            record.proceedings_current, record.proceedings_phase = self.current(), self.phase
        return record

    def _reading(self, app: Sphinx, env: Any, docnames: list[str]) -> None:
        self.to_read = docnames  # the list Sphinx reads, as other handlers leave it

    def _writing(self, app: Sphinx, builder: Any) -> None:
        self.phase = "write"

    def _written(self, app: Sphinx, doctree: nodes.document, docname: str) -> None:
        self.written.add(docname)

    def current(self) -> str:
        """The document Sphinx is reading or writing now, or ``""``."""
        return self.app.env.docname or getattr(self.app.builder, "current_docname", "") or ""

    def _docname_of(self, location: object) -> str | None:
        env = self.app.env
        if isinstance(location, tuple):
            return str(location[0]) if location and location[0] else None
        if isinstance(location, nodes.Node):
            location = get_source_line(location)[0]
        if not isinstance(location, str) or not location:
            return None
        if location in env.found_docs:
            return location
        path = location.rsplit(":", 1)[0] if location.rsplit(":", 1)[-1].isdigit() else location
        return env.path2doc(os.path.abspath(path)) or _paper_docname(path)

    def _where(self, location: object, docname: str) -> str:
        """The file and line to show, as Sphinx shows them."""
        if isinstance(location, tuple) and location and location[0]:
            line = f":{location[1]}" if len(location) > 1 and location[1] else ""
            return f"{self.app.env.doc2path(location[0])}{line}"
        if isinstance(location, nodes.Node):
            return get_node_location(location) or (str(self.app.env.doc2path(docname)) if docname else "")
        if isinstance(location, str) and location:
            return str(self.app.env.doc2path(location)) if location in self.app.env.found_docs else location
        return str(self.app.env.doc2path(docname)) if docname else ""

    def emit(self, record: logging.LogRecord) -> None:
        """Note a warning once (Sphinx hands held-back warnings out again)."""
        if getattr(record, "proceedings_noted", False) or is_suppressed_warning(
            getattr(record, "type", ""), getattr(record, "subtype", ""), self.app.config.suppress_warnings
        ):
            return
        record.proceedings_noted = True
        location = getattr(record, "location", None)
        located = self._docname_of(location)
        docname = located if located is not None else getattr(record, "proceedings_current", self.current())
        where = self._where(location, docname)
        message = f"{where + ': ' if where else ''}{record.levelname}: {record.getMessage()}"
        self.messages.append((getattr(record, "proceedings_phase", self.phase), docname, message))

    def add_exception(self, exc: BaseException) -> None:
        """An exception raised while Sphinx handled a document is that document's failure."""
        docname = self.current()
        where = f"{self.app.env.doc2path(docname)}: " if docname else ""
        cause = getattr(exc, "orig_exc", None)
        detail = f"{exc}" + (f" ({type(cause).__name__}: {cause})" if cause is not None else "")
        self.messages.append(("", docname, f"{where}ERROR: {type(exc).__name__}: {detail}"))

    def settle(self, folder: Path) -> dict[str, list[str]]:
        """Update the record in ``folder``; every warning to report, this run's and those kept, by owner."""
        path = folder / RECORD
        try:
            kept: dict[str, dict[str, list[str]]] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            kept = {}
        found = set(self.app.env.found_docs)
        written = found if self.app.builder.name == "latex" else self.written
        done = {"read": set(self.to_read), "write": written if self.phase == "write" else set()}
        fresh: dict[str, dict[str, list[str]]] = {phase: {} for phase in _PHASES}
        grouped: dict[str, list[str]] = {}  # by owner: first this run's warnings that are not kept
        for phase, docname, message in self.messages:
            if phase in fresh and docname in found:
                fresh[phase].setdefault(docname, []).append(message)
            else:
                grouped.setdefault(owner(docname), []).append(message)
        record: dict[str, dict[str, list[str]]] = {}
        for phase in _PHASES:
            entries = {d: m for d, m in kept.get(phase, {}).items() if d in found and d not in done[phase]}
            for docname, messages in fresh[phase].items():
                entries[docname] = [*entries.get(docname, []), *messages]
            record[phase] = dict(sorted(entries.items()))
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps(record, indent=1, ensure_ascii=False) + "\n")
        for phase in _PHASES:
            for docname, messages in record[phase].items():
                grouped.setdefault(owner(docname), []).extend(messages)
        return {key: list(dict.fromkeys(messages)) for key, messages in grouped.items()}
