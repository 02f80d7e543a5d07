"""Camera-ready MyST packages (a folder or a zip), checked for threats and converted from mystmd's dialect."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from proceedings import check as safety
from proceedings.collect import mystmd
from proceedings.collect.bibliography import citation_texts, prepare_bib_files
from proceedings.collect.submission import Submission, SubmissionError, slug

_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[A-Za-z!][^<>]*>")

def from_package(package: Path, workdir: Path) -> Submission:
    """A camera-ready MyST package, checked for threats and converted from mystmd's dialect."""
    if package.suffix == ".zip":
        folder = workdir / slug(package.stem)
        try:
            safety.extract_zip(package, folder)
        except safety.UnsafePackage as exc:
            raise SubmissionError(_threat_text(exc.threats)) from None
    else:
        folder = package
    main = mystmd.find_main(folder)
    if main is None:
        raise SubmissionError("no paper.md or main.md in the package")
    bib_files = sorted(folder.glob("*.bib"))
    linked = [path.name for path in bib_files if path.is_symlink()]
    if linked:
        raise SubmissionError(f"{', '.join(linked)}: file:symlink: a package must hold its files, not links to them")
    bib, bib_notes = prepare_bib_files([(path.name, path.read_text(encoding="utf-8")) for path in bib_files])
    keys = set(re.findall(r"@\w+\s*[{(]\s*([^,\s]+)\s*,", bib))
    converted = mystmd.convert_package(folder, main, keys, citation_texts(bib))
    # Only what is published is checked and measured: the files the paper uses, as they will
    # be published, and its .bib files; what is published of the Markdown is its conversion.
    workdir.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f"{slug(package.name)}-published-", dir=workdir))
    for name, content in converted.files.items():
        (staged / name).parent.mkdir(parents=True, exist_ok=True)
        (staged / name).write_bytes(content)
    for path in bib_files:
        (staged / path.name).write_bytes(path.read_bytes())
    threats = safety.scan_package(staged)
    converted.body, notes = _escape_html(converted)
    threats += [replace(t, file=converted.origin(t.line or 0).rsplit(":", 1)[0],
                        line=int(converted.origin(t.line or 0).rsplit(":", 1)[1]) if t.line else None)
                for t in safety.scan_markdown(converted.body, main.name) if t.field != "directive:literalinclude"]
    if threats:
        raise SubmissionError(_threat_text(threats))
    frontmatter = dict(converted.frontmatter)
    local = folder / "proceedings.yml"
    if local.is_file():
        frontmatter.update(yaml.safe_load(local.read_text(encoding="utf-8")) or {})
    paper_id = str(frontmatter.pop("id", slug(package.stem if package.suffix == ".zip" else package.name)))
    used = {*converted.sources, *(p.name for p in bib_files), "myst.yml", "proceedings.yml"}
    unused = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    unused = [name for name in unused if name not in used]
    if unused:
        notes.append(f"not published, as the paper does not use them: {', '.join(unused)}")
    return Submission(
        paper_id, str(package), frontmatter, converted.body, bib + converted.extra_bib, dict(converted.files),
        notes=[*converted.notes, *notes, *bib_notes, *(f"not converted: {p}" for p in converted.problems)],
    )


def _escape_html(converted: mystmd.Converted) -> tuple[str, list[str]]:
    """Raw HTML is shown as text, not passed through: ``<br>`` becomes a space, other tags are escaped.

    One report line names every place, in the author's files.
    """
    lines = converted.body.split("\n")
    found = sorted({t.line for t in safety.scan_markdown(converted.body, "") if t.field == "raw-html" and t.line})
    for line in found:
        text = _LINE_BREAK.sub(" ", lines[line - 1])
        lines[line - 1] = _HTML_TAG.sub(lambda m: "\\" + m.group(0), text)
    places = [converted.origin(line) for line in found]
    notes = [f"{places[0]}: raw HTML shown as text, {len(places)} line(s): {', '.join(places)}"] if places else []
    return "\n".join(lines), notes


def _threat_text(threats: Iterable[Any]) -> str:
    return "; ".join(
        f"{t.file}{':' + str(t.line) if t.line else ''}: {t.field}: {t.message}" for t in threats
    )
