"""Display math as Sphinx can show it: amsmath's display environments in their inner forms."""

from __future__ import annotations

import re

from proceedings.collect.mystmd.source import Context, Line

# amsmath's display environments cannot sit inside the display that Sphinx wraps math in;
# their inner forms say the same there (KaTeX, mystmd's renderer, takes either).
_DISPLAY_ENVIRONMENTS = {"align": "aligned", "flalign": "aligned", "eqnarray": "aligned", "alignat": "alignedat",
                         "gather": "gathered", "multline": "gathered"}
_DISPLAY_ENVIRONMENT = re.compile(r"\\(begin|end)\{(" + "|".join(_DISPLAY_ENVIRONMENTS) + r")\*?\}")
_DISPLAY_MATH = re.compile(r"\$\$.*?\$\$", re.DOTALL)


def _inner_environments(math: str, where: str, ctx: Context) -> str:
    """A display math's amsmath display environments, as their inner forms."""
    found = {m.group(2) for m in _DISPLAY_ENVIRONMENT.finditer(math)}
    if not found:
        return math
    ctx.note(where, f"math environment(s) {', '.join(sorted(found))} written as "
             f"{', '.join(sorted({_DISPLAY_ENVIRONMENTS[f] for f in found}))}: the math is already a display")
    return _DISPLAY_ENVIRONMENT.sub(lambda m: f"\\{m.group(1)}{{{_DISPLAY_ENVIRONMENTS[m.group(2)]}}}", math)


def _display_math(text: str, line: Line, ctx: Context) -> str:
    return _DISPLAY_MATH.sub(lambda match: _inner_environments(match[0], line.at(match.start()), ctx), text)
