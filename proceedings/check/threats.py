"""What the pre-build scan reports: a threat, the fields it can name, and the size limits of a package."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

FIELDS: dict[str, str] = {
    "raw-html": "an HTML block, inline tag or comment: the build would copy it into the page as is",
    "directive:raw": "raw HTML or LaTeX output",
    "directive:include": "inserts another file, which may lie outside the package",
    "directive:literalinclude": "inserts another file as code, which may lie outside the package",
    "directive:eval-rst": "reStructuredText, with its own syntax that this scan does not check",
    "directive:role": "defines a new role, for instance one that emits raw HTML",
    "directive:meta": "writes arbitrary <meta> tags into the page, for instance a redirect",
    "directive:<name>": "any other directive that reads a file or URL (a :file: or :url: option, as "
    "csv-table takes), or that is nested too deeply to check",
    "role:download": "publishes the file it names, which may lie outside the package",
    "role:raw": "raw output",
    "role:raw-<format>": "raw output in one format, as a role derived from raw (raw-html, raw-latex)",
    "role:eval-rst": "reStructuredText, with its own syntax that this scan does not check",
    "frontmatter:myst": "file-level MyST settings, which can enable syntax that conf.py disables",
    "frontmatter:mystnb": "file-level notebook settings",
    "frontmatter:substitutions": "values for the substitution extension, which renders unsandboxed Jinja",
    "frontmatter:html_meta": "arbitrary <meta> tags",
    "frontmatter:jupytext": "makes a notebook extension treat the file as code to execute",
    "math": "a formula with a TeX command that is not one of MathJax's and amsmath's math commands (\\input, "
    "\\def, \\write...), '^^', a bare '%' or unbalanced braces",
    "nesting": "lists or block quotes nested deeper than the volume's LaTeX allows",
    "substitution": "'{{ ... }}' substitution syntax, which the substitution extension renders as Jinja",
    "target:outside": "a link or image path that leaves the package",
    "target:absolute": "a link or image path that is absolute",
    "target:scheme": "a link or image URL whose scheme is not http, https, mailto or doi",
    "svg:script": "an SVG element or attribute that can run script when the image is opened",
    "svg:include": "an SVG entity declaration or XInclude, which a renderer may fill from another file",
    "file:symlink": "a symbolic link",
    "file:special": "a FIFO, socket or device, which would block or leak when read",
    "file:source": "a file Sphinx would read as a page in another markup (.rst), unchecked",
    "file:not-utf8": "a text file that is not UTF-8",
    "bib:empty": "a .bib file with no entry",
    "target:url": "a link field (url, web page, published version) that is not http:// or https://",
    "file:name": "a figure whose file name holds characters other than letters, digits, spaces, '.', '_', '-'",
    "file:type": "a file whose bytes are not what its name says (PDF bytes named .png)",
    "image:too-large": "an image over MAX_PIXELS pixels, which stops the volume's LaTeX run",
    "image:broken": "an image that cannot be decoded (truncated, corrupt)",
    "pdf:unreadable": "a PDF that cannot be read, is encrypted or has no pages",
    "yaml": "YAML refused: aliases, a repeated key, too deep or too large, or not valid",
    "frontmatter:type": "a front matter field that must be text and is not (a list as title)",
    "file:too-large": "a file over Limits.max_file_bytes",
    "package:too-large": "a package over Limits.max_package_bytes or Limits.max_files",
    "zip:absolute": "a zip entry with an absolute path",
    "zip:parent": "a zip entry whose path climbs out with '..'",
    "zip:symlink": "a zip entry that is a symbolic link",
    "zip:bomb": "a zip entry that expands more than Limits.max_ratio times",
    "zip:too-many-files": "a zip with more than Limits.max_files entries",
    "zip:corrupt": "a zip that cannot be read, or an entry that is encrypted or fails its checksum",
}

MYST_EXTENSIONS = frozenset({"dollarmath", "amsmath", "colon_fence"})
"""The MyST extensions the scan parses with: those of docs/conf.py (a test keeps them equal)."""

PACKAGE = "."
"""``Threat.file`` for what concerns the whole package rather than one file in it."""


@dataclass(frozen=True)
class Threat:
    """One thing in a submission that the build must not see."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message} [{self.field}]"


def over_limit(kind: str, holds: str, amount: int, limit: int, unit: str) -> list[Threat]:
    """A whole package past one of its limits, as one threat; within it, none."""
    if amount <= limit:
        return []
    return [Threat(PACKAGE, None, kind, f"{holds} {amount} {unit}, more than the {limit} allowed.")]


def describe(threats: Iterable[Threat]) -> str:
    """Threats as one line for a collection report: ``file:line: field: message; ...``."""
    return "; ".join(f"{t.file}{':' + str(t.line) if t.line else ''}: {t.field}: {t.message}" for t in threats)


class UnsafePackage(Exception):
    """A package refused, with every threat found in it."""

    def __init__(self, threats: list[Threat]) -> None:
        self.threats = list(threats)
        shown = "; ".join(str(threat) for threat in self.threats[:5])
        more = f" (and {len(self.threats) - 5} more)" if len(self.threats) > 5 else ""
        super().__init__(f"unsafe package: {shown}{more}")


@dataclass(frozen=True)
class Limits:
    """How big a package may be; the defaults fit a paper with its figures."""

    max_file_bytes: int = 20 * 2**20
    max_package_bytes: int = 50 * 2**20
    max_files: int = 500
    max_ratio: int = 100


DEFAULT_LIMITS = Limits()
