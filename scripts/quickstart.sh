#!/usr/bin/env bash
# Installs dependencies, builds prospect (Release) and runs `prospect quickstart`: sample data,
# a workspace, and the whole loop end to end, ending with an HTML report. Extra args go to quickstart.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)"
build/prospect quickstart "$@"
