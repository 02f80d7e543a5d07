"""mystmd's front matter and ``myst.yml`` project, turned into the paper's metadata."""

from __future__ import annotations

import re
from typing import Any

from proceedings.collect.mystmd.source import Context

# --- front matter ---------------------------------------------------------------------------

_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])\s*$")


def _name(value: Any) -> str:
    """An author name, also from mystmd's ``{given, family}`` or ``{literal}`` forms."""
    if isinstance(value, dict):
        if value.get("literal"):
            return str(value["literal"]).strip()
        return " ".join(str(value[k]).strip() for k in ("given", "family") if value.get(k))
    return str(value or "").strip()


def _affiliation_table(*sources: Any) -> dict[str, str]:
    """Affiliation ids to names, from ``affiliations:`` lists of ``{id, name | institution}``."""
    table: dict[str, str] = {}
    for source in sources:
        for item in source if isinstance(source, list) else []:
            if isinstance(item, dict) and item.get("id"):
                name = item.get("name") or item.get("institution") or item.get("department") or item["id"]
                table.setdefault(str(item["id"]), str(name))
    return table


def _affiliation(value: Any, table: dict[str, str]) -> str:
    if isinstance(value, dict):
        if value.get("id") and str(value["id"]) in table:
            return table[str(value["id"])]
        return str(value.get("name") or value.get("institution") or value.get("id") or "").strip()
    return table.get(str(value), str(value)).strip()


def _author(raw: Any, table: dict[str, str]) -> dict[str, Any] | None:
    """One author with only the fields our model reads."""
    if isinstance(raw, str):
        return {"name": raw.strip()} if raw.strip() else None
    if not isinstance(raw, dict) or not _name(raw.get("name")):
        return None
    author: dict[str, Any] = {"name": _name(raw.get("name"))}
    affiliations = raw.get("affiliations", raw.get("affiliation"))
    if isinstance(affiliations, str | dict):
        affiliations = [affiliations]
    names = [_affiliation(a, table) for a in affiliations or []]
    if any(names):
        author["affiliations"] = [n for n in names if n]
    orcid = _ORCID.search(str(raw.get("orcid") or ""))
    if orcid:
        author["orcid"] = orcid.group(1)
    if raw.get("email"):
        author["email"] = str(raw["email"]).strip()
    if raw.get("corresponding") is True:
        author["corresponding"] = True
    return author


def _keywords(value: Any) -> list[str]:
    words = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else []
    return [str(w).strip() for w in words if str(w).strip()]


def _license(value: Any) -> str | None:
    """mystmd also allows ``license: {content: ..., code: ...}``: the paper's is ``content``."""
    if isinstance(value, dict):
        value = value.get("content")
    return str(value).strip() if value else None


def _line_of(text: str, key: str) -> int:
    match = re.search(rf"^[ \t]*{re.escape(key)}[ \t]*:", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1


# The workshop's own fields, which an author may set in the front matter or ``myst.yml``.
_OURS = ("short_title", "anonymous", "track", "session", "presentation", "funding", "funders", "llm_disclosure",
         "openreview", "published_version", "non_archival", "citation_key")
_MYSTMD = ("title", "subtitle", "authors", "abstract", "keywords", "license")
# Read elsewhere: parts become sections, ``affiliations`` resolve authors' ids.
_READ_ELSEWHERE = frozenset({"acknowledgments", "acknowledgements", "affiliations"})


def _value(main: dict[str, Any], project: dict[str, Any], key: str) -> Any:
    return main.get(key) if main.get(key) not in (None, "", []) else project.get(key)


def _dropped(source: dict[str, Any], where: str, what: str, ctx: Context) -> None:
    """One report line naming every key of ``source`` that nothing reads."""
    dropped = [str(k) for k in source if k not in (*_OURS, *_MYSTMD, *_READ_ELSEWHERE)]
    if dropped:
        ctx.note(where, f"{what} not published: {', '.join(repr(k) for k in dropped)}")


def _metadata(main: dict[str, Any], project: dict[str, Any], where: str, ctx: Context,
              project_where: str = "myst.yml") -> dict[str, Any]:
    """mystmd's fields and ours from the main file, then from ``myst.yml``'s ``project``; the main file wins."""
    table = _affiliation_table(main.get("affiliations"), project.get("affiliations"))
    result: dict[str, Any] = {}
    for key in _MYSTMD:
        value = _value(main, project, key)
        if value in (None, "", []):
            continue
        if key == "authors":
            raw = value if isinstance(value, list) else [value]
            authors = [_author(a, table) for a in raw]
            if None in authors:
                ctx.problem(where, "an author without a name was left out")
            result[key] = [a for a in authors if a]
        elif key == "keywords":
            result[key] = _keywords(value)
        elif key == "license":
            if _license(value):
                result[key] = _license(value)
        else:
            result[key] = str(value).strip()
    if "subtitle" in result:
        subtitle = result.pop("subtitle")
        if "title" in result:
            result["title"] = f"{result['title']}: {subtitle}"
            ctx.note(where, "the subtitle is published after the title, following a colon")
    for key in _OURS:
        value = _value(main, project, key)
        if value not in (None, "", []):
            result[key] = value
    _dropped(main, where, "front matter", ctx)
    _dropped(project, project_where, "myst.yml project fields", ctx)
    return result
