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

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from docutils.parsers.rst.directives import body as rst_body
from docutils.parsers.rst.directives import images, misc, tables
from sphinx.directives import admonitions, code, other, patches
from sphinx.domains.std import Glossary

__all__ = ["Converted", "convert_package", "find_main"]


@dataclass
class Converted:
    """One paper package, converted."""

    frontmatter: dict[str, Any]
    body: str
    extra_bib: str
    notes: list[str]
    problems: list[str]


# --- where things come from -------------------------------------------------------------


@dataclass(eq=False)
class _Line:
    """A line (or, after inline conversion, a paragraph) of Markdown, with the file and line it came from."""

    text: str
    file: str
    number: int

    def at(self, offset: int = 0) -> str:
        """``file:line`` of a position in this text, for the organizer's report."""
        line = self.number + self.text.count("\n", 0, offset)
        return f"{self.file}:{line}"


@dataclass(eq=False)
class _Fence:
    """A fenced block: a directive (``{name} argument``) or plain code (``name`` is None).

    ``children`` holds the parsed content of directives whose content is Markdown, so
    that citations in a caption are converted while code stays untouched.
    """

    opener: _Line
    indent: str
    marker: str
    name: str | None
    argument: str
    options: list[tuple[str, str]]
    body: list[_Line]
    children: list[_Node] | None = None

    def option(self, key: str) -> str | None:
        return next((value for k, value in self.options if k == key), None)


_Node = _Line | _Fence


@dataclass
class _Context:
    """What one conversion knows and reports."""

    folder: Path
    bib_keys: set[str]
    bib_dois: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    doi_keys: dict[str, str] = field(default_factory=dict)
    doi_entries: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def note(self, where: str, message: str) -> None:
        self.notes.append(f"{where}: {message}")

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")


# --- finding and reading the package ------------------------------------------------------

_FRONT = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
_MYST_YML = "myst.yml"


def _read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")


def _load_yaml(text: str) -> dict[str, Any]:
    data = yaml.safe_load(text) or {}
    if not isinstance(data, dict):
        raise yaml.YAMLError("not a mapping of names to values")
    return data


def _front_matter(text: str) -> tuple[dict[str, Any], str, int]:
    """The YAML front matter, the text after it and that text's first line number."""
    match = _FRONT.match(text)
    if match is None:
        return {}, text, 1
    return _load_yaml(match["yaml"] or ""), text[match.end() :], text.count("\n", 0, match.end()) + 1


def _myst_config(folder: Path) -> dict[str, Any]:
    path = folder / _MYST_YML
    if not path.is_file():
        return {}
    try:
        return _load_yaml(_read_text(path))
    except yaml.YAMLError:
        return {}


def _inside(folder: Path, base: Path, reference: str) -> tuple[Path | None, str]:
    """``reference`` (relative to ``base``) as a path inside ``folder``, or why it is refused.

    Only the package is read: an absolute path, a ``..`` that climbs out of the folder or
    a symlink anywhere on the way could reach files the paper's authors do not own.
    """
    reference = reference.strip().replace("\\ ", " ")
    if not reference:
        return None, "no path given"
    if reference.startswith(("/", "~")) or re.match(r"^[A-Za-z]:[\\/]", reference) or Path(reference).is_absolute():
        return None, "absolute paths are not allowed"
    target = Path(os.path.normpath(base / reference))
    try:
        relative = target.relative_to(folder)
    except ValueError:
        return None, "the path leaves the paper's folder"
    step = folder
    for part in relative.parts:
        step = step / part
        if step.is_symlink():
            return None, "symlinks are not followed"
    return target, ""


def _article_candidates(config: dict[str, Any]) -> Iterator[str]:
    """Where a ``myst.yml`` names the paper: ``article``, an export's ``article``, the first toc file."""
    project = config.get("project")
    for source in (project if isinstance(project, dict) else {}, config):
        if isinstance(source.get("article"), str):
            yield source["article"]
        for export in source.get("exports") or []:
            if isinstance(export, dict) and isinstance(export.get("article"), str):
                yield export["article"]
        toc = source.get("toc")
        if isinstance(toc, list) and toc and isinstance(toc[0], dict) and isinstance(toc[0].get("file"), str):
            yield toc[0]["file"]


def _has_title(path: Path) -> bool:
    try:
        data, _, _ = _front_matter(_read_text(path))
    except (yaml.YAMLError, UnicodeDecodeError):
        return False
    return bool(data.get("title"))


def find_main(folder: Path) -> Path | None:
    """The paper's main Markdown file, found the way the packages we receive name it."""
    folder = folder.absolute()
    for name in ("paper.md", "main.md"):
        path = folder / name
        if path.is_file() and not path.is_symlink():
            return path
    for candidate in _article_candidates(_myst_config(folder)):
        article, _ = _inside(folder, folder, candidate)
        if article is not None and article.suffix == ".md" and article.is_file():
            return article
    titled = [p for p in sorted(folder.glob("*.md")) if not p.is_symlink() and _has_title(p)]
    return titled[0] if len(titled) == 1 else None


# --- front matter ---------------------------------------------------------------------------

_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])\s*$")


def _name(value: Any) -> str:
    """An author name, also from mystmd's ``{given, family}`` or ``{literal}`` forms."""
    if isinstance(value, dict):
        if value.get("literal"):
            return str(value["literal"]).strip()
        return " ".join(str(value[k]).strip() for k in ("given", "family") if value.get(k))
    return str(value or "").strip()


def _affiliation_table(*sources: Any) -> dict[str, str]:
    """Affiliation ids to names, from ``affiliations:`` lists of ``{id, name | institution}``."""
    table: dict[str, str] = {}
    for source in sources:
        for item in source if isinstance(source, list) else []:
            if isinstance(item, dict) and item.get("id"):
                name = item.get("name") or item.get("institution") or item.get("department") or item["id"]
                table.setdefault(str(item["id"]), str(name))
    return table


def _affiliation(value: Any, table: dict[str, str]) -> str:
    if isinstance(value, dict):
        if value.get("id") and str(value["id"]) in table:
            return table[str(value["id"])]
        return str(value.get("name") or value.get("institution") or value.get("id") or "").strip()
    return table.get(str(value), str(value)).strip()


def _author(raw: Any, table: dict[str, str]) -> dict[str, Any] | None:
    """One author with only the fields our model reads."""
    if isinstance(raw, str):
        return {"name": raw.strip()} if raw.strip() else None
    if not isinstance(raw, dict) or not _name(raw.get("name")):
        return None
    author: dict[str, Any] = {"name": _name(raw.get("name"))}
    affiliations = raw.get("affiliations", raw.get("affiliation"))
    if isinstance(affiliations, str | dict):
        affiliations = [affiliations]
    names = [_affiliation(a, table) for a in affiliations or []]
    if any(names):
        author["affiliations"] = [n for n in names if n]
    orcid = _ORCID.search(str(raw.get("orcid") or ""))
    if orcid:
        author["orcid"] = orcid.group(1)
    if raw.get("email"):
        author["email"] = str(raw["email"]).strip()
    if raw.get("corresponding") is True:
        author["corresponding"] = True
    return author


def _keywords(value: Any) -> list[str]:
    words = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else []
    return [str(w).strip() for w in words if str(w).strip()]


def _license(value: Any) -> str | None:
    """mystmd also allows ``license: {content: ..., code: ...}``: the paper's is ``content``."""
    if isinstance(value, dict):
        value = value.get("content")
    return str(value).strip() if value else None


def _line_of(text: str, key: str) -> int:
    match = re.search(rf"^[ \t]*{re.escape(key)}[ \t]*:", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _metadata(main: dict[str, Any], project: dict[str, Any], where: str, ctx: _Context) -> dict[str, Any]:
    """mystmd's fields from the main file, then from ``myst.yml``'s ``project``; the main file wins."""
    table = _affiliation_table(main.get("affiliations"), project.get("affiliations"))
    result: dict[str, Any] = {}
    for key in ("title", "authors", "abstract", "keywords", "license"):
        value = main.get(key) if main.get(key) not in (None, "", []) else project.get(key)
        if value in (None, "", []):
            continue
        if key == "authors":
            raw = value if isinstance(value, list) else [value]
            authors = [_author(a, table) for a in raw]
            if None in authors:
                ctx.problem(where, "an author without a name was left out")
            result[key] = [a for a in authors if a]
        elif key == "keywords":
            result[key] = _keywords(value)
        elif key == "license":
            if _license(value):
                result[key] = _license(value)
        else:
            result[key] = str(value).strip()
    return result


# --- blocks -------------------------------------------------------------------------------

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
_DIRECTIVE = re.compile(r"^\{(?P<name>[^{}\s]+)\}[ \t]*(?P<argument>.*)$")
_OPTION = re.compile(r"^[ \t]*:(?P<key>[\w-]+):(?:[ \t]+(?P<value>.*?))?[ \t]*$")

# Directives whose content is not Markdown: left exactly as written.
_LEAVES = frozenset({"mermaid", "iframe", "embed", "button", "youtube", "video", "audio", "output", "bibliography",
                     "toctree"})
_RAW_CONTENT = frozenset({"code", "code-block", "sourcecode", "code-cell", "literalinclude", "math", "raw",
                          "csv-table", "include", "parsed-literal", "line-block"}) | _LEAVES


def _options(body: list[_Line]) -> tuple[list[tuple[str, str]], list[_Line]]:
    """A directive's options, in either MyST form (``:key: value`` lines, or a YAML block)."""
    if body and body[0].text.strip() == "---":
        end = next((j for j in range(1, len(body)) if body[j].text.strip() == "---"), None)
        if end is not None:
            try:
                data = _load_yaml("\n".join(line.text for line in body[1:end]))
            except yaml.YAMLError:
                return [], body
            options = [(str(k), "" if v is True or v is None else str(v)) for k, v in data.items()]
            return options, body[end + 1 :]
    options = []
    j = 0
    while j < len(body) and (match := _OPTION.match(body[j].text)):
        options.append((match["key"], match["value"] or ""))
        j += 1
    return options, body[j:]


def _closing(lines: list[_Line], start: int, marker: str) -> int:
    """The line that closes a fence opened with ``marker`` (the same character, at least as many)."""
    closing = re.compile(rf"^[ \t]*{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$")
    return next((j for j in range(start + 1, len(lines)) if closing.match(lines[j].text)), len(lines))


def _make_fence(opener: _Line, opened: re.Match[str], body: list[_Line]) -> _Fence:
    info = opened["info"].strip()
    directive = _DIRECTIVE.match(info)
    if directive is None:
        return _Fence(opener, opened["indent"], opened["marker"], None, info, [], body)
    options, content = _options(body)
    fence = _Fence(opener, opened["indent"], opened["marker"], directive["name"], directive["argument"].strip(),
                   options, content)
    if fence.name not in _RAW_CONTENT:
        fence.children = _parse(content)
    return fence


def _parse(lines: list[_Line]) -> list[_Node]:
    """Lines and fences, found as markdown-it finds them (colon fences too), so code is never rewritten."""
    nodes: list[_Node] = []
    i = 0
    while i < len(lines):
        opened = _FENCE_OPEN.match(lines[i].text)
        if opened is None or (opened["marker"][0] == "`" and "`" in opened["info"]):
            nodes.append(lines[i])
            i += 1
            continue
        end = _closing(lines, i, opened["marker"])
        nodes.append(_make_fence(lines[i], opened, lines[i + 1 : end]))
        i = end + 1
    return nodes


def _render(nodes: list[_Node]) -> list[str]:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, _Line):
            if node.text.strip() or not out or out[-1].strip():
                out.append(node.text)
            continue
        head = node.argument if node.name is None else f"{{{node.name}}} {node.argument}".rstrip()
        out.append(node.indent + node.marker + head)
        out += [f"{node.indent}:{key}: {value}".rstrip() for key, value in node.options]
        out += _render(node.children) if node.children is not None else [line.text for line in node.body]
        out.append(node.indent + node.marker)
    return out


def _walk(nodes: list[_Node]) -> Iterator[_Node]:
    """Every node, including those inside directives whose content is Markdown."""
    for node in nodes:
        yield node
        if isinstance(node, _Fence) and node.children is not None:
            yield from _walk(node.children)


def _lines_of(text: str, file: str, first: int) -> list[_Line]:
    return [_Line(t, file, first + i) for i, t in enumerate(text.split("\n"))]


def _read_nodes(path: Path, ctx: _Context) -> tuple[dict[str, Any], list[_Node], str]:
    """A Markdown file of the package: its front matter, its parsed body and its raw text."""
    name = path.relative_to(ctx.folder).as_posix()
    text = _read_text(path)
    try:
        front, body, first = _front_matter(text)
    except yaml.YAMLError as exc:
        ctx.problem(f"{name}:1", f"front matter is not valid YAML ({exc}); it was ignored")
        front, body, first = {}, _FRONT.sub("", text, count=1), 1
    return front, _parse(_lines_of(body.rstrip("\n"), name, first)), text


# --- includes -----------------------------------------------------------------------------


def _base(ctx: _Context, line: _Line) -> Path:
    return ctx.folder / PurePosixPath(line.file).parent


def _include(fence: _Fence, ctx: _Context, stack: tuple[Path, ...]) -> list[_Node]:
    """The text of an included Markdown file of the package, itself with its includes."""
    where = fence.opener.at()
    target, refusal = _inside(ctx.folder, _base(ctx, fence.opener), fence.argument)
    if target is None:
        ctx.problem(where, f"include of {fence.argument!r} not inlined: {refusal}")
        return []
    if target.suffix.lower() != ".md":
        ctx.problem(where, f"include of {fence.argument!r} not inlined: only Markdown (.md) files are inlined")
        return []
    if not target.is_file():
        ctx.problem(where, f"include of {fence.argument!r} not inlined: no such file in the package")
        return []
    if target in stack:
        ctx.problem(where, f"include of {fence.argument!r} not inlined: it includes itself")
        return []
    if fence.options:
        ctx.note(where, f"include options {[k for k, _ in fence.options]} ignored: the whole file is inlined")
    _, nodes, _ = _read_nodes(target, ctx)
    return [_Line("", fence.opener.file, fence.opener.number), *_expand(nodes, ctx, (*stack, target))]


def _expand(nodes: list[_Node], ctx: _Context, stack: tuple[Path, ...]) -> list[_Node]:
    out: list[_Node] = []
    for node in nodes:
        if isinstance(node, _Fence) and node.name == "include":
            out += _include(node, ctx, stack)
            continue
        if isinstance(node, _Fence) and node.children is not None:
            node.children = _expand(node.children, ctx, stack)
        out.append(node)
    return out


# --- parts: abstract and acknowledgments ----------------------------------------------------

_BLOCK_BREAK = re.compile(r"^\+\+\+[ \t]*(?P<meta>\{.*\})?[ \t]*$")
_ACKNOWLEDGMENTS = ("acknowledgments", "acknowledgements")


def _part_name(line: _Line, ctx: _Context) -> str | None:
    meta = _BLOCK_BREAK.match(line.text)
    if meta is None or not meta["meta"]:
        return None
    try:
        data = json.loads(meta["meta"])
    except json.JSONDecodeError:
        ctx.problem(line.at(), "block metadata after '+++' is not JSON; the block is kept as text")
        return None
    part = data.get("part") if isinstance(data, dict) else None
    return str(part) if part else None


def _text(nodes: list[_Node]) -> str:
    return "\n".join(_render(nodes)).strip()


def _heading(title: str, like: _Line) -> list[_Node]:
    return [_Line("", like.file, like.number), _Line(f"## {title}", like.file, like.number),
            _Line("", like.file, like.number)]


def _take_parts(nodes: list[_Node], ctx: _Context) -> tuple[list[_Node], list[tuple[str, _Line]]]:
    """Drop ``+++`` block breaks; lift the abstract (``+++ {"part": "abstract"}`` or ``{abstract}``) out.

    mystmd puts other parts where its template wants them; here acknowledgments
    become a section, and any other part stays where it is written.
    """
    body: list[_Node] = []
    abstracts: list[tuple[str, _Line]] = []
    part: str | None = None
    start: _Line | None = None
    held: list[_Node] = []

    def finish() -> None:
        if part is None or start is None:
            body.extend(held)
        elif part == "abstract":
            abstracts.append((_text(held), start))
        elif part.lower() in _ACKNOWLEDGMENTS:
            body.extend([*_heading("Acknowledgments", start), *held])
            ctx.note(start.at(), "the acknowledgments part became an 'Acknowledgments' section")
        else:
            body.extend(held)
            ctx.note(start.at(), f"part {part!r} kept in place as ordinary text")
        held.clear()

    for node in nodes:
        if isinstance(node, _Line) and _BLOCK_BREAK.match(node.text):
            finish()
            part, start = _part_name(node, ctx), node
            continue
        if isinstance(node, _Fence) and node.name == "abstract":
            abstracts.append((_text(node.children or []), node.opener))
            continue
        held.append(node)
    finish()
    return body, abstracts


# --- headings -------------------------------------------------------------------------------

_ATX = re.compile(r"^(?P<indent> {0,3})(?P<hashes>#{1,6})(?=[ \t]|$)")


def _title_from_heading(nodes: list[_Node]) -> tuple[str | None, list[_Node]]:
    """mystmd takes a leading ``# Title`` as the title when the front matter has none."""
    for i, node in enumerate(nodes):
        if isinstance(node, _Fence):
            break
        if not node.text.strip() or re.match(r"^\s*\(.+\)=\s*$", node.text):
            continue
        match = _ATX.match(node.text)
        if match and len(match["hashes"]) == 1:
            return node.text[match.end() :].strip().rstrip("#").strip(), nodes[:i] + nodes[i + 1 :]
        break
    return None, nodes


def _shift_headings(nodes: list[_Node], ctx: _Context) -> None:
    """Headings must start at ``##`` (the title is the only ``#``): move them all down one level if needed."""
    headings = [(node, m) for node in _walk(nodes) if isinstance(node, _Line) and (m := _ATX.match(node.text))]
    if not headings or min(len(m["hashes"]) for _, m in headings) > 1:
        return
    for node, match in headings:
        if len(match["hashes"]) == 6:
            ctx.problem(node.at(), "a level-6 heading cannot go one level deeper; it stays at level 6")
            continue
        node.text = f"{match['indent']}#{node.text[len(match['indent']):]}"
    ctx.note(headings[0][0].at(), "headings started at '#': every heading moved down one level to start at '##'")


# --- labels ---------------------------------------------------------------------------------

_TARGET_LINE = re.compile(r"^[ \t]*\((?P<label>[^()\s]+)\)=[ \t]*$")
_DOLLAR_LABEL = re.compile(r"\$\$[ \t]*\((?P<label>[^()\s]+)\)[ \t]*$")
_NUMBERED = frozenset({"figure", "table", "list-table", "csv-table", "code", "code-block", "sourcecode",
                       "code-cell", "literalinclude"})
_LABELLED = _NUMBERED | {"image", "math"}


def _has_caption(fence: _Fence) -> bool:
    if fence.name == "figure":
        return fence.children is None or any(isinstance(c, _Line) and c.text.strip() for c in fence.children)
    if fence.name in ("table", "list-table", "csv-table"):
        return bool(fence.argument)
    return bool(fence.option("caption") or fence.option("filename"))


def _collect_labels(nodes: list[_Node]) -> dict[str, str]:
    """Every label in the paper and how it is referenced: ``numbered``, ``math`` or ``target``."""
    labels: dict[str, str] = {}
    for node in _walk(nodes):
        if isinstance(node, _Line):
            if match := _TARGET_LINE.match(node.text):
                labels.setdefault(match["label"], "target")
            elif match := _DOLLAR_LABEL.search(node.text):
                labels.setdefault(match["label"], "math")
            continue
        label = node.option("label") or node.option("name")
        if label and node.name in _LABELLED:
            kind = "math" if node.name == "math" else "numbered" if node.name in _NUMBERED else "target"
            labels.setdefault(label, "target" if kind == "numbered" and not _has_caption(node) else kind)
    return labels


# --- directives -----------------------------------------------------------------------------


def _known_directives() -> dict[str, frozenset[str]]:
    """The directives this build knows, each with the options it accepts, read from the classes themselves."""
    classes: dict[str, Any] = {
        "admonition": admonitions.Admonition, "attention": admonitions.Attention,
        "caution": admonitions.Caution, "danger": admonitions.Danger, "error": admonitions.Error,
        "hint": admonitions.Hint, "important": admonitions.Important, "note": admonitions.Note,
        "tip": admonitions.Tip, "warning": admonitions.Warning, "seealso": admonitions.SeeAlso,
        "figure": patches.Figure, "image": images.Image, "table": tables.RSTTable,
        "list-table": tables.ListTable, "csv-table": patches.CSVTable, "code-block": code.CodeBlock,
        "sourcecode": code.CodeBlock, "literalinclude": code.LiteralInclude, "math": patches.MathDirective,
        "raw": misc.Raw, "epigraph": rst_body.Epigraph, "highlights": rst_body.Highlights,
        "pull-quote": rst_body.PullQuote, "compound": rst_body.Compound, "container": rst_body.Container,
        "topic": rst_body.Topic, "sidebar": rst_body.Sidebar, "rubric": patches.Rubric,
        "line-block": rst_body.LineBlock, "parsed-literal": rst_body.ParsedLiteral, "glossary": Glossary,
        "centered": other.Centered, "hlist": other.HList, "only": other.Only,
    }
    return {name: frozenset(cls.option_spec or {}) for name, cls in classes.items()}


_KNOWN_DIRECTIVES = _known_directives()
# mystmd names with a Sphinx equivalent. ``code`` is docutils' bare ``code`` in Sphinx,
# which takes no caption and cannot be numbered; mystmd's is Sphinx's ``code-block``.
_RENAMED = {"code": "code-block", "code-cell": "code-block", "aside": "sidebar", "margin": "sidebar"}
_IMAGE_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf")
_URL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def _package_path(fence: _Fence, reference: str, ctx: _Context, what: str, then: str = "") -> str | None:
    """A file reference rewritten relative to the package folder (where ``paper.md`` will be), or None if refused.

    A file the package lacks is reported, with ``then`` saying what the caller does instead.
    """
    if _URL.match(reference):
        return reference
    where = fence.opener.at()
    target, refusal = _inside(ctx.folder, _base(ctx, fence.opener), reference)
    if target is None:
        ctx.problem(where, f"{what} {reference!r} refused: {refusal}")
        return None
    if not target.exists() and not target.suffix:
        found = next((target.with_suffix(s) for s in _IMAGE_SUFFIXES if target.with_suffix(s).is_file()), None)
        if found is not None and what == "image":
            ctx.note(where, f"image {reference!r} has no extension; {found.name!r} is used")
            target = found
    if not target.is_file():
        ctx.problem(where, f"{what} {reference!r} is not in the package{then}")
    return target.relative_to(ctx.folder).as_posix().replace(" ", "\\ ")


def _rename_options(fence: _Fence, ctx: _Context) -> None:
    """mystmd's option names, as Sphinx spells them."""
    renamed: list[tuple[str, str]] = []
    for key, value in fence.options:
        if key == "label" and fence.name != "math":
            key = "name"
        elif key == "filename" and fence.name in ("code-block", "literalinclude"):
            if fence.option("caption"):
                continue
            key = "caption"
        renamed.append((key, value))
    fence.options = renamed
    start, end = fence.option("start-line"), fence.option("end-line")
    if fence.name == "literalinclude" and (start or end) and not fence.option("lines"):
        first = int(start) + 1 if start and start.isdigit() else 1
        last = end if end and end.isdigit() else ""
        fence.options = [o for o in fence.options if o[0] not in ("start-line", "end-line")]
        fence.options.append(("lines", f"{first}-{last}"))


def _drop_unknown_options(fence: _Fence, ctx: _Context) -> None:
    allowed = _KNOWN_DIRECTIVES.get(fence.name or "", frozenset())
    dropped = [key for key, _ in fence.options if key not in allowed]
    if dropped:
        fence.options = [(k, v) for k, v in fence.options if k in allowed]
        ctx.note(fence.opener.at(), f"{{{fence.name}}} options not known to Sphinx dropped: {', '.join(dropped)}")


def _image_fence(source: _Fence) -> _Fence:
    """A subfigure as a plain image, keeping what an image accepts."""
    options = [(k, v) for k, v in source.options if k in _KNOWN_DIRECTIVES["image"] and k != "name"]
    return _Fence(source.opener, source.indent, source.marker, "image", source.argument, options, [], [])


def _subfigures(fence: _Fence, ctx: _Context) -> list[_Node]:
    """A mystmd figure of figures: Sphinx has no subfigures, so the first image carries the figure."""
    children = fence.children or []
    inner = [c for c in children if isinstance(c, _Fence) and c.name in ("figure", "image") and c.argument]
    if not inner:
        ctx.problem(fence.opener.at(), "figure without an image: its caption is kept as plain text")
        return children
    first, rest = inner[0], inner[1:]
    caption = [c for c in children if c not in inner]
    fence.argument = first.argument
    own = {k for k, _ in fence.options}
    fence.options += [(k, v) for k, v in first.options if k in ("alt", "width", "height", "scale") and k not in own]
    legend: list[_Node] = []
    for sub in inner:
        legend += [_Line("", sub.opener.file, sub.opener.number), *(sub.children or [])] if sub is first else [
            _Line("", sub.opener.file, sub.opener.number), _image_fence(sub), *(sub.children or [])]
    fence.children = [*caption, *legend]
    ctx.note(fence.opener.at(), f"figure with {len(inner)} subfigures: the first image is the figure's, "
             f"the other {len(rest)} follow its caption")
    return [fence]


def _figure(fence: _Fence, ctx: _Context) -> list[_Node]:
    if not fence.argument:
        return _subfigures(fence, ctx)
    path = _package_path(fence, fence.argument, ctx, "image")
    if path is None:
        return fence.children or []
    fence.argument = path
    return [fence]


def _missing_listing(fence: _Fence, name: str) -> list[_Node]:
    """A listing whose file the package lacks: a stand-in keeps its caption, number and label."""
    at = fence.opener
    kept = [(key, value) for key, value in fence.options if key in ("caption", "name")]
    if not any(key == "caption" for key, _ in kept):
        kept.insert(0, ("caption", name))
    text = f"[{name} was not in the camera-ready package]"
    return [_Fence(at, fence.indent, fence.marker, "code-block", "text", kept, [_Line(text, at.file, at.number)])]


def _file_option(fence: _Fence, ctx: _Context) -> list[_Node]:
    """``literalinclude`` and ``:file:`` options read files: only the package's own."""
    if fence.name == "literalinclude":
        path = _package_path(fence, fence.argument, ctx, "included file", "; a placeholder listing stands in")
        if path is None:
            return []
        name = path.replace("\\ ", " ")
        if not (ctx.folder / name).is_file():
            return _missing_listing(fence, name)
        fence.argument = path
    for key, value in list(fence.options):
        if key == "url":
            ctx.problem(fence.opener.at(), f"{{{fence.name}}} :url: dropped: the build reads no remote files")
            fence.options.remove((key, value))
        elif key == "file":
            path = _package_path(fence, value, ctx, "file")
            fence.options.remove((key, value))
            if path is None:
                return []
            fence.options.append(("file", path))
    return [fence]


class _TableReader(HTMLParser):
    """The cells of one HTML table, with their spans."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[tuple[str, bool, int, int]]] = []
        self.head_rows: set[int] = set()
        self.tables = 0
        self._in_head = False
        self._cell: tuple[list[str], bool, int, int] | None = None

    def _close_cell(self) -> None:
        if self._cell is not None and self.rows:
            parts, header, rows, cols = self._cell
            self.rows[-1].append((" ".join("".join(parts).split()), header, rows, cols))
        self._cell = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        spans = {k: int(v) for k, v in attrs if k in ("rowspan", "colspan") and v and v.isdigit()}
        if tag == "table":
            self.tables += 1
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._close_cell()
            self.rows.append([])
            if self._in_head:
                self.head_rows.add(len(self.rows) - 1)
        elif tag in ("td", "th"):
            self._close_cell()
            if not self.rows:
                self.rows.append([])
            self._cell = ([], tag == "th", spans.get("rowspan", 1), spans.get("colspan", 1))
        elif tag == "br" and self._cell is not None:
            self._cell[0].append(" ")
        elif tag == "code" and self._cell is not None:
            self._cell[0].append("`")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th", "tr", "table"):
            self._close_cell()
        elif tag == "thead":
            self._in_head = False
        elif tag == "code" and self._cell is not None:
            self._cell[0].append("`")

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell[0].append(data)


def _table_grid(html_text: str) -> tuple[list[list[str]], int] | None:
    """An HTML table as rows of cell texts (spans flattened) and its number of header rows."""
    reader = _TableReader()
    reader.feed(html_text)
    reader.close()
    if reader.tables != 1 or not reader.rows:
        return None
    grid: dict[tuple[int, int], str] = {}
    header = []
    for r, row in enumerate(reader.rows):
        c = 0
        for text, _, down, across in row:
            while (r, c) in grid:
                c += 1
            for dr in range(down):
                for dc in range(across):
                    grid[(r + dr, c + dc)] = text if (dr, dc) == (0, 0) else ""
            c += across
        header.append(r in reader.head_rows or (bool(row) and all(cell[1] for cell in row)))
    width = max(c for _, c in grid) + 1
    cells = [[grid.get((r, c), "") for c in range(width)] for r in range(len(reader.rows))]
    keep_cols = [c for c in range(width) if any(row[c] for row in cells)]
    kept = [(h, [row[c] for c in keep_cols]) for h, row in zip(header, cells, strict=True) if any(row)]
    head_rows = next((i for i, (h, _) in enumerate(kept) if not h), len(kept))
    return [row for _, row in kept], head_rows


def _html_table(fence: _Fence, ctx: _Context) -> list[_Node]:
    """A ``{table}`` holding an HTML table becomes a ``{list-table}``: Sphinx tables cannot be raw HTML."""
    html_text = "\n".join(line.text for line in fence.body)
    if "<table" not in html_text.lower():
        return [fence]
    table = _table_grid(html_text)
    if table is None:
        ctx.problem(fence.opener.at(), "HTML table could not be read; it is kept as raw HTML, without its caption")
        return [_Line("", fence.opener.file, fence.opener.number), *fence.body]
    rows, head_rows = table
    lines = [f"{'*' if c == 0 else ' '} - {cell}".rstrip() for row in rows for c, cell in enumerate(row)]
    options = [(k, v) for k, v in fence.options if k in _KNOWN_DIRECTIVES["list-table"]]
    if head_rows:
        options.append(("header-rows", str(head_rows)))
    at = fence.opener
    content = [_Line("", at.file, at.number), *(_Line(t, at.file, at.number) for t in lines)]
    ctx.note(at.at(), "HTML table turned into a list-table (row and column spans flattened)")
    return [_Fence(at, fence.indent, fence.marker, "list-table", fence.argument, options, content, _parse(content))]


def _code_cell(fence: _Fence, ctx: _Context) -> None:
    language = fence.argument.split()[0] if fence.argument else "python"
    fence.argument = "python" if language.startswith("ipython") else language
    ctx.note(fence.opener.at(), "{code-cell} shown as a code block: the build runs no code")


def _unknown(fence: _Fence, ctx: _Context) -> list[_Node]:
    """A directive Sphinx does not know: its Markdown content stays, the directive goes."""
    at = fence.opener
    blank = _Line("", at.file, at.number)
    if fence.children is None:
        link: list[_Node] = []
        if _URL.match(fence.argument):
            link = [blank, _Line(f"<{fence.argument}>", at.file, at.number), blank]
        kept = " (its link kept)" if link else ""
        ctx.problem(at.at(), f"{{{fence.name}}} is not known to Sphinx; it was dropped{kept}")
        return link
    title = fence.argument if fence.argument and not re.fullmatch(r"[\d\s]+", fence.argument) else ""
    lead = [blank, _Line(f"**{title}**", at.file, at.number)] if title else []
    ctx.problem(at.at(), f"{{{fence.name}}} is not known to Sphinx; its content is kept without it")
    return [*lead, blank, *fence.children, blank]


def _convert_fence(fence: _Fence, ctx: _Context) -> list[_Node]:
    if fence.name is None:
        return [fence]
    original = fence.name
    fence.name = _RENAMED.get(fence.name, fence.name)
    if fence.name not in _KNOWN_DIRECTIVES:
        return _unknown(fence, ctx)
    if original == "code-cell":
        _code_cell(fence, ctx)
    elif original in ("aside", "margin"):
        ctx.note(fence.opener.at(), f"{{{original}}} became a sidebar")
    _rename_options(fence, ctx)
    _drop_unknown_options(fence, ctx)
    if fence.name == "figure":
        return _figure(fence, ctx)
    if fence.name == "image":
        path = _package_path(fence, fence.argument, ctx, "image")
        fence.argument = path or ""
        return [fence] if path else []
    if fence.name == "table":
        return _html_table(fence, ctx)
    if fence.name == "raw" and fence.argument.split()[:1] in (["latex"], ["tex"], ["typst"]):
        # mystmd shows these only in its PDF exports; raw LaTeX is not accepted in ours.
        ctx.problem(fence.opener.at(), f"{{raw}} {fence.argument.split()[0]} block ({len(fence.body)} lines) "
                    "left out: raw LaTeX or Typst is not accepted, and the web page never showed it")
        return []
    if fence.name in ("literalinclude", "csv-table", "raw"):
        return _file_option(fence, ctx)
    return [fence]


def _convert_fences(nodes: list[_Node], ctx: _Context) -> list[_Node]:
    out: list[_Node] = []
    for node in nodes:
        if isinstance(node, _Line):
            out.append(node)
            continue
        if node.children is not None:
            node.children = _convert_fences(node.children, ctx)
        out += _convert_fence(node, ctx)
    return out


# --- citations and cross-references -----------------------------------------------------------

_KEY = r"\w(?:[\w:.#$%&+/~-]*\w)?"
_DOI = r"(?:[Dd][Oo][Ii]:10\.\d+/|10\.\d{4,9}/)"
_INLINE = re.compile(
    r"(?P<link>\[(?P<text>[^\[\]`]*)\]\(#(?P<target>[^()\s]+)\))"
    r"|(?P<bracket>(?<![!\]\\])\[(?P<body>[^\[\]]*@[^\[\]]*)\](?![(\[:]))"
    rf"|(?P<bare>(?<![^\s(])@(?P<word>{_DOI}[^\s\[\]]+|{_KEY}))"
)
_CITE_PART = re.compile(
    rf"^(?P<pre>(?:.*?\s)?)(?P<minus>-?)@(?P<key>{_DOI}[^\s;,]+|{_KEY})(?P<post>(?:[,\s].*)?)$", re.DOTALL
)
_ROLE_NAME = re.compile(r"\{(?P<name>[\w:+.-]+)\}$")
_KNOWN_ROLES = frozenset({
    "abbr", "any", "code", "command", "dfn", "doc", "download", "emphasis", "envvar", "eq", "file", "guilabel",
    "index", "kbd", "keyword", "literal", "math", "menuselection", "mimetype", "numref", "option", "pep",
    "program", "ref", "regexp", "rfc", "samp", "strong", "sub", "subscript", "sup", "superscript", "term",
    "title-reference", "token", "cite", "footcite",
})
_PLAIN_ROLES = frozenset({"u", "underline", "del", "strike", "smallcaps", "sc"})


def _is_doi(word: str) -> bool:
    return re.match(_DOI, word) is not None


def _doi_key(word: str, where: str, ctx: _Context) -> str:
    """The key citing a DOI: the package's own entry with that DOI, or a new ``@misc`` entry for it."""
    doi = re.sub(r"^doi:", "", word, flags=re.IGNORECASE)
    folded = doi.lower()
    if folded in ctx.bib_dois:
        if folded not in ctx.doi_keys:
            ctx.doi_keys[folded] = ctx.bib_dois[folded]
            ctx.note(where, f"DOI {doi} cited as the package's own entry {ctx.bib_dois[folded]!r}, which has that DOI")
        return ctx.bib_dois[folded]
    if folded not in ctx.doi_keys:
        slug = "doi-" + re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
        key, n = slug, 1
        while key in ctx.bib_keys or key in ctx.doi_keys.values():
            n += 1
            key = f"{slug}-{n}"
        ctx.doi_keys[folded] = key
        ctx.doi_entries.append(
            f"@misc{{{key},\n  doi = {{{doi}}},\n  url = {{https://doi.org/{doi}}},\n"
            f"  title = {{DOI {doi}}},\n  note = {{Reference given only by its DOI}},\n}}\n"
        )
        ctx.note(where, f"DOI {doi} has no entry in the package's .bib: entry {key!r} added with the DOI only")
    return ctx.doi_keys[folded]


def _cite_key(word: str, where: str, ctx: _Context) -> str:
    if _is_doi(word):
        return _doi_key(word, where, ctx)
    if word not in ctx.bib_keys:
        ctx.problem(where, f"citation key {word!r} is not in the package's .bib files")
    return word


def _note_text(text: str, where: str, ctx: _Context) -> str:
    """Pre/post text fit for a cite role: no braces or backticks, and no commas (which split keys)."""
    cleaned = text.strip().strip(",").strip().replace("{", "(").replace("}", ")").replace("`", "'")
    if "," in cleaned:
        ctx.note(where, f"comma in citation note {cleaned!r} written as ';' (a comma separates keys)")
    return cleaned.replace(",", ";")


def _cite_target(key: str, pre: str, post: str) -> str:
    return (f"{{{pre}}}" if pre else "") + key + (f"{{{post}}}" if post else "")


def _reference(label: str, ctx: _Context) -> str:
    """mystmd's ``@label``: a numbered reference where Sphinx numbers the target, a link otherwise."""
    kind = ctx.labels[label]
    if kind == "numbered":
        return f"{{numref}}`{label}`"
    if kind == "math":
        return f"{{eq}}`{label}`"
    return f"[](#{label})"


def _bracket(body: str, where: str, ctx: _Context) -> str | None:
    """``[see @a, p. 3; -@b; @fig:x]`` as cite roles and references, or None if it is not a citation."""
    pieces: list[tuple[str, str]] = []
    for part in body.split(";"):
        match = _CITE_PART.match(part.strip())
        if match is None:
            return None
        key, pre, post = match["key"], match["pre"], match["post"]
        if key in ctx.labels and key not in ctx.bib_keys and not _is_doi(key):
            pieces.append(("ref", " ".join(t for t in (pre.strip(), _reference(key, ctx), post.strip()) if t)))
            continue
        role = "cite:year" if match["minus"] else "cite:p"
        target = _cite_target(_cite_key(key, where, ctx), _note_text(pre, where, ctx), _note_text(post, where, ctx))
        if pieces and pieces[-1][0] == role:
            pieces[-1] = (role, f"{pieces[-1][1]},{target}")
        else:
            pieces.append((role, target))
    out = []
    for kind, text in pieces:
        out.append(f"({text})" if kind == "ref" else f"{{{kind}}}`{text}`")
    return " ".join(out)


def _bare(word: str, where: str, ctx: _Context) -> tuple[str, str]:
    """``@key`` in running text: (replacement, text given back after it)."""
    trail = ""
    if _is_doi(word):
        while word and (word[-1] in ".,;:" or (word[-1] == ")" and word.count("(") < word.count(")"))):
            word, trail = word[:-1], word[-1] + trail
        return f"{{cite:t}}`{_doi_key(word, where, ctx)}`", trail
    if word in ctx.bib_keys:
        return f"{{cite:t}}`{word}`", ""
    if word in ctx.labels:
        return _reference(word, ctx), ""
    ctx.note(where, f"'@{word}' left as text: it is neither a key of the package's .bib nor a label")
    return f"@{word}", ""


def _link(text: str, label: str, ctx: _Context) -> str | None:
    """``[](#label)`` and ``[Figure %s](#label)``: numbered as mystmd numbers them."""
    kind = ctx.labels.get(label)
    if kind == "numbered" and (not text or "%s" in text or "{number}" in text):
        return f"{{numref}}`{text} <{label}>`" if text else f"{{numref}}`{label}`"
    if kind == "math" and (not text or "%s" in text):
        return text.replace("%s", f"{{eq}}`{label}`") if text else f"{{eq}}`{label}`"
    return None


def _prose(text: str, line: _Line, offset: int, ctx: _Context) -> str:
    """Citations and references in text outside code."""

    def one(match: re.Match[str]) -> str:
        where = line.at(offset + match.start())
        if match["link"]:
            return _link(match["text"], match["target"], ctx) or match[0]
        if match["bracket"]:
            converted = _bracket(match["body"], where, ctx)
            return converted if converted is not None else "[" + _INLINE.sub(one, match["body"]) + "]"
        replacement, trail = _bare(match["word"], where, ctx)
        return replacement + trail

    return _INLINE.sub(one, text)


def _role(name: str, span: str, where: str, ctx: _Context) -> str:
    """A role written for mystmd, as Sphinx reads it."""
    content = span.strip("`")
    base = name.split(":")[0]
    if name in ("ref", "numref") and ctx.labels.get(content.strip()) == "math":
        return f"{{eq}}`{content.strip()}`"
    if base in ("cite", "footcite"):
        keys = [k.strip() for k in content.split(",")]
        if all(re.fullmatch(r"[^{}\s,]+", k) for k in keys):
            return f"{{{name}}}`{','.join(_cite_key(k, where, ctx) for k in keys)}`"
        return f"{{{name}}}{span}"
    if name == "keyboard":
        return f"{{kbd}}{span}"
    if name in _PLAIN_ROLES:
        ctx.note(where, f"role {{{name}}} has no Sphinx equivalent: its text is kept plain")
        return content
    if ":" not in name and name not in _KNOWN_ROLES:
        ctx.problem(where, f"role {{{name}}} is not known to Sphinx: its text is kept as code")
        return span
    return f"{{{name}}}{span}"


def _code_spans(text: str) -> Iterator[tuple[int, int]]:
    """Code spans as CommonMark finds them: a run of n backticks up to the next run of exactly n."""
    pos = 0
    while (opening := re.compile(r"(?<![\\`])`+").search(text, pos)) is not None:
        ticks = len(opening.group())
        closing = re.compile(rf"(?<!`)`{{{ticks}}}(?!`)").search(text, opening.end())
        if closing is None:
            pos = opening.end()
            continue
        yield opening.start(), closing.end()
        pos = closing.end()


def _inline(line: _Line, ctx: _Context) -> str:
    """One paragraph's text with its citations, references and roles converted; code spans untouched."""
    text, out, pos = line.text, [], 0
    for start, end in _code_spans(text):
        before = text[pos:start]
        role = _ROLE_NAME.search(before)
        if role:
            out.append(_prose(before[: role.start()], line, pos, ctx))
            out.append(_role(role["name"], text[start:end], line.at(start), ctx))
        else:
            out += [_prose(before, line, pos, ctx), text[start:end]]
        pos = end
    out.append(_prose(text[pos:], line, pos, ctx))
    return "".join(out)


def _paragraphs(nodes: list[_Node]) -> list[_Node]:
    """Consecutive lines of one file joined into paragraphs, so a citation may span a line break."""
    out: list[_Node] = []
    for node in nodes:
        last = out[-1] if out else None
        if (isinstance(node, _Line) and isinstance(last, _Line) and node.text.strip() and last.text.strip()
                and node.file == last.file and node.number == last.number + last.text.count("\n") + 1):
            out[-1] = _Line(f"{last.text}\n{node.text}", last.file, last.number)
        else:
            out.append(_Line(node.text, node.file, node.number) if isinstance(node, _Line) else node)
    return out


_TITLED = frozenset({"table", "list-table", "csv-table", "admonition", "topic", "sidebar"})


def _convert_inline(nodes: list[_Node], ctx: _Context) -> list[_Node]:
    out = _paragraphs(nodes)
    for node in out:
        if isinstance(node, _Line):
            node.text = _inline(node, ctx)
            continue
        if node.name in _TITLED and node.argument:
            node.argument = _inline(_Line(node.argument, node.opener.file, node.opener.number), ctx)
        if node.children is not None:
            node.children = _convert_inline(node.children, ctx)
    return out


# --- the package ------------------------------------------------------------------------------

_BIB_ENTRY = re.compile(r"^[ \t]*@\s*\w+\s*[{(]\s*([^,\s]+)\s*,", re.MULTILINE)
_BIB_DOI = re.compile(r"\bdoi\s*=\s*[{\"]\s*(?:https?://(?:dx\.)?doi\.org/)?([^}\"\s]+)", re.IGNORECASE)


def _bib_dois(folder: Path) -> dict[str, str]:
    """DOIs of the package's own entries, so ``[@doi:...]`` cites the entry the authors wrote."""
    dois: dict[str, str] = {}
    for path in sorted(folder.glob("*.bib")):
        try:
            text = _read_text(path)
        except UnicodeDecodeError:
            continue
        starts = list(_BIB_ENTRY.finditer(text))
        for match, following in zip(starts, [*starts[1:], None], strict=True):
            block = text[match.start() : following.start() if following else len(text)]
            if doi := _BIB_DOI.search(block):
                dois.setdefault(doi.group(1).lower(), match.group(1))
    return dois


def _project(folder: Path, ctx: _Context) -> dict[str, Any]:
    """``myst.yml``'s ``project``; ``extends`` points outside the package and is not followed."""
    path = folder / _MYST_YML
    if not path.is_file():
        return {}
    text = _read_text(path)
    try:
        config = _load_yaml(text)
    except yaml.YAMLError as exc:
        ctx.problem(f"{_MYST_YML}:1", f"not valid YAML ({exc}); it was ignored")
        return {}
    if config.get("extends"):
        ctx.note(f"{_MYST_YML}:{_line_of(text, 'extends')}",
                 f"'extends: {config['extends']}' not followed: it points outside the paper's package")
    project = config.get("project")
    return project if isinstance(project, dict) else {}


def _abstract(meta: dict[str, Any], found: list[tuple[str, _Line]], ctx: _Context) -> None:
    """The front matter's abstract, else the one in the body; citations cannot be resolved there."""
    for text, line in found:
        if meta.get("abstract"):
            ctx.note(line.at(), "abstract in the body dropped: the front matter has one")
        elif text:
            meta["abstract"] = text
    if re.search(r"\[[^\]]*@|\{cite", meta.get("abstract", "")):
        ctx.problem("abstract", "the abstract cites references, which the paper header cannot resolve")


def _acknowledgments(front: dict[str, Any], raw: str, file: str, ctx: _Context) -> list[_Node]:
    """mystmd's ``acknowledgments:`` front matter part, as the paper's last section."""
    key = next((k for k in _ACKNOWLEDGMENTS if front.get(k)), None)
    if key is None:
        return []
    line = _line_of(raw, key)
    ctx.note(f"{file}:{line}", f"front matter '{key}' became an 'Acknowledgments' section at the end")
    return [*_heading("Acknowledgments", _Line("", file, line)),
            *_parse(_lines_of(str(front[key]).strip(), file, line + 1))]


def convert_package(folder: Path, main: Path, bib_keys: set[str]) -> Converted:
    """Convert one mystmd paper package; only reads files inside ``folder``."""
    # Normalised, not resolved: ``_inside`` compares normalised paths and refuses symlinks itself.
    folder, main = Path(os.path.normpath(folder.absolute())), Path(os.path.normpath(main.absolute()))
    ctx = _Context(folder, set(bib_keys), bib_dois={d: k for d, k in _bib_dois(folder).items() if k in bib_keys})
    project = _project(folder, ctx)
    front, nodes, raw = _read_nodes(main, ctx)
    main_name = main.relative_to(folder).as_posix()
    nodes = _expand(nodes, ctx, (main,))
    nodes, abstracts = _take_parts(nodes, ctx)
    nodes += _acknowledgments(front, raw, main_name, ctx)
    meta = _metadata(front, project, f"{main_name}:1", ctx)
    if not meta.get("title"):
        title, nodes = _title_from_heading(nodes)
        if title:
            meta["title"] = title
            ctx.note(f"{main_name}:1", "no title in the front matter: the first '#' heading is the title")
    _abstract(meta, abstracts, ctx)
    _shift_headings(nodes, ctx)
    ctx.labels = _collect_labels(nodes)
    nodes = _convert_fences(nodes, ctx)
    nodes = _convert_inline(nodes, ctx)
    body = "\n".join(_render(nodes)).strip("\n") + "\n"
    return Converted(meta, body, "\n".join(ctx.doi_entries), ctx.notes, ctx.problems)
