#!/usr/bin/env bash
# Installs everything prospect needs to build, test and benchmark on Debian 12, from Debian's
# packages and the npm registry only. Idempotent: safe to run again; it skips what is present.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git ccache clang-14 libclang-rt-14-dev
  # house tools: the format check (tests/house/check_format.sh) and naming checks (.clang-tidy)
  clang-format-14 clang-tidy-14
  # libraries
  libsqlite3-dev libpq-dev zlib1g-dev nlohmann-json3-dev libsimdjson-dev libcli11-dev
  libspdlog-dev libfmt-dev libtomlplusplus-dev libxxhash-dev libboost-math-dev libeigen3-dev libhnswlib-dev
  libxgboost-dev liblinear-dev libsvm-dev libsodium-dev liblbfgspp-dev liblz4-dev
  # ad-platform audiences: phone numbers in E.164 (Google's libphonenumber: every country's
  # trunk prefixes and lengths) and names lower-cased in every script (ICU)
  libphonenumber-dev libicu-dev
  # tests and benchmarks (postgresql: the throwaway server of scripts/pg_test_server.sh)
  libgtest-dev libgmock-dev libbenchmark-dev postgresql
  # the server: load tests (wrk), its /metrics checked by promtool and scraped by a real Prometheus,
  # its responses validated against its OpenAPI schemas (python3-jsonschema), its dashboard and
  # the static report loaded in a real headless browser (chromium)
  wrk prometheus python3-jsonschema curl chromium
  # peers for fixtures and benchmarks (Debian's own python3)
  python3 python3-pandas python3-numpy python3-sklearn python3-scipy python3-statsmodels python3-xgboost
  python3-phonenumbers
  # report assets are fetched from the npm registry at build time
  nodejs
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
command -v npm >/dev/null || { SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"; DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq npm; }

# Chart library for the HTML report, pinned by web/package-lock.json.
if [ ! -f web/node_modules/echarts/dist/echarts.min.js ]; then
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "install-deps: done"
