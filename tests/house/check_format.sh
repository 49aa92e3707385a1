#!/usr/bin/env bash
# House rule: every C++ source under ROOT is as clang-format-14 formats it with the repo's
# .clang-format (Google base, 100 columns). Fails listing the files that are not.
# Usage: tests/house/check_format.sh ROOT   (fix with: clang-format-14 -i FILE...)
set -euo pipefail
root=$1
style_file=$(cd "$(dirname "$0")/../.." && pwd)/.clang-format
cd "$root"
files=()
while IFS= read -r -d '' f; do
  # The deliberately broken example lives under tests/house/bad_*; it is checked on its own.
  case "$f" in ./tests/house/bad_*) continue ;; esac
  files+=("$f")
done < <(find . \( -name build\* -o -name node_modules -o -name .git \) -prune -o \
           \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' \) -print0)
# One clang-format process for all the files (one per file took 30 s); it names each file it
# would change in a "FILE:LINE:COL: error: code should be clang-formatted" line.
bad=()
if [ ${#files[@]} -gt 0 ]; then
  report=$(clang-format-14 --style="file:$style_file" --dry-run --Werror "${files[@]}" 2>&1 >/dev/null) || true
  while IFS= read -r f; do [ -n "$f" ] && bad+=("$f"); done < <(
    printf '%s\n' "$report" | sed -n 's/^\(.*\):[0-9]*:[0-9]*: error: code should be clang-formatted.*/\1/p' | sort -u)
  if [ ${#bad[@]} -eq 0 ] && [ -n "$report" ]; then
    echo "clang-format-14 failed: $report"
    exit 1
  fi
fi
if [ ${#bad[@]} -gt 0 ]; then
  echo "not clang-format-14 formatted (${#bad[@]} files; fix with clang-format-14 -i):"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "check_format: every C++ file under $root is formatted"
