"""Inline mystmd syntax: ``[@key]`` citations, DOIs, cross-references and roles."""

from __future__ import annotations

import re

from proceedings.collect.mystmd.blocks import _walk
from proceedings.collect.mystmd.directives import _package_path
from proceedings.collect.mystmd.displaymath import _display_math, _inner_environments
from proceedings.collect.mystmd.source import Context, Line, Node
from proceedings.collect.mystmd.spans import Link, Span, link_parts, spans

# --- citations and cross-references -----------------------------------------------------------

_KEY = r"\w(?:[\w:.#$%&+/~-]*\w)?"
_DOI = r"(?:[Dd][Oo][Ii]:10\.\d+/|10\.\d{4,9}/)"
_SCHEMES = "doi|wiki|rrid|ror|github|myst"
_CITATION = re.compile(
    r"(?P<bracket>(?<![!\]\\])\[(?P<body>[^\[\]]*@[^\[\]]*)\](?![(\[]))"
    rf"|(?P<bare>(?<![^\s(])@(?P<word>{_DOI}[^\s\[\]]+|{_KEY}))"
)
"""mystmd's citations, which no markdown-it rule reads: looked for in the text between the constructs it finds."""
_CITE_PART = re.compile(
    rf"^(?P<pre>(?:.*?\s)?)(?P<minus>-?)@(?P<key>{_DOI}[^\s;,]+|{_KEY})(?P<post>(?:[,\s].*)?)$", re.DOTALL
)
_ROLE_NAME = re.compile(r"\{(?P<name>[^{}`]+)\}")
_KNOWN_ROLES = frozenset({
    "abbr", "any", "code", "command", "dfn", "doc", "download", "emphasis", "envvar", "eq", "file", "guilabel",
    "index", "kbd", "keyword", "literal", "math", "menuselection", "mimetype", "numref", "option", "pep",
    "program", "ref", "regexp", "rfc", "samp", "strong", "sub", "subscript", "sup", "superscript", "term",
    "title-reference", "token", "cite", "footcite",
})
_PLAIN_ROLES = frozenset({"u", "underline", "del", "strike", "smallcaps", "sc"})


def _is_doi(word: str) -> bool:
    return re.match(_DOI, word) is not None


def _doi_key(word: str, where: str, ctx: Context) -> str:
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


def _cite_key(word: str, where: str, ctx: Context) -> str | None:
    """The key to cite for ``word``, or None (with a report line) when the package's .bib lacks it.

    mystmd prints such a citation as its key; so does the conversion, as text, rather
    than leave a citation that fails the whole paper's build.
    """
    if _is_doi(word):
        return _doi_key(word, where, ctx)
    if word not in ctx.bib_keys:
        ctx.problem(where, f"citation key {word!r} is not in the package's .bib files: shown as [{word}]")
        return None
    return word


def _unresolved(keys: list[str]) -> str:
    return "\\[" + "; ".join(keys) + "\\]"


def _note_text(text: str, where: str, ctx: Context) -> str:
    """Pre/post text fit for a cite role: no braces or backticks, and no commas (which split keys)."""
    cleaned = text.strip().strip(",").strip().replace("{", "(").replace("}", ")").replace("`", "'")
    if "," in cleaned:
        ctx.note(where, f"comma in citation note {cleaned!r} written as ';' (a comma separates keys)")
    return cleaned.replace(",", ";")


def _cite_target(key: str, pre: str, post: str) -> str:
    return (f"{{{pre}}}" if pre else "") + key + (f"{{{post}}}" if post else "")


def _reference(label: str, ctx: Context) -> str:
    """mystmd's ``@label``: a numbered reference where Sphinx numbers the target, a link otherwise."""
    kind = ctx.labels[label]
    if kind == "numbered":
        return f"{{numref}}`{label}`"
    if kind == "math":
        return f"{{eq}}`{label}`"
    if kind == "remote":
        return f"[figure](#{label})"
    return f"[](#{label})"


def _bracket(body: str, where: str, ctx: Context) -> str | None:
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
        cited = _cite_key(key, where, ctx)
        if cited is None:
            pieces.append(("text", _unresolved([key])))
            continue
        target = _cite_target(cited, _note_text(pre, where, ctx), _note_text(post, where, ctx))
        if pieces and pieces[-1][0] == role:
            pieces[-1] = (role, f"{pieces[-1][1]},{target}")
        else:
            pieces.append((role, target))
    out = []
    for kind, text in pieces:
        out.append(f"({text})" if kind == "ref" else text if kind == "text" else f"{{{kind}}}`{text}`")
    return " ".join(out)


def _bare(word: str, where: str, ctx: Context) -> tuple[str, str]:
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


def _link(text: str, label: str, where: str, ctx: Context) -> str | None:
    """``[](#label)`` and ``[Figure %s](#label)``: numbered as mystmd numbers them; a link to nothing, its text."""
    kind = ctx.labels.get(label)
    if kind is None and label not in ctx.anchors:
        shown = text.replace("%s", "").strip() or label
        ctx.problem(where, f"link to '#{label}': the paper has no such label or heading; its text {shown!r} is kept")
        return shown
    if kind == "remote":
        return f"[{text.replace('%s', '').strip() or 'figure'}](#{label})"
    if kind == "numbered" and (not text or "%s" in text or "{number}" in text):
        return f"{{numref}}`{text} <{label}>`" if text else f"{{numref}}`{label}`"
    if kind == "math" and (not text or "%s" in text):
        return text.replace("%s", f"{{eq}}`{label}`") if text else f"{{eq}}`{label}`"
    for number in ("%s", "{number}"):
        if number in text:
            # A section or plain target has no number here: its title stands in, as the link.
            before, _, after = text.partition(number)
            return f"{before}[](#{label}){after}"
    return None


# ``[label]: destination`` alone on its line is a link definition, not a citation followed by a colon.
_LINK_DEFINITION = re.compile(r"\[[^\[\]]*\]:[ \t]*\S+[ \t]*(?:\n|$)")


_RESOLVERS = {
    "wiki": ("https://en.wikipedia.org/wiki/{}", "{}"), "rrid": ("https://scicrunch.org/resolver/RRID:{}", "RRID:{}"),
    "ror": ("https://ror.org/{}", "ROR {}"), "github": ("https://github.com/{}", "{}"),
    "doi": ("https://doi.org/{}", "doi:{}"),
}


def _scheme_link(scheme: str, identifier: str, text: str, where: str, ctx: Context) -> str:
    """mystmd's link schemes as the links they stand for; ``[](doi:...)`` and ``<doi:...>`` cite, as in mystmd."""
    if scheme == "doi" and not text:
        return f"{{cite:p}}`{_doi_key('doi:' + identifier, where, ctx)}`"
    if scheme == "myst":
        ctx.note(where, f"link to another MyST project ('myst:{identifier}') kept as its text: it cannot be resolved")
        return text or identifier
    url, shown = _RESOLVERS[scheme]
    shown = shown.format(identifier.replace("_", " ") if scheme == "wiki" else identifier)
    return f"[{text or shown}](<{url.format(identifier)}>)"


def _image(image: Link, line: Line, where: str, ctx: Context) -> str:
    """A Markdown image: the package's file, published with the paper; one on the web, as a link to it (the
    build fetches nothing); a notebook output mystmd embeds, as its alt text."""
    url = image.destination
    if url.startswith("#"):
        ctx.problem(where, f"embedded notebook output {url!r} left out: the build runs no notebook")
        return image.text
    if re.match(r"https?://", url):
        ctx.problem(where, f"image {url!r} is not in the package (the build fetches nothing): "
                    "a link to it is shown instead")
        return f"[{image.text or 'image'}](<{url}>)"
    path = _package_path(line, url, ctx, "image")
    if path is None:
        return image.text
    title = ' "' + image.title.replace('"', '\\"') + '"' if image.title else ""
    return f"![{image.text}](<{path.replace(chr(92) + ' ', ' ')}>{title})"


def _citations(text: str, start: int, end: int, line: Line, ctx: Context) -> str:
    """``[see @a; @b]`` and ``@a`` in ``text[start:end]``, a stretch that no markdown-it rule took."""
    out, pos = [], start
    for match in _CITATION.finditer(text, start, end):
        out.append(text[pos : match.start()])
        pos = match.end()
        where = line.at(match.start())
        if match["bare"]:
            replacement, trail = _bare(match["word"], where, ctx)
            out.append(replacement + trail)
        elif _LINK_DEFINITION.match(text, match.start()) and (match.start() == 0 or text[match.start() - 1] == "\n"):
            out.append(match[0])
        elif (converted := _bracket(match["body"], where, ctx)) is not None:
            out.append(converted)
        else:
            out.append("[" + _citations(text, match.start("body"), match.end("body"), line, ctx) + "]")
    out.append(text[pos:end])
    return "".join(out)


def _construct(kind: str, written: str, line: Line, where: str, ctx: Context) -> str:
    """One construct markdown-it found: roles, ``#`` links, link schemes and images converted; code, math,
    raw HTML and other links kept as written; HTML comments, which mystmd never shows, dropped."""
    if kind == "myst_role" and (role := _ROLE_NAME.match(written)):
        return _role(role["name"], written[role.end() :], where, ctx)
    if kind == "html_inline" and written.startswith("<!--"):
        ctx.comments.append(where)
        return ""
    if kind == "autolink" and (scheme := written[1:].partition(":")[0]) in _RESOLVERS | {"myst": ()}:
        return _scheme_link(scheme, written[1:-1].partition(":")[2], "", where, ctx)
    link = link_parts(written) if kind in ("link", "image") else None
    if link is None:
        return written
    if kind == "image":
        return _image(link, line, where, ctx)
    if link.destination.startswith("#"):
        label = link.destination[1:]
        if {"`", "[", "]"} & set(link.text) and (label in ctx.labels or label in ctx.anchors):
            return written  # a plain link: text with code or brackets cannot go into a numbered reference
        return _link(link.text, label, where, ctx) or written
    scheme, _, identifier = link.destination.partition(":")
    if scheme in _RESOLVERS or scheme == "myst":
        return _scheme_link(scheme, identifier, link.text, where, ctx)
    return written


def _inline(line: Line, ctx: Context) -> str:
    """One paragraph's text with its citations, references, roles and images converted; code and math as written."""
    text, out, pos = line.text, [], 0
    for span in spans(text):
        out.append(_citations(text, pos, span.start, line, ctx))
        out.append(_construct(span.kind, text[span.start : span.end], line, line.at(span.start), ctx))
        pos = span.end
    out.append(_citations(text, pos, len(text), line, ctx))
    return "".join(out)


def _plain_citations(text: str, ctx: Context) -> tuple[str, int]:
    """``[@a; @b]`` and ``@a`` as author-year text, for the header, where a citation cannot be a link."""
    count = 0

    def plain(match: re.Match[str]) -> str:
        nonlocal count
        parts = [_CITE_PART.match(p.strip()) for p in (match["body"] or "").split(";")] if match["bracket"] else []
        keys = [p["key"] for p in parts if p] if match["bracket"] else [match["word"]]
        if not keys or any(k not in ctx.cite_texts for k in keys) or (match["bracket"] and not all(parts)):
            return match[0]
        count += len(keys)
        texts = "; ".join(ctx.cite_texts[k] for k in keys)
        return f"({texts})" if match["bracket"] else texts

    out, pos = [], 0
    for span in [*spans(text), Span("end", len(text), len(text))]:
        out.append(_CITATION.sub(plain, text[pos : span.start]))
        out.append(text[span.start : span.end])
        pos = span.end
    return "".join(out), count


def _role(name: str, span: str, where: str, ctx: Context) -> str:
    """A role written for mystmd, as Sphinx reads it."""
    content = span.strip("`")
    base = name.split(":")[0]
    if name in ("ref", "numref") and ctx.labels.get(content.strip()) == "math":
        return f"{{eq}}`{content.strip()}`"
    if name in ("ref", "numref", "eq"):
        shown, _, target = content.strip().rpartition("<")
        label = target.rstrip(">").strip() if shown else content.strip()
        if label not in ctx.labels and label not in ctx.anchors:
            ctx.problem(where, f"{{{name}}} to {label!r}: the paper has no such label; its text is kept")
            return shown.replace("%s", "").strip() or label
    if base in ("cite", "footcite"):
        keys = [k.strip() for k in content.split(",")]
        if all(re.fullmatch(r"[^{}\s,]+", k) for k in keys):
            cited = {k: _cite_key(k, where, ctx) for k in keys}
            known = [c for c in cited.values() if c is not None]
            missing = [k for k, c in cited.items() if c is None]
            role = f"{{{name}}}`{','.join(known)}`" if known else ""
            return " ".join(part for part in (role, _unresolved(missing) if missing else "") if part)
        return f"{{{name}}}{span}"
    if base == "raw":
        ctx.note(where, f"{{{name}}} role left out ({content[:40]!r}): mystmd shows it only in one export format, "
                 "and raw output is not accepted")
        return ""
    if name == "keyboard":
        return f"{{kbd}}{span}"
    if name in _PLAIN_ROLES:
        ctx.note(where, f"role {{{name}}} has no Sphinx equivalent: its text is kept plain")
        return content
    if ":" not in name and name not in _KNOWN_ROLES:
        ctx.problem(where, f"role {{{name}}} is not known to Sphinx: its text is kept as code")
        return span
    return f"{{{name}}}{span}"


def _paragraphs(nodes: list[Node]) -> list[Node]:
    """Consecutive lines of one file joined into paragraphs, so a citation may span a line break."""
    out: list[Node] = []
    for node in nodes:
        last = out[-1] if out else None
        if (isinstance(node, Line) and isinstance(last, Line) and node.text.strip() and last.text.strip()
                and not node.literal and not last.literal
                and node.file == last.file and node.number == last.number + last.text.count("\n") + 1):
            out[-1] = Line(f"{last.text}\n{node.text}", last.file, last.number)
        else:
            out.append(Line(node.text, node.file, node.number, literal=node.literal) if isinstance(node, Line)
                       else node)
    return out


_TITLED = frozenset({"table", "list-table", "csv-table", "admonition", "topic", "sidebar"})


def _convert_inline(nodes: list[Node], ctx: Context) -> list[Node]:
    out = _paragraphs(nodes)
    for node in out:
        if isinstance(node, Line):
            node.text = node.text if node.literal else _display_math(_inline(node, ctx), node, ctx)
            continue
        if node.name == "math":
            for line in node.body:
                line.text = _inner_environments(line.text, line.at(), ctx)
        if node.name in _TITLED and node.argument:
            node.argument = _inline(Line(node.argument, node.opener.file, node.opener.number), ctx)
        # A caption option is Markdown too: Sphinx parses a listing's caption as inline text.
        node.options = [(key, _inline(Line(value, node.opener.file, node.opener.number), ctx) if key == "caption"
                         else value) for key, value in node.options]
        if node.children is not None:
            node.children = _convert_inline(node.children, ctx)
    return out


_FOOTNOTE_REFERENCE = re.compile(r"\[\^([^\]\s]+)\]")
_FOOTNOTE_DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:[ \t]?")


def _end_of_definition(text: str) -> int:
    definition = _FOOTNOTE_DEFINITION.match(text)
    return definition.end() if definition else 0


def _footnotes(nodes: list[Node], ctx: Context) -> None:
    """A footnote that the text never refers to is kept as a paragraph where it is written, and reported.

    mystmd lists it anyway; docutils warns, which fails the strict build.
    """
    lines = [node for node in _walk(nodes) if isinstance(node, Line)]
    referenced = {m.group(1) for line in lines
                  for m in _FOOTNOTE_REFERENCE.finditer(line.text, _end_of_definition(line.text))}
    for line in lines:
        definition = _FOOTNOTE_DEFINITION.match(line.text)
        if definition and definition.group(1) not in referenced:
            line.text = line.text[definition.end() :]
            ctx.note(line.at(), f"footnote [^{definition.group(1)}] is never referred to: kept as a paragraph")
