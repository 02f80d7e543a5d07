"""The block structure of a mystmd paper: fences, includes, parts and headings."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from proceedings.collect.mystmd.source import (
    Context,
    Fence,
    Line,
    Node,
    _inside,
    _markdown,
    _read_text,
)
from proceedings.frontmatter import FRONT_MATTER, YamlError, load_mapping, split_frontmatter

# --- blocks -------------------------------------------------------------------------------

_DIRECTIVE = re.compile(r"^\{(?P<name>[^{}\s]+)(?P<attributes>(?:\s+[\w-]+=(?:\"[^\"]*\"|'[^']*'|[^\s{}]+))*)\s*\}"
                        r"[ \t]*(?P<argument>.*)$")
_ATTRIBUTE = re.compile(r"([\w-]+)=(?:\"([^\"]*)\"|'([^']*)'|([^\s{}]+))")
_OPTION = re.compile(r"^[ \t]*:(?P<key>[\w-]+):(?:[ \t]+(?P<value>.*?))?[ \t]*$")

# Directives whose content is not Markdown: left exactly as written.
_LEAVES = frozenset({"mermaid", "iframe", "embed", "button", "youtube", "video", "audio", "output", "bibliography",
                     "toctree"})
_RAW_CONTENT = frozenset({"code", "code-block", "sourcecode", "code-cell", "literalinclude", "math", "raw",
                          "csv-table", "include", "parsed-literal", "line-block"}) | _LEAVES


def _options(body: list[Line]) -> tuple[list[tuple[str, str]], list[Line]]:
    """A directive's options, in either MyST form (``:key: value`` lines, or a YAML block)."""
    if body and body[0].text.strip() == "---":
        end = next((j for j in range(1, len(body)) if body[j].text.strip() == "---"), None)
        if end is not None:
            try:
                data = load_mapping("\n".join(line.text for line in body[1:end]), body[0].at())
            except YamlError:
                return [], body
            options = [(str(k), "" if v is True or v is None else str(v)) for k, v in data.items()]
            return options, body[end + 1 :]
    options = []
    j = 0
    while j < len(body) and (match := _OPTION.match(body[j].text)):
        options.append((match["key"], match["value"] or ""))
        j += 1
    return options, body[j:]


def _make_fence(opener: Line, indent: str, marker: str, info: str, body: list[Line]) -> Fence:
    directive = _DIRECTIVE.match(info)
    if directive is None:
        return Fence(opener, indent, marker, None, info, [], body)
    options, content = _options(body)
    # mystmd's attribute form, ``{code filename="a.md"}``: the attributes are options
    attributes = [(m[1], m[2] or m[3] or m[4]) for m in _ATTRIBUTE.finditer(directive["attributes"])]
    fence = Fence(opener, indent, marker, directive["name"], directive["argument"].strip(), attributes + options,
                  content)
    if fence.name not in _RAW_CONTENT and not directive["name"].startswith("raw:"):
        fence.children = _parse(content)
    return fence


def _parse(lines: list[Line]) -> list[Node]:
    """Lines and fences, found by myst-parser's own markdown-it (the one the safety scan reads with).

    Fences (colon fences too) become :class:`Fence` nodes, so code is never rewritten; an
    indented code block's lines are ``literal``; an HTML comment block, even one holding a
    fence, is one ``comment`` line. Nested directives are parsed in turn, as myst-parser does.
    """
    nodes: list[Node] = []
    done = 0
    for token in _markdown().parse("\n".join(line.text for line in lines)):
        if token.map is None or token.map[0] < done:
            continue
        start, end = token.map
        end = min(end, len(lines))
        if token.type in ("fence", "colon_fence"):
            nodes += lines[done:start]
            opener = lines[start]
            closes = re.compile(rf"^[ \t]*{re.escape(token.markup[0])}{{{len(token.markup)},}}[ \t]*$")
            last = end - 1 if end - 1 > start and closes.match(lines[end - 1].text) else end
            indent = opener.text[: len(opener.text) - len(opener.text.lstrip())]
            nodes.append(_make_fence(opener, indent, token.markup, token.info.strip(), lines[start + 1 : last]))
        elif token.type == "html_block" and token.content.lstrip().startswith("<!--"):
            nodes += lines[done:start]
            comment = "\n".join(line.text for line in lines[start:end])
            nodes.append(Line(comment, lines[start].file, lines[start].number, comment=True))
        elif token.type == "code_block":
            nodes += lines[done:start]
            nodes += [Line(line.text, line.file, line.number, literal=True) for line in lines[start:end]]
        else:
            continue
        done = end
    return nodes + lines[done:]


def _drop_comments(nodes: list[Node], ctx: Context) -> list[Node]:
    """HTML comment blocks left out, each one's place kept for the report."""
    out: list[Node] = []
    for node in nodes:
        if isinstance(node, Line) and node.comment:
            ctx.comments.append(node.at())
            continue
        if isinstance(node, Fence) and node.children is not None:
            node.children = _drop_comments(node.children, ctx)
        out.append(node)
    return out


def _render_placed(nodes: list[Node]) -> list[tuple[str, str]]:
    """The nodes as Markdown lines, each with the author's ``file:line`` it comes from."""
    out: list[tuple[str, str]] = []
    for node in nodes:
        if isinstance(node, Line):
            if node.text.strip() or not out or out[-1][0].strip():
                out += [(text, node.at(0) if k == 0 else f"{node.file}:{node.number + k}")
                        for k, text in enumerate(node.text.split("\n"))]
            continue
        where = node.opener.at()
        head = node.argument if node.name is None else f"{{{node.name}}} {node.argument}".rstrip()
        marker = _marker(node)
        out.append((node.indent + marker + head, where))
        out += [(f"{node.indent}:{key}: {_option_value(value)}".rstrip(), where) for key, value in node.options]
        out += _render_placed(node.children) if node.children is not None else [(line.text, line.at())
                                                                                for line in node.body]
        out.append((node.indent + marker, where))
    return out


def _marker(fence: Fence) -> str:
    """The fence's marker, longer than that of any fence of its kind inside it, however deep: markdown-it
    reads a fence's content as raw lines and ends it at the first bare marker as long as its own."""
    char = fence.marker[0]
    inner = [_longest(child, char) for child in fence.children or () if isinstance(child, Fence)]
    return char * max([len(fence.marker), *(length + 1 for length in inner if length)])


def _longest(fence: Fence, char: str) -> int:
    """The longest ``char`` marker among ``fence`` and the fences inside it, as rendered."""
    own = len(_marker(fence)) if fence.marker[0] == char else 0
    return max([own, *(_longest(child, char) for child in fence.children or () if isinstance(child, Fence))])


def _option_value(value: str) -> str:
    """An option value as myst-parser reads it back: its options are YAML, where ' #' starts a comment
    (``:alt: Step #1`` would lose '#1'), so such a value is quoted."""
    return json.dumps(value, ensure_ascii=False) if value.startswith("#") or " #" in value else value


def _render(nodes: list[Node]) -> list[str]:
    return [text for text, _ in _render_placed(nodes)]


def _walk(nodes: list[Node]) -> Iterator[Node]:
    """Every node, including those inside directives whose content is Markdown."""
    for node in nodes:
        yield node
        if isinstance(node, Fence) and node.children is not None:
            yield from _walk(node.children)


def _lines_of(text: str, file: str, first: int) -> list[Line]:
    return [Line(t, file, first + i) for i, t in enumerate(text.split("\n"))]


def _read_nodes(path: Path, ctx: Context) -> tuple[dict[str, Any], list[Node], str]:
    """A Markdown file of the package: its front matter, its parsed body and its raw text."""
    name = path.relative_to(ctx.folder).as_posix()
    text = _read_text(path)
    ctx.sources.append(name)
    try:
        front, body, first = split_frontmatter(text, name)
    except YamlError as exc:
        ctx.problem(f"{name}:1", f"front matter is not valid YAML ({exc}); it was ignored")
        match = FRONT_MATTER.match(text)
        front, body = {}, text[match.end() :] if match else text
        first = text.count("\n", 0, match.end()) + 1 if match else 1
    return front, _parse(_lines_of(body.rstrip("\n"), name, first)), text


# --- includes -----------------------------------------------------------------------------


def _base(ctx: Context, line: Line) -> Path:
    return ctx.folder / PurePosixPath(line.file).parent


def _include(fence: Fence, ctx: Context, stack: tuple[Path, ...]) -> list[Node]:
    """The text of an included Markdown file of the package, itself with its includes."""
    where = fence.opener.at()
    target, refusal = _inside(ctx.folder, _base(ctx, fence.opener), fence.argument)
    if target is None:
        ctx.problem(where, f"include of {fence.argument!r} not inlined: {refusal}")
        return []
    options = dict(fence.options)
    if target.suffix.lower() == ".tex":
        ctx.problem(where, f"include of {fence.argument!r} not inlined: a LaTeX file, which only mystmd's PDF "
                    "export reads")
        return []
    if target.suffix.lower() == ".ipynb" and target.is_file() and not {"literal", "lang", "code"} & options.keys():
        return [Line("", fence.opener.file, fence.opener.number), *_expand(_notebook(target, ctx), ctx,
                                                                           (*stack, target))]
    if target.suffix.lower() != ".md" or {"literal", "lang", "code"} & options.keys():
        return [_listing(fence, options)]
    if not target.is_file():
        ctx.problem(where, f"include of {fence.argument!r} not inlined: no such file in the package")
        return []
    if target in stack:
        ctx.problem(where, f"include of {fence.argument!r} not inlined: it includes itself")
        return []
    if fence.options:
        ctx.note(where, f"include options {[k for k, _ in fence.options]} ignored: the whole file is inlined")
    _, nodes, _ = _read_nodes(target, ctx)
    return [Line("", fence.opener.file, fence.opener.number), *_expand(nodes, ctx, (*stack, target))]


def _notebook(path: Path, ctx: Context) -> list[Node]:
    """A Jupyter notebook's cells as mystmd includes them: Markdown as Markdown, code as code blocks.

    The build runs no notebook, so outputs are left out (one line says how many). A
    cell's lines are cited as ``<notebook>:<cell number>``.
    """
    name = path.relative_to(ctx.folder).as_posix()
    ctx.sources.append(name)
    try:
        notebook = json.loads(_read_text(path))
        cells = notebook["cells"]
        language = str(notebook.get("metadata", {}).get("kernelspec", {}).get("language") or "python")
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        ctx.problem(f"{name}:1", f"not a notebook this conversion reads ({exc}); it was left out")
        return []
    nodes: list[Node] = []
    outputs = 0
    for number, cell in enumerate(cells, start=1):
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        lines = [Line("", name, number), *_lines_of(text.rstrip("\n"), name, number), Line("", name, number)]
        if cell.get("cell_type") == "markdown":
            nodes += _parse(lines)
        elif cell.get("cell_type") == "code" and text.strip():
            fence_marker = "`" * max([3, *(len(run) + 1 for run in re.findall(r"`{3,}", text))])
            nodes += [lines[0], Fence(lines[1], "", fence_marker, None, language, [], lines[1:-1]), lines[-1]]
            outputs += bool(cell.get("outputs"))
    if outputs:
        ctx.note(f"{name}:1", f"{outputs} code cell output(s) of the notebook left out: the build runs no notebook")
    return nodes


def _listing(fence: Fence, options: dict[str, str]) -> Fence:
    """mystmd's ``{include}`` of a code file (or with ``:literal:``): a listing of that file."""
    language = options.pop("lang", "") or options.pop("code", "") or ""
    options.pop("literal", None)
    if language:
        options["language"] = language
    return Fence(fence.opener, fence.indent, fence.marker, "literalinclude", fence.argument,
                 list(options.items()), [])


def _expand(nodes: list[Node], ctx: Context, stack: tuple[Path, ...]) -> list[Node]:
    out: list[Node] = []
    for node in nodes:
        if isinstance(node, Fence) and node.name == "include":
            out += _include(node, ctx, stack)
            continue
        if isinstance(node, Fence) and node.children is not None:
            node.children = _expand(node.children, ctx, stack)
        out.append(node)
    return out


# --- parts: abstract and acknowledgments ----------------------------------------------------

_BLOCK_BREAK = re.compile(r"^\+\+\+[ \t]*(?P<meta>\{.*\})?[ \t]*$")
_ACKNOWLEDGMENTS = ("acknowledgments", "acknowledgements")


def _part_name(line: Line, ctx: Context) -> str | None:
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


def _text(nodes: list[Node]) -> str:
    return "\n".join(_render(nodes)).strip()


def _heading(title: str, like: Line) -> list[Node]:
    return [Line("", like.file, like.number), Line(f"## {title}", like.file, like.number),
            Line("", like.file, like.number)]


def _take_parts(nodes: list[Node], ctx: Context) -> tuple[list[Node], list[tuple[str, Line]]]:
    """Drop ``+++`` block breaks; lift the abstract (``+++ {"part": "abstract"}`` or ``{abstract}``) out.

    mystmd puts other parts where its template wants them; here acknowledgments
    become a section, and any other part stays where it is written.
    """
    body: list[Node] = []
    abstracts: list[tuple[str, Line]] = []
    part: str | None = None
    start: Line | None = None
    held: list[Node] = []

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
        if isinstance(node, Line) and _BLOCK_BREAK.match(node.text):
            finish()
            part, start = _part_name(node, ctx), node
            continue
        if isinstance(node, Fence) and node.name == "abstract":
            abstracts.append((_text(node.children or []), node.opener))
            continue
        held.append(node)
    finish()
    return body, abstracts


# --- headings -------------------------------------------------------------------------------

_ATX = re.compile(r"^(?P<indent> {0,3})(?P<hashes>#{1,6})(?=[ \t]|$)")


def _title_from_heading(nodes: list[Node]) -> tuple[str | None, list[Node]]:
    """mystmd takes a leading ``# Title`` as the title when the front matter has none."""
    for i, node in enumerate(nodes):
        if isinstance(node, Fence):
            break
        if not node.text.strip() or re.match(r"^\s*\(.+\)=\s*$", node.text):
            continue
        match = _ATX.match(node.text)
        if match and len(match["hashes"]) == 1:
            return node.text[match.end() :].strip().rstrip("#").strip(), nodes[:i] + nodes[i + 1 :]
        break
    return None, nodes


def _shift_headings(nodes: list[Node], ctx: Context) -> None:
    """Headings start at ``##`` (the title is the only ``#``) and go down one level at a time.

    mystmd accepts a paper whose headings start at ``#`` or ``###``, or skip a level; Sphinx
    does not. Each heading takes the level of its depth among the headings above it.
    """
    headings = [(node, m) for node in _walk(nodes) if isinstance(node, Line) and (m := _ATX.match(node.text))]
    open_levels: list[int] = []
    moved: list[str] = []
    for node, match in headings:
        written = len(match["hashes"])
        while open_levels and open_levels[-1] >= written:
            open_levels.pop()
        open_levels.append(written)
        level = min(len(open_levels) + 1, 6)
        if level != written:
            node.text = f"{match['indent']}{'#' * level}{node.text[match.end():]}"
            moved.append(node.at())
    if moved:
        ctx.note(moved[0], f"{len(moved)} heading(s) moved to start at '##' and go down one level at a time: "
                 + ", ".join(moved))
