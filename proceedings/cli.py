"""``proceedings``: the organizers' command line."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console

from proceedings.build import BuildError, Output, Progress, build, missing_tex_tools
from proceedings.pdf.compile import TEX_TIMEOUT, LatexError

__all__ = ["main"]


def _build(args: argparse.Namespace) -> int:
    out = Output(args.out)
    pdf = not args.no_pdf
    missing = missing_tex_tools() if pdf else []
    if missing:
        print(
            f"proceedings: cannot build PDFs, missing {', '.join(missing)}. Install them with:\n"
            "  apt-get install --no-install-recommends latexmk texlive-xetex texlive-fonts-recommended "
            "fonts-freefont-otf fonts-noto-cjk librsvg2-bin poppler-utils\n"
            "Building the HTML site only.",
            file=sys.stderr,
        )
        pdf = False
    display = Progress(Console()) if sys.stdout.isatty() and not args.quiet else Progress()
    try:
        result = build(
            args.srcdir, out, pdf=pdf, jobs=args.jobs, private=args.private, skip_failing=args.skip_failing,
            tex_timeout=args.tex_timeout, display=display,
        )
    except (BuildError, LatexError) as exc:
        print(f"proceedings: {exc}", file=sys.stderr)
        for paper, lines in getattr(exc, "failures", {}).items():
            print(f"  {paper or 'not a paper'}: {len(lines)} problem(s)", file=sys.stderr)
        print(f"proceedings: nothing published; {out.html} is as it was", file=sys.stderr)
        return 1
    for paper, lines in result.excluded.items():
        print(f"left out {paper}:", file=sys.stderr)
        for line in lines:
            print(f"  {line}", file=sys.stderr)
    if not args.quiet:
        print(f"HTML site: {out.html / 'index.html'}")
        for path in result.written:
            print(f"PDF: {path}")
    return 2 if missing or result.excluded else 0


def _collect(args: argparse.Namespace) -> int:
    from rich.table import Table

    from proceedings.collect import (
        Outcome,
        Overrides,
        Status,
        SubmissionError,
        collect,
        read_sources,
        with_default_track,
        write_metadata_needed,
        write_report,
    )

    volume_dir = args.srcdir / args.volume
    if not (volume_dir / "workshop.yml").is_file():
        print(f"proceedings: {volume_dir} is not an edition (no workshop.yml)", file=sys.stderr)
        return 1
    try:
        overrides = with_default_track(Overrides.load(args.metadata), volume_dir / "workshop.yml", args.track)
        with tempfile.TemporaryDirectory() as workdir:
            sources = read_sources(
                args.package, args.pdf_only, args.openreview, args.venue_id, args.pdfs, Path(workdir),
                live=args.openreview_live,
            )
            outcomes = collect(sources, volume_dir, args.private, overrides, force=args.force)
    except SubmissionError as exc:
        print(f"proceedings: {exc}", file=sys.stderr)
        write_report([Outcome("", "collect", Status.rejected, [str(exc)])], args.report)
        return 1
    write_report(outcomes, args.report)
    needed = args.report.parent / "metadata-needed.yml"
    if write_metadata_needed(outcomes, overrides, needed, args.metadata):
        print(f"proceedings: papers lack metadata; fill in {needed} and collect again with --metadata {needed}",
              file=sys.stderr)
    table = Table(title=f"Collected into {volume_dir / 'papers'}")
    for column in ("paper", "status", "source", "messages"):
        table.add_column(column, overflow="fold")
    for outcome in outcomes:
        table.add_row(outcome.paper_id, outcome.status.value, outcome.source, "\n".join(outcome.messages))
    Console(stderr=False).print(table)
    counts = {status: sum(o.status == status for o in outcomes) for status in Status}
    print(", ".join(f"{n} {status.value}" for status, n in counts.items() if n) + f"; report: {args.report}")
    return 1 if counts[Status.rejected] else 0


def _check(args: argparse.Namespace) -> int:
    from proceedings.check.output import check_output

    findings = check_output(args.out, args.private, srcdir=args.srcdir if args.srcdir.is_dir() else None)
    for finding in findings:
        print(finding)
    print(f"{len(findings)} problem(s) in {args.out}" if findings else f"{args.out}: no problem found")
    return 1 if findings else 0


def _new_edition(args: argparse.Namespace) -> int:
    from proceedings.edition import CARRIED, TO_FILL, EditionError, new_edition
    from proceedings.model import MetadataError

    try:
        made = new_edition(args.srcdir, args.edition, args.source, args.venue, args.city, args.date)
    except (EditionError, MetadataError, OSError) as exc:
        print(f"proceedings: {exc}", file=sys.stderr)
        return 1
    print(f"New edition in {made.folder}: {', '.join(made.pages)}")
    print(f"Carried over from {args.source}: {', '.join(CARRIED)}.")
    print(f"To fill in ({made.folder / 'workshop.yml'}): {', '.join(TO_FILL)}.")
    print("The site's home page lists it now; its papers list, indexes and volume appear with its first paper.")
    return 0


def _add_new_edition(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("new-edition", help="start an edition from the last one")
    cmd.add_argument("edition", help="the new edition's folder, e.g. neurips2026")
    cmd.add_argument("--from", dest="source", required=True, help="the edition to start from, e.g. iclr2026")
    cmd.add_argument("--venue", required=True, help='e.g. "NeurIPS 2026"')
    cmd.add_argument("--city", required=True, help='e.g. "Paris, France"')
    cmd.add_argument("--date", required=True, type=dt.date.fromisoformat, help="the workshop's day, YYYY-MM-DD")
    cmd.add_argument("--srcdir", type=Path, default=Path("docs"))
    cmd.set_defaults(run=_new_edition)


def _report_preview(result: Any) -> None:
    outcome = result.outcome
    print(f"{outcome.paper_id}: {outcome.status.value}")
    for message in [*outcome.messages, *result.problems]:
        print(f"  {message}")
    if result.html is not None:
        print(f"HTML: {result.html.resolve().as_uri()}")
    if result.pdf is not None:
        print(f"PDF: {result.pdf.resolve().as_uri()}")


def _preview(args: argparse.Namespace) -> int:
    from proceedings.preview import PreviewError, default_scratch, preview, serve_preview

    scratch = args.out or default_scratch(args.package)
    pdf = not args.no_pdf
    if pdf and missing_tex_tools():
        print(f"proceedings: no PDF, missing {', '.join(missing_tex_tools())}", file=sys.stderr)
        pdf = False
    try:
        if args.serve:
            serve_preview(args.package, scratch, pdf=pdf, port=args.port, report=_report_preview)
            return 0
        result = preview(args.package, scratch, pdf=pdf)
    except PreviewError as exc:
        print(f"proceedings: {exc}", file=sys.stderr)
        return 1
    _report_preview(result)
    return 0 if result.html is not None else 1


def _add_preview(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("preview", help="an author's preview of one camera-ready package")
    cmd.add_argument("package", type=Path, help="the package: a folder or a zip")
    cmd.add_argument("--no-pdf", action="store_true", help="the web page only")
    cmd.add_argument("--out", type=Path, help="the scratch folder (default: one per package in the temp folder)")
    cmd.add_argument("--serve", action="store_true", help="serve the preview and rebuild it when the package changes")
    cmd.add_argument("--port", type=int, default=8001)
    cmd.set_defaults(run=_preview)


def _serve(args: argparse.Namespace) -> int:
    from proceedings.serve import serve

    return serve(args.srcdir, args.out, args.host, args.port)


def _add_serve(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("serve", help="serve the site on localhost, rebuilt on every change (sphinx-autobuild)")
    cmd.add_argument("--srcdir", type=Path, default=Path("docs"))
    cmd.add_argument("--out", type=Path, default=Path("build/serve"), help="kept apart from the published build/html")
    cmd.add_argument("--host", default="127.0.0.1")
    cmd.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    cmd.set_defaults(run=_serve)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="proceedings", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="build the HTML site and the PDF volumes")
    build_cmd.add_argument("--srcdir", type=Path, default=Path("docs"))
    build_cmd.add_argument("--out", type=Path, default=Path("build"))
    build_cmd.add_argument("--no-pdf", action="store_true", help="build the HTML site only")
    build_cmd.add_argument("-j", "--jobs", default="1", help="Sphinx processes ('auto' for one per core)")
    build_cmd.add_argument("--private", type=Path, default=Path("private"), help="organizer-only folder")
    build_cmd.add_argument(
        "--skip-failing", action="store_true", help="publish without the papers that fail, listing each"
    )
    build_cmd.add_argument(
        "--tex-timeout", type=float, default=TEX_TIMEOUT, metavar="SECONDS",
        help=f"stop a volume's LaTeX run after this long, naming the paper it was in (default {TEX_TIMEOUT:g})",
    )
    build_cmd.add_argument(
        "-q", "--quiet", action="store_true", help="show no progress (none is shown when output is not a terminal)"
    )
    build_cmd.set_defaults(run=_build)
    collect_cmd = commands.add_parser("collect", help="collect submissions into an edition's papers")
    collect_cmd.add_argument("--volume", required=True, help="the edition's folder, e.g. iclr2026")
    collect_cmd.add_argument("--srcdir", type=Path, default=Path("docs"))
    collect_cmd.add_argument("--openreview", type=Path, help="an OpenReview API v2 notes export (JSON)")
    collect_cmd.add_argument(
        "--openreview-live", action="store_true",
        help="fetch the accepted notes and PDFs of --venue-id from the OpenReview API "
        "(OPENREVIEW_BASEURL, OPENREVIEW_USERNAME, OPENREVIEW_PASSWORD)",
    )
    collect_cmd.add_argument("--venue-id", help="accepted notes have this content.venueid")
    collect_cmd.add_argument("--pdfs", type=Path, help="folder of the export's PDFs (<note id>.pdf)")
    collect_cmd.add_argument("--package", type=Path, nargs="*", default=[], help="camera-ready folders or zips")
    collect_cmd.add_argument("--pdf-only", type=Path, nargs="*", default=[], help="YAML metadata beside a PDF")
    collect_cmd.add_argument("--metadata", type=Path, help="organizers' metadata by paper id (funding, track...)")
    collect_cmd.add_argument(
        "--track", help="the track of papers whose source names none (default: the edition's only track, if one)"
    )
    collect_cmd.add_argument("--private", type=Path, default=Path("private"), help="organizer-only folder")
    collect_cmd.add_argument("--report", type=Path, default=Path("build/collect-report.json"))
    collect_cmd.add_argument("--force", action="store_true", help="replace papers edited after collection")
    collect_cmd.set_defaults(run=_collect)
    check_cmd = commands.add_parser("check", help="prove a built output fit to publish")
    check_cmd.add_argument("--out", type=Path, default=Path("build"))
    check_cmd.add_argument(
        "--srcdir", type=Path, default=Path("docs"), help="the sources papers' pages must agree with, if present"
    )
    check_cmd.add_argument("--private", type=Path, default=Path("private"), help="organizer-only folder")
    check_cmd.set_defaults(run=_check)
    _add_new_edition(commands)
    _add_preview(commands)
    _add_serve(commands)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
