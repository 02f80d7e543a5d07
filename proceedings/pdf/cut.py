"""The PDF finish: the compiled volume published, and one PDF per paper cut out of it.

The LaTeX writer marks each paper's first and last page with named destinations
(``paper.<id>`` and ``paperend.<id>``); cutting by them costs no LaTeX run per paper.
Given a record of the last cut, a paper whose pages and metadata are as they were is not cut
again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter

from proceedings.atomic import write_atomically
from proceedings.model import Paper
from proceedings.pdf.compile import LatexError
from proceedings.pdf.sanitize import pdf_bytes


@dataclass(frozen=True)
class PaperPages:
    """A paper's pages in its volume: as printed (``first`` to ``last``) and as PDF page indexes."""

    paper_id: str
    first: int
    last: int
    first_index: int
    last_index: int


def paper_pages(volume_pdf: Path) -> list[PaperPages]:
    """Each paper's page range, read from the volume's named destinations."""
    reader = PdfReader(volume_pdf)
    destinations, labels = reader.named_destinations, reader.page_labels
    pages = []
    for name, destination in destinations.items():
        if not name.startswith("paper."):
            continue
        ident = name.removeprefix("paper.")
        end = destinations.get(f"paperend.{ident}")
        if end is None:
            raise LatexError(f"{volume_pdf.name}: paper {ident!r} has no end mark")
        first = reader.get_destination_page_number(destination)
        last = reader.get_destination_page_number(end)
        if first is None or last is None:
            raise LatexError(f"{volume_pdf.name}: paper {ident!r} has a mark on no page")
        if not (labels[first].isdigit() and labels[last].isdigit()):
            raise LatexError(f"{volume_pdf.name}: paper {ident!r} is not on arabic-numbered pages")
        pages.append(PaperPages(ident, int(labels[first]), int(labels[last]), first, last))
    return sorted(pages, key=lambda p: p.first_index)


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def _file_digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


class _Record:
    """What the last finish made each output from: ``{output name: [inputs digest, output digest]}``."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.made: dict[str, list[str | None]] = {}
        if path is not None and path.is_file():
            self.made = json.loads(path.read_text(encoding="utf-8"))

    def current(self, target: Path, inputs: str) -> bool:
        """True when ``target`` is what the last finish made from the same inputs."""
        return self.made.get(target.name) == [inputs, _file_digest(target)]

    def write(self, target: Path, inputs: str, data: bytes) -> None:
        if not target.is_file() or target.read_bytes() != data:
            target.write_bytes(data)
        self.made[target.name] = [inputs, hashlib.sha256(data).hexdigest()]

    def save(self) -> None:
        if self.path is not None:
            write_atomically(self.path, json.dumps(self.made, indent=1, sort_keys=True) + "\n")


def publish_volume(volume_pdf: Path, target: Path, subject: str, keywords: str) -> None:
    """Copy the compiled volume where it is published, with the metadata LaTeX does not set."""
    writer = PdfWriter(clone_from=PdfReader(volume_pdf))
    writer.add_metadata({"/Subject": subject, "/Keywords": keywords})
    data = pdf_bytes(writer)
    if not target.is_file() or target.read_bytes() != data:
        target.write_bytes(data)


def _bookmarks(reader: PdfReader) -> list[tuple[int, str, int]]:
    """The volume's bookmarks, in order: (depth, title, page index)."""
    found: list[tuple[int, str, int]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
                continue
            page = reader.get_destination_page_number(item)
            if page is not None:
                found.append((depth, str(item.title), page))

    walk(reader.outline, 0)
    return found


def _stream_digests(resources: Any, seen: set[int]) -> list[str]:
    """Digests of the images and drawn figures a page (or a figure in it) uses, nested ones too."""
    found = []
    for reference in (resources or {}).get("/XObject", {}).values():
        xobject = reference.get_object()
        if id(xobject) in seen:
            continue
        seen.add(id(xobject))
        # the stream as stored: decoding a large image can exceed pypdf's limits, and costs more
        found.append(hashlib.sha256(xobject._data).hexdigest())
        found.extend(_stream_digests(xobject.get("/Resources"), seen))
    return found


def _page_digest(page: Any, label: str) -> list[object]:
    """What a page shows: its number, drawing, images and figures, and where its links go."""
    contents = page.get_contents()
    links = [
        (str(link.get("/A")), str(link.get("/Dest")))
        for link in (annotation.get_object() for annotation in page.get("/Annots") or ())
    ]
    drawing = hashlib.sha256(contents.get_data()).hexdigest() if contents is not None else ""
    return [label, drawing, _stream_digests(page.get("/Resources"), set()), links]


def split_volume(
    volume_pdf: Path,
    outdir: Path,
    papers: dict[str, Paper],
    subject: str = "",
    record: Path | None = None,
    ranges: list[PaperPages] | None = None,
) -> dict[str, Path]:
    """Write ``<outdir>/<id>.pdf`` for every paper in the volume, with its own metadata and bookmarks.

    ``subject`` names the volume (e.g. "AI for Peace Workshop at ICLR 2026"); the page range is
    added. With ``record``, a paper whose pages, bookmarks and metadata are as recorded there
    is left as it is: after an edit to one paper, only the papers whose pages changed are cut.
    ``ranges`` are the volume's :func:`paper_pages`, when the caller has them already.
    """
    reader = PdfReader(volume_pdf)
    outdir.mkdir(parents=True, exist_ok=True)
    made, written = _Record(record), {}
    bookmarks, labels = _bookmarks(reader), reader.page_labels
    for pages in paper_pages(volume_pdf) if ranges is None else ranges:
        target = outdir / f"{pages.paper_id}.pdf"
        written[pages.paper_id] = target
        own_bookmarks = [b for b in bookmarks if pages.first_index <= b[2] <= pages.last_index]
        paper = papers.get(pages.paper_id)
        metadata = {} if paper is None else {
            "/Title": paper.title,
            "/Author": "" if paper.anonymous else "; ".join(paper.author_names),
            "/Subject": f"{subject}, pages {pages.first}\u2013{pages.last}".lstrip(", "),
            "/Keywords": ", ".join(paper.keywords),
        }
        page_range = range(pages.first_index, pages.last_index + 1)
        shown = [_page_digest(reader.pages[i], labels[i]) for i in page_range]
        inputs = _digest(shown, own_bookmarks, pages.first_index, metadata)
        if made.current(target, inputs):
            continue
        writer = PdfWriter()
        for index in page_range:
            writer.add_page(reader.pages[index])
        parents: dict[int, Any] = {}
        for depth, title, page in own_bookmarks:
            top = min(parents, default=depth)
            parent = parents.get(depth - 1) if depth > top else None
            parents[depth] = writer.add_outline_item(title=title, page_number=page - pages.first_index, parent=parent)
        if metadata:
            writer.add_metadata(metadata)
        made.write(target, inputs, pdf_bytes(writer))
    made.save()
    return written


@dataclass(frozen=True)
class FinishedVolume:
    """A volume's published PDFs (the volume, then each paper's) and each paper's printed pages."""

    outputs: list[Path]
    pages: dict[str, list[int]]


def finish_volume(
    volume: str, volume_pdf: Path, pdf_dir: Path, papers: dict[str, Paper], records: Path, *,
    subject: str, keywords: str, paper_subject: str,
) -> FinishedVolume:
    """Publish the compiled volume in ``pdf_dir`` and cut it into ``pdf_dir/<volume>/<id>.pdf``.

    ``subject`` and ``keywords`` go into the volume's metadata, ``paper_subject`` (with the
    page range added) into each paper's. A volume whose compiled PDF and metadata are as at
    the last finish is neither published nor cut again (``records/<volume>-finished.json``);
    otherwise only the papers whose pages changed are cut again (``<volume>-papers.json``).
    """
    record = records / f"{volume}-finished.json"
    made_from = _digest(
        _file_digest(volume_pdf), subject, keywords, paper_subject,
        {ident: paper.model_dump(mode="json") for ident, paper in sorted(papers.items())},
    )
    try:
        kept = json.loads(record.read_text(encoding="utf-8"))
        if kept["made_from"] == made_from and all(_file_digest(pdf_dir / n) == d for n, d in kept["outputs"]):
            return FinishedVolume([pdf_dir / name for name, _digest in kept["outputs"]], kept["pages"])
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no record, or one of another form: finish again
    record.unlink(missing_ok=True)  # from here on, the outputs are no longer what it describes
    pdf_dir.mkdir(parents=True, exist_ok=True)
    published = pdf_dir / volume_pdf.name
    publish_volume(volume_pdf, published, subject, keywords)
    ranges = paper_pages(published)
    cut = split_volume(published, pdf_dir / volume, papers, paper_subject, records / f"{volume}-papers.json", ranges)
    finished = FinishedVolume([published, *cut.values()], {p.paper_id: [p.first, p.last] for p in ranges})
    outputs = [[path.relative_to(pdf_dir).as_posix(), _file_digest(path)] for path in finished.outputs]
    kept = {"made_from": made_from, "outputs": outputs, "pages": finished.pages}
    write_atomically(record, json.dumps(kept, indent=1) + "\n")
    return finished
