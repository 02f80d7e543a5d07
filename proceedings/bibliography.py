"""Each paper's own ``.bib``, with its keys namespaced by the paper's id.

sphinxcontrib-bibtex keeps one database for the whole project: a key that two
papers both use would silently keep the first entry. Every paper's keys are
therefore rewritten to ``<paper id>:<key>`` in a derived copy of its ``.bib``,
and its citations are rewritten to match (see :func:`namespace_citations`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pybtex.errors
from pybtex.database import BibliographyData, Entry
from pybtex.database.input.bibtex import Parser
from pybtex.scanner import PybtexError

__all__ = ["BibReport", "namespace_bibfiles", "namespace_citations", "namespaced_key"]

_CITE_ROLE = re.compile(r"(\{(?:foot)?cite(?::[a-z]+)?\}`)([^`]*)(`)")
_TARGET = re.compile(r"^(\s*(?:\{[^}]*\})?\s*)([^{}\s]+)(\s*(?:\{[^}]*\})?\s*)$")


def namespaced_key(paper_id: str, key: str) -> str:
    return f"{paper_id}:{key}"


def namespace_citations(text: str, paper_id: str) -> str:
    """Prefix every key in ``{cite}`` roles (all variants, with pre/post notes) by the paper id."""

    def one_target(target: str) -> str:
        match = _TARGET.match(target)
        if not match:
            return target
        pre, key, post = match.groups()
        return pre + namespaced_key(paper_id, key) + post

    def one_role(match: re.Match[str]) -> str:
        targets = ",".join(one_target(t) for t in match.group(2).split(","))
        return match.group(1) + targets + match.group(3)

    return _CITE_ROLE.sub(one_role, text)


@dataclass
class BibReport:
    """What became of one paper's ``.bib``: its entries and the problems found."""

    keys: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _protect_title(entry: Entry) -> None:
    """Brace a title so that styles that lowercase titles keep the author's capitals."""
    title = entry.fields.get("title")
    if title and not (title.startswith("{") and title.endswith("}")):
        entry.fields["title"] = "{" + title + "}"


def namespace_bibfiles(sources: list[Path], target: Path, paper_id: str) -> BibReport:
    """Write ``sources`` to ``target`` with namespaced keys; touch ``target`` only if it changes.

    Unparsable entries are reported by file and left out; the rest still loads.
    """
    report = BibReport()
    parser = Parser(encoding="utf-8")
    for source in sources:
        try:
            text = source.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            report.problems.append(f"{source.name}: not UTF-8 (byte {exc.start})")
            continue
        with pybtex.errors.capture() as captured:
            try:
                parser.parse_string(text)
            except PybtexError as exc:
                report.problems.append(f"{source.name}: {exc}")
        report.problems.extend(f"{source.name}: {error}" for error in captured)
    data = BibliographyData()
    for key, entry in parser.data.entries.items():
        _protect_title(entry)
        data.add_entry(namespaced_key(paper_id, key), entry)
        report.keys.append(key)
    new = data.to_string("bibtex") if data.entries else ""
    if not target.is_file() or target.read_text(encoding="utf-8") != new:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(new, encoding="utf-8")
    return report
