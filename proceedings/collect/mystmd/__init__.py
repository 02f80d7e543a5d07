"""Papers written for mystmd (SciPy proceedings and the like), turned into what our build reads.

mystmd and Sphinx's myst-parser read the same Markdown differently: mystmd takes
``[@key]`` citations, DOIs with no bib entry, ``:label:`` on figures, ``{include}``,
authors in ``myst.yml`` and headings from ``#``; myst-parser wants ``{cite:p}`` roles,
a ``.bib`` entry for every key, ``:name:``, one file, our front matter and headings
from ``##``. :func:`convert_package` rewrites one paper package into a front matter
dict and a body, and says what it changed (``notes``) and what it could not
(``problems``), each with the file and line concerned. It reads the package and
writes nothing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from proceedings.bibfile import ENTRY_KEY, entry_blocks
from proceedings.collect.mystmd.blocks import (
    _ACKNOWLEDGMENTS,
    _drop_comments,
    _expand,
    _heading,
    _lines_of,
    _parse,
    _read_nodes,
    _render_placed,
    _shift_headings,
    _take_parts,
    _title_from_heading,
)
from proceedings.collect.mystmd.directives import _convert_fences
from proceedings.collect.mystmd.frontmatter import _line_of, _metadata
from proceedings.collect.mystmd.inline import _convert_inline, _footnotes, _plain_citations
from proceedings.collect.mystmd.labels import _anchors, _collect_labels, _unique_labels
from proceedings.collect.mystmd.media import publishable
from proceedings.collect.mystmd.source import (
    _MYST_YML,
    Context,
    Converted,
    Line,
    Node,
    _read_text,
    find_main,
)
from proceedings.frontmatter import YamlError, load_mapping

__all__ = ["Converted", "convert_package", "find_main"]

# --- the package ------------------------------------------------------------------------------

_BIB_DOI = re.compile(r"\bdoi\s*=\s*[{\"]\s*(?:https?://(?:dx\.)?doi\.org/)?([^}\"\s]+)", re.IGNORECASE)


def _bib_dois(folder: Path) -> dict[str, str]:
    """DOIs of the package's own entries, so ``[@doi:...]`` cites the entry the authors wrote."""
    dois: dict[str, str] = {}
    for path in sorted(folder.glob("*.bib")):
        try:
            text = _read_text(path)
        except UnicodeDecodeError:
            continue
        for _line, block in entry_blocks(text):
            key, doi = ENTRY_KEY.match(block), _BIB_DOI.search(block)
            if key and doi:
                dois.setdefault(doi.group(1).lower(), key.group(1))
    return dois


def _project(folder: Path, ctx: Context) -> tuple[dict[str, Any], str]:
    """``myst.yml``'s ``project`` and where it starts; ``extends`` points outside the package and is not followed."""
    path = folder / _MYST_YML
    if not path.is_file():
        return {}, _MYST_YML
    text = _read_text(path)
    try:
        config = load_mapping(text, _MYST_YML)
    except YamlError as exc:
        ctx.problem(f"{_MYST_YML}:1", f"not valid YAML ({exc}); it was ignored")
        return {}, _MYST_YML
    if config.get("extends"):
        ctx.note(f"{_MYST_YML}:{_line_of(text, 'extends')}",
                 f"'extends: {config['extends']}' not followed: it points outside the paper's package")
    project = config.get("project")
    return (project if isinstance(project, dict) else {}), f"{_MYST_YML}:{_line_of(text, 'project')}"


def _abstract(meta: dict[str, Any], found: list[tuple[str, Line]], where: str, ctx: Context) -> None:
    """The front matter's abstract, else the one in the body; its citations written out as author and year.

    The paper header shows the abstract outside the text whose references are numbered.
    """
    for text, line in found:
        if meta.get("abstract"):
            ctx.note(line.at(), "abstract in the body dropped: the front matter has one")
        elif text:
            meta["abstract"], where = text, line.at()
    if "abstract" not in meta:
        return
    meta["abstract"], count = _plain_citations(meta["abstract"], ctx)
    if count:
        ctx.note(where, f"{count} citation(s) in the abstract written as author and year: the header cannot link them")
    if re.search(r"\[[^\]]*@|\{cite", meta["abstract"]):
        ctx.problem(where, "the abstract cites references that are not in the package's .bib")


def _acknowledgments(front: dict[str, Any], raw: str, file: str, ctx: Context) -> list[Node]:
    """mystmd's ``acknowledgments:`` front matter part, as the paper's last section."""
    key = next((k for k in _ACKNOWLEDGMENTS if front.get(k)), None)
    if key is None:
        return []
    line = _line_of(raw, key)
    ctx.note(f"{file}:{line}", f"front matter '{key}' became an 'Acknowledgments' section at the end")
    return [*_heading("Acknowledgments", Line("", file, line)),
            *_parse(_lines_of(str(front[key]).strip(), file, line + 1))]


def convert_package(
    folder: Path, main: Path, bib_keys: set[str], cite_texts: dict[str, str] | None = None
) -> Converted:
    """Convert one mystmd paper package; only reads files inside ``folder``.

    ``cite_texts`` gives each key's author-year text, for citations where no link can be.
    """
    # Normalised, not resolved: ``_inside`` compares normalised paths and refuses symlinks itself.
    folder, main = Path(os.path.normpath(folder.absolute())), Path(os.path.normpath(main.absolute()))
    ctx = Context(folder, set(bib_keys), bib_dois={d: k for d, k in _bib_dois(folder).items() if k in bib_keys},
                  cite_texts=dict(cite_texts or {}))
    project, project_where = _project(folder, ctx)
    front, nodes, raw = _read_nodes(main, ctx)
    main_name = main.relative_to(folder).as_posix()
    nodes = _drop_comments(_expand(nodes, ctx, (main,)), ctx)
    nodes, abstracts = _take_parts(nodes, ctx)
    nodes += _acknowledgments(front, raw, main_name, ctx)
    meta = _metadata(front, project, f"{main_name}:1", ctx, project_where)
    if not meta.get("title"):
        title, nodes = _title_from_heading(nodes)
        if title:
            meta["title"] = title
            ctx.note(f"{main_name}:1", "no title in the front matter: the first '#' heading is the title")
    _abstract(meta, abstracts, f"{main_name}:{_line_of(raw, 'abstract')}", ctx)
    _shift_headings(nodes, ctx)
    _unique_labels(nodes, ctx)
    ctx.labels, ctx.anchors = _collect_labels(nodes), _anchors(nodes)
    nodes = _convert_fences(nodes, ctx)
    nodes = _convert_inline(nodes, ctx)
    _footnotes(nodes, ctx)
    placed = _render_placed(nodes)
    while placed and not placed[0][0].strip():
        placed.pop(0)
    while placed and not placed[-1][0].strip():
        placed.pop()
    body = "\n".join(text for text, _ in placed) + "\n"
    if ctx.comments:
        places = sorted(ctx.comments, key=lambda at: (at.rsplit(":", 1)[0], int(at.rsplit(":", 1)[1])))
        ctx.note(places[0], f"{len(places)} HTML comment(s) left out, as mystmd leaves them out: "
                 + ", ".join(places))
    files = _publishable_files(ctx)
    read = [*ctx.sources, *(path.relative_to(folder).as_posix() for path, _ in ctx.files.values())]
    return Converted(meta, body, "\n".join(ctx.doi_entries), ctx.notes, ctx.problems, files, read,
                     [where for _, where in placed])


def _publishable_files(ctx: Context) -> dict[str, bytes]:
    """The files the paper uses, each as the build can print it; a line for each one changed or unreadable."""
    files: dict[str, bytes] = {}
    for name, (path, where) in ctx.files.items():
        try:
            content, change = publishable(path)
        except ValueError as exc:
            ctx.problem(where, f"{path.relative_to(ctx.folder).as_posix()}: {exc}; it was left out")
            continue
        if change:
            ctx.note(where, f"{path.relative_to(ctx.folder).as_posix()}: {change}")
        files[name] = content
    return files
