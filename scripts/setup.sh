#!/usr/bin/env bash
# Set up interviewkit in .venv: torch 2.13.0 (CPU build) first, then the package with its pinned
# dependencies (constraints.txt pins every transitive package), the French spaCy pipelines included.
# Re-running is instant when pyproject.toml, constraints.txt and this script have not changed.
# Options: --browser  also install the system Chromium (apt) for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
VENV=${IK_VENV:-.venv}
want_browser=0
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=1 ;;
    *) echo "setup.sh: unknown option $arg (allowed: --browser)" >&2; exit 2 ;;
  esac
done

stamp_value=$(cat pyproject.toml constraints.txt scripts/setup.sh | sha256sum | cut -d' ' -f1)
stamp_file="$VENV/.interviewkit-setup"
if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp_value" ] && [ -x "$VENV/bin/interviewkit" ]; then
  echo "setup: environment up to date ($VENV)"
else
  "$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), "interviewkit needs Python 3.11"'
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  export PIP_DISABLE_PIP_VERSION_CHECK=1
  # torch first and pinned: an unpinned torch pulls gigabytes of CUDA packages.
  "$VENV/bin/python" -m pip install --quiet "torch==2.13.0"
  "$VENV/bin/python" -m pip install --quiet -c constraints.txt -e ".[test]"
  "$VENV/bin/python" -c 'import spacy; spacy.load("fr_core_news_sm"); spacy.load("fr_core_news_md")'
  echo "$stamp_value" > "$stamp_file"
  echo "setup: installed into $VENV"
fi

if [ "$want_browser" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq chromium >/dev/null
  echo "setup: installed system Chromium at /usr/bin/chromium"
fi
