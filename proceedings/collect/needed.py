"""Metadata a paper still needs, reported all at once and written out for the organizers to fill in.

A source rarely carries everything the workshop publishes: OpenReview exports have no
``funding`` unless the venue asked for it, camera-ready packages have no ``track``. Rather
than reject a paper for its first missing field, collecting names every missing field and
writes ``metadata-needed.yml`` in the ``--metadata`` format, so that the organizers fill it
in and pass it back.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from proceedings.collect.submission import Outcome, Overrides
from proceedings.model import Paper, load_workshop

__all__ = ["missing_fields", "with_default_track", "write_metadata_needed"]

_HEADER = """\
# The metadata that collected papers still need. Fill in each empty field (funding: every
# source of funding for the research, or "None"), then collect again with --metadata {name}.
"""


def missing_fields(frontmatter: dict[str, Any]) -> list[str]:
    """The fields the paper model requires that ``frontmatter`` lacks or leaves empty, in the model's order."""
    required = [name for name, info in Paper.model_fields.items() if info.is_required()]
    if not frontmatter.get("anonymous"):
        required.insert(1, "authors")
    return [name for name in required if frontmatter.get(name) in (None, "", [], ())]


def with_default_track(overrides: Overrides, workshop_file: Path, track: str | None) -> Overrides:
    """``overrides`` with a default ``track``: the one given, else the edition's only track, if it has one.

    A track set in ``--metadata`` defaults, by a source or per paper still wins.
    """
    if "track" in overrides.defaults:
        return overrides
    if track is None:
        tracks = load_workshop(workshop_file).call_for_papers.tracks
        track = tracks[0].name if len(tracks) == 1 else None
    if track is None:
        return overrides
    return Overrides(defaults={**overrides.defaults, "track": track}, papers=overrides.papers)


def write_metadata_needed(outcomes: Iterable[Outcome], overrides: Overrides, path: Path,
                          given: Path | None = None) -> bool:
    """Write the papers' missing fields, with what ``overrides`` already gives, to ``path``; False if none miss any.

    When none miss any, an old ``path`` goes, unless it is the metadata file ``given`` to this run.
    """
    papers: dict[str, dict[str, Any]] = {}
    for outcome in outcomes:
        if outcome.missing:
            papers[outcome.paper_id] = {**overrides.papers.get(outcome.paper_id, {}),
                                        **dict.fromkeys(outcome.missing, "")}
    if not papers:
        if given is None or path.resolve() != given.resolve():
            path.unlink(missing_ok=True)
        return False
    kept = {k: v for k, v in overrides.papers.items() if k not in papers}
    data: dict[str, Any] = {"defaults": overrides.defaults} if overrides.defaults else {}
    data["papers"] = {**kept, **papers}
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(_HEADER.format(name=path.name) + text, encoding="utf-8")
    return True
