"""A volume's LaTeX compiled with latexmk and xelatex, paranoid and bounded in time.

Math is raw TeX to the LaTeX builder, so TeX runs paranoid (``openin_any=p``,
``openout_any=p``: no absolute paths, no parent folders, no dot files), without shell
escape, with only the environment it needs (no credentials) and under a wall-clock limit.

Any error or missing glyph fails the volume, pinned on the paper it occurred in: each
paper's start and end (``\\hypertarget{paper.<id>}``, ``\\hypertarget{paperend.<id>}``)
are echoed to the log as TeX passes them and written to ``<volume>.mark``, so that log
lines, ``file:line:`` errors in the ``.tex`` and a timeout all name their paper.

A compile that did not end well (failed or killed) leaves no stamp (``<volume>.compiled``);
without one, the auxiliary files it may have left half-written are removed first.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from proceedings.atomic import write_atomically

__all__ = ["TEX_TIMEOUT", "LatexError", "compile_volume", "paper_at_lines"]

TEX_TIMEOUT = 600.0
_MISSING = re.compile(r"^Missing character: .*$")
_CODE = re.compile(r"\(U\+[0-9A-F]+\)")
_MARK = re.compile(r"^proceedings-mark: (?P<kind>paper|paperend)\.(?P<paper>\S+)$")
_FILE_LINE = re.compile(r"^\./(?P<file>[^:]+):(?P<line>\d+): ")
_TEX_MARK = re.compile(r"\\hypertarget\{(?P<kind>paper|paperend)\.(?P<paper>[^}]+)\}")
_PASS = re.compile(r"^Run number (\d+) of rule '(\w+)'", re.MULTILINE)
_STATE = (".aux", ".out", ".toc", ".fdb_latexmk", ".fls", ".xdv", ".pdf", ".log", ".idx", ".ind", ".ilg", ".mark")
_KEPT_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "SOURCE_DATE_EPOCH", "FORCE_SOURCE_DATE")
_PRETEX = (
    r"\newwrite\proceedingsmarks\AtBeginDocument{\let\proceedingshypertarget\hypertarget"
    r"\renewcommand\hypertarget[1]{\typeout{proceedings-mark: #1}"
    r"\immediate\openout\proceedingsmarks=\jobname.mark\immediate\write\proceedingsmarks{#1}"
    r"\immediate\closeout\proceedingsmarks\proceedingshypertarget{#1}}}"
)


class LatexError(RuntimeError):
    """LaTeX failed, timed out, or dropped characters; ``failures`` holds the lines by paper id (``""``: none)."""

    def __init__(self, message: str, failures: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.failures = failures or {}


def _environment(folder: Path) -> dict[str, str]:
    """What TeX needs and nothing else."""
    kept = {name: value for name, value in os.environ.items() if name in _KEPT_ENVIRONMENT or name.startswith("TEXMF")}
    return kept | {
        "HOME": str(folder), "openin_any": "p", "openout_any": "p", "shell_escape": "f",
        "max_print_line": "10000", "LATEXOPTS": "",
    }


def paper_at_lines(tex: Path) -> list[tuple[int, str | None]]:
    """Where each paper starts and ends in ``tex``: (line, paper id), (line, None) after its end."""
    marks = []
    for number, line in enumerate(tex.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        for match in _TEX_MARK.finditer(line):
            marks.append((number, match["paper"] if match["kind"] == "paper" else None))
    return marks


def _paper_at(marks: list[tuple[int, str | None]], line: int) -> str:
    owner: str | None = None
    for number, paper in marks:
        if number > line:
            break
        owner = paper
    return owner or ""


def _by_paper(log_text: str, tex: Path, wanted: re.Pattern[str]) -> dict[str, list[str]]:
    """The log lines ``wanted`` matches, by the paper TeX was in: the ``.tex`` line for a
    ``./<volume>.tex:LINE:`` error, else the last paper mark echoed before it."""
    marks, current = paper_at_lines(tex), ""
    found: dict[str, list[str]] = {}
    for line in log_text.splitlines():
        mark = _MARK.match(line)
        if mark:
            current = mark["paper"] if mark["kind"] == "paper" else ""
            continue
        if not wanted.match(line):
            continue
        located = _FILE_LINE.match(line)
        owner = _paper_at(marks, int(located["line"])) if located and located["file"] == tex.name else current
        found.setdefault(owner, []).append(line)
    return found


def _echoes_dropped(missing: dict[str, list[str]]) -> dict[str, list[str]]:
    """A paper's title or names also print outside it (contents, running heads, author index):
    a character missing there that is missing in a paper too is that paper's, not the volume's."""
    owned = {match[0] for paper, lines in missing.items() if paper for line in lines if (match := _CODE.search(line))}
    site = [line for line in missing.get("", []) if not ((match := _CODE.search(line)) and match[0] in owned)]
    return {paper: lines for paper, lines in missing.items() if paper} | ({"": site} if site else {})


def _descendants(pid: int) -> list[int]:
    """The processes ``pid`` started, and theirs (Linux's /proc; none elsewhere)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill_tree(process: subprocess.Popen[bytes]) -> None:
    """Stop latexmk first (so that it starts nothing more), then kill what it runs, then it."""
    try:
        os.kill(process.pid, signal.SIGSTOP)
    except ProcessLookupError:
        return
    for pid in [*_descendants(process.pid), process.pid]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait()


def _digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def _discard_unfinished(tex: Path, stamp: Path) -> None:
    """Without a stamp of a good compile matching the PDF, start LaTeX afresh: a killed run can
    leave a truncated ``.out`` that fails every later run, and latexmk would not even try again."""
    try:
        good = json.loads(stamp.read_text(encoding="utf-8")).get("pdf") == _digest(tex.with_suffix(".pdf"))
    except (OSError, ValueError, AttributeError):
        good = False
    stamp.unlink(missing_ok=True)
    if not good:
        for suffix in _STATE:
            tex.with_suffix(suffix).unlink(missing_ok=True)


def _wait(
    process: subprocess.Popen[bytes], timeout: float, output: Path, on_pass: Callable[[str], None] | None
) -> int | None:
    """latexmk's return code, or None when it ran out of time and was killed with what it ran;
    meanwhile each TeX pass it starts is reported to ``on_pass``."""
    deadline, reported = time.monotonic() + timeout, 0

    def report() -> None:
        nonlocal reported
        if on_pass is not None:
            passes = _PASS.findall(output.read_text(encoding="utf-8", errors="replace"))
            for number, rule in passes[reported:]:
                on_pass(f"{rule} pass {number}")
            reported = len(passes)

    while True:
        try:
            returncode = process.wait(timeout=max(0.0, min(0.5, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            report()
            if time.monotonic() >= deadline:
                _kill_tree(process)
                return None
        except BaseException:  # interrupted: TeX must not go on writing into the next build
            _kill_tree(process)
            raise
        else:
            report()
            return returncode


def compile_volume(tex: Path, timeout: float = TEX_TIMEOUT, on_pass: Callable[[str], None] | None = None) -> Path:
    """Run latexmk with xelatex on ``tex``; fail on any error, missing glyph or after ``timeout`` seconds.

    ``on_pass`` hears of each TeX pass (``xelatex pass 2``) as latexmk starts it.
    """
    stamp = tex.with_suffix(".compiled")
    _discard_unfinished(tex, stamp)
    command = [
        "latexmk", "-pdfxe", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error",
        "-no-shell-escape", f"-usepretex={_PRETEX}", tex.name,
    ]
    output = tex.with_suffix(".latexmk.txt")
    with output.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=tex.parent, env=_environment(tex.parent), stdin=subprocess.DEVNULL,
            stdout=sink, stderr=subprocess.STDOUT,
        )
        returncode = _wait(process, timeout, output, on_pass)
    log = tex.with_suffix(".log")
    log_text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
    if returncode is None:
        mark = tex.with_suffix(".mark")
        last = mark.read_text(encoding="utf-8").strip() if mark.is_file() else ""
        paper = last.removeprefix("paper.") if last.startswith("paper.") else ""
        where = f"while typesetting paper {paper!r}" if paper else "outside any paper"
        message = f"{tex.name}: LaTeX did not finish within {timeout:g} s, {where}"
        raise LatexError(message, {paper: [message]})
    if returncode != 0:
        failures = _by_paper(log_text, tex, re.compile(r"^(!|\./)"))
        tail = output.read_text(encoding="utf-8", errors="replace")[-2000:]
        lines = [line for lines in failures.values() for line in lines][:10] or [tail]
        raise LatexError(f"{tex.name}: latexmk failed (see {log}):\n" + "\n".join(lines), failures or {"": lines})
    missing = _echoes_dropped(_by_paper(log_text, tex, _MISSING))
    if missing:
        lines = sorted({line for lines in missing.values() for line in lines})
        raise LatexError(f"{tex.name}: characters missing from the fonts (see {log}):\n" + "\n".join(lines), missing)
    write_atomically(stamp, json.dumps({"pdf": _digest(tex.with_suffix(".pdf"))}) + "\n")
    return tex.with_suffix(".pdf")
