"""The scan of a submission's front matter: every field MyST renders, scanned like the body, and every link."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import yaml
from markdown_it.token import Token

from proceedings.check.markdown import _BIBLIOGRAPHIC, _FRONTMATTER_KEYS, _INVISIBLE, _Scan
from proceedings.check.threats import Threat
from proceedings.frontmatter import YamlError, YamlRefused, load_yaml


def _frontmatter_blocks(text: str, tokens: list[Token]) -> list[str]:
    """The YAML front matter as each reader in the build cuts it out; all start on line 2.

    markdown-it's plugin renders it, myst-parser's ``read_topmatter`` takes the file's
    ``myst:`` settings from it, and the proceedings extension reads the paper's metadata
    from it; their rules for where it ends differ slightly.
    """
    blocks: list[str] = []
    if tokens and tokens[0].type == "front_matter":
        blocks.append(tokens[0].content)
    if text.startswith("---"):
        lines = []
        for line in text.splitlines()[1:]:
            if line.startswith(("---", "...")):
                break
            lines.append(line.rstrip() + "\n")
        blocks.append("".join(lines))
    end = text.find("\n---\n", 3)
    if text.startswith("---\n") and end >= 0:
        blocks.append(text[4:end])
    return list(dict.fromkeys(blocks))


def frontmatter_threats(text: str, tokens: list[Token], file: str) -> list[Threat]:
    threats: list[Threat] = []
    for block in _frontmatter_blocks(text, tokens):
        try:
            data = load_yaml(block, file, first_line=2)
        except YamlRefused as exc:
            threats.append(Threat(file, _error_line(exc), "yaml", f"The front matter is refused: {exc}"))
            continue
        except YamlError:
            continue  # not YAML as this reader cuts it; the reader that uses it reports the error
        if not isinstance(data, dict):
            continue
        lines = _key_lines(block, first_line=2)
        for key, value in data.items():
            line = lines.get(str(key))
            found = scan_frontmatter({key: value}, file) + text_type_threats({key: value}, file)
            found += url_threats({key: value}, file)
            threats += [replace(threat, line=line) for threat in found]
    return threats


def _error_line(exc: YamlRefused) -> int | None:
    match = re.match(r"[^:]*:(\d+):", str(exc))
    return int(match.group(1)) if match else None


TEXT_FIELDS = frozenset({"title", "short_title", "subtitle", "abstract", "funding", "track", "session",
                         "llm_disclosure"})
"""Fields that must be text: a list or mapping here is a mistake, not something to print as ``['a', 'b']``."""


def text_type_threats(data: dict[str, Any], file: str) -> list[Threat]:
    """Text fields that are not text."""
    return [Threat(file, None, "frontmatter:type", f"Field '{key}' must be text, not a {type(value).__name__} "
                   f"({str(value)[:60]!r}).")
            for key, value in data.items() if key in TEXT_FIELDS and value is not None and not isinstance(value, str)]


URL_FIELDS = frozenset({"url", "web", "website", "homepage", "published_version"})
"""Fields, at any depth (an author's ``url``), whose value becomes a link readers follow."""


def url_threats(value: Any, file: str, path: str = "", depth: int = 0) -> list[Threat]:
    """Link fields that are not ``http(s)://``: ``javascript:``, ``data:``, a bare path."""
    threats: list[Threat] = []
    if depth > 10:
        return threats
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, item in items:
        where = f"{path}.{key}" if isinstance(key, str) and path else f"{path}[{key}]" if path else str(key)
        if isinstance(key, str) and key in URL_FIELDS and item is not None:
            if not (isinstance(item, str) and re.fullmatch(r"https?://[^\s/]+\S*", _INVISIBLE.sub("", item))):
                threats.append(Threat(file, None, "target:url", f"Field '{where}' must be an http:// or "
                                      f"https:// link, not {str(item)[:60]!r}."))
        else:
            threats += url_threats(item, file, where, depth + 1)
    return threats


def _key_lines(block: str, first_line: int) -> dict[str, int]:
    """The file line of each top-level key of a YAML mapping (already loaded once, within the limits)."""
    try:
        node = yaml.compose(block, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): first_line + key.start_mark.line for key, _ in node.value}


def scan_frontmatter(data: dict[str, Any], file: str) -> list[Threat]:
    """Front matter keys that change how the file is parsed, and Markdown hidden in values.

    The title (a ``#`` heading), the abstract (the paper header) and docutils'
    bibliographic fields are rendered as MyST, so they are scanned like the body.
    Lines are not known from a mapping: :func:`scan_markdown` fills them in.
    """
    threats: list[Threat] = []
    for key, value in data.items():
        name = str(key)
        if name in _FRONTMATTER_KEYS:
            threats.append(Threat(file, None, f"frontmatter:{name}", _FRONTMATTER_KEYS[name]))
            continue
        if name != "title" and name not in _BIBLIOGRAPHIC:
            continue
        text = _as_text(value)
        if text is None:
            continue
        scan = _Scan(file)
        if name == "title":
            scan.block(f"# {text}", 0)
        elif name == "abstract":
            scan.block(text, 0)
        else:
            scan.inline_text(text, 1)
        threats += [replace(t, line=None, message=f"Front matter '{name}': {t.message}") for t in scan.threats]
    return threats


def _as_text(value: Any, budget: int = 10_000) -> str | None:
    """A front matter value as myst-parser renders it; None if it is too big to expand."""
    if isinstance(value, str):
        return value
    stack, seen = [value], 0
    while stack:
        item = stack.pop()
        seen += 1
        if seen > budget:
            return None
        if isinstance(item, dict):
            stack += [*item.keys(), *item.values()]
        elif isinstance(item, list | tuple | set):
            stack += list(item)
    return json.dumps(value, default=str)
