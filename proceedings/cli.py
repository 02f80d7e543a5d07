"""``proceedings``: the organizers' command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from proceedings.build import BuildError, Output, build, missing_tex_tools
from proceedings.pdf import LatexError

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
    try:
        written = build(args.srcdir, out, pdf=pdf, jobs=args.jobs)
    except (BuildError, LatexError) as exc:
        print(f"proceedings: {exc}", file=sys.stderr)
        return 1
    print(f"HTML site: {out.html / 'index.html'}")
    for path in written:
        print(f"PDF: {path}")
    return 2 if missing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="proceedings", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="build the HTML site and the PDF volumes")
    build_cmd.add_argument("--srcdir", type=Path, default=Path("docs"))
    build_cmd.add_argument("--out", type=Path, default=Path("build"))
    build_cmd.add_argument("--no-pdf", action="store_true", help="build the HTML site only")
    build_cmd.add_argument("-j", "--jobs", default="1", help="Sphinx processes ('auto' for one per core)")
    build_cmd.set_defaults(run=_build)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
