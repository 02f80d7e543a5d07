"""The funders a paper's disclosure names, for the funding index and the metadata."""

from __future__ import annotations

import re

from proceedings.model import Paper

_PARTS = re.compile(r";|(?-i:(?<=[a-z0-9)\]])\.\s+(?=[A-Z]))|,\s+and\s+|\s+and\s+(?=the\s)", re.IGNORECASE)
_LEAD = re.compile(
    r"^(?:(?:this|the|our)\s+(?:work|research|project|study|paper)\s+(?:was|is|has\s+been)\s+"
    r"(?:\w+\s+)?(?:supported|funded|financed)\s+(?:in\s+part\s+)?by\s+"
    r"|(?:partly\s+|partially\s+)?(?:supported|funded|financed)\s+(?:in\s+part\s+)?by\s+|and\s+|also\s+|the\s+)+",
    re.IGNORECASE,
)
_GRANT = re.compile(
    r"(?:\s*[,(]\s*|\s+[\u2013\u2014-]\s+|\s+under\s+|\s+through\s+)(?:the\s+)?(?:grants?|awards?|contracts?|agreements?|projects?|no\.)\b.*$"
    r"|\s+(?:grants?|awards?)\s+(?:no\.?\s*)?\S*\d\S*.*$",
    re.IGNORECASE,
)
_NONE = re.compile(
    r"^(?:none|n/?a|nil)\b|\b(?:no|not|without)\b.*\b(?:fund\w*|financ\w*|support\w*|sponsor\w*)", re.IGNORECASE
)


def funders(paper: Paper) -> tuple[str, ...]:
    """The organisations named in a paper's funding disclosure, each once.

    A paper's optional ``funders`` list is taken as it is. Otherwise the free-text
    ``funding`` is split on ``;``, sentence ends, ", and" and "and the"; lead-ins such
    as "This work was supported by" and grant details after a comma ("…, grant X-1")
    are dropped; parts that say there was no funding name nobody.
    """
    if paper.funders is not None:
        return tuple(dict.fromkeys(" ".join(name.split()) for name in paper.funders if name.strip()))
    found: dict[str, str] = {}
    for part in _PARTS.split(paper.funding):
        part = " ".join(part.split()).strip(" .,;:")
        if not part or _NONE.search(part):
            continue
        name = _GRANT.sub("", _LEAD.sub("", part)).strip(" .,;:")
        if name.count("(") > name.count(")"):
            name += ")"
        if len(name) > 1:
            found.setdefault(name.casefold(), name)
    return tuple(found.values())
