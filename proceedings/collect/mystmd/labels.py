"""A mystmd paper's labels: what each names, one name for each, and what ``#`` links may reach."""

from __future__ import annotations

import re

from myst_parser.slugs import github_slugify

from proceedings.collect.mystmd.blocks import _ATX, _walk
from proceedings.collect.mystmd.source import Context, Fence, Line, Node

_TARGET_LINE = re.compile(r"^[ \t]*\((?P<label>[^()\s]+)\)=[ \t]*$")
_DOLLAR_LABEL = re.compile(r"\$\$[ \t]*\((?P<label>[^()\s]+)\)[ \t]*$")
_NUMBERED = frozenset({"figure", "table", "list-table", "csv-table", "code", "code-block", "sourcecode",
                       "code-cell", "literalinclude"})
_LABELLED = _NUMBERED | {"image", "math"}


def _has_caption(fence: Fence) -> bool:
    if fence.name == "figure":
        return fence.children is None or any(isinstance(c, Line) and c.text.strip() for c in fence.children)
    if fence.name in ("table", "list-table", "csv-table"):
        return bool(fence.argument)
    return bool(fence.option("caption") or fence.option("filename"))


def _collect_labels(nodes: list[Node]) -> dict[str, str]:
    """Every label in the paper and how it is referenced: ``numbered``, ``math`` or ``target``."""
    labels: dict[str, str] = {}
    for node in _walk(nodes):
        if isinstance(node, Line):
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


def _unique_labels(nodes: list[Node], ctx: Context) -> None:
    """A label given twice is renamed at its second place (``x-2``), with a line: references reach the first,
    as in mystmd, and Sphinx does not stop on the duplicate."""
    seen: set[str] = set()

    def unique(label: str, where: str) -> str:
        if label not in seen:
            seen.add(label)
            return label
        n = 2
        while f"{label}-{n}" in seen:
            n += 1
        seen.add(f"{label}-{n}")
        ctx.problem(where, f"label {label!r} is already used earlier in the paper: this one is {label}-{n}")
        return f"{label}-{n}"

    for node in _walk(nodes):
        if isinstance(node, Fence):
            node.options = [(k, unique(v, node.opener.at()) if k in ("label", "name") and v else v)
                            for k, v in node.options]
        elif match := _TARGET_LINE.match(node.text):
            node.text = f"({unique(match['label'], node.at())})="


def _anchors(nodes: list[Node]) -> set[str]:
    """Every name a ``#`` link may point to: labels on any directive, and the headings' anchors.

    A heading is reached by its GitHub-style slug (myst-parser's anchors) or, at any level,
    by docutils' id for its title, which is the same for plain titles.
    """
    found: set[str] = set()
    for node in _walk(nodes):
        if isinstance(node, Fence):
            found.update(v for k, v in node.options if k in ("label", "name") and v)
        elif match := _ATX.match(node.text):
            slug = github_slugify(node.text[match.end() :].strip().rstrip("#").strip())
            found.update({slug, *(f"{slug}-{n}" for n in range(1, 10))})
    return found
