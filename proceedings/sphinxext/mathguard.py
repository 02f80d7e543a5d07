"""Math that is not allowed never reaches LaTeX or MathJax, however the page was made.

Collect refuses such math in submissions (:mod:`proceedings.check.math`); this is the
same rule at build time, for papers an organizer placed in the source tree by hand and
for any text the extension itself renders (the paper header's abstract, funding...).
A formula with a disallowed command is reported with its location and printed as
literal text: ``\\input{/etc/hostname}`` is shown, never run. For LaTeX, the few
MathJax-only commands the allowlist admits (``\\lt``) are written as LaTeX spells them.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from proceedings.check.math import LATEX_EQUIVALENTS, expand_macros, math_problems

__all__ = ["DisallowedMath", "MathForLatex", "setup"]

logger = logging.getLogger(__name__)


class DisallowedMath(SphinxPostTransform):
    """Every ``math`` and ``math_block`` node checked against the math allowlist, for every builder."""

    default_priority = 1

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(lambda n: isinstance(n, nodes.math | nodes.math_block))):
            tex = node.astext()
            problems = math_problems(tex, display=isinstance(node, nodes.math_block))
            if not problems:
                continue
            commands = ", ".join(dict.fromkeys(p.command for p in problems))
            _as_text(node, tex, f"not allowed ({commands}): {problems[0].message}")


class MathForLatex(SphinxPostTransform):
    """The MathJax-only commands the allowlist admits, spelled for LaTeX (after :class:`DisallowedMath`)."""

    default_priority = 2
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(lambda n: isinstance(n, nodes.math | nodes.math_block))):
            tex = node.astext()
            try:
                spelled = expand_macros(tex, LATEX_EQUIVALENTS)
            except ValueError as exc:  # ``\Bbb`` with nothing to apply to
                _as_text(node, tex, str(exc))
                continue
            if spelled != tex:
                node[:] = [nodes.Text(spelled)]


def _as_text(node: nodes.Element, tex: str, why: str) -> None:
    """Report a formula with its location and print it as literal text instead."""
    logger.warning("math %s; printed as text", why, location=node, type="proceedings", subtype="math")
    literal = nodes.literal_block(tex, tex) if isinstance(node, nodes.math_block) else nodes.literal(tex, tex)
    literal.source, literal.line = node.source, node.line
    node.replace_self(literal)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_post_transform(DisallowedMath)
    app.add_post_transform(MathForLatex)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
