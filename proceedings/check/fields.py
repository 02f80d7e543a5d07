"""Every metadata field that is rendered, from every source, through the same scan as a paper's body.

A paper's title, abstract, funding, disclosures, keywords, session, track, authors and
affiliations are rendered as MyST by the paper header and the indexes, so a ``{raw}``
block in an abstract or ``$\\input{...}$`` in a funding statement is as dangerous there
as in the body. Whatever source a field came from (front matter, ``myst.yml``,
``proceedings.yml``, an OpenReview note, PDF-only metadata, the organizers' file), the
merged metadata goes through :func:`scan_fields` once, and each threat names the field.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from proceedings.check.frontmatter import text_type_threats, url_threats
from proceedings.check.markdown import _FRONTMATTER_KEYS, _Scan
from proceedings.check.threats import Threat

__all__ = ["MAX_FIELD_ITEMS", "scan_fields"]

MAX_FIELD_ITEMS = 10_000
"""Values in one paper's metadata (every author, affiliation and keyword counts)."""


def scan_fields(data: Mapping[str, Any], files: Mapping[str, str], default_file: str) -> list[Threat]:
    """Threats in the values of ``data``; ``files`` says which file each top-level field came from."""
    threats: list[Threat] = []
    for key, value in data.items():
        file = files.get(key, default_file)
        if key in _FRONTMATTER_KEYS:
            threats.append(Threat(file, None, f"frontmatter:{key}", _FRONTMATTER_KEYS[key]))
            continue
        wrong_type = text_type_threats({key: value}, file) + url_threats({key: value}, file)
        if wrong_type:
            threats += wrong_type
            continue
        for count, (path, text) in enumerate(_strings(value, key)):
            if count >= MAX_FIELD_ITEMS:
                threats.append(Threat(file, None, "frontmatter:type", f"Field '{key}' holds more than "
                                      f"{MAX_FIELD_ITEMS} values."))
                break
            scan = _Scan(file)
            scan.block(text, 0)
            threats += [Threat(t.file, None, t.field, f"Field '{path}': {t.message}") for t in scan.threats]
    return threats


def _strings(value: Any, path: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    """Every text value under ``value``, with its path (``authors[0].affiliations[1]``)."""
    if isinstance(value, str):
        yield path, value
    elif depth > 10:
        return
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}", depth + 1)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]", depth + 1)
