"""What every source of the collect stage hands on: a submission, or the outcome that ends it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from proceedings.frontmatter import YamlError, load_mapping
from proceedings.ids import IdError, paper_id


class Status(StrEnum):
    collected = "collected"
    updated = "updated"
    unchanged = "unchanged"
    kept = "kept"
    skipped = "skipped"
    rejected = "rejected"


@dataclass
class Outcome:
    """What happened to one submission, with every message the organizer should read."""

    paper_id: str
    source: str
    status: Status
    messages: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    """Required metadata fields the paper lacks, for ``metadata-needed.yml``."""


@dataclass
class Submission:
    """A submission read from its source, before validation and writing.

    ``paper_id`` is the name the source gives (a zip's name, an ``id`` field, a note
    id); collect turns it into the paper's id with :func:`proceedings.ids.paper_id`.
    ``owner`` is what claims that id across runs (``package:peace.zip``,
    ``openreview:<note id>``); ``metadata_file`` names the file the front matter came
    from, and ``field_files`` the file of any field that came from another one.
    """

    paper_id: str
    source: str
    frontmatter: dict[str, Any]
    body: str = ""
    bib: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    pdf: bytes | None = None
    notes: list[str] = field(default_factory=list)
    owner: str = ""
    metadata_file: str = "front matter"
    field_files: dict[str, str] = field(default_factory=dict)
    pdf_file: str = "paper.pdf"


class SubmissionError(ValueError):
    """A submission that cannot be collected; the message names the file and the field."""


@dataclass(frozen=True)
class Overrides:
    """Organizer-supplied metadata, by paper id, on top of what a source says.

    ``defaults`` may set fields such as ``track``; it may not set ``funding``, which
    every paper must disclose for itself.
    """

    defaults: dict[str, Any] = field(default_factory=dict)
    papers: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: str = "metadata"
    problems: tuple[str, ...] = ()

    ORGANIZERS_ONLY = frozenset({"openreview_anonymous"})
    """Fields only the organizers' file may set: a submission setting them is refused."""

    def __post_init__(self) -> None:
        """Papers are found by their id as collect makes it, whatever form the file keys them by.

        An entry that can name no paper (a key no id can have, a value that is not a
        mapping, a paper listed twice) is left out and kept in ``problems`` for the report.
        """
        by_id: dict[str, dict[str, Any]] = {}
        problems = list(self.problems)
        for key, value in self.papers.items():
            where = f"{self.source}: field 'papers.{str(key)[:40]}'"
            try:
                ident = paper_id(str(key))
            except IdError as exc:
                problems.append(f"{where}: {exc}; the entry names no paper and was ignored")
                continue
            if not isinstance(value, dict):
                problems.append(f"{where}: must be a mapping of fields to values; ignored")
            elif ident in by_id:
                problems.append(f"{where}: paper {ident!r} is listed twice; the second entry was ignored")
            else:
                by_id[ident] = value
        object.__setattr__(self, "papers", by_id)
        object.__setattr__(self, "problems", tuple(problems))

    @classmethod
    def load(cls, path: Path | None) -> Overrides:
        """The organizers' file: ``defaults`` for every paper, ``papers`` by paper id (or OpenReview note id)."""
        if path is None:
            return cls()
        try:
            data = load_mapping(path.read_text(encoding="utf-8"), path.name)
        except (YamlError, UnicodeDecodeError, OSError) as exc:
            raise SubmissionError(f"{path}: {exc}") from None
        defaults, papers = data.get("defaults") or {}, data.get("papers") or {}
        if not isinstance(defaults, dict) or not isinstance(papers, dict):
            raise SubmissionError(f"{path}: 'defaults' and 'papers' must be mappings")
        if "funding" in defaults:
            raise SubmissionError(f"{path}: field 'defaults.funding': funding must be disclosed per paper")
        return cls(defaults=defaults, papers=papers, source=path.name)

    def apply(self, paper_id: str, frontmatter: dict[str, Any]) -> dict[str, Any]:
        return {**self.defaults, **frontmatter, **self.papers.get(paper_id, {})}

    def fields(self, paper_id: str, frontmatter: dict[str, Any]) -> set[str]:
        """The fields whose value :meth:`apply` takes from this file (a default only where the source has none)."""
        return (set(self.defaults) - set(frontmatter)) | set(self.papers.get(paper_id, {}))


slug = paper_id
"""Kept for callers of the earlier name: the one id function."""
