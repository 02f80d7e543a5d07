"""Each paper's own ``.bib``, with its keys namespaced by the paper's id.

sphinxcontrib-bibtex keeps one database for the whole project: a key that two
papers both use would silently keep the first entry. Every paper's keys are
therefore rewritten to ``<paper id>:<key>`` in a derived copy of its ``.bib``,
and its citations are rewritten to match (see :func:`namespace_citations`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pybtex.database import BibliographyData, Entry
from pybtex.database.output.bibtex import Writer as BibtexWriter
from pybtex.scanner import PybtexError

from proceedings.bibfile import ENTRY_KEY, parsed_blocks

_CITE_ROLE = re.compile(r"(\{(?:foot)?cite(?::[a-z]+)?\}`)([^`]*)(`)")

_TARGET_SEPARATOR = re.compile(r",(?![^{]*\})")
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
        targets = ",".join(one_target(t) for t in _TARGET_SEPARATOR.split(match.group(2)))
        return match.group(1) + targets + match.group(3)

    return _CITE_ROLE.sub(one_role, text)


@dataclass(frozen=True)
class BibProblem:
    """An entry (or a whole file) that could not be used."""

    file: Path
    line: int
    message: str

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class BibReport:
    """What became of one paper's ``.bib`` files: the keys loaded and the problems found."""

    keys: list[str] = field(default_factory=list)
    problems: list[BibProblem] = field(default_factory=list)


class _Writer(BibtexWriter):  # type: ignore[misc]
    """pybtex's writer, leaving link fields as written: styles print them raw, so an escaped ``_`` breaks the link."""

    def _write_field(self, stream: Any, type: str, value: str) -> None:
        if type.lower() in ("url", "doi", "eprint"):
            stream.write(f",\n    {type} = {self.quote(value)}")
        else:
            super()._write_field(stream, type, value)


def _protect_title(entry: Entry) -> None:
    """Brace a title so that styles that lowercase titles keep the author's capitals."""
    title = entry.fields.get("title")
    if title and not (title.startswith("{") and title.endswith("}")):
        entry.fields["title"] = "{" + title + "}"


def namespace_bibfiles(sources: list[Path], target: Path, paper_id: str) -> BibReport:
    """Write ``sources`` to ``target`` with namespaced keys; touch ``target`` only if it changes.

    Each entry is parsed on its own: one that pybtex rejects is reported with its file,
    key and line, and left out; the others still load. When the sources are as they were
    at the last call (their sizes and modification times), the last report is returned.
    """
    stamp = target.with_suffix(".json")
    signature = [[str(s), s.stat().st_mtime_ns, s.stat().st_size] for s in sources]
    if target.is_file() and stamp.is_file():
        kept = json.loads(stamp.read_text(encoding="utf-8"))
        if kept["sources"] == signature and kept["paper"] == paper_id:
            return BibReport(kept["keys"], [BibProblem(Path(f), line, m) for f, line, m in kept["problems"]])
    report = _namespace(sources, target, paper_id)
    problems = [[str(p.file), p.line, p.message] for p in report.problems]
    record = {"paper": paper_id, "sources": signature, "keys": report.keys, "problems": problems}
    stamp.write_text(json.dumps(record), encoding="utf-8")
    return report


def _namespace(sources: list[Path], target: Path, paper_id: str) -> BibReport:
    report = BibReport()
    data = BibliographyData()
    for source in sources:
        try:
            text = source.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            report.problems.append(BibProblem(source, 1, f"{source.name}: not UTF-8 (byte {exc.start})"))
            continue
        for line, block, parsed in parsed_blocks(text):
            if isinstance(parsed, PybtexError):
                key_match = ENTRY_KEY.match(block)
                key = key_match.group(1) if key_match else "?"
                report.problems.append(BibProblem(source, line, f"{source.name}, entry {key!r}: {parsed}"))
                continue
            for entry_key, entry in parsed.items():
                if namespaced_key(paper_id, entry_key) in data.entries:
                    message = f"{source.name}, entry {entry_key!r}: duplicate key"
                    report.problems.append(BibProblem(source, line, message))
                    continue
                _protect_title(entry)
                data.add_entry(namespaced_key(paper_id, entry_key), entry)
                report.keys.append(entry_key)
    new = _Writer().to_string(data) if data.entries else ""
    if not target.is_file() or target.read_text(encoding="utf-8") != new:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(new, encoding="utf-8")
    return report
