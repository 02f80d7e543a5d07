"""Collect submissions into the source tree: the same as ``proceedings collect``.

    .venv/bin/python tools/collect_submissions.py --volume iclr2026 --package camera-ready/*.zip
"""

from __future__ import annotations

import sys

from proceedings.cli import main

if __name__ == "__main__":
    sys.exit(main(["collect", *sys.argv[1:]]))
