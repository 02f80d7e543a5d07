"""Where things live in the source tree: one folder per edition, one folder per paper.

``docs/<volume>/workshop.yml`` makes ``<volume>`` an edition; an edition has a volume
(a PDF, a papers list, indexes) once it has papers: ``docs/<volume>/papers/<id>/paper.md``
is a paper, with its ``.bib`` and figures beside it.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ALL_EDITIONS",
    "PAPER_FILE",
    "WORKSHOP_FILE",
    "editions",
    "new_volume",
    "paper_dirs",
    "paper_docname",
    "paper_id",
    "volume_of",
    "volumes",
]

PAPER_FILE = "paper.md"
WORKSHOP_FILE = "workshop.yml"
ALL_EDITIONS = "*"
"""The volume name of what spans every edition, such as the site's author index."""


def editions(srcdir: Path) -> list[str]:
    """Every edition, with papers or not yet."""
    return sorted(path.parent.name for path in srcdir.glob(f"*/{WORKSHOP_FILE}"))


def volumes(srcdir: Path) -> list[str]:
    """The editions that have papers: only they have a volume, its PDFs and its indexes."""
    return [edition for edition in editions(srcdir) if paper_dirs(srcdir, edition)]


def paper_dirs(srcdir: Path, volume: str = "*") -> list[Path]:
    return sorted(path.parent for path in srcdir.glob(f"{volume}/papers/*/{PAPER_FILE}"))


def paper_docname(srcdir: Path, paper_dir: Path) -> str:
    return f"{paper_dir.relative_to(srcdir).as_posix()}/{PAPER_FILE.removesuffix('.md')}"


def paper_id(docname: str) -> str | None:
    """``<volume>/papers/<id>/paper`` is a paper; anything else is not."""
    parts = docname.split("/")
    if len(parts) == 4 and parts[1] == "papers" and parts[3] == PAPER_FILE.removesuffix(".md"):
        return parts[2]
    return None


def volume_of(docname: str) -> str:
    return docname.split("/", 1)[0]


VOLUME_PAGE = """\
---
orphan: true
---

# Proceedings volume

```{volume-front-matter}
```

```{programme-toctree}
```

```{author-index}
```
"""

PAPERS_PAGE = """\
# Papers

```{paper-list}
```

```{programme-toctree}
:hidden:
```
"""


def new_volume(srcdir: Path, volume: str, workshop: Path) -> Path:
    """Lay out an empty edition: its data, the volume's root page and the papers page."""
    folder = srcdir / volume
    (folder / "papers").mkdir(parents=True, exist_ok=True)
    (folder / WORKSHOP_FILE).write_bytes(workshop.read_bytes())
    (folder / "volume.md").write_text(VOLUME_PAGE, encoding="utf-8")
    (folder / "papers" / "index.md").write_text(PAPERS_PAGE, encoding="utf-8")
    return folder
