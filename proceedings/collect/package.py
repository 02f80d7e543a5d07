"""Camera-ready MyST packages (a folder or a zip), checked for threats and converted from mystmd's dialect."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from proceedings import check as safety
from proceedings.check.threats import describe
from proceedings.collect import mystmd
from proceedings.collect.bibliography import downgrade_incomplete_entries, tidy_links
from proceedings.collect.submission import Submission, SubmissionError
from proceedings.frontmatter import YamlError, load_mapping

_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[A-Za-z!][^<>]*>")
_LISTING = re.compile(r"^[`:]{3,}\{literalinclude\}\s+(\S+)", re.MULTILINE)
FIGURE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".pdf"}

def from_package(package: Path, workdir: Path) -> Submission:
    """A camera-ready MyST package, checked for threats and converted from mystmd's dialect."""
    if package.is_file():
        # A zip by its bytes, whatever its name; in a folder of its own, so that two zips
        # whose names slug alike never mix their files.
        with package.open("rb") as stream:
            if stream.read(4) not in (b"PK\x03\x04", b"PK\x05\x06"):
                raise SubmissionError(f"{package.name}: a package is a folder or a zip, and this file is neither")
        folder = Path(tempfile.mkdtemp(prefix="package-", dir=workdir))
        try:
            safety.extract_zip(package, folder)
        except safety.UnsafePackage as exc:
            raise SubmissionError(describe(exc.threats)) from None
    else:
        folder = package
    main = mystmd.find_main(folder)
    if main is None:
        raise SubmissionError("no paper.md or main.md in the package")
    # What is published of the Markdown files is their conversion, which resolves inclusions
    # from the package's own files only: that converted text is scanned, with every other file.
    threats = [t for t in safety.scan_package(folder)
               if not t.file.endswith(".md") or t.field.startswith(("file:", "yaml", "frontmatter:type", "target:url"))]
    bib_files = sorted(folder.glob("*.bib"))
    bib_notes: list[str] = []
    bib_texts = []
    for path in bib_files if not threats else []:
        text, trimmed = tidy_links(path.read_text(encoding="utf-8"), path.name)
        text, downgraded = downgrade_incomplete_entries(text, path.name)
        bib_texts.append(text)
        bib_notes += trimmed + downgraded
    bib = "\n".join(bib_texts)
    keys = set(re.findall(r"@\w+\s*[{(]\s*([^,\s]+)\s*,", bib))
    converted = mystmd.convert_package(folder, main, keys) if not threats else None
    notes: list[str] = []
    if converted is not None:
        converted.body, notes = _escape_html(converted.body, f"{main.name} (converted)")
        threats += [t for t in safety.scan_markdown(converted.body, f"{main.name} (converted)")
                    if t.field != "directive:literalinclude"]
    if threats or converted is None:
        raise SubmissionError(describe(threats))
    frontmatter = dict(converted.frontmatter)
    local = folder / "proceedings.yml"
    own = _read_yaml(local) if local.is_file() else {}
    frontmatter.update(own)
    name = package.stem if package.is_file() else package.name
    paper_id = frontmatter.pop("id", name)
    listings = set(_LISTING.findall(converted.body))
    files = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and (path.suffix.lower() in FIGURE_SUFFIXES or relative in listings):
            files[relative] = path.read_bytes()
    submission = Submission(
        paper_id, str(package), frontmatter, converted.body, bib + converted.extra_bib, files,
        notes=[*converted.notes, *notes, *bib_notes, *(f"not converted: {p}" for p in converted.problems)],
        owner=f"package:{package.name}", metadata_file=f"{main.name} or myst.yml",
        field_files=dict.fromkeys(own, local.name),
    )
    return submission


def _read_yaml(path: Path) -> dict[str, object]:
    try:
        return load_mapping(path.read_text(encoding="utf-8"), path.name)
    except YamlError as exc:
        raise SubmissionError(str(exc)) from None


def _escape_html(body: str, file: str) -> tuple[str, list[str]]:
    """Raw HTML is shown as text, not passed through: ``<br>`` becomes a space, other tags are escaped."""
    lines = body.split("\n")
    notes = []
    for line in sorted({t.line for t in safety.scan_markdown(body, file) if t.field == "raw-html" and t.line}):
        text = _LINE_BREAK.sub(" ", lines[line - 1])
        lines[line - 1] = _HTML_TAG.sub(lambda m: "\\" + m.group(0), text)
        notes.append(f"{file}:{line}: raw HTML shown as text")
    return "\n".join(lines), notes
