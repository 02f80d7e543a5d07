"""A volume's LaTeX compiled with latexmk and xelatex; any error or missing glyph fails it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

_MISSING = re.compile(r"^Missing character: .*$", re.MULTILINE)


class LatexError(RuntimeError):
    """LaTeX failed, or dropped characters that a name or title needs."""

def compile_volume(tex: Path) -> Path:
    """Run latexmk with xelatex on ``tex``; fail on any error or missing glyph."""
    command = [
        "latexmk", "-pdfxe", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error",
        "-no-shell-escape", tex.name,
    ]
    result = subprocess.run(command, cwd=tex.parent, capture_output=True, text=True, check=False)
    log = tex.with_suffix(".log")
    log_text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
    if result.returncode != 0:
        errors = [line for line in log_text.splitlines() if line.startswith(("!", "./"))][:10]
        raise LatexError(f"{tex.name}: latexmk failed (see {log}):\n" + "\n".join(errors or [result.stdout[-2000:]]))
    missing = sorted(set(_MISSING.findall(log_text)))
    if missing:
        raise LatexError(f"{tex.name}: characters missing from the fonts (see {log}):\n" + "\n".join(missing))
    return tex.with_suffix(".pdf")
