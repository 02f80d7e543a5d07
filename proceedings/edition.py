"""Start a new edition from the last one: ``proceedings new-edition``.

What stays from one edition to the next (the workshop's name, theme, organizers and
editors, contact, licence, the call for papers' tracks, topics and policies) is carried
over; what belongs to one meeting (speakers, schedule, sessions, the OpenReview group,
the call's dates other than the workshop's, the overview) is left for the organizers to
fill in. The pages that show papers are written too: the site leaves them out until the
edition has papers (see :mod:`proceedings.sphinxext.editions`), and the home page lists
every edition by itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from proceedings.layout import WORKSHOP_FILE
from proceedings.model import Workshop, load_workshop

__all__ = ["CARRIED", "COPIED_PAGES", "TO_FILL", "EditionError", "NewEdition", "new_edition", "ordinal"]

CARRIED = (
    "name", "theme", "contact_email", "licence", "editors", "organizers",
    "call_for_papers (tracks, topics, review, policies)",
)
TO_FILL = (
    "openreview_group", "call_for_papers.timeline (only the workshop's date is known)",
    "speakers", "schedule", "sessions", "overview.md (the edition's own text)",
)
COPIED_PAGES = (
    "call-for-papers.md", "information-for-authors.md", "speakers.md", "organizers.md", "schedule.md",
    "sessions.md", "authors.md", "keywords.md", "funding.md", "contact.md", "papers/index.md",
)
"""Pages taken from the previous edition, its venue's name replaced: they are generated from data."""

VOLUME = """\
---
orphan: true
---

# Proceedings volume

```{{volume-front-matter}}
```

```{{programme-toctree}}
{pages}```

```{{author-index}}
```
"""

INDEX = """\
# {name} at {venue}

```{{workshop}} facts
```

The {ordinal} edition of the workshop meets at {venue} in {city}, on {date:%-d %B %Y}. Its call for
papers, its organizers and how to prepare a paper are below; the accepted papers, their
indexes and the proceedings volume appear here once the edition has papers.

```{{edition-contents}}
```
"""

HEADER = """\
# The {venue} edition, started from {source} by `proceedings new-edition`.
# Still to fill in: {to_fill}.
"""


class _Dumper(yaml.SafeDumper):
    """Writes the workshop's date twice rather than as a YAML alias."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


class EditionError(ValueError):
    """An edition that cannot be started; the message says why."""


@dataclass(frozen=True)
class NewEdition:
    """The edition's folder and the files written in it."""

    folder: Path
    pages: tuple[str, ...]


def ordinal(number: int) -> str:
    """'second' for 2: how the pages name an edition."""
    words = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh"}
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return words.get(number, f"{number}{suffix}")


def edition_data(previous: Workshop, venue: str, city: str, date: dt.date) -> dict[str, Any]:
    """The new ``workshop.yml``: the lasting parts of ``previous``, this meeting's facts, the rest empty."""
    data = previous.model_dump(mode="json", exclude_none=True)
    cfp = data["call_for_papers"]
    cfp["llm_policy"] = cfp["llm_policy"].replace(previous.venue_short, venue)
    cfp["timeline"] = [{"date": date, "event": "workshop"}]
    data.update(
        edition=previous.edition + 1, venue=venue, venue_short=venue, city=city, date=date,
        speakers=[], schedule=[], sessions=[],
    )
    data.pop("openreview_group", None)
    return data


def new_edition(srcdir: Path, name: str, source: str, venue: str, city: str, date: dt.date) -> NewEdition:
    """Write ``srcdir/name``: its ``workshop.yml`` and its pages."""
    folder, previous_dir = srcdir / name, srcdir / source
    if folder.exists():
        raise EditionError(f"{folder} exists already")
    if not (previous_dir / WORKSHOP_FILE).is_file():
        raise EditionError(f"{previous_dir} is not an edition (no {WORKSHOP_FILE})")
    previous = load_workshop(previous_dir / WORKSHOP_FILE)
    data = edition_data(previous, venue, city, date)
    Workshop.model_validate(data)
    folder.mkdir(parents=True)
    header = HEADER.format(venue=venue, source=source, to_fill=", ".join(TO_FILL))
    yaml_text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    (folder / WORKSHOP_FILE).write_text(header + yaml_text, encoding="utf-8")
    written = [WORKSHOP_FILE, "index.md", "volume.md"]
    index = INDEX.format(name=previous.name, venue=venue, city=city, date=date, ordinal=ordinal(data["edition"]))
    (folder / "index.md").write_text(index, encoding="utf-8")
    for page in COPIED_PAGES:
        original = previous_dir / page
        if original.is_file():
            target = folder / page
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(original.read_text(encoding="utf-8").replace(previous.venue_short, venue), "utf-8")
            written.append(page)
    before_papers = "organizers\n" if "organizers.md" in written else ""
    (folder / "volume.md").write_text(VOLUME.format(pages=before_papers), encoding="utf-8")
    return NewEdition(folder, tuple(written))
