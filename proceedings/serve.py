"""``proceedings serve``: the site on localhost, rebuilt by sphinx-autobuild whenever a source changes.

It builds the HTML only, into its own folder (``build/serve`` by default), so that the
published, checked ``build/html`` is never replaced by a preview. Warnings are shown, not
fatal: an organizer fixing a paper sees the page while the strict build would stop.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

__all__ = ["serve", "serve_command"]


def serve_command(srcdir: Path, out: Path, host: str = "127.0.0.1", port: int = 8000) -> list[str]:
    """The sphinx-autobuild command line; PDF links are marked "not built", as in ``build --no-pdf``."""
    return [
        sys.executable, "-m", "sphinx_autobuild", str(srcdir), str(out / "html"),
        "-d", str(out / "doctrees"), "-D", "proceedings_pdf=0",
        "--host", host, "--port", str(port),
    ]


def serve(srcdir: Path, out: Path, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Serve until interrupted; sphinx-autobuild prints the address."""
    try:
        return subprocess.call(serve_command(srcdir, out, host, port))
    except KeyboardInterrupt:
        return 0
