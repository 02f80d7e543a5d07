"""The data model every stage shares: a workshop edition and its papers.

Paper front matter follows mystmd's names (``title``, ``authors``, ``abstract``,
``keywords``, ``license``) so that papers written for mystmd read unchanged; the
workshop's own fields (``track``, ``funding``, ``anonymous`` ...) sit on top.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

__all__ = [
    "Author",
    "MetadataError",
    "Paper",
    "Presentation",
    "Workshop",
    "load_paper",
    "load_workshop",
    "paper_from_frontmatter",
    "split_frontmatter",
]


class MetadataError(ValueError):
    """Metadata that cannot be used, with the field it concerns."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"field '{field}': {message}")
        self.field = field
        self.message = message


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)


class Author(_Strict):
    name: str = Field(min_length=1)
    affiliations: tuple[str, ...] = ()
    orcid: str | None = Field(default=None, pattern=r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
    email: str | None = None
    openreview_id: str | None = Field(default=None, pattern=r"^~\S+$")
    corresponding: bool = False

    @model_validator(mode="before")
    @classmethod
    def _mystmd_forms(cls, data: Any) -> Any:
        """Accept mystmd's shorthands: a bare name, or ``affiliation`` for ``affiliations``."""
        if isinstance(data, str):
            return {"name": data}
        if isinstance(data, dict) and "affiliation" in data and "affiliations" not in data:
            data = dict(data)
            data["affiliations"] = data.pop("affiliation")
        if isinstance(data, dict) and isinstance(data.get("affiliations"), str):
            data = dict(data)
            data["affiliations"] = (data["affiliations"],)
        return data


class Presentation(StrEnum):
    oral = "oral"
    spotlight = "spotlight"
    poster = "poster"


class Paper(_Strict):
    """A paper's front matter, validated."""

    title: str = Field(min_length=1)
    short_title: str | None = None
    authors: tuple[Author, ...] = ()
    anonymous: bool = False
    abstract: str = Field(min_length=1)
    keywords: tuple[str, ...] = ()
    license: str | None = None
    track: str = Field(min_length=1)
    session: str | None = None
    presentation: Presentation = Presentation.poster
    funding: str = Field(min_length=1)
    funders: tuple[str, ...] | None = None
    llm_disclosure: str | None = None
    openreview: str | None = None
    citation_key: str | None = Field(default=None, pattern=r"^[\w:.+-]+$")
    published_version: str | None = None
    non_archival: bool = True
    pdf: str | None = Field(default=None, pattern=r"^[\w.-]+\.pdf$")
    pdf_to_come: bool = False
    """Published from its metadata before its PDF arrived: no PDF link, and not in the volume yet."""
    example: bool = False

    @field_validator("keywords", mode="before")
    @classmethod
    def _keywords_from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(word.strip() for word in value.split(",") if word.strip())
        return value

    @model_validator(mode="after")
    def _authors_or_anonymous(self) -> Paper:
        if self.anonymous and self.authors:
            raise ValueError(
                "an anonymous paper must not list its authors in the published source; "
                "keep them in the organizers' private file"
            )
        if not self.anonymous and not self.authors:
            raise ValueError("a paper needs 'authors' unless it is 'anonymous: true'")
        return self

    @property
    def pdf_only(self) -> bool:
        """A paper published as its camera-ready PDF, with no MyST text."""
        return self.pdf is not None

    @property
    def author_names(self) -> tuple[str, ...]:
        return tuple(author.name for author in self.authors)

    @property
    def byline(self) -> str:
        """The authors as one line, or the anonymous placeholder."""
        if self.anonymous:
            return "Anonymous authors"
        return ", ".join(self.author_names)

    @property
    def affiliations(self) -> tuple[str, ...]:
        """Every affiliation once, in order of first mention."""
        return tuple(dict.fromkeys(aff for a in self.authors for aff in a.affiliations))


class Person(_Strict):
    name: str
    affiliation: str | None = None
    web: str | None = None


class Track(_Strict):
    name: str
    limit: str | None = None
    outcome: str


class TimelineItem(_Strict):
    date: dt.date
    event: str


class ScheduleItem(_Strict):
    start: str
    minutes: int
    kind: str
    title: str | None = None
    who: str | None = None
    online: bool = False


class CallForPapers(_Strict):
    tracks: tuple[Track, ...]
    archival: bool
    anonymous_option: bool
    review: str
    funding_disclosure: str
    llm_policy: str
    topics: tuple[str, ...]
    out_of_scope: tuple[str, ...]
    timeline: tuple[TimelineItem, ...]


class Workshop(_Strict):
    """One edition of the workshop: the data behind its pages and its volume's front matter."""

    name: str
    edition: int
    venue: str
    venue_short: str
    city: str
    date: dt.date
    theme: str
    openreview_group: str
    contact_email: str
    licence: str
    editors: tuple[str, ...]
    call_for_papers: CallForPapers
    organizers: tuple[Person, ...]
    speakers: tuple[Person, ...]
    schedule: tuple[ScheduleItem, ...]

    @property
    def short_name(self) -> str:
        """How a page of the volume names it, e.g. in a paper's first-page stamp."""
        return f"{self.name} Workshop at {self.venue_short}"

    @property
    def volume_title(self) -> str:
        return f"Proceedings of the {self.short_name}"


# libyaml's safe loader where PyYAML was built with it: front matter is read for every paper.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def split_frontmatter(text: str) -> tuple[dict[str, Any], str, int]:
    """Split a MyST file into its YAML front matter, its body and the body's first line."""
    if not text.startswith("---\n"):
        return {}, text, 1
    end = text.find("\n---\n", 3)
    if end < 0:
        raise MetadataError("front matter", "the front matter block is not closed by '---'")
    try:
        data = yaml.load(text[4:end], Loader=_SafeLoader) or {}
    except yaml.YAMLError as exc:
        raise MetadataError("front matter", f"invalid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise MetadataError("front matter", "must be a mapping of field names to values")
    body_line = text.count("\n", 0, end + 5) + 1
    return data, text[end + 5 :], body_line


def _first_error(exc: ValidationError) -> MetadataError:
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error["loc"]) or "front matter"
    return MetadataError(field, error["msg"])


def paper_from_frontmatter(data: dict[str, Any]) -> Paper:
    """Validate a paper's front matter; the error names the first bad field."""
    try:
        return Paper.model_validate(data)
    except ValidationError as exc:
        raise _first_error(exc) from None


def load_workshop(path: Path) -> Workshop:
    """Read an edition's ``workshop.yml`` (once per version of the file: every paper needs it)."""
    return _load_workshop(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=16)
def _load_workshop(path: Path, mtime_ns: int) -> Workshop:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)
        return Workshop.model_validate(data)
    except ValidationError as exc:
        raise _first_error(exc) from None
    except yaml.YAMLError as exc:
        raise MetadataError("workshop", f"invalid YAML: {exc}") from exc


def load_paper(path: Path) -> Paper:
    """Read and validate the front matter of a paper's MyST file."""
    frontmatter, _body, _line = split_frontmatter(path.read_text(encoding="utf-8"))
    return paper_from_frontmatter(frontmatter)
