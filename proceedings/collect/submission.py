"""What every source of the collect stage hands on: a submission, or the outcome that ends it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml


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
    """A submission read from its source, before validation and writing."""

    paper_id: str
    source: str
    frontmatter: dict[str, Any]
    body: str = ""
    bib: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    pdf: bytes | None = None
    notes: list[str] = field(default_factory=list)


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

    @classmethod
    def load(cls, path: Path | None) -> Overrides:
        if path is None:
            return cls()
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        defaults = data.get("defaults") or {}
        if "funding" in defaults:
            raise SubmissionError(f"{path}: field 'defaults.funding': funding must be disclosed per paper")
        return cls(defaults=defaults, papers={str(k): v for k, v in (data.get("papers") or {}).items()})

    def apply(self, paper_id: str, frontmatter: dict[str, Any]) -> dict[str, Any]:
        return {**self.defaults, **frontmatter, **self.papers.get(paper_id, {})}


def slug(name: str) -> str:
    """A folder name from any submission name: ASCII letters, digits and dashes."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower() or "paper"
