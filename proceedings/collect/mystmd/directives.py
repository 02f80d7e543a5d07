"""mystmd directives rewritten as the ones Sphinx and myst-parser know, or reported."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from pygments.filters import ErrorToken
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound
from sphinx import highlighting

from proceedings.collect.mystmd.blocks import _base
from proceedings.collect.mystmd.media import published_name
from proceedings.collect.mystmd.source import KNOWN_DIRECTIVES, Context, Fence, Line, Node, _inside
from proceedings.collect.mystmd.tables import _html_table, _wrapped_table

# --- directives -----------------------------------------------------------------------------


# mystmd names with a Sphinx equivalent. ``code`` is docutils' bare ``code`` in Sphinx,
# which takes no caption and cannot be numbered; mystmd's is Sphinx's ``code-block``.
_RENAMED = {"code": "code-block", "code-cell": "code-block", "aside": "sidebar", "margin": "sidebar"}
_IMAGE_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".tif", ".tiff", ".bmp", ".pdf")
_VIDEO_SUFFIXES = frozenset({".mp4", ".webm", ".mov", ".ogv", ".avi", ".mkv"})
_URL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_TARGET = re.compile(r"^\s*\([^()\s]+\)=\s*$")


def _package_path(at: Line, reference: str, ctx: Context, what: str, then: str = "") -> str | None:
    """A file reference rewritten relative to the package folder (where ``paper.md`` will be), or None if refused.

    A file the package lacks is reported, with ``then`` saying what the caller does instead.
    """
    if _URL.match(reference):
        return reference
    where = at.at()
    if what == "image" and PurePosixPath(reference).suffix.lower() in _VIDEO_SUFFIXES:
        ctx.problem(where, f"video {reference!r} left out: the printed volume shows no video; its caption is kept")
        return None
    target, refusal = _inside(ctx.folder, _base(ctx, at), reference)
    if target is None:
        ctx.problem(where, f"{what} {reference!r} refused: {refusal}")
        return None
    if not target.exists() and not target.suffix:
        found = next((target.with_suffix(s) for s in _IMAGE_SUFFIXES if target.with_suffix(s).is_file()), None)
        if found is not None and what == "image":
            ctx.note(where, f"image {reference!r} has no extension; {found.name!r} is used")
            target = found
    relative = target.relative_to(ctx.folder).as_posix()
    if not target.is_file():
        ctx.problem(where, f"{what} {reference!r} is not in the package{then}")
        return relative.replace(" ", "\\ ")
    published = published_name(relative) if what == "image" else relative
    ctx.files.setdefault(published, (target, where))
    return published.replace(" ", "\\ ")


def _rename_options(fence: Fence, ctx: Context) -> None:
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


def _drop_unknown_options(fence: Fence, ctx: Context) -> None:
    allowed = KNOWN_DIRECTIVES.get(fence.name or "", frozenset())
    dropped = [key for key, _ in fence.options if key not in allowed]
    if dropped:
        fence.options = [(k, v) for k, v in fence.options if k in allowed]
        ctx.note(fence.opener.at(), f"{{{fence.name}}} options not known to Sphinx dropped: {', '.join(dropped)}")


def _image_fence(source: Fence) -> Fence:
    """A subfigure as a plain image, keeping what an image accepts."""
    options = [(k, v) for k, v in source.options if k in KNOWN_DIRECTIVES["image"] and k != "name"]
    return Fence(source.opener, source.indent, source.marker, "image", source.argument, options, [], [])


_IMAGE_LINE = re.compile(r"^\s*!\[(?P<alt>[^\[\]]*)\]\((?:<(?P<bracketed>[^<>]+)>|(?P<path>[^()\s]+))\)\s*$")


def _markdown_images(children: list[Node], ctx: Context) -> list[Node]:
    """Image lines (``![alt](path)``) in a figure of figures, as the image directives they stand for."""
    out: list[Node] = []
    for child in children:
        image = _IMAGE_LINE.match(child.text) if isinstance(child, Line) else None
        if image is None or not isinstance(child, Line):
            out.append(child)
            continue
        path = _package_path(child, image["bracketed"] or image["path"], ctx, "image")
        if path is not None:
            options = [("alt", image["alt"])] if image["alt"] else []
            out.append(Fence(child, "", ":::", "image", path, options, [], []))
    return out


def _subfigures(fence: Fence, ctx: Context) -> list[Node]:
    """A mystmd figure of figures: Sphinx has no subfigures, so the first image carries the figure.

    Labels written as target lines among the subfigures move before the figure, so that
    links to them reach it.
    """
    children = _markdown_images(fence.children or [], ctx)
    targets = [c for c in children if isinstance(c, Line) and _TARGET.match(c.text)]
    children = [c for c in children if c not in targets]
    inner = [c for c in children if isinstance(c, Fence) and c.name in ("figure", "image") and c.argument]
    if not inner:
        ctx.problem(fence.opener.at(), "figure without an image: its caption is kept as plain text")
        return [*targets, *children]
    first, rest = inner[0], inner[1:]
    caption = [c for c in children if c not in inner]
    fence.argument = first.argument
    own = {k for k, _ in fence.options}
    fence.options += [(k, v) for k, v in first.options if k in ("alt", "width", "height", "scale") and k not in own]
    legend: list[Node] = []
    for sub in inner:
        legend += [Line("", sub.opener.file, sub.opener.number), *(sub.children or [])] if sub is first else [
            Line("", sub.opener.file, sub.opener.number), _image_fence(sub), *(sub.children or [])]
    fence.children = [*caption, *legend]
    ctx.note(fence.opener.at(), f"figure with {len(inner)} subfigures: the first image is the figure's, "
             f"the other {len(rest)} follow its caption")
    return [*targets, fence]


def _caption_text(nodes: list[Node]) -> str:
    return " ".join(" ".join(n.text.split()) for n in nodes if isinstance(n, Line) and n.text.strip())


def _code_figure(fence: Fence, code: Fence, ctx: Context) -> list[Node]:
    """mystmd's figure holding a code block: a captioned listing, which keeps the label and its number."""
    caption = _caption_text([c for c in fence.children or [] if c is not code])
    label = fence.option("name")
    language = code.argument.split()[0] if code.argument.strip() else "text"
    options = [(k, v) for k, v in code.options if k not in ("caption", "name")]
    options += [(k, v) for k, v in (("caption", caption), ("name", label)) if v]
    ctx.note(fence.opener.at(), "figure holding a code block became a captioned listing")
    return [Fence(code.opener, fence.indent, fence.marker, "code-block", language, options, code.body)]


def _figure_stand_in(fence: Fence, ctx: Context) -> list[Node]:
    """A figure whose image the build cannot have: on the web (the build fetches nothing), or a notebook
    output that mystmd embeds by its label. Its caption stays, after a link to the image if it has one."""
    at = fence.opener
    blank = Line("", at.file, at.number)
    label = fence.option("name")
    target = [Line(f"({label})=", at.file, at.number)] if label else []
    if label:
        ctx.labels[label] = "remote"
    if fence.argument.startswith("#"):
        ctx.problem(at.at(), f"figure of notebook output {fence.argument!r} left out: the build runs no notebook; "
                    "its caption is kept")
        shown: list[Node] = []
    else:
        ctx.problem(at.at(), f"image {fence.argument!r} is not in the package (the build fetches nothing): "
                    "a link to it is shown instead")
        shown = [Line(f"[Figure: {fence.argument.rsplit('/', 1)[-1]}](<{fence.argument}>)", at.file, at.number)]
    return [blank, *target, *shown, blank, *(fence.children or []), blank]


_NOT_IN_PACKAGE = re.compile(r"https?://|#")


def _figure(fence: Fence, ctx: Context) -> list[Node]:
    if not fence.argument:
        code = next((c for c in fence.children or [] if isinstance(c, Fence) and (
            (c.name is None and c.marker[0] != ":") or c.name == "code-block")), None)
        return _code_figure(fence, code, ctx) if code is not None else _subfigures(fence, ctx)
    if _NOT_IN_PACKAGE.match(fence.argument):
        return _figure_stand_in(fence, ctx)
    path = _package_path(fence.opener, fence.argument, ctx, "image")
    if path is None:
        return fence.children or []
    fence.argument = path
    return [fence]


def _missing_listing(fence: Fence, name: str) -> list[Node]:
    """A listing whose file the package lacks: a stand-in keeps its caption, number and label."""
    at = fence.opener
    kept = [(key, value) for key, value in fence.options if key in ("caption", "name")]
    if not any(key == "caption" for key, _ in kept):
        kept.insert(0, ("caption", name))
    text = f"[{name} was not in the camera-ready package]"
    return [Fence(at, fence.indent, fence.marker, "code-block", "text", kept, [Line(text, at.file, at.number)])]


def _file_option(fence: Fence, ctx: Context) -> list[Node]:
    """``literalinclude`` and ``:file:`` options read files: only the package's own."""
    if fence.name == "literalinclude":
        path = _package_path(fence.opener, fence.argument, ctx, "included file", "; a placeholder listing stands in")
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
            path = _package_path(fence.opener, value, ctx, "file")
            fence.options.remove((key, value))
            if path is None:
                return []
            fence.options.append(("file", path))
    return [fence]


def _code_cell(fence: Fence, ctx: Context) -> None:
    language = fence.argument.split()[0] if fence.argument else "python"
    fence.argument = "python" if language.startswith("ipython") else language
    ctx.note(fence.opener.at(), "{code-cell} shown as a code block: the build runs no code")


def _unknown(fence: Fence, ctx: Context) -> list[Node]:
    """A directive Sphinx does not know: its Markdown content stays, the directive goes."""
    at = fence.opener
    blank = Line("", at.file, at.number)
    if fence.children is None:
        link: list[Node] = []
        if _URL.match(fence.argument):
            link = [blank, Line(f"<{fence.argument}>", at.file, at.number), blank]
        kept = " (its link kept)" if link else ""
        ctx.problem(at.at(), f"{{{fence.name}}} is not known to Sphinx; it was dropped{kept}")
        return link
    title = fence.argument if fence.argument and not re.fullmatch(r"[\d\s]+", fence.argument) else ""
    lead = [blank, Line(f"**{title}**", at.file, at.number)] if title else []
    ctx.problem(at.at(), f"{{{fence.name}}} is not known to Sphinx; its content is kept without it")
    return [*lead, blank, *fence.children, blank]


def _lexes(language: str, source: str) -> str:
    """Why Sphinx would warn on highlighting ``source`` as ``language`` ('' if it would not), as Sphinx decides."""
    if language in ("py", "python", "py3", "python3", "default") and source.startswith(">>>"):
        language = "pycon"
    if language in highlighting.lexers:
        return ""
    try:
        lexer = highlighting.lexer_classes[language]() if language in highlighting.lexer_classes else \
            get_lexer_by_name(language)
    except ClassNotFound:
        return "Pygments knows no such language"
    lexer.add_filter("raiseonerror")
    try:
        for _ in lexer.get_tokens(source):
            pass
    except ErrorToken as exc:
        return f"the code is not {language} (at {str(exc)[:20]!r})"
    return ""


def _code_language(fence: Fence, ctx: Context) -> None:
    """A code block in a language Pygments does not know, or whose code is not in it, shown as plain text."""
    words = fence.argument.split(maxsplit=1)
    if not words or (fence.name is None and words[0].startswith("{")):
        return
    why = _lexes(words[0], "\n".join(line.text for line in fence.body))
    if why:
        fence.argument = " ".join(["text", *words[1:]])
        ctx.note(fence.opener.at(), f"code block in {words[0]!r} shown as plain text: {why}")


_ADMONITIONS = frozenset({"attention", "caution", "danger", "error", "hint", "important", "note", "tip", "warning",
                          "seealso"})


def _glossary(fence: Fence) -> None:
    """mystmd's glossary (``Term`` then ``: definition``, a definition list) as Sphinx's (the definition indented)."""
    for line in fence.children or []:
        if isinstance(line, Line) and line.text.startswith(": "):
            line.text = "   " + line.text[2:]


def _convert_fence(fence: Fence, ctx: Context) -> list[Node]:
    if fence.name is None:
        if fence.marker[0] != ":":
            _code_language(fence, ctx)
        return [fence]
    original = fence.name
    if original.startswith("raw:"):
        ctx.problem(fence.opener.at(), f"{{{original}}} block ({len(fence.body)} lines) left out: raw output is "
                    "not accepted, and mystmd shows it in one export format only")
        return []
    fence.name = _RENAMED.get(fence.name, fence.name)
    if fence.name not in KNOWN_DIRECTIVES:
        return _unknown(fence, ctx)
    if original == "code-cell":
        _code_cell(fence, ctx)
    elif original in ("aside", "margin"):
        ctx.note(fence.opener.at(), f"{{{original}}} became a sidebar")
    if fence.name in _ADMONITIONS and fence.argument:
        # mystmd titles any admonition; Sphinx's take no title, its ``admonition`` does
        fence.options.append(("class", fence.name))
        fence.name = "admonition"
    if fence.name == "glossary":
        _glossary(fence)
    _rename_options(fence, ctx)
    _drop_unknown_options(fence, ctx)
    if fence.name == "figure":
        return _figure(fence, ctx)
    if fence.name == "image" and _NOT_IN_PACKAGE.match(fence.argument):
        return _figure_stand_in(fence, ctx)
    if fence.name == "image":
        path = _package_path(fence.opener, fence.argument, ctx, "image")
        fence.argument = path or ""
        return [fence] if path else []
    if fence.name == "table":
        inner = [c for c in fence.children or [] if isinstance(c, Fence) and c.name in ("list-table", "csv-table")]
        return _wrapped_table(fence, inner[0]) if len(inner) == 1 else _html_table(fence, ctx)
    if fence.name == "raw" and fence.argument.split()[:1] in (["latex"], ["tex"], ["typst"]):
        # mystmd shows these only in its PDF exports; raw LaTeX is not accepted in ours.
        ctx.problem(fence.opener.at(), f"{{raw}} {fence.argument.split()[0]} block ({len(fence.body)} lines) "
                    "left out: raw LaTeX or Typst is not accepted, and the web page never showed it")
        return []
    if fence.name == "code-block":
        _code_language(fence, ctx)
    if fence.name in ("literalinclude", "csv-table", "raw"):
        return _file_option(fence, ctx)
    return [fence]


def _convert_fences(nodes: list[Node], ctx: Context) -> list[Node]:
    out: list[Node] = []
    for node in nodes:
        if isinstance(node, Line):
            out.append(node)
            continue
        if node.children is not None:
            node.children = _convert_fences(node.children, ctx)
        out += _convert_fence(node, ctx)
    return out
