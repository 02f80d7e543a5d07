"""One sidebar tree for the whole site, rendered once per build instead of once per page.

furo shows the full navigation tree on every page: Sphinx resolves the whole toctree for
each page and furo parses the result with BeautifulSoup to add its toggles, so a build
costs pages times tree size, which dominates at conference scale. The tree differs between
pages only in its links' prefix (pages sit at different depths) and in which entries are
marked current. So furo is given one tree, rendered for the root document (furo caches
its work on a given string), and each page then gets that HTML with its own prefix and
its own current entries, marked as Sphinx and furo mark them: ``current`` on the page's
entry and its ancestors, their toggles checked, ``current-page`` on the page's entry.
A build that read no document (only the search page is written) takes the last build's tree.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment.adapters.toctree import global_toctree_for_doc
from sphinx.util.osutil import relative_uri

from proceedings.sphinxext.domain import ProceedingsDomain

__all__ = ["mark_current_page", "share_navigation_tree"]

# The arguments furo's ``_compute_navigation_tree`` passes to ``toctree()``.
_FURO_TREE: dict[str, Any] = {"collapse": False, "titles_only": True, "maxdepth": -1, "includehidden": True}
_LIST_TAG = re.compile(r'<ul>|<ul class="[^"]*">|<li class="(?P<classes>[^"]*)">|</ul>|</li>')
_TOGGLE = re.compile(r'<input aria-label="[^"]*" ')
_INTERNAL_HREF = re.compile(r'href="(?P<target>(?![#/]|[a-z][a-z0-9+.-]*:)[^"]*)"')

_shared: dict[str, Any] = {}


def reset(app: Sphinx, *args: Any) -> None:
    """A new write phase: the tree of the last one may be out of date."""
    _shared.clear()


def _root_tree(app: Sphinx) -> str:
    """The site's tree; a build that read and removed no document takes the last build's."""
    if "html" not in _shared:
        builder, env = app.builder, app.env
        kept = Path(app.doctreedir) / f"navigation-{builder.name}.html"
        made_for = f"<!-- {builder.get_target_uri(env.config.root_doc)} -->\n"  # the link suffix
        text = kept.read_text(encoding="utf-8") if kept.is_file() else ""
        if ProceedingsDomain.of(env).nothing_read() and text.startswith(made_for):
            _shared["html"] = text.removeprefix(made_for)
        else:
            tree = global_toctree_for_doc(env, env.config.root_doc, builder, tags=builder.tags, **_FURO_TREE)
            _shared["html"] = builder.render_partial(tree)["fragment"] if tree is not None else ""  # type: ignore[attr-defined]
            written = kept.with_suffix(f".{os.getpid()}")  # parallel writers each make the same tree
            written.write_text(made_for + _shared["html"], encoding="utf-8")
            written.replace(kept)
    return str(_shared["html"])


def share_navigation_tree(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """Before furo: its ``toctree()`` call returns the site's one tree (see the module's text)."""
    if app.builder.format != "html" or "toctree" not in context or not app.config.proceedings_shared_navigation:
        return
    page_toctree = context["toctree"]

    def toctree(**kwargs: Any) -> str:
        if kwargs == _FURO_TREE:
            return _root_tree(app)
        return str(page_toctree(**kwargs))

    context["toctree"] = toctree


def _open_elements(tree: str, position: int) -> list[re.Match[str]]:
    """The ``<ul>`` and ``<li>`` tags still open at ``position``, outermost first."""
    opened: list[re.Match[str]] = []
    for tag in _LIST_TAG.finditer(tree, 0, position):
        if tag.group(0).startswith("</"):
            opened.pop()
        else:
            opened.append(tag)
    return opened


def _mark(tree: str, href: str) -> str:
    """The page's entry, and every entry and list above it, marked current; their toggles checked."""
    anchor = f'<a class="reference internal" href="{href}">'
    at = tree.find(anchor)
    if at < 0:
        return tree
    edits = [(at, len(anchor), '<a class="current reference internal" href="#">')]
    opened = _open_elements(tree, at)
    innermost_item = max((tag.start() for tag in opened if tag.group(0).startswith("<li")), default=-1)
    for tag in opened:
        if tag.group(0) == "<ul>":
            edits.append((tag.start(), len(tag.group(0)), '<ul class="current">'))
            continue
        if not tag.group(0).startswith("<li"):
            continue
        level, *others = tag.group("classes").split()
        own = ["current-page"] if tag.start() == innermost_item else []
        edits.append((tag.start(), len(tag.group(0)), f'<li class="{" ".join([level, "current", *others, *own])}">'))
        toggle = _TOGGLE.match(tree, tree.index("</a>", tag.end()) + len("</a>"))
        if toggle:
            edits.append((toggle.end(), 0, 'checked="" '))
    for position, length, text in sorted(edits, reverse=True):
        tree = tree[:position] + text + tree[position + length :]
    return tree


def mark_current_page(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """After furo: the shared tree with this page's link prefix and current entries."""
    tree = context.get("furo_navigation_tree")
    if app.builder.format != "html" or not isinstance(tree, str) or "html" not in _shared:
        return
    page = app.builder.get_target_uri(pagename)
    tree = _mark(tree, page)
    # Each link as Sphinx writes it from this page (``relative_uri``), so pages are as without this module.
    context["furo_navigation_tree"] = _INTERNAL_HREF.sub(lambda m: f'href="{relative_uri(page, m["target"])}"', tree)
