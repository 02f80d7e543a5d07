#!/usr/bin/env bash
# The whole test suite: lint, types, then the tests (real Sphinx, LaTeX and PDF builds).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check proceedings tests tools
.venv/bin/mypy
.venv/bin/pytest -q "$@"
