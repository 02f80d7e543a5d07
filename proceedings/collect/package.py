"""Camera-ready MyST packages (a folder or a zip), checked for threats and converted from mystmd's dialect."""

from __future__ import annotations

import re
import tempfile
from dataclasses import replace
from pathlib import Path

from proceedings.bibfile import parsed_blocks
from proceedings.check.archive import extract_zip
from proceedings.check.markdown import scan_markdown
from proceedings.check.package import scan_package
from proceedings.check.threats import Threat, UnsafePackage, describe
from proceedings.collect import mystmd
from proceedings.collect.bibliography import citation_texts, prepare_bib_files
from proceedings.collect.submission import Submission, SubmissionError
from proceedings.frontmatter import YamlError, load_mapping

_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[A-Za-z!][^<>]*>")
_SOURCES = (".md", ".yml", ".yaml", ".bib")
"""Files the conversion reads: their file-level threats (links, special files, YAML bombs) are refused first."""
_SUBMITTED_FIGURES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".tif", ".tiff", ".pdf"})
_UNUSABLE = frozenset({"file:name", "file:type", "file:too-large", "image:too-large", "image:broken", "pdf:unreadable"})
_READ_THREATS = ("file:", "yaml", "frontmatter:type", "target:url", "bib:")


def from_package(package: Path, workdir: Path) -> Submission:
    """A camera-ready MyST package, checked for threats and converted from mystmd's dialect."""
    workdir.mkdir(parents=True, exist_ok=True)
    if package.is_file():
        # A zip by its bytes, whatever its name; in a folder of its own, so that two zips
        # whose names slug alike never mix their files.
        with package.open("rb") as stream:
            if stream.read(4) not in (b"PK\x03\x04", b"PK\x05\x06"):
                raise SubmissionError(f"{package.name}: a package is a folder or a zip, and this file is neither")
        folder = Path(tempfile.mkdtemp(prefix="package-", dir=workdir))
        try:
            extract_zip(package, folder)
        except UnsafePackage as exc:
            raise SubmissionError(describe(exc.threats)) from None
    else:
        folder = package
    main = mystmd.find_main(folder)
    if main is None:
        raise SubmissionError("no paper.md or main.md in the package")
    threats = [t for t in scan_package(folder)
               if t.file.endswith(_SOURCES) and t.field.startswith(_READ_THREATS)]
    if threats:
        raise SubmissionError(describe(threats))
    bib_files = sorted(folder.glob("*.bib"))
    bib, bib_notes = prepare_bib_files([(path.name, path.read_text(encoding="utf-8")) for path in bib_files])
    keys = {key for _line, _block, parsed in parsed_blocks(bib) if isinstance(parsed, dict) for key in parsed}
    converted = mystmd.convert_package(folder, main, keys, citation_texts(bib))
    # Only what is published is checked and measured: the files the paper uses, as they will
    # be published, and its .bib files; what is published of the Markdown is its conversion.
    staged = Path(tempfile.mkdtemp(prefix="published-", dir=workdir))
    for name, content in converted.files.items():
        (staged / name).parent.mkdir(parents=True, exist_ok=True)
        (staged / name).write_bytes(content)
    for path in bib_files:
        (staged / path.name).write_bytes(path.read_bytes())
    threats = scan_package(staged) + _submitted_figure_threats(folder, converted.sources, workdir)
    converted.body, notes = _escape_html(converted)
    for threat in scan_markdown(converted.body, main.name):
        if threat.field != "directive:literalinclude":
            file, line = converted.origin(threat.line or 0).rsplit(":", 1)
            threats.append(replace(threat, file=file, line=int(line) if threat.line else None))
    if threats:
        raise SubmissionError(describe(list(dict.fromkeys(threats))))
    frontmatter = dict(converted.frontmatter)
    local = folder / "proceedings.yml"
    own = _read_yaml(local) if local.is_file() else {}
    frontmatter.update(own)
    name = package.stem if package.is_file() else package.name
    paper_id = frontmatter.pop("id", name)
    used = {*converted.sources, *(p.name for p in bib_files), "myst.yml", "proceedings.yml"}
    unused = [p.relative_to(folder).as_posix() for p in sorted(folder.rglob("*")) if p.is_file()]
    unused = [name for name in unused if name not in used]
    if unused:
        notes.append(f"not published, as the paper does not use them: {', '.join(unused)}")
    return Submission(
        paper_id, str(package), frontmatter, converted.body, bib + converted.extra_bib, dict(converted.files),
        notes=[*converted.notes, *notes, *bib_notes, *(f"not converted: {p}" for p in converted.problems)],
        owner=f"package:{package.name}", metadata_file=f"{main.name} or myst.yml",
        field_files=dict.fromkeys(own, local.name),
    )


def _submitted_figure_threats(folder: Path, used: list[str], workdir: Path) -> list[Threat]:
    """What makes a figure the paper uses unusable as submitted (broken, mislabelled, too large, badly
    named), judged on the author's own bytes: the conversion would otherwise leave it out unseen.
    SVGs are judged as published, after the conversion has cleaned them."""
    submitted = Path(tempfile.mkdtemp(prefix="submitted-", dir=workdir))
    for name in used:
        if Path(name).suffix.lower() in _SUBMITTED_FIGURES and (folder / name).is_file():
            (submitted / name).parent.mkdir(parents=True, exist_ok=True)
            (submitted / name).write_bytes((folder / name).read_bytes())
    return [t for t in scan_package(submitted) if t.field in _UNUSABLE]


def _read_yaml(path: Path) -> dict[str, object]:
    try:
        return load_mapping(path.read_text(encoding="utf-8"), path.name)
    except YamlError as exc:
        raise SubmissionError(str(exc)) from None


def _escape_html(converted: mystmd.Converted) -> tuple[str, list[str]]:
    """Raw HTML is shown as text, not passed through: ``<br>`` becomes a space, other tags are escaped.

    One report line names every place, in the author's files.
    """
    lines = converted.body.split("\n")
    found = sorted({t.line for t in scan_markdown(converted.body, "") if t.field == "raw-html" and t.line})
    for line in found:
        text = _LINE_BREAK.sub(" ", lines[line - 1])
        lines[line - 1] = _HTML_TAG.sub(lambda m: "\\" + m.group(0), text)
    places = [converted.origin(line) for line in found]
    notes = [f"{places[0]}: raw HTML shown as text, {len(places)} line(s): {', '.join(places)}"] if places else []
    return "\n".join(lines), notes
