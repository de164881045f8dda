#!/usr/bin/env bash
# Set up (if needed) and run the main job on the bundled demo corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/interviewkit demo --out "${1:-demo-output}"
