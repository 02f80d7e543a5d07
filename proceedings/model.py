"""The data model every stage shares: a workshop edition and its papers.

Paper front matter follows mystmd's names (``title``, ``authors``, ``abstract``,
``keywords``, ``license``) so that papers written for mystmd read unchanged; the
workshop's own fields (``track``, ``funding``, ``anonymous`` ...) sit on top.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

import pybtex.errors
from pybtex.database import Person as BibPerson
from pybtex.scanner import PybtexError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from proceedings import frontmatter

__all__ = [
    "Author",
    "MetadataError",
    "Paper",
    "Presentation",
    "ScheduleItem",
    "Session",
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


_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ZERO_WIDTH = frozenset("\u180e\u200b\u2060\u2061\u2062\u2063\u2064\ufeff")
_JOINERS = frozenset("\u200c\u200d")
_LAYOUT = frozenset("\n\r\t\u00ad")
_URL = re.compile(r"https?://[A-Za-z0-9.-]+(:\d+)?(/\S*)?")


def _visible(value: str) -> str:
    """``value`` if every character in it is one a reader sees (or an ordinary line break).

    Bidirectional controls (U+202E...) make text display in another order than it is
    stored, so a title or name can read as something else; zero-width and other
    invisible characters make two values look the same that differ, or make an empty
    value look filled (a funding statement of one U+200B). Zero-width joiners stay
    allowed between letters, where scripts such as Persian and Devanagari need them.
    """
    for index, char in enumerate(value):
        category = unicodedata.category(char)
        # Cn: not assigned in this Python's Unicode tables, which lag behind Unicode (newer emoji)
        if char in _LAYOUT or category[0] not in "CZ" or category in ("Zs", "Cn"):
            continue
        code = f"U+{ord(char):04X} {unicodedata.name(char, '(unnamed)')}"
        if char in _JOINERS and _between_letters(value, index):
            continue
        if char in _BIDI:
            raise ValueError(f"holds the bidirectional control {code}, which makes text display in another order "
                             "than it is written; remove it")
        if char in _ZERO_WIDTH or char in _JOINERS:
            raise ValueError(f"holds the invisible character {code}; remove it")
        raise ValueError(f"holds the control character {code}; remove it")
    if not "".join(c for c in value if unicodedata.category(c)[0] not in "CZ"):
        raise ValueError("is empty once spaces and invisible characters are removed")
    return value


def _between_letters(value: str, index: int) -> bool:
    return 0 < index < len(value) - 1 and all(unicodedata.category(value[i])[0] in "LM" for i in (index - 1, index + 1))


def _visible_values(value: Any) -> Any:
    if isinstance(value, str):
        return _visible(value)
    if isinstance(value, tuple):
        for item in value:
            if isinstance(item, str):
                _visible(item)
    return value


def _web_url(value: str | None) -> str | None:
    """A link readers follow: only ``http(s)://`` to a host, never ``javascript:`` or ``data:``."""
    if value is not None and not _URL.fullmatch(value):
        raise ValueError(f"{value[:80]!r} is not an http:// or https:// URL")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)

    @field_validator("*", mode="after")
    @classmethod
    def _visible_text(cls, value: Any) -> Any:
        return _visible_values(value)


MAX_AUTHORS = 100
MAX_TITLE = 1000


class Author(_Strict):
    name: str = Field(min_length=1, max_length=200)
    affiliations: tuple[str, ...] = Field(default=(), max_length=20)
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

    @field_validator("name", mode="after")
    @classmethod
    def _splits_into_parts(cls, name: str) -> str:
        """A name BibTeX can split (``First Last``, ``Last, First`` or ``Last, Jr, First``), as the exports do."""
        if name.count(",") > 2:
            raise ValueError(f"{name[:80]!r} has more than two commas; write 'First Last' or 'Last, First'")
        before = pybtex.errors.strict
        pybtex.errors.set_strict_mode(True)
        try:
            BibPerson(name)
        except PybtexError as exc:
            raise ValueError(f"{name[:80]!r} cannot be read as a name ({exc})") from None
        finally:
            pybtex.errors.set_strict_mode(before)
        return name


class Presentation(StrEnum):
    oral = "oral"
    spotlight = "spotlight"
    poster = "poster"


class Paper(_Strict):
    """A paper's front matter, validated."""

    title: str = Field(min_length=1, max_length=MAX_TITLE)
    short_title: str | None = Field(default=None, max_length=120)
    authors: tuple[Author, ...] = Field(default=(), max_length=MAX_AUTHORS)
    anonymous: bool = False
    abstract: str = Field(min_length=1, max_length=20_000)
    keywords: tuple[str, ...] = Field(default=(), max_length=30)
    license: str | None = Field(default=None, max_length=200)
    track: str = Field(min_length=1, max_length=200)
    session: str | None = Field(default=None, max_length=200)
    presentation: Presentation = Presentation.poster
    funding: str = Field(min_length=1, max_length=5_000)
    funders: tuple[str, ...] | None = Field(default=None, max_length=100)
    llm_disclosure: str | None = Field(default=None, max_length=5_000)
    openreview: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    openreview_anonymous: bool = False
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

    @field_validator("keywords", "funders", mode="after")
    @classmethod
    def _short_items(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        for item in value or ():
            if len(item) > 200:
                raise ValueError(f"an item has {len(item)} characters, more than the 200 allowed")
        return value

    _published_version_is_a_link = field_validator("published_version", mode="after")(_web_url)

    @model_validator(mode="after")
    def _anonymous_forum(self) -> Paper:
        """An OpenReview forum lists its authors: an anonymous paper links it only if organizers say so."""
        if self.anonymous and self.openreview and not self.openreview_anonymous:
            raise ValueError("an anonymous paper must not link its OpenReview forum, which names its authors, "
                             "unless the organizers mark the forum anonymous ('openreview_anonymous: true')")
        return self

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

    _web_is_a_link = field_validator("web", mode="after")(_web_url)


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
    paper: str | None = None
    """The id of the paper presented, when its title in the schedule differs from the paper's."""


class Session(_Strict):
    """A session of the programme: the volume follows the order of sessions and of their papers."""

    name: str
    papers: tuple[str, ...] = ()


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
    openreview_group: str | None = None
    contact_email: str
    licence: str
    editors: tuple[str, ...]
    call_for_papers: CallForPapers
    organizers: tuple[Person, ...]
    speakers: tuple[Person, ...] = ()
    schedule: tuple[ScheduleItem, ...] = ()
    sessions: tuple[Session, ...] = ()

    @property
    def short_name(self) -> str:
        """How a page of the volume names it, e.g. in a paper's first-page stamp."""
        return f"{self.name} Workshop at {self.venue_short}"

    @property
    def volume_title(self) -> str:
        return f"Proceedings of the {self.short_name}"


def split_frontmatter(text: str) -> tuple[dict[str, Any], str, int]:
    """Split a MyST file into its YAML front matter, its body and the body's first line.

    Read with :mod:`proceedings.frontmatter`'s limits (no aliases, no repeated keys),
    so a paper placed by hand is held to what collect holds submissions to.
    """
    try:
        return frontmatter.split_frontmatter(text, "front matter")
    except frontmatter.YamlError as exc:
        raise MetadataError("front matter", str(exc)) from None


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
        data = frontmatter.load_yaml(path.read_text(encoding="utf-8"), path.name)
        return Workshop.model_validate(data)
    except ValidationError as exc:
        raise _first_error(exc) from None
    except frontmatter.YamlError as exc:
        raise MetadataError("workshop", f"invalid YAML: {exc}") from exc


def load_paper(path: Path) -> Paper:
    """Read and validate the front matter of a paper's MyST file."""
    frontmatter, _body, _line = split_frontmatter(path.read_text(encoding="utf-8"))
    return paper_from_frontmatter(frontmatter)
