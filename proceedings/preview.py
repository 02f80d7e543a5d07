"""An author's preview: one camera-ready package, collected and built as the organizers will.

The package goes through the same collect stage (threat checks, mystmd conversion, the
report) into a scratch site that holds only a stand-in edition, and the same strict build
and check make its page and PDF. Nothing is read from or written to the organizers'
``docs/``: only the site's configuration (``conf.py`` and ``_static``) is copied, so that
the paper looks exactly as it will. The scratch folder is kept between runs, so a second
preview rebuilds only what changed.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from proceedings.build import BuildError, Output, build
from proceedings.collect import Outcome, Overrides, Status, collect, read_sources
from proceedings.layout import WORKSHOP_FILE, new_volume
from proceedings.pdf.compile import LatexError

__all__ = ["EDITION", "Preview", "PreviewError", "default_scratch", "preview", "serve_preview", "site_config"]

EDITION = "preview"

STAND_IN: dict[str, Any] = {
    "name": "AI for Peace",
    "edition": 1,
    "venue": "Preview",
    "venue_short": "Preview",
    "city": "Preview",
    "date": "2026-01-01",
    "theme": "Author preview",
    "contact_email": "ai-for-peace-workshop@googlegroups.com",
    "licence": "CC BY 4.0",
    "editors": ["Preview"],
    "call_for_papers": {
        "tracks": [{"name": "Tiny papers", "outcome": "preview"}, {"name": "Previously published work",
                                                                   "outcome": "preview"}],
        "archival": False, "anonymous_option": True, "review": "preview", "funding_disclosure": "required",
        "llm_policy": "disclosed", "topics": [], "out_of_scope": [], "timeline": [],
    },
    "organizers": [],
}
"""The edition a preview puts the paper in: an edition's data, which authors do not have."""

INDEX = "# Preview\n\n```{toctree}\npreview/papers/index\n```\n"


class PreviewError(RuntimeError):
    """The package was rejected or did not build; the message and the report say why."""


@dataclass
class Preview:
    """What a preview made: the collect outcome, and the page and PDF when the build passed."""

    outcome: Outcome
    html: Path | None = None
    pdf: Path | None = None
    problems: list[str] = field(default_factory=list)


def site_config() -> Path:
    """The site's Sphinx source folder whose ``conf.py`` and ``_static`` a preview uses."""
    for candidate in (Path.cwd() / "docs", Path(__file__).resolve().parent.parent / "docs"):
        if (candidate / "conf.py").is_file():
            return candidate
    raise PreviewError("no docs/conf.py: run the preview from a clone of the proceedings repository")


def default_scratch(package: Path) -> Path:
    """One scratch folder per package, kept between runs so that a rebuild redoes only what changed."""
    return Path(tempfile.gettempdir()) / "proceedings-preview" / package.resolve().name.removesuffix(".zip")


def _scratch_site(scratch: Path, config: Path) -> Path:
    srcdir = scratch / "docs"
    if not (srcdir / EDITION / WORKSHOP_FILE).is_file():
        shutil.rmtree(srcdir, ignore_errors=True)
        srcdir.mkdir(parents=True)
        stand_in = scratch / "stand-in-workshop.yml"
        stand_in.write_text(yaml.safe_dump(STAND_IN, sort_keys=False), encoding="utf-8")
        new_volume(srcdir, EDITION, stand_in)
        (srcdir / "index.md").write_text(INDEX, encoding="utf-8")
    shutil.copyfile(config / "conf.py", srcdir / "conf.py")
    shutil.copytree(config / "_static", srcdir / "_static", dirs_exist_ok=True)
    return srcdir


def preview(package: Path, scratch: Path, *, pdf: bool = True) -> Preview:
    """Collect ``package`` (a folder or a zip) into ``scratch`` and build its page and, with ``pdf``, its PDF."""
    srcdir = _scratch_site(scratch, site_config())
    papers = srcdir / EDITION / "papers"
    with tempfile.TemporaryDirectory() as workdir:
        outcomes = collect(read_sources([package], [], None, None, None, Path(workdir)),
                           srcdir / EDITION, scratch / "private", Overrides(), force=True)
    outcome = outcomes[0]
    result = Preview(outcome)
    if outcome.status is Status.rejected:
        return result
    for folder in papers.iterdir():
        if folder.is_dir() and folder.name != outcome.paper_id:
            shutil.rmtree(folder)  # a package renamed since the last preview
    out = Output(scratch / "out")
    try:
        build(srcdir, out, pdf=pdf, private=scratch / "private")
    except (BuildError, LatexError) as exc:
        result.problems = [str(exc), *(line for lines in getattr(exc, "failures", {}).values() for line in lines)]
        return result
    result.html = out.html / EDITION / "papers" / outcome.paper_id / "paper.html"
    paper_pdf = out.pdf / EDITION / f"{outcome.paper_id}.pdf"
    result.pdf = paper_pdf if pdf and paper_pdf.is_file() else None
    return result


def serve_preview(package: Path, scratch: Path, *, pdf: bool, port: int, report: Callable[[Preview], None]) -> None:
    """Preview, serve the scratch site on localhost, and preview again whenever the package changes."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from watchfiles import watch

    report(preview(package, scratch, pdf=pdf))
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(scratch / "out" / "html"))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"Serving http://127.0.0.1:{server.server_address[1]}/ ; rebuilt when {package} changes (Ctrl-C stops)")
    try:
        for _changes in watch(package):
            report(preview(package, scratch, pdf=pdf))
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
