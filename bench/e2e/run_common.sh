# Sourced by the bench/e2e/run_*.sh scripts that build what they run: the shell options they all
# use, ROOT (the checkout) and bench_build.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

# bench_build DIR TARGET: sets BUILD to DIR (a relative DIR is taken from ROOT) and builds TARGET
# there quietly; sets WORK to a fresh temp folder, removed when the script exits.
bench_build() {
  case "$1" in /*) BUILD=$1 ;; *) BUILD=$ROOT/$1 ;; esac
  cmake --build "$BUILD" --target "$2" >/dev/null
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
}
