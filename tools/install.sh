#!/usr/bin/env bash
# Install what the proceedings need and build the site and every PDF into build/.
#
# As root on Debian, missing system packages (Python, TeX Live for xelatex, fonts,
# SVG conversion, poppler; chromium and npm for the browser tests) are installed with
# apt. Without root, the script names what is missing, and without TeX it still builds
# the HTML site.
set -euo pipefail
cd "$(dirname "$0")/.."

system_packages=(
  python3 python3-venv
  latexmk texlive-xetex texlive-fonts-recommended fonts-freefont-otf fonts-noto-cjk fonts-dejavu-core
  librsvg2-bin poppler-utils
  chromium
)

missing=()
if command -v dpkg-query >/dev/null; then
  for package in "${system_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
fi
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing from Debian: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them as root with: apt-get install --no-install-recommends ${missing[*]}" >&2
  fi
fi

python=python3
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -c constraints.txt -e ".[test]"

# axe-core for the browser tests' accessibility audit, kept out of git in .cache/
if [ ! -f .cache/npm/node_modules/axe-core/axe.min.js ] && command -v npm >/dev/null; then
  npm install --prefix .cache/npm --no-audit --no-fund --silent axe-core@4
fi

.venv/bin/proceedings build "$@"
