#!/usr/bin/python3
"""Every OpenMP parallel region in src/ and apps/ takes its thread count from the caller's Context.

Usage: openmp_threads.py REPO_DIR

A region without num_threads(...) would use OpenMP's default (all cores), ignoring --threads and
the server's per-request budget. Accepted forms: num_threads(ctx.threads()), or a variable named
threads / threads_ that a function received from ctx.threads() (the reviewer checks that much).
Prints each offending line as FILE:LINE and exits 1 if there is any.
"""
import os
import re
import sys

ACCEPTED = re.compile(r"num_threads\(\s*(ctx\.threads\(\)|threads_?|std::max\(1, threads\))\s*\)")


def main():
    repo = sys.argv[1]
    bad, regions = [], 0
    for top in ("src", "apps"):
        for folder, _, files in os.walk(os.path.join(repo, top)):
            for name in sorted(files):
                if not name.endswith((".cpp", ".hpp")):
                    continue
                path = os.path.join(folder, name)
                lines = open(path, encoding="utf-8").read().split("\n")
                for i, line in enumerate(lines):
                    if not re.match(r"\s*#\s*pragma\s+omp\s+parallel\b", line):
                        continue
                    pragma, k = line, i
                    while pragma.rstrip().endswith("\\") and k + 1 < len(lines):  # continued pragma
                        k += 1
                        pragma = pragma.rstrip()[:-1] + " " + lines[k].strip()
                    regions += 1
                    if not ACCEPTED.search(pragma):
                        bad.append(f"{os.path.relpath(path, repo)}:{i + 1}: {line.strip()}")
    if regions == 0:
        print("no OpenMP regions found: wrong REPO_DIR?")
        return 1
    for b in bad:
        print(f"{b}\n  an OpenMP region must take num_threads(ctx.threads()) (or a threads value passed down from it)")
    print(f"{regions} OpenMP regions, {len(bad)} without the Context's thread count")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
