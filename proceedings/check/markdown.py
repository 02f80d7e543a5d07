"""The scan of a submission's MyST Markdown, on myst-parser's own tokens; its front matter in :mod:`.frontmatter`."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any
from urllib.parse import unquote

from docutils.languages import en as docutils_en
from docutils.parsers.rst import Directive, directives
from docutils.parsers.rst.states import MarkupError
from markdown_it import MarkdownIt
from markdown_it.token import Token
from myst_parser.config.main import MdParserConfig
from myst_parser.mdit_to_docutils.base import DocutilsRenderer
from myst_parser.parsers.directives import parse_directive_text
from myst_parser.parsers.mdit import create_md_parser

from proceedings.check.math import LATEX_EQUIVALENTS, expand_macros, math_problems
from proceedings.check.threats import MYST_EXTENSIONS, Threat
from proceedings.frontmatter import YamlError, YamlRefused, load_yaml

# --------------------------------------------------------------------------- Markdown

_MAX_DEPTH = 20
"""Directives nested deeper than this are refused rather than scanned."""

MAX_LIST_DEPTH = 5
"""Lists and block quotes nested deeper than this are refused: LaTeX stops the whole volume
("Too deeply nested") a little further down."""

_LIST_OPEN = frozenset({"bullet_list_open", "ordered_list_open", "blockquote_open"})
_LIST_CLOSE = frozenset({"bullet_list_close", "ordered_list_close", "blockquote_close"})
_MATH_BLOCKS = frozenset({"math_block", "math_block_label", "amsmath"})
_MATH_INLINE = frozenset({"math_inline", "math_inline_double"})

_FORBIDDEN_DIRECTIVES = {
    "raw": "The {raw} directive copies raw HTML or LaTeX into the output; use MyST syntax instead.",
    "include": "The {include} directive inserts another file, possibly from outside the package; "
    "put the text in the paper itself.",
    "literalinclude": "The {literalinclude} directive inserts another file, possibly from outside the "
    "package; paste the code into a code block instead.",
    "eval-rst": "The {eval-rst} directive switches to reStructuredText, which this check cannot vet; "
    "use MyST syntax instead.",
    "role": "The {role} directive defines new roles, for instance ones that emit raw HTML; "
    "use the built-in roles.",
    "meta": "The {meta} directive writes arbitrary <meta> tags, for instance a redirect; remove it.",
    "toctree": "The {toctree} directive pulls other pages of the site into the paper; a paper is one page.",
    **{
        name: f"The {{{name}}} directive builds the site's own pages; it is not for papers."
        for name in ("workshop", "paper-list", "volume-front-matter", "author-index", "volume-downloads",
                     "editions", "edition-contents", "programme-toctree", "template-download", "paper-header",
                     "paper-index", "bibliography", "footbibliography")
    },
}

_FORBIDDEN_ROLES = {
    "download": "The {download} role publishes the file it names on the site; link to a public URL instead.",
    "raw": "The {raw} role copies raw output into the page; use MyST syntax instead.",
    "eval-rst": "The {eval-rst} role switches to reStructuredText, which this check cannot vet.",
}

_NO_ARGUMENTS = frozenset({
    "acks", "attention", "caution", "compound", "danger", "date", "epigraph", "error", "footbibliography",
    "footer", "glossary", "header", "highlights", "hint", "hlist", "important", "line-block", "meta", "note",
    "parsed-literal", "pull-quote", "replace", "role", "sectnum", "seealso", "target-notes", "tip",
    "programme-toctree", "toctree", "warning",
})
"""Directives that take no argument, so that text after the name is the body's first line.

Mirrors docutils' and Sphinx's directive classes (with the std and py domains, whose
directives need no prefix); a test compares it with a real Sphinx app.
"""

_NO_OPTIONS = frozenset({
    "acks", "centered", "cssclass", "date", "default-domain", "default-role", "deprecated",
    "epigraph", "footer", "header", "highlights", "meta", "only", "pull-quote", "replace", "role",
    "rst-class", "tabularcolumns", "title", "version-added", "version-changed", "version-deprecated",
    "version-removed", "versionadded", "versionchanged", "versionremoved",
})
"""Directives without options, so that ``:key: value`` lines are body text, not options."""

_LITERAL_DIRECTIVES = frozenset({
    "bibliography", "code", "code-block", "code-cell", "footbibliography", "graphviz", "highlight",
    "math", "mermaid", "productionlist", "sourcecode", "tabularcolumns", "toctree",
})
"""Directives whose body and arguments are not MyST (code, math, document names)."""

_IMAGE_DIRECTIVES = frozenset({"image", "figure"})

_FRONTMATTER_KEYS = {
    "myst": "The front matter's 'myst' key changes parser settings for this file and can re-enable "
    "syntax that conf.py disables; remove it.",
    "mystnb": "The front matter's 'mystnb' key changes notebook settings for this file; remove it.",
    "substitutions": "The front matter's 'substitutions' key feeds the Jinja substitution extension; "
    "write the text out instead.",
    "html_meta": "The front matter's 'html_meta' key writes arbitrary <meta> tags; remove it.",
    "jupytext": "The front matter's 'jupytext' key would make a notebook extension execute the file; "
    "remove it.",
}

_BIBLIOGRAPHIC = frozenset(docutils_en.bibliographic_fields)
"""Front matter keys that myst-parser renders as Markdown in a page's field list."""

_SAFE_SCHEMES = frozenset({"http", "https", "mailto", "doi"})
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u2060\ufeff]")
_RASTER_DATA = re.compile(r"data:image/(png|jpeg|gif|webp)[;,]", re.IGNORECASE)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """myst-parser's markdown-it, but keeping every link as a link token.

    markdown-it turns ``[x](javascript:...)`` back into plain text; accepting every link
    here means such an attempt is reported rather than silently dropped.
    """
    md = create_md_parser(MdParserConfig(enable_extensions=set(MYST_EXTENSIONS)), DocutilsRenderer)
    md.validateLink = _any_link  # type: ignore[method-assign]
    return md


def _any_link(url: str) -> bool:
    return True


class _AnyOptions(dict[str, Callable[[str | None], Any]]):
    """An option spec that accepts every option, so that all of them can be scanned."""

    def __missing__(self, key: str) -> Callable[[str | None], Any]:
        return directives.unchanged


@cache
def _shape(name: str) -> type[Directive]:
    """A stand-in for directive ``name``, shaped as the real one for myst-parser's splitting."""
    spec: dict[str, Callable[[str | None], Any]] = {}
    if name not in _NO_OPTIONS:
        spec = _AnyOptions({"class": directives.unchanged})
    attributes = {
        "has_content": True,
        "optional_arguments": 0 if name in _NO_ARGUMENTS else 1,
        "final_argument_whitespace": True,
        "option_spec": spec,
    }
    return type(f"Shape_{name}", (Directive,), attributes)


def _judge_target(target: str, base: str, *, paths: bool = True, raster_data: bool = False) -> tuple[str, str] | None:
    """The field and message for a link or image target that must not be used, if any.

    Percent-escapes are decoded and whitespace and control characters removed first,
    as browsers do, so that ``java\\tscript:`` counts as ``javascript:``.
    """
    decoded = unquote(target)
    squeezed = _INVISIBLE.sub("", decoded)
    if not squeezed or squeezed.startswith("#"):
        return None
    scheme = _SCHEME.match(squeezed)
    if scheme:
        name = scheme.group(1).lower()
        if name in _SAFE_SCHEMES or (raster_data and _RASTER_DATA.match(squeezed)):
            return None
        message = f"The target {decoded!r} uses the {name}: scheme; only http, https, mailto and doi are allowed."
        return "target:scheme", message
    if not paths:
        return None
    path = re.split(r"[?#]", squeezed, maxsplit=1)[0].replace("\\", "/")
    if path.startswith("/"):
        return "target:absolute", f"The target {decoded!r} is an absolute path; name files relative to the paper."
    resolved = posixpath.normpath(posixpath.join(base, path))
    if resolved == ".." or resolved.startswith("../"):
        return "target:outside", f"The target {decoded!r} points outside the package; keep every file inside it."
    return None


class _Scan:
    """The threats of one file, found by walking markdown-it tokens, directive bodies included."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.base = posixpath.dirname(file)
        self.env: dict[str, Any] = {}
        self.threats: list[Threat] = []

    def add(self, line: int | None, field: str, message: str) -> None:
        self.threats.append(Threat(self.file, line, field, message))

    def block(self, text: str, offset: int, depth: int = 0) -> None:
        """Scan block-level ``text`` whose first line is line ``offset + 1`` of the file."""
        self.tokens(_parser().parse(text, self.env), offset, depth)

    def tokens(self, tokens: list[Token], offset: int, depth: int) -> None:
        lists = 0
        for token in tokens:
            line = offset + (token.map[0] if token.map else 0) + 1
            lists += (token.type in _LIST_OPEN) - (token.type in _LIST_CLOSE)
            if token.type in _LIST_OPEN and lists == MAX_LIST_DEPTH + 1:
                self.add(line, "nesting", f"Lists and block quotes are nested more than {MAX_LIST_DEPTH} deep "
                         "here, deeper than the volume's LaTeX allows; flatten them.")
            if token.type in _MATH_BLOCKS:
                self.math(token.content, line, display=True)
            elif token.type == "html_block":
                self.html(token.content, line)
            elif token.type in ("fence", "colon_fence"):
                self.fence(token, line, depth)
            elif token.type == "inline":
                self.inline(token.children or [], line)

    def inline_text(self, text: str, line: int) -> None:
        """Scan text that myst-parser renders as inline Markdown (titles, captions, arguments)."""
        for token in _parser().parseInline(text, self.env):
            self.inline(token.children or [], line)

    def inline(self, children: list[Token], line: int) -> None:
        for child in children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "html_inline":
                self.html(child.content, line)
            elif child.type in _MATH_INLINE:
                self.math(child.content, line)
            elif child.type == "myst_role":
                self.role(str(child.meta.get("name", "")), line)
                if str(child.meta.get("name", "")).lower() == "math":
                    self.math(child.content, line)
            elif child.type == "image":
                self.target(child.attrGet("src"), line)
                self.inline(child.children or [], line)
            elif child.type == "link_open":
                self.target(child.attrGet("href"), line)
            elif child.type == "text" and "{{" in child.content:
                self.add(line, "substitution", "'{{' starts a substitution, which would be rendered as Jinja; "
                         "write the text out, or put it in code.")

    def html(self, content: str, line: int) -> None:
        snippet = content.strip().split("\n", 1)[0][:60]
        if snippet.startswith("<!--"):
            message = "An HTML comment would be copied into the published page; use a '%' comment line instead."
        else:
            message = f"Raw HTML {snippet!r} would be copied into the page as is; use MyST syntax instead."
        self.add(line, "raw-html", message)

    def math(self, tex: str, line: int, display: bool = False) -> None:
        """A formula: TeX that reaches LaTeX as it is, so only allowed math commands may appear."""
        problems = math_problems(tex, display)
        for problem in problems:
            where = line + tex.count("\n", 0, problem.offset)
            self.add(where, "math", f"Math: {problem.message}")
        if not problems:
            try:
                expand_macros(tex, LATEX_EQUIVALENTS)  # as the build writes it for LaTeX
            except ValueError as exc:
                self.add(line, "math", f"Math: {exc}.")

    def role(self, name: str, line: int) -> None:
        key = name.lower()
        if key in _FORBIDDEN_ROLES:
            self.add(line, f"role:{key}", _FORBIDDEN_ROLES[key])
        elif key.startswith("raw-"):
            message = f"The {{{name}}} role copies raw output into the page; use MyST syntax instead."
            self.add(line, f"role:{key}", message)

    def target(self, value: str | int | float | None, line: int) -> None:
        verdict = _judge_target(str(value or ""), self.base)
        if verdict:
            self.add(line, *verdict)

    def fence(self, token: Token, line: int, depth: int) -> None:
        """A fenced block: a directive if its info is ``{name}``, else literal code."""
        parts = (token.info or "").strip().split(maxsplit=1)
        name = parts[0] if parts else ""
        if not (name.startswith("{") and name.endswith("}")):
            return
        key = name[1:-1].lower()
        first_line = parts[1] if len(parts) > 1 else ""
        content, shift = token.content, 0
        if token.type == "colon_fence" and content.startswith(":::"):
            # myst-parser's own adjustment, so that a nested fence is not read as options
            content, shift = "\n" + content, -1
        if key in _FORBIDDEN_DIRECTIVES:
            self.add(line, f"directive:{key}", _FORBIDDEN_DIRECTIVES[key])
            return
        if depth >= _MAX_DEPTH:
            self.add(line, f"directive:{key}", f"Directives are nested more than {_MAX_DEPTH} deep here; flatten them.")
            return
        refused = _option_block_refusal(content, self.file)
        if refused:
            self.add(line + 1, "yaml", f"The {{{key}}} directive's options are refused: {refused}")
            return
        try:
            parsed = parse_directive_text(_shape(key), first_line, content, line=line)
        except MarkupError:
            return  # myst-parser reports the error and renders nothing
        options = {str(k): str(v) for k, v in parsed.options.items()}
        if "file" in options or "url" in options:
            self.add(line, f"directive:{key}", f"The {{{key}}} directive reads the file or URL given by its "
                     ":file: or :url: option; put the content in the paper instead.")
        if key in _IMAGE_DIRECTIVES and parsed.arguments:
            self.target(parsed.arguments[0], line)
        for option, value in options.items():
            option_line = _option_line(content, option, line) + shift
            if key in _IMAGE_DIRECTIVES and option == "target":
                self.target(value, option_line)
            self.inline_text(value, option_line)
        if key == "math":
            self.math("\n".join([*parsed.arguments, *parsed.body]), line + parsed.body_offset + shift + 1, display=True)
        if key in _LITERAL_DIRECTIVES:
            return
        if parsed.arguments and key not in _IMAGE_DIRECTIVES:
            self.inline_text(" ".join(parsed.arguments), line)
        if parsed.body:
            self.block("\n".join(parsed.body), line + parsed.body_offset + shift, depth + 1)


def _option_block_refusal(content: str, file: str) -> str | None:
    """Why a directive's YAML option block (between ``---`` lines) breaks the YAML limits, if it does.

    The block is read before myst-parser or the mystmd conversion read it with PyYAML's
    own loader, which would expand an alias bomb into the options' text.
    """
    lines = content.split("\n")
    if not lines or lines[0].strip() != "---":
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        return None
    try:
        load_yaml("\n".join(lines[1:end]), file)
    except YamlRefused as exc:
        return str(exc).split(": ", 1)[-1]
    except YamlError:
        return None
    return None


def _option_line(content: str, option: str, line: int) -> int:
    """The file line of ``option`` in a directive opened on ``line``, found by its key."""
    pattern = re.compile(rf"\s*:?{re.escape(option)}\s*:")
    for number, text in enumerate(content.splitlines()):
        if pattern.match(text):
            return line + 1 + number
    return line


def scan_markdown(text: str, file: str) -> list[Threat]:
    """Everything in one MyST file that the build must not see, in line order.

    The whole file is parsed as Sphinx reads it, front matter included, so that line
    numbers need no offset; the front matter goes through :func:`.frontmatter.scan_frontmatter`.
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    scan = _Scan(file)
    tokens = _parser().parse(text, scan.env)
    scan.tokens([t for t in tokens if t.type != "front_matter"], 0, 0)
    from proceedings.check.frontmatter import frontmatter_threats  # it scans field values with _Scan

    found = frontmatter_threats(text, tokens, file) + scan.threats
    return sorted(dict.fromkeys(found), key=lambda threat: threat.line or 0)
