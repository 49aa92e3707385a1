#!/usr/bin/env bash
# House rule: names follow .clang-tidy's readability-identifier-naming (Google style; methods
# unchecked). Checks one translation unit that includes every public header under
# ROOT/include/prospect, or the HEADER files given. About 15 s; the whole tree (every source,
# minutes) is `run-clang-tidy-14 -p BUILD_DIR -quiet`.
# Usage: tests/house/check_naming.sh ROOT [HEADER...]
set -euo pipefail
root=$(cd "$1" && pwd)
shift
repo=$(cd "$(dirname "$0")/../.." && pwd)
tu=$(mktemp --suffix=.cpp)
trap 'rm -f "$tu"' EXIT
if [ $# -gt 0 ]; then
  for h in "$@"; do echo "#include \"$(cd "$(dirname "$h")" && pwd)/$(basename "$h")\""; done > "$tu"
else
  (cd "$root/include" && find prospect -name '*.hpp' | sort | sed 's/.*/#include "&"/') > "$tu"
fi
if ! out=$(clang-tidy-14 --quiet --config-file="$repo/.clang-tidy" --header-filter='.*' "$tu" -- \
             -std=c++20 -I"$root/include" -I"$root/src" -I/usr/include/eigen3 2>&1); then
  echo "$out" | grep -E "error:" || echo "$out"
  exit 1
fi
echo "check_naming: $(wc -l < "$tu") headers follow the naming rules"
