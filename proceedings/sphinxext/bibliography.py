"""Each paper's own ``.bib``, with its keys namespaced by the paper's id.

sphinxcontrib-bibtex keeps one database for the whole project: a key that two
papers both use would silently keep the first entry. Every paper's keys are
therefore rewritten to ``<paper id>:<key>`` in a derived copy of its ``.bib``,
and its citation roles read a key as the citing paper's (see :class:`PaperCiteRole`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from docutils.nodes import Node, system_message
from pybtex.database import BibliographyData, Entry
from pybtex.scanner import PybtexError
from sphinx.application import Sphinx
from sphinxcontrib.bibtex.citation_target import parse_citation_targets
from sphinxcontrib.bibtex.domain import BibtexDomain
from sphinxcontrib.bibtex.foot_domain import BibtexFootDomain
from sphinxcontrib.bibtex.foot_roles import FootCiteRole
from sphinxcontrib.bibtex.roles import CiteRole

from proceedings.bibfile import ENTRY_KEY, parsed_blocks
from proceedings.export.bibtex import LatexSourceWriter
from proceedings.layout import paper_id

__all__ = ["PaperCiteRole", "PaperFootCiteRole", "namespace_bibfiles", "namespaced_key", "use_paper_keys"]


def namespaced_key(ident: str, key: str) -> str:
    return f"{ident}:{key}"


def _namespaced_targets(docname: str, targets: str) -> str:
    """``{pre}key{post}, other`` with each key prefixed by the paper's id; outside papers, as written."""
    ident = paper_id(docname)
    if ident is None:
        return targets
    try:
        parsed = list(parse_citation_targets(targets))
    except ValueError:
        return targets  # sphinxcontrib-bibtex reports it
    return ",".join(
        (f"{{{t.pre}}}" if t.pre else "") + namespaced_key(ident, t.key) + (f"{{{t.post}}}" if t.post else "")
        for t in parsed
    )


class PaperCiteRole(CiteRole):
    """``{cite}`` and its variants, reading a key as the citing paper's own."""

    def run(self) -> tuple[list[Node], list[system_message]]:
        self.target = _namespaced_targets(self.env.docname, self.target)
        if not self.has_explicit_title:
            self.title = self.target
        return super().run()


class PaperFootCiteRole(FootCiteRole):
    """``{footcite}`` and its variants, reading a key as the citing paper's own."""

    def run(self) -> tuple[list[Node], list[system_message]]:
        self.text = _namespaced_targets(self.env.docname, self.text)
        return super().run()


def use_paper_keys(app: Sphinx) -> None:
    """Put the namespacing roles in the place of sphinxcontrib-bibtex's own, under every name."""
    app.add_role("cite", PaperCiteRole(), override=True)
    app.add_role("footcite", PaperFootCiteRole(), override=True)
    for name in BibtexDomain.roles:
        app.add_role_to_domain("cite", name, PaperCiteRole(), override=True)
    for name in BibtexFootDomain.roles:
        app.add_role_to_domain("footcite", name, PaperFootCiteRole(), override=True)


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
    new = LatexSourceWriter().to_string(data) if data.entries else ""
    if not target.is_file() or target.read_text(encoding="utf-8") != new:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(new, encoding="utf-8")
    return report
